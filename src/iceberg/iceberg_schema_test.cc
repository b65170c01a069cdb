#include "iceberg/iceberg_schema.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "testing/status_matchers.h"

namespace lakeshare::iceberg {
namespace {

namespace json = boost::json;

Schema Parse(const char* text) {
  auto s = ParseSchema(json::parse(text));
  EXPECT_OK(s);
  return s.ok() ? *s : Schema{};
}

std::string LE(uint64_t v, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

Type T(TypeId id) {
  Type t;
  t.id = id;
  return t;
}

TEST(IcebergSchema, EveryTypeToSparkJson) {
  Schema s = Parse(R"J({"type":"struct","schema-id":3,"fields":[
    {"id":1,"name":"b","required":true,"type":"boolean"},
    {"id":2,"name":"i","required":false,"type":"int","doc":"an int"},
    {"id":3,"name":"l","required":false,"type":"long"},
    {"id":4,"name":"f","required":false,"type":"float"},
    {"id":5,"name":"d","required":false,"type":"double"},
    {"id":6,"name":"dec","required":false,"type":"decimal(38, 9)"},
    {"id":7,"name":"day","required":false,"type":"date"},
    {"id":8,"name":"t","required":false,"type":"time"},
    {"id":9,"name":"ts","required":false,"type":"timestamp"},
    {"id":10,"name":"tz","required":false,"type":"timestamptz"},
    {"id":11,"name":"ns","required":false,"type":"timestamp_ns"},
    {"id":12,"name":"tzns","required":false,"type":"timestamptz_ns"},
    {"id":13,"name":"s","required":false,"type":"string"},
    {"id":14,"name":"u","required":false,"type":"uuid"},
    {"id":15,"name":"fx","required":false,"type":"fixed[16]"},
    {"id":16,"name":"bin","required":false,"type":"binary"},
    {"id":17,"name":"v","required":false,"type":"variant"},
    {"id":18,"name":"unk","required":false,"type":"unknown"},
    {"id":19,"name":"g","required":false,"type":"geometry(srid:4326)"},
    {"id":20,"name":"st","required":false,"type":{"type":"struct","fields":[
      {"id":21,"name":"x","required":true,"type":"int"}]}},
    {"id":22,"name":"lst","required":false,"type":{"type":"list","element-id":23,
      "element-required":false,"element":"string"}},
    {"id":24,"name":"m","required":false,"type":{"type":"map","key-id":25,"key":"string",
      "value-id":26,"value-required":true,"value":"long"}}]})J");
  EXPECT_EQ(s.schema_id, 3);
  EXPECT_EQ(
      SparkSchemaString(s),
      R"J({"type":"struct","fields":[{"name":"b","type":"boolean","nullable":false,"metadata":{}},)J"
      R"J({"name":"i","type":"integer","nullable":true,"metadata":{"comment":"an int"}},)J"
      R"J({"name":"l","type":"long","nullable":true,"metadata":{}},)J"
      R"J({"name":"f","type":"float","nullable":true,"metadata":{}},)J"
      R"J({"name":"d","type":"double","nullable":true,"metadata":{}},)J"
      R"J({"name":"dec","type":"decimal(38,9)","nullable":true,"metadata":{}},)J"
      R"J({"name":"day","type":"date","nullable":true,"metadata":{}},)J"
      R"J({"name":"t","type":"long","nullable":true,"metadata":{}},)J"
      R"J({"name":"ts","type":"timestamp_ntz","nullable":true,"metadata":{}},)J"
      R"J({"name":"tz","type":"timestamp","nullable":true,"metadata":{}},)J"
      R"J({"name":"ns","type":"timestamp_ntz","nullable":true,"metadata":{}},)J"
      R"J({"name":"tzns","type":"timestamp","nullable":true,"metadata":{}},)J"
      R"J({"name":"s","type":"string","nullable":true,"metadata":{}},)J"
      R"J({"name":"u","type":"binary","nullable":true,"metadata":{}},)J"
      R"J({"name":"fx","type":"binary","nullable":true,"metadata":{}},)J"
      R"J({"name":"bin","type":"binary","nullable":true,"metadata":{}},)J"
      R"J({"name":"v","type":"variant","nullable":true,"metadata":{}},)J"
      R"J({"name":"unk","type":"void","nullable":true,"metadata":{}},)J"
      R"J({"name":"g","type":"binary","nullable":true,"metadata":{}},)J"
      R"J({"name":"st","type":{"type":"struct","fields":[{"name":"x","type":"integer","nullable":false,"metadata":{}}]},"nullable":true,"metadata":{}},)J"
      R"J({"name":"lst","type":{"type":"array","elementType":"string","containsNull":true},"nullable":true,"metadata":{}},)J"
      R"J({"name":"m","type":{"type":"map","keyType":"string","valueType":"long","valueContainsNull":false},"nullable":true,"metadata":{}}]})J");
  std::vector<FieldPath> paths;
  CollectStructFields(s.fields, &paths);
  ASSERT_EQ(paths.size(), 23u);  // every top-level field plus st.x
  EXPECT_EQ(paths[20].names, (std::vector<std::string>{"st", "x"}));
}

TEST(IcebergSchema, ColumnMappingIdsInTheSparkJson) {
  // Delta column mapping mode `id`: every struct field carries its Iceberg
  // field id and physical name; lists and maps the ids of their children.
  Schema s = Parse(R"J({"type":"struct","schema-id":0,"fields":[
    {"id":1,"name":"a","required":true,"type":"int","doc":"c"},
    {"id":2,"name":"st","required":false,"type":{"type":"struct","fields":[
      {"id":3,"name":"x","required":false,"type":"long"}]}},
    {"id":4,"name":"m","required":false,"type":{"type":"map","key-id":5,"key":"string",
      "value-id":6,"value-required":false,"value":{"type":"list","element-id":7,
      "element-required":true,"element":"int"}}}]})J");
  EXPECT_EQ(
      SparkSchemaString(s, true),
      R"J({"type":"struct","fields":[{"name":"a","type":"integer","nullable":false,"metadata":)J"
      R"J({"comment":"c","delta.columnMapping.id":1,"delta.columnMapping.physicalName":"a"}},)J"
      R"J({"name":"st","type":{"type":"struct","fields":[{"name":"x","type":"long","nullable":true,)J"
      R"J("metadata":{"delta.columnMapping.id":3,"delta.columnMapping.physicalName":"x"}}]},)J"
      R"J("nullable":true,"metadata":{"delta.columnMapping.id":2,"delta.columnMapping.physicalName":"st"}},)J"
      R"J({"name":"m","type":{"type":"map","keyType":"string","valueType":{"type":"array",)J"
      R"J("elementType":"integer","containsNull":false},"valueContainsNull":true},"nullable":true,)J"
      R"J("metadata":{"delta.columnMapping.id":4,"delta.columnMapping.physicalName":"m",)J"
      R"J("delta.columnMapping.nested.ids":{"m.key":5,"m.value":6,"m.value.element":7}}}]})J");
  // Without: no column mapping metadata.
  EXPECT_EQ(SparkSchemaString(s).find("columnMapping"), std::string::npos);
}

TEST(IcebergSchema, BadTypesAreCorruption) {
  for (const char* t : {R"J("decimal(39,1)")J", R"J("decimal(5,6)")J", R"J("decimal(x,1)")J",
                        R"J("fixed[-1]")J", R"J("strng")J", R"J({"type":"list","element":"int"})J",
                        R"J({"type":"map","key-id":1,"key":"int","value-id":2})J", R"J(7)J",
                        R"J({"type":"tuple"})J"}) {
    std::string text =
        std::string(R"J({"type":"struct","fields":[{"id":1,"name":"a","type":)J") + t + "}]}";
    auto s = ParseSchema(json::parse(text));
    EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << t;
  }
  EXPECT_FALSE(
      ParseSchema(json::parse(R"J({"type":"struct","fields":[{"name":"a","type":"int"}]})J")).ok());
  // Nesting is bounded.
  std::string deep = R"J("int")J";
  for (int i = 0; i < 100; ++i) {
    deep = R"J({"type":"list","element-id":)J" + std::to_string(i + 2) + R"J(,"element":)J" + deep +
           "}";
  }
  json::parse_options o;
  o.max_depth = 1000;
  auto s = ParseSchema(json::parse(
      std::string(R"J({"type":"struct","fields":[{"id":1,"name":"a","type":)J") + deep + "}]}", {},
      o));
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
}

TEST(IcebergSchema, BoundsBecomeStatsValues) {
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kInt), LE(static_cast<uint32_t>(-7), 4)), "-7");
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kLong), LE(1ull << 40, 8)), "1099511627776");
  // A long promoted from int keeps 4-byte bounds.
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kLong), LE(5, 4)), "5");
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kInt), LE(5, 8)), std::nullopt);
  float f = 23.34342f;
  uint32_t fb;
  std::memcpy(&fb, &f, 4);
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kFloat), LE(fb, 4)), "23.34342");
  double d = -0.25;
  uint64_t db;
  std::memcpy(&db, &d, 8);
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kDouble), LE(db, 8)), "-0.25");
  d = 1.0;
  std::memcpy(&db, &d, 8);
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kDouble), LE(db, 8)), "1.0");
  d = std::nan("");
  std::memcpy(&db, &d, 8);
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kDouble), LE(db, 8)), std::nullopt);
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kDate), LE(19000, 4)), "\"2022-01-08\"");
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kTimestampTz), LE(1684161045123456, 8)),
            "\"2023-05-15T14:30:45.123456Z\"");
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kTimestamp), LE(static_cast<uint64_t>(-1), 8)),
            "\"1969-12-31T23:59:59.999999\"");
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kTimestampTzNs), LE(1684161045123456789, 8)),
            "\"2023-05-15T14:30:45.123456789Z\"");
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kString), "a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kString), "\xff\xfe"), std::nullopt);
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kBoolean), std::string(1, '\1')), "true");
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kBinary), "abc"), std::nullopt);
  EXPECT_EQ(BoundToStatsJson(T(TypeId::kUuid), std::string(16, 'x')), std::nullopt);
  Type dec = T(TypeId::kDecimal);
  dec.precision = 10;
  dec.scale = 2;
  EXPECT_EQ(BoundToStatsJson(dec, std::string("\xfe\x0c", 2)), "-5.00");  // -500
}

TEST(IcebergSchema, DecimalStrings) {
  EXPECT_EQ(DecimalString(std::string(1, '\0'), 23), "0.00000000000000000000000");
  EXPECT_EQ(DecimalString("\x01", 0), "1");
  EXPECT_EQ(DecimalString("\xff", 3), "-0.001");
  EXPECT_EQ(DecimalString(std::string("\x80") + std::string(15, '\0'), 0),
            "-170141183460469231731687303715884105728");
  EXPECT_EQ(DecimalString(std::string("\x7f") + std::string(15, '\xff'), 38),
            "1.70141183460469231731687303715884105727");
  EXPECT_EQ(DecimalString(std::string(17, '\1'), 0), std::nullopt);
  EXPECT_EQ(DecimalString("", 0), std::nullopt);
}

TEST(IcebergSchema, PartitionValueStrings) {
  auto str = [](TypeId id, PartitionDatum d, int scale = 0) {
    Type t = T(id);
    t.scale = scale;
    auto r = PartitionValueString(t, d);
    EXPECT_OK(r);
    return r.ok() ? r->value_or("<null>") : "<error>";
  };
  using K = PartitionDatum::Kind;
  EXPECT_EQ(str(TypeId::kInt, {K::kInt, -3}), "-3");
  EXPECT_EQ(str(TypeId::kBoolean, {K::kBool, 0, 0, true}), "true");
  EXPECT_EQ(str(TypeId::kFloat, {K::kDouble, 0, 1.2300000190734863}), "1.23");
  EXPECT_EQ(str(TypeId::kDouble, {K::kDouble, 0, 4.56}), "4.56");
  EXPECT_EQ(str(TypeId::kDouble, {K::kDouble, 0, std::nan("")}), "NaN");
  EXPECT_EQ(str(TypeId::kDate, {K::kInt, 19723}), "2024-01-01");
  EXPECT_EQ(str(TypeId::kTimestampTz, {K::kInt, 1684161045000001}), "2023-05-15 14:30:45.000001");
  EXPECT_EQ(str(TypeId::kString, {K::kBytes, 0, 0, false, "a/b"}), "a/b");
  EXPECT_EQ(str(TypeId::kDecimal, {K::kBytes, 0, 0, false, "\x30\x39"}, 2), "123.45");
  EXPECT_EQ(str(TypeId::kLong, {}), "<null>");
  // Type mismatches are corruption; unexposable types unsupported.
  EXPECT_EQ(PartitionValueString(T(TypeId::kInt), {K::kBytes}).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(PartitionValueString(T(TypeId::kVariant), {K::kBytes}).status().code(),
            StatusCode::kUnsupported);
  // Binary as PROTOCOL.md's escaped bytes (a character per byte); time in
  // microseconds (Spark long).
  EXPECT_EQ(str(TypeId::kBinary, {K::kBytes, 0, 0, false, "\x01\x02\xAA"}), "\x01\x02\xC2\xAA");
  EXPECT_EQ(str(TypeId::kFixed, {K::kBytes, 0, 0, false, "ab"}), "ab");
  EXPECT_EQ(str(TypeId::kTime, {K::kInt, 45296000000}), "45296000000");
  EXPECT_TRUE(IsExposablePartitionType(T(TypeId::kDecimal)));
  // Identity partition columns of these types are often absent from the
  // data files (Hive-style folders): they must be partition values.
  EXPECT_TRUE(IsExposablePartitionType(T(TypeId::kTime)));
  EXPECT_TRUE(IsExposablePartitionType(T(TypeId::kUuid)));
  EXPECT_TRUE(IsExposablePartitionType(T(TypeId::kBinary)));
  EXPECT_FALSE(IsExposablePartitionType(T(TypeId::kStruct)));
}

}  // namespace
}  // namespace lakeshare::iceberg
