#include "parquet/record_view.h"

#include <gtest/gtest.h>

#include "parquet/compression.h"
#include "parquet/parquet_reader.h"
#include "parquet/value_decoders.h"
#include "testing/parquet_file_builder.h"
#include "testing/status_matchers.h"

namespace lakeshare::parquet {
namespace {

using testing::BuildFile;
using testing::DictIndices;
using testing::Group;
using testing::Leaf;
using testing::Plain32;
using testing::Plain64;
using testing::PlainStrings;
using testing::Root;
using testing::TestChunk;

constexpr auto kReq = Repetition::kRequired;
constexpr auto kOpt = Repetition::kOptional;
constexpr auto kRep = Repetition::kRepeated;

Result<RecordTree> ReadTree(const std::string& file, const std::vector<std::string>& columns) {
  LS_ASSIGN_OR_RETURN(ParquetReader reader,
                      ParquetReader::Open(std::make_shared<MemoryFile>(file)));
  LS_ASSIGN_OR_RETURN(std::vector<int> leaves, reader.schema().Resolve(columns));
  LS_ASSIGN_OR_RETURN(RowGroupBatch batch, reader.ReadRowGroup(0, leaves));
  return RecordTree::Make(std::move(batch));
}

// A checkpoint-like schema:
//   optional group add {
//     optional binary path (STRING);
//     optional group partitionValues (MAP) {
//       repeated group key_value { required binary key (STRING); optional binary value (STRING); }
//     }
//     optional int64 size;
//   }
//   optional group remove { optional binary path (STRING); }
std::vector<SchemaElement> CheckpointSchema() {
  return {Root(2),
          Group("add", kOpt, 3),
          Leaf("path", kOpt, Type::kByteArray, LogicalType::String()),
          Group("partitionValues", kOpt, 1, ConvertedType::kMap),
          Group("key_value", kRep, 2, ConvertedType::kMapKeyValue),
          Leaf("key", kReq, Type::kByteArray, LogicalType::String()),
          Leaf("value", kOpt, Type::kByteArray, LogicalType::String()),
          Leaf("size", kOpt, Type::kInt64),
          Group("remove", kOpt, 1),
          Leaf("path", kOpt, Type::kByteArray, LogicalType::String())};
}

// Rows:
//   0: remove{path "old"}
//   1: add{path "a", partitionValues {x: "1", y: null}, size 10}
//   2: add{path "b", partitionValues {} , size 20}
//   3: add{path "c", partitionValues null, size null}
//   4: add{path null, partitionValues {z: "3"}, size 5}
std::vector<TestChunk> CheckpointChunks(int page_version, CompressionCodec codec) {
  std::vector<TestChunk> c(5);
  for (auto& x : c) {
    x.page_version = page_version;
    x.codec = codec;
  }
  // add.path: max_def 2.
  c[0].type = Type::kByteArray;
  c[0].max_def = 2;
  c[0].def = {0, 2, 2, 2, 1};
  c[0].values = PlainStrings({"a", "b", "c"});
  // add.partitionValues.key_value.key: max_def 3 (add, pv, key_value), max_rep 1.
  c[1].type = Type::kByteArray;
  c[1].max_def = 3;
  c[1].max_rep = 1;
  c[1].def = {0, 3, 3, 2, 1, 3};
  c[1].rep = {0, 0, 1, 0, 0, 0};
  // Dictionary-encoded keys.
  c[1].dictionary = PlainStrings({"x", "y", "z"});
  c[1].dictionary_count = 3;
  c[1].encoding = Encoding::kRleDictionary;
  c[1].values = DictIndices({0, 1, 2}, 2);
  // add.partitionValues.key_value.value: max_def 4.
  c[2].type = Type::kByteArray;
  c[2].max_def = 4;
  c[2].max_rep = 1;
  c[2].def = {0, 4, 3, 2, 1, 4};
  c[2].rep = {0, 0, 1, 0, 0, 0};
  c[2].values = PlainStrings({"1", "3"});
  // add.size: max_def 2.
  c[3].type = Type::kInt64;
  c[3].max_def = 2;
  c[3].def = {0, 2, 2, 1, 2};
  c[3].values = Plain64({10, 20, 5});
  // remove.path
  c[4].type = Type::kByteArray;
  c[4].max_def = 2;
  c[4].def = {2, 0, 0, 0, 0};
  c[4].values = PlainStrings({"old"});
  return c;
}

void ExpectCheckpointRows(const RecordTree& tree) {
  ASSERT_EQ(tree.num_rows(), 5);
  const RecordNode* add = tree.Find("add");
  const RecordNode* path = tree.Find("add.path");
  const RecordNode* size = tree.Find("add.size");
  const RecordNode* pv_node = tree.Find("add.partitionValues");
  const RecordNode* remove_path = tree.Find("remove.path");
  ASSERT_TRUE(add && path && size && pv_node && remove_path);
  MapView pv = pv_node->AsMap();
  ASSERT_TRUE(pv.entries && pv.key && pv.value);
  EXPECT_EQ(pv.entries->name(), "key_value");

  EXPECT_FALSE(add->IsValid(0));
  EXPECT_FALSE(path->IsValid(0));
  EXPECT_FALSE(pv_node->IsValid(0));
  EXPECT_TRUE(pv.entries->Elements(0).empty());
  EXPECT_TRUE(tree.Find("remove")->IsValid(0));
  EXPECT_EQ(remove_path->String(0), "old");

  EXPECT_TRUE(add->IsValid(1));
  EXPECT_EQ(path->String(1), "a");
  EXPECT_EQ(size->Int64(1), 10);
  SlotRange e = pv.entries->Elements(1);
  ASSERT_EQ(e.size(), 2);
  EXPECT_EQ(pv.key->String(e.from), "x");
  EXPECT_EQ(pv.value->String(e.from), "1");
  EXPECT_EQ(pv.key->String(e.from + 1), "y");
  EXPECT_FALSE(pv.value->IsValid(e.from + 1));
  EXPECT_FALSE(remove_path->IsValid(1));

  EXPECT_EQ(path->String(2), "b");
  EXPECT_TRUE(pv_node->IsValid(2));
  EXPECT_TRUE(pv.entries->Elements(2).empty());
  EXPECT_EQ(size->Int64(2), 20);

  EXPECT_EQ(path->String(3), "c");
  EXPECT_FALSE(pv_node->IsValid(3));
  EXPECT_FALSE(size->IsValid(3));

  EXPECT_TRUE(add->IsValid(4));
  EXPECT_FALSE(path->IsValid(4));
  EXPECT_EQ(path->String(4), "");
  e = pv.entries->Elements(4);
  ASSERT_EQ(e.size(), 1);
  EXPECT_EQ(pv.key->String(e.from), "z");
  EXPECT_EQ(pv.value->String(e.from), "3");
  EXPECT_EQ(size->Int64(4), 5);
  int64_t keys = 0;
  for (int64_t row = 0; row < 5; ++row) keys += pv.entries->Elements(row).size();
  EXPECT_EQ(keys, pv.key->num_slots());
}

TEST(RecordViewTest, CheckpointShapedRowsV1) {
  std::string file =
      BuildFile(CheckpointSchema(), CheckpointChunks(1, CompressionCodec::kSnappy), 5);
  auto tree = ReadTree(file, {"add", "remove.path"});
  ASSERT_OK(tree);
  ExpectCheckpointRows(*tree);
}

TEST(RecordViewTest, CheckpointShapedRowsV2) {
  for (CompressionCodec codec :
       {CompressionCodec::kUncompressed, CompressionCodec::kSnappy, CompressionCodec::kGzip,
        CompressionCodec::kZstd, CompressionCodec::kLz4Raw}) {
    SCOPED_TRACE(CodecName(codec));
    std::string file = BuildFile(CheckpointSchema(), CheckpointChunks(2, codec), 5);
    auto tree = ReadTree(file, {"add", "remove"});
    ASSERT_OK(tree);
    ExpectCheckpointRows(*tree);
  }
}

TEST(RecordViewTest, ProjectionOfPartOfAStruct) {
  std::string file = BuildFile(CheckpointSchema(), CheckpointChunks(1, CompressionCodec::kZstd), 5);
  auto tree = ReadTree(file, {"add.size", "add.partitionValues.key_value.key"});
  ASSERT_OK(tree);
  EXPECT_EQ(tree->Find("add.path"), nullptr);
  EXPECT_EQ(tree->Find("remove"), nullptr);
  EXPECT_EQ(tree->Find("add")->children().size(), 2u);
  MapView pv = tree->Find("add.partitionValues")->AsMap();
  ASSERT_NE(pv.key, nullptr);
  EXPECT_EQ(pv.value, nullptr);
  EXPECT_EQ(pv.entries->Elements(1).size(), 2);
  EXPECT_EQ(tree->Find("add.size")->Int64(4), 5);
  EXPECT_FALSE(tree->Find("add")->IsValid(0));
}

TEST(RecordViewTest, ThreeLevelListsTwoLevelListsAndListsOfLists) {
  // optional group a (LIST) { repeated group list { optional int32 element; } }
  // repeated int32 legacy;
  // optional group nested (LIST) { repeated group list { optional group element (LIST) {
  //     repeated group list { required binary element (STRING); } } } }
  std::vector<SchemaElement> schema = {
      Root(3),
      Group("a", kOpt, 1, ConvertedType::kList),
      Group("list", kRep, 1),
      Leaf("element", kOpt, Type::kInt32),
      Leaf("legacy", kRep, Type::kInt32),
      Group("nested", kOpt, 1, ConvertedType::kList),
      Group("list", kRep, 1),
      Group("element", kOpt, 1, ConvertedType::kList),
      Group("list", kRep, 1),
      Leaf("element", kReq, Type::kByteArray, LogicalType::String()),
  };
  // Rows:
  //   0: a [1, null, 3], legacy [7, 8], nested [["p", "q"], null, []]
  //   1: a null,          legacy [],    nested null
  //   2: a [],            legacy [9],   nested [["r"]]
  std::vector<TestChunk> c(3);
  c[0].max_def = 3;
  c[0].max_rep = 1;
  c[0].def = {3, 2, 3, 0, 1};
  c[0].rep = {0, 1, 1, 0, 0};
  c[0].values = Plain32({1, 3});
  c[1].max_def = 1;
  c[1].max_rep = 1;
  c[1].def = {1, 1, 0, 1};
  c[1].rep = {0, 1, 0, 0};
  c[1].values = Plain32({7, 8, 9});
  c[1].page_version = 2;
  c[1].encoding = Encoding::kDeltaBinaryPacked;
  {
    std::vector<int64_t> v = {7, 8, 9};
    c[1].values.clear();
    EncodeDeltaBinaryPacked(v.data(), v.size(), &c[1].values);
  }
  c[2].type = Type::kByteArray;
  c[2].max_def = 4;  // nested, list, element, list
  c[2].max_rep = 2;
  c[2].def = {4, 4, 2, 3, 0, 4};
  c[2].rep = {0, 2, 1, 1, 0, 0};
  c[2].values = PlainStrings({"p", "q", "r"});
  std::string file = BuildFile(schema, c, 3);
  auto tree = ReadTree(file, {"a", "legacy", "nested"});
  ASSERT_OK(tree);

  const RecordNode* a = tree->Find("a");
  ListView al = a->AsList();
  ASSERT_TRUE(al.elements && al.element);
  EXPECT_EQ(al.element->name(), "element");
  SlotRange r0 = al.elements->Elements(0);
  ASSERT_EQ(r0.size(), 3);
  EXPECT_EQ(al.element->Int64(r0.from), 1);
  EXPECT_FALSE(al.element->IsValid(r0.from + 1));
  EXPECT_EQ(al.element->Int64(r0.from + 2), 3);
  EXPECT_FALSE(a->IsValid(1));
  EXPECT_TRUE(al.elements->Elements(1).empty());
  EXPECT_TRUE(a->IsValid(2));
  EXPECT_TRUE(al.elements->Elements(2).empty());

  ListView ll = tree->Find("legacy")->AsList();
  ASSERT_EQ(ll.elements, ll.element);
  std::vector<int64_t> legacy;
  for (int64_t row = 0; row < 3; ++row) {
    for (int64_t e : ll.elements->Elements(row)) legacy.push_back(ll.element->Int64(e));
    legacy.push_back(-1);
  }
  EXPECT_EQ(legacy, (std::vector<int64_t>{7, 8, -1, -1, 9, -1}));

  ListView outer = tree->Find("nested")->AsList();
  ASSERT_TRUE(outer.elements && outer.element);
  std::string rendered;
  for (int64_t row = 0; row < 3; ++row) {
    if (!tree->Find("nested")->IsValid(row)) {
      rendered += "null;";
      continue;
    }
    rendered += "[";
    for (int64_t e : outer.elements->Elements(row)) {
      if (!outer.element->IsValid(e)) {
        rendered += "null,";
        continue;
      }
      ListView inner = outer.element->AsList();
      rendered += "[";
      for (int64_t i : inner.elements->Elements(e)) {
        rendered += std::string(inner.element->String(i)) + ",";
      }
      rendered += "],";
    }
    rendered += "];";
  }
  EXPECT_EQ(rendered, "[[p,q,],null,[],];null;[[r,],];");
}

TEST(RecordViewTest, LegacyListElementRules) {
  // optional group l (LIST) { repeated group array { required int32 x; } }: the
  // repeated group named "array" is itself the element (a one-field struct).
  std::vector<SchemaElement> schema = {Root(1), Group("l", kOpt, 1, ConvertedType::kList),
                                       Group("array", kRep, 1), Leaf("x", kReq, Type::kInt32)};
  TestChunk c;
  c.max_def = 2;
  c.max_rep = 1;
  c.def = {2, 2};
  c.rep = {0, 1};
  c.values = Plain32({4, 5});
  auto tree = ReadTree(BuildFile(schema, {c}, 1), {"l"});
  ASSERT_OK(tree);
  ListView l = tree->Find("l")->AsList();
  ASSERT_NE(l.element, nullptr);
  EXPECT_EQ(l.element->name(), "array");
  EXPECT_EQ(l.element->Child("x")->Int64(1), 5);
}

TEST(RecordViewTest, LogicalTypes) {
  std::vector<SchemaElement> schema = {
      Root(6),
      Leaf("ts_ms", kReq, Type::kInt64, LogicalType::Timestamp(true, TimeUnit::kMillis)),
      Leaf("ts_ns", kReq, Type::kInt64, LogicalType::Timestamp(false, TimeUnit::kNanos)),
      Leaf("ts96", kReq, Type::kInt96),
      Leaf("dec", kReq, Type::kFixedLenByteArray, LogicalType::Decimal(2, 10)),
      Leaf("dec32", kReq, Type::kInt32, LogicalType::Decimal(3, 9)),
      Leaf("u32", kReq, Type::kInt32, LogicalType::Integer(32, false)),
  };
  schema[4].type_length = 5;
  std::vector<TestChunk> c(6);
  // One row each; required top-level leaves have no levels, so the counts
  // are set by hand.
  for (auto& x : c) {
    x.edit_meta = [](ColumnMetaData* m) { m->num_values = 1; };
    x.edit_data_header = [](PageHeader* h) { h->data_page_header->num_values = 1; };
  }
  c[0].type = Type::kInt64;
  c[0].values = Plain64({-1500});  // -1.5 s
  c[1].type = Type::kInt64;
  c[1].values = Plain64({-1001});  // floors to -2 µs
  c[2].type = Type::kInt96;
  {
    // 1970-01-02 00:00:00.000001: Julian day 2440589, 1000 ns.
    uint32_t words[3] = {1000, 0, 2440589};
    c[2].values.assign(reinterpret_cast<const char*>(words), 12);
  }
  c[3].type = Type::kFixedLenByteArray;
  c[3].values = std::string("\xff\xff\xff\xfe\x0c", 5);  // -500 → -5.00
  c[4].values = Plain32({12345});                        // 12.345
  c[5].values = Plain32({-1});                           // 4294967295
  auto tree = ReadTree(BuildFile(schema, c, 1), {"ts_ms", "ts_ns", "ts96", "dec", "dec32", "u32"});
  ASSERT_OK(tree);
  EXPECT_EQ(tree->Find("ts_ms")->TimestampMicros(0), -1'500'000);
  EXPECT_EQ(tree->Find("ts_ns")->TimestampMicros(0), -2);
  EXPECT_EQ(tree->Find("ts96")->TimestampMicros(0), 86'400'000'001);
  const RecordNode* dec = tree->Find("dec");
  EXPECT_EQ(dec->schema_node().logical.kind, LogicalInfo::Kind::kDecimal);
  EXPECT_EQ(FormatDecimal(*dec->DecimalUnscaled(0), dec->schema_node().logical.scale), "-5.00");
  const RecordNode* dec32 = tree->Find("dec32");
  EXPECT_EQ(FormatDecimal(*dec32->DecimalUnscaled(0), dec32->schema_node().logical.scale),
            "12.345");
  EXPECT_EQ(tree->Find("u32")->Int64(0), 4294967295);
}

TEST(RecordViewTest, FormatDecimal) {
  EXPECT_EQ(FormatDecimal(0, 0), "0");
  EXPECT_EQ(FormatDecimal(5, 3), "0.005");
  EXPECT_EQ(FormatDecimal(-5, 1), "-0.5");
  EXPECT_EQ(FormatDecimal(123, -2), "12300");
  __int128 big = static_cast<__int128>(1) << 126;
  EXPECT_EQ(FormatDecimal(-big, 0), "-85070591730234615865843651857942052864");
}

TEST(RecordViewTest, InconsistentLeavesAreCorruption) {
  // optional group s { repeated group l { required int32 x; optional int32 y; } }
  // whose two leaves disagree about the number of list elements.
  std::vector<SchemaElement> schema = {Root(1), Group("s", kOpt, 1), Group("l", kRep, 2),
                                       Leaf("x", kReq, Type::kInt32),
                                       Leaf("y", kOpt, Type::kInt32)};
  std::vector<TestChunk> c(2);
  c[0].max_def = 2;
  c[0].max_rep = 1;
  c[0].def = {2, 2, 2};
  c[0].rep = {0, 1, 0};
  c[0].values = Plain32({1, 2, 3});
  c[1].max_def = 3;
  c[1].max_rep = 1;
  c[1].def = {3, 3};
  c[1].rep = {0, 0};
  c[1].values = Plain32({1, 3});
  std::string file = BuildFile(schema, c, 2);
  EXPECT_OK(ReadTree(file, {"s.l.x"}));
  EXPECT_OK(ReadTree(file, {"s.l.y"}));
  EXPECT_EQ(ReadTree(file, {"s"}).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace lakeshare::parquet
