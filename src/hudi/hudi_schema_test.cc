#include "hudi/hudi_schema.h"

#include "hudi/hudi_partition.h"
#include "testing/status_matchers.h"

namespace lakeshare::hudi {
namespace {

using ::lakeshare::testing::StatusIs;
using ::testing::HasSubstr;

constexpr const char* kSchema = R"({"type":"record","name":"r","namespace":"n","fields":[
  {"name":"id","type":["null","int"]},
  {"name":"ts","type":[{"type":"long","logicalType":"timestamp-micros"},"null"]},
  {"name":"local","type":["null",{"type":"long","logicalType":"local-timestamp-millis"}]},
  {"name":"day","type":["null",{"type":"int","logicalType":"date"}]},
  {"name":"amount","type":["null",{"type":"fixed","name":"fixed","size":5,"logicalType":"decimal","precision":10,"scale":2}]},
  {"name":"again","type":["null","n.fixed"]},
  {"name":"tags","type":["null",{"type":"array","items":["null","string"]}]},
  {"name":"attrs","type":{"type":"map","values":"long"}},
  {"name":"nested","type":["null",{"type":"record","name":"inner","fields":[{"name":"a","type":"boolean"}]}]},
  {"name":"kind","type":{"type":"enum","name":"k","symbols":["A","B"]}}
]})";

TEST(HudiSchema, AvroToSparkJson) {
  ASSERT_OK_AND_ASSIGN(auto schema, ParseAvroSchema(kSchema));
  SparkSchemaOptions o;
  o.partition_columns = {"region"};
  ASSERT_OK_AND_ASSIGN(SparkSchema spark, ToSparkSchema(*schema, o));
  EXPECT_TRUE(spark.has_timestamp_ntz);
  const std::string& j = spark.json;
  EXPECT_EQ(j.find(R"({"type":"struct","fields":[{"name":"_hoodie_commit_time","type":"string")"),
            0u);
  EXPECT_THAT(j, HasSubstr(R"({"name":"id","type":"integer","nullable":true,"metadata":{}})"));
  EXPECT_THAT(j, HasSubstr(R"({"name":"ts","type":"timestamp","nullable":true)"));
  EXPECT_THAT(j, HasSubstr(R"({"name":"local","type":"timestamp_ntz")"));
  EXPECT_THAT(j, HasSubstr(R"({"name":"day","type":"date")"));
  EXPECT_THAT(j, HasSubstr(R"j({"name":"amount","type":"decimal(10,2)")j"));
  EXPECT_THAT(j, HasSubstr(R"j({"name":"again","type":"decimal(10,2)")j"));
  EXPECT_THAT(j, HasSubstr(R"("elementType":"string","containsNull":true)"));
  EXPECT_THAT(
      j, HasSubstr(
             R"({"type":"map","keyType":"string","valueType":"long","valueContainsNull":false})"));
  EXPECT_THAT(j, HasSubstr(R"({"name":"attrs","type":{"type":"map")"));
  EXPECT_THAT(j, HasSubstr(R"("nullable":false)"));
  EXPECT_THAT(j, HasSubstr(R"({"name":"kind","type":"string","nullable":false)"));
  EXPECT_THAT(j, HasSubstr(R"({"name":"region","type":"string","nullable":true)"));
}

TEST(HudiSchema, ParquetFieldsForMergedSlicesWithoutBaseFile) {
  ASSERT_OK_AND_ASSIGN(auto schema, ParseAvroSchema(kSchema));
  ASSERT_OK_AND_ASSIGN(auto fields, ToParquetFields(*schema, true));
  ASSERT_EQ(fields.size(), 15u);
  EXPECT_EQ(fields[0].name, "_hoodie_commit_time");
  EXPECT_EQ(fields[5].name, "id");
  EXPECT_EQ(fields[11].name, "tags");
  ASSERT_EQ(fields[11].children.size(), 1u);
  EXPECT_EQ(fields[11].children[0].name, "list");
}

TEST(HudiSchema, MalformedSchemasAreCorruption) {
  EXPECT_THAT(ParseAvroSchema("{"), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(
      ParseAvroSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":"nope"}]})"),
      StatusIs(StatusCode::kCorruption, HasSubstr("nope")));
  EXPECT_THAT(ParseAvroSchema(
                  R"({"type":"record","name":"r","fields":[{"name":"a","type":["null","r"]}]})"),
              StatusIs(StatusCode::kCorruption, HasSubstr("recursive")));
}

TEST(HudiPartition, HiveStyleUrlEncodedAndTyped) {
  ASSERT_OK_AND_ASSIGN(
      auto props, ParseTableProperties("hoodie.table.version=9\n"
                                       "hoodie.table.partition.fields=day,city\n"
                                       "hoodie.datasource.write.hive_style_partitioning=true\n"
                                       "hoodie.datasource.write.partitionpath.urlencode=true\n"));
  ASSERT_OK_AND_ASSIGN(auto schema, ParseAvroSchema(kSchema));
  PartitionParser p(props, schema);
  EXPECT_EQ(p.columns(), (std::vector<std::string>{"day", "city"}));
  ASSERT_OK_AND_ASSIGN(auto v, p.Parse("day=19000/city=s%C3%A3o%20paulo"));
  EXPECT_EQ(v.at("day"), "2022-01-08");
  EXPECT_EQ(v.at("city"), "s\xc3\xa3o paulo");
  ASSERT_OK_AND_ASSIGN(v, p.Parse("day=__HIVE_DEFAULT_PARTITION__/city=x"));
  EXPECT_FALSE(v.at("day").has_value());
  EXPECT_THAT(p.Parse("day=1"), StatusIs(StatusCode::kCorruption));
}

TEST(HudiPartition, PositionalPathsAndTimeBasedFields) {
  ASSERT_OK_AND_ASSIGN(auto props, ParseTableProperties("hoodie.table.version=6\n"
                                                        "hoodie.table.partition.fields=a,b\n"));
  PartitionParser p(props, nullptr);
  ASSERT_OK_AND_ASSIGN(auto v, p.Parse("10/300"));
  EXPECT_EQ(v.at("a"), "10");
  EXPECT_EQ(v.at("b"), "300");
  EXPECT_THAT(p.Parse("10"), StatusIs(StatusCode::kCorruption));
  ASSERT_OK_AND_ASSIGN(
      props, ParseTableProperties("hoodie.table.version=9\n"
                                  "hoodie.table.keygenerator.type=CUSTOM\n"
                                  "hoodie.table.partition.fields=r:simple,t:timestamp\n"));
  PartitionParser custom(props, nullptr);
  EXPECT_EQ(custom.columns(), (std::vector<std::string>{"r"}));
  ASSERT_OK_AND_ASSIGN(v, custom.Parse("eu/2024/01/15"));
  EXPECT_EQ(v.at("r"), "eu");
}

}  // namespace
}  // namespace lakeshare::hudi
