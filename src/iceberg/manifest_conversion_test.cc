#include "iceberg/manifest_conversion.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/encoding.h"
#include "iceberg/iceberg_metadata.h"
#include "iceberg/iceberg_writer.h"
#include "testing/status_matchers.h"

namespace lakeshare::iceberg {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A partition column of only some specs: a file of a spec without it takes
// the single value its bounds show, or leaves the manifest `unfilled`.
class PartialPartitionColumns : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ice-partial-" + HexEncode(RandomBytes(6)));
    IcebergTableSpec spec;  // unpartitioned: spec 0 has no identity field
    spec.columns = {{"a", TypeId::kInt, false, std::nullopt},
                    {"b", TypeId::kString, false, std::nullopt},
                    {"c", TypeId::kString, false, std::nullopt}};
    auto w = IcebergTableWriter::Create(dir_.string(), spec, 1000);
    ASSERT_OK(w);
    IcebergAppendOptions o;
    o.timestamp_ms = 2000;
    // file 0: a 1..2, b "x" twice, c null twice; file 1: a 3 twice, b "x"
    // and "y", c "q" twice.
    auto make = [](size_t i) {
      IcebergFileData f;
      f.columns.push_back({std::vector<int32_t>{i == 0 ? 1 : 3, i == 0 ? 2 : 3}, {}});
      f.columns.push_back({std::vector<std::string>{"x", i == 0 ? "x" : "y"}, {}});
      parquet::ColumnData c{std::vector<std::string>{"q", "q"}, {}};
      if (i == 0) c.validity = std::vector<bool>{false, false};
      f.columns.push_back(c);
      return Result<IcebergFileData>(f);
    };
    ASSERT_OK((*w)->Append(2, make, o));
    for (const auto& e : fs::directory_iterator(dir_ / "metadata")) {
      std::string n = e.path().filename().string();
      if (n.find(".metadata.json") != std::string::npos) {
        ASSERT_OK_AND_ASSIGN(meta_, ParseMetadata(ReadFile(e.path())));
      }
      if (n.rfind("snap-", 0) != 0 && n.size() > 5 && n.substr(n.size() - 5) == ".avro") {
        manifest_ = e.path();
      }
    }
    ASSERT_FALSE(manifest_.empty());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The files' values of `columns` as partition columns (spec 0 lacks them).
  Result<std::shared_ptr<const ConvertedManifest>> Convert(
      const std::vector<std::string>& columns) {
    FileContext ctx = MakeFileContext(meta_, meta_.CurrentSchema(), {0}, dir_.string(), ts_, 0);
    ctx.partition_columns.clear();
    for (const std::string& name : columns) {
      for (const NestedField& f : meta_.CurrentSchema()->fields) {
        if (f.name == name) ctx.partition_columns.emplace_back(name, &f);
      }
    }
    ManifestFile mf;
    mf.path = manifest_.string();
    mf.length = static_cast<int64_t>(fs::file_size(manifest_));
    return ConvertManifest(ReadFile(manifest_), "manifest", ctx, meta_.SpecById(0), mf, false);
  }

  fs::path dir_, manifest_;
  IcebergMetadata meta_;
  std::map<int64_t, int64_t> ts_;
};

TEST_F(PartialPartitionColumns, SingleValuesComeFromTheBounds) {
  ASSERT_OK_AND_ASSIGN(auto c, Convert({"c"}));
  EXPECT_FALSE(c->unfilled);
  ASSERT_EQ(c->files, 2u);
  // file 0: every row null (null count = record count); file 1: lower =
  // upper = "q", no null.
  EXPECT_EQ(c->file(0).partition_values.at("c"), std::nullopt);
  EXPECT_EQ(c->file(1).partition_values.at("c"), std::optional<std::string>("q"));
}

TEST_F(PartialPartitionColumns, DifferingBoundsLeaveTheManifestUnfilled) {
  ASSERT_OK_AND_ASSIGN(auto b, Convert({"b"}));
  ASSERT_TRUE(b->unfilled);
  EXPECT_NE(b->unfilled->find("partition column 'b' has no single value in data file"),
            std::string::npos)
      << *b->unfilled;
  ASSERT_OK_AND_ASSIGN(auto a, Convert({"a"}));
  ASSERT_TRUE(a->unfilled);  // file 0 has a = 1 and 2
  EXPECT_NE(a->unfilled->find("'a'"), std::string::npos);
}

TEST(BoundToPartitionDatum, DecodesEveryExposableType) {
  auto str = [](const Type& t, std::string_view bytes) {
    auto d = BoundToPartitionDatum(t, bytes);
    if (!d) return std::string("none");
    auto s = PartitionValueString(t, *d);
    return s.ok() && *s ? **s : std::string("null");
  };
  auto type = [](TypeId id, int scale = 0) {
    Type t;
    t.id = id;
    t.scale = scale;
    return t;
  };
  EXPECT_EQ(str(type(TypeId::kInt), std::string("\x05\x00\x00\x00", 4)), "5");
  EXPECT_EQ(str(type(TypeId::kLong), std::string("\xff\xff\xff\xff", 4)), "-1");  // promoted
  EXPECT_EQ(str(type(TypeId::kLong), std::string("\x02\x00\x00\x00\x00\x00\x00\x00", 8)), "2");
  EXPECT_EQ(str(type(TypeId::kDate), std::string("\x0c\x4d\x00\x00", 4)), "2024-01-02");
  EXPECT_EQ(str(type(TypeId::kBoolean), std::string("\x01", 1)), "true");
  EXPECT_EQ(str(type(TypeId::kDouble), std::string("\x00\x00\x00\x00\x00\x00\xf8\x3f", 8)), "1.5");
  EXPECT_EQ(str(type(TypeId::kFloat), std::string("\x00\x00\xc0\x3f", 4)), "1.5");
  EXPECT_EQ(str(type(TypeId::kDecimal, 2), std::string("\x04\xd2", 2)), "12.34");
  EXPECT_EQ(str(type(TypeId::kString), "purchase"), "purchase");
  EXPECT_EQ(str(type(TypeId::kInt), "abc"), "none");
  EXPECT_EQ(str(type(TypeId::kStruct), "abc"), "none");
  // Nanosecond timestamps: as microseconds, only when exactly that.
  // 1 000 000 000 ns = 1970-01-01 00:00:01; 1 000 000 001 ns is not.
  EXPECT_EQ(str(type(TypeId::kTimestampNs), std::string("\x00\xca\x9a\x3b\x00\x00\x00\x00", 8)),
            "1970-01-01 00:00:01.000000");
  EXPECT_EQ(str(type(TypeId::kTimestampTzNs), std::string("\x01\xca\x9a\x3b\x00\x00\x00\x00", 8)),
            "none");
  EXPECT_EQ(str(type(TypeId::kTimestampNs), std::string("\x00\xca\x9a\x3b", 4)), "none");
}

TEST(DefaultToPartitionDatum, ParsesTheJsonSingleValueForms) {
  auto str = [](const char* type, const char* value) {
    auto f = ParseSchema(boost::json::parse(
        std::string(R"({"type":"struct","fields":[{"id":1,"name":"c","required":false,"type":")") +
        type + R"(","initial-default":)" + value + "}]}"));
    if (!f.ok()) return std::string("bad schema");
    auto d = DefaultToPartitionDatum(f->fields[0]);
    if (!d) return std::string("none");
    auto s = PartitionValueString(*f->fields[0].type, *d);
    return s.ok() && *s ? **s : std::string("null");
  };
  EXPECT_EQ(str("int", "-1"), "-1");
  EXPECT_EQ(str("long", "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(str("boolean", "true"), "true");
  EXPECT_EQ(str("double", "2.5"), "2.5");
  EXPECT_EQ(str("float", "1.5"), "1.5");
  EXPECT_EQ(str("decimal(16, 2)", R"("-12345.06")"), "-12345.06");
  EXPECT_EQ(str("date", R"("2003-10-20")"), "2003-10-20");
  EXPECT_EQ(str("string", R"("HELLO")"), "HELLO");
  EXPECT_EQ(str("int", "3000000000"), "none");           // out of range
  EXPECT_EQ(str("decimal(16, 2)", R"("1.5")"), "none");  // wrong scale
}

TEST(DefaultToPartitionDatum, ParsesTimesTimestampsAndBytes) {
  auto str = [](const char* type, const char* value) {
    auto f = ParseSchema(boost::json::parse(
        std::string(R"({"type":"struct","fields":[{"id":1,"name":"c","required":false,"type":")") +
        type + R"(","initial-default":)" + value + "}]}"));
    if (!f.ok()) return std::string("bad schema");
    auto d = DefaultToPartitionDatum(f->fields[0]);
    if (!d) return std::string("none");
    auto s = PartitionValueString(*f->fields[0].type, *d);
    return s.ok() && *s ? **s : std::string("null");
  };
  // time: microseconds after midnight, as time partition values are.
  EXPECT_EQ(str("time", R"("00:00:00.012345")"), "12345");
  EXPECT_EQ(str("time", R"("22:31:08.123456")"), "81068123456");
  EXPECT_EQ(str("time", R"("22:31:08")"), "81068000000");
  EXPECT_EQ(str("time", R"("22:31")"), "81060000000");
  EXPECT_EQ(str("time", R"("22:31:08.1")"), "81068100000");
  EXPECT_EQ(str("time", R"("22:31:08.123456000")"), "81068123456");
  EXPECT_EQ(str("time", R"("22:31:08.123456789")"), "none");  // below a microsecond
  EXPECT_EQ(str("time", R"("24:00:00")"), "none");
  EXPECT_EQ(str("time", R"("22:31:08.")"), "none");
  EXPECT_EQ(str("time", R"("22:31:08Z")"), "none");
  EXPECT_EQ(str("time", "81068123456"), "none");
  // timestamps: UTC, microseconds, the protocol's "yyyy-mm-dd hh:mm:ss.ffffff".
  EXPECT_EQ(str("timestamp", R"("2017-11-16T22:31:08.123456")"), "2017-11-16 22:31:08.123456");
  EXPECT_EQ(str("timestamp", R"("1969-12-31T23:59:59.999999")"), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(str("timestamp", R"("2017-11-16T22:31:08.123456+00:00")"), "none");  // no zone here
  EXPECT_EQ(str("timestamptz", R"("2017-11-16T22:31:08.123456+00:00")"),
            "2017-11-16 22:31:08.123456");
  EXPECT_EQ(str("timestamptz", R"("2017-11-16T22:31:08Z")"), "2017-11-16 22:31:08.000000");
  EXPECT_EQ(str("timestamptz", R"("2017-11-16T22:31:08.5-08:00")"), "2017-11-17 06:31:08.500000");
  EXPECT_EQ(str("timestamptz", R"("2017-11-16T22:31:08.123456")"), "none");  // zone required
  EXPECT_EQ(str("timestamptz", R"("2017-11-16 22:31:08+00:00")"), "none");
  EXPECT_EQ(str("timestamptz", R"("2017-13-16T22:31:08+00:00")"), "none");
  EXPECT_EQ(str("timestamptz", R"("2017-11-16T22:31:08+0000")"), "none");
  // nanosecond timestamps are served as microseconds (Spark's timestamps):
  // exact defaults only, the others refused (a 400 upstream).
  EXPECT_EQ(str("timestamp_ns", R"("2017-11-16T22:31:08.123456789")"), "none");
  EXPECT_EQ(str("timestamptz_ns", R"("2017-11-16T22:31:08.123456789+00:00")"), "none");
  EXPECT_EQ(str("timestamp_ns", R"("2017-11-16T22:31:08.123456000")"),
            "2017-11-16 22:31:08.123456");
  EXPECT_EQ(str("timestamp_ns", R"("2017-11-16T22:31:08")"), "2017-11-16 22:31:08.000000");
  EXPECT_EQ(str("timestamptz_ns", R"("2017-11-16T22:31:08.5-08:00")"),
            "2017-11-17 06:31:08.500000");
  EXPECT_EQ(str("timestamptz_ns", R"("2017-11-16T22:31:08.5")"), "none");  // zone required
  // binary, fixed and uuid: one character per byte, as their partition values.
  EXPECT_EQ(str("binary", R"("00017fff")"), std::string("\x00\x01\x7f\xc3\xbf", 5));
  EXPECT_EQ(str("binary", R"("")"), "");
  EXPECT_EQ(str("binary", R"("0g")"), "none");
  EXPECT_EQ(str("binary", R"("012")"), "none");
  EXPECT_EQ(str("fixed[2]", R"("4142")"), "AB");
  EXPECT_EQ(str("fixed[2]", R"("414243")"), "none");  // not the fixed length
  EXPECT_EQ(str("uuid", R"("f79c3e09-677c-4bbd-a479-3f349cb785e7")"),
            "\xc3\xb7\xc2\x9c>\t\x67|K\xc2\xbd\xc2\xa4y?4\xc2\x9c\xc2\xb7\xc2\x85\xc3\xa7");
  EXPECT_EQ(str("uuid", R"("F79C3E09-677C-4BBD-A479-3F349CB785E7")"),
            str("uuid", R"("f79c3e09-677c-4bbd-a479-3f349cb785e7")"));
  EXPECT_EQ(str("uuid", R"("f79c3e09677c4bbda4793f349cb785e7")"), "none");
  EXPECT_EQ(str("uuid", "5"), "none");
}

}  // namespace
}  // namespace lakeshare::iceberg
