#include "parquet/parquet_schema.h"

#include <gtest/gtest.h>

#include "testing/parquet_file_builder.h"
#include "testing/status_matchers.h"

namespace lakeshare::parquet {
namespace {

using testing::Group;
using testing::Leaf;
using testing::Root;

constexpr auto kReq = Repetition::kRequired;
constexpr auto kOpt = Repetition::kOptional;
constexpr auto kRep = Repetition::kRepeated;

std::vector<SchemaElement> Elements() {
  return {Root(3),
          Group("add", kOpt, 2),
          Leaf("path", kOpt, Type::kByteArray, LogicalType::String()),
          Group("partitionValues", kOpt, 1, ConvertedType::kMap),
          Group("key_value", kRep, 2),
          Leaf("key", kReq, Type::kByteArray),
          Leaf("value", kOpt, Type::kByteArray),
          Leaf("a.b", kOpt, Type::kInt64),
          Group("a", kOpt, 1),
          Leaf("b", kReq, Type::kInt32)};
}

TEST(ParquetSchemaTest, LevelsAndLeaves) {
  auto s = Schema::Make(Elements());
  ASSERT_OK(s);
  EXPECT_EQ(s->num_leaves(), 5);
  const SchemaNode& value = s->leaf(2);
  EXPECT_EQ(value.name, "value");
  EXPECT_EQ(value.max_def, 4);
  EXPECT_EQ(value.max_rep, 1);
  EXPECT_EQ(s->leaf(1).max_def, 3);  // key: required
  EXPECT_EQ(s->DottedPath(value), "add.partitionValues.key_value.value");
  EXPECT_EQ(s->leaf(0).logical.kind, LogicalInfo::Kind::kString);
  EXPECT_EQ(s->node(3).logical.kind, LogicalInfo::Kind::kMap);
}

TEST(ParquetSchemaTest, Resolve) {
  auto s = Schema::Make(Elements());
  ASSERT_OK(s);
  EXPECT_EQ(*s->Resolve({"add"}), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(*s->Resolve({"add.partitionValues"}), (std::vector<int>{1, 2}));
  EXPECT_EQ(*s->Resolve({"add.partitionValues.key_value.key", "add.path", "add.path"}),
            (std::vector<int>{0, 1}));
  // A name containing a dot, next to a group whose path spells the same:
  // the longer name wins; ResolvePaths tells them apart.
  EXPECT_EQ(*s->Resolve({"a.b"}), (std::vector<int>{3}));
  EXPECT_EQ(*s->Resolve({"a"}), (std::vector<int>{4}));
  EXPECT_EQ(*s->ResolvePaths({{"a.b"}}), (std::vector<int>{3}));
  EXPECT_EQ(*s->ResolvePaths({{"a", "b"}}), (std::vector<int>{4}));
  for (std::string bad : {"", "remove", "add.", "add..path", ".add", "add.path.x"}) {
    EXPECT_EQ(s->Resolve({bad}).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParquetSchemaTest, MalformedSchemas) {
  auto corrupt = [](std::vector<SchemaElement> e) {
    return Schema::Make(e).status().code() == StatusCode::kCorruption;
  };
  EXPECT_TRUE(corrupt({}));
  EXPECT_TRUE(corrupt({Root(2), Leaf("x", kOpt, Type::kInt32)}));  // too few elements
  EXPECT_TRUE(corrupt({Root(1), Leaf("x", kOpt, Type::kInt32), Leaf("y", kOpt, Type::kInt32)}));
  EXPECT_TRUE(corrupt({Root(-1)}));
  SchemaElement no_type;
  no_type.name = "x";
  no_type.repetition_type = kOpt;
  EXPECT_TRUE(corrupt({Root(1), no_type}));
  SchemaElement flba = Leaf("f", kOpt, Type::kFixedLenByteArray);
  EXPECT_TRUE(corrupt({Root(1), flba}));
  flba.type_length = -3;
  EXPECT_TRUE(corrupt({Root(1), flba}));
  EXPECT_TRUE(corrupt({Root(1), Leaf("x", static_cast<Repetition>(9), Type::kInt32)}));
  EXPECT_TRUE(corrupt({Root(1), Leaf("x", kOpt, static_cast<Type>(8))}));
  // Nesting beyond the limit.
  std::vector<SchemaElement> deep = {Root(1)};
  for (int i = 0; i < 100; ++i) deep.push_back(Group("g", kOpt, 1));
  deep.push_back(Leaf("x", kOpt, Type::kInt32));
  EXPECT_TRUE(corrupt(deep));
  // An empty group is allowed (it has no leaves).
  auto s = Schema::Make({Root(2), Group("empty", kOpt, 0), Leaf("x", kOpt, Type::kInt32)});
  ASSERT_OK(s);
  EXPECT_EQ(s->num_leaves(), 1);
  EXPECT_TRUE(s->Resolve({"empty"})->empty());
}

}  // namespace
}  // namespace lakeshare::parquet
