#include "hudi/hudi_properties.h"

#include "testing/status_matchers.h"

namespace lakeshare::hudi {
namespace {

using ::lakeshare::testing::StatusIs;
using ::testing::HasSubstr;

TEST(JavaProperties, EscapesCommentsAndContinuations) {
  auto p = ParseJavaProperties(
      "# comment\n! other\n"
      "a=1\n"
      "b : two words\n"
      "c\\:d=x\\=y\n"
      "e=line\\\n    continued\n"
      "f=\\u00e9t\\u00e9\n"
      "g\n");
  EXPECT_EQ(p["a"], "1");
  EXPECT_EQ(p["b"], "two words");
  EXPECT_EQ(p["c:d"], "x=y");
  EXPECT_EQ(p["e"], "linecontinued");
  EXPECT_EQ(p["f"], "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(p["g"], "");
  EXPECT_EQ(p.count("# comment"), 0u);
}

TEST(TableProperties, Version9Table) {
  ASSERT_OK_AND_ASSIGN(auto p,
                       ParseTableProperties("hoodie.table.version=9\n"
                                            "hoodie.table.type=MERGE_ON_READ\n"
                                            "hoodie.table.name=t\n"
                                            "hoodie.table.keygenerator.type=COMPLEX\n"
                                            "hoodie.table.partition.fields=region,day\n"
                                            "hoodie.table.recordkey.fields=a,b\n"
                                            "hoodie.table.ordering.fields=ts\n"
                                            "hoodie.datasource.write.hive_style_partitioning=true\n"
                                            "hoodie.record.merge.mode=EVENT_TIME_ORDERING\n"
                                            "hoodie.timeline.layout.version=2\n"));
  EXPECT_EQ(p.table_version, 9);
  EXPECT_EQ(p.type, TableType::kMergeOnRead);
  EXPECT_EQ(p.PartitionColumns(), (std::vector<std::string>{"region", "day"}));
  EXPECT_EQ(p.record_key_fields, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.ordering_fields, (std::vector<std::string>{"ts"}));
  EXPECT_TRUE(p.hive_style_partitioning);
  EXPECT_EQ(p.merge_mode, MergeMode::kEventTime);
  EXPECT_TRUE(p.timeline_utc);
  EXPECT_EQ(p.timeline_layout_version, 2);
}

TEST(TableProperties, Version6PayloadClassesAndTimeZone) {
  ASSERT_OK_AND_ASSIGN(auto p, ParseTableProperties("hoodie.table.version=6\n"
                                                    "hoodie.table.precombine.field=ts\n"
                                                    "hoodie.table.timeline.timezone=LOCAL\n"));
  EXPECT_EQ(p.merge_mode, MergeMode::kOverwriteWithLatest);
  EXPECT_FALSE(p.timeline_utc);
  EXPECT_EQ(p.timeline_layout_version, 1);
  ASSERT_OK_AND_ASSIGN(
      p, ParseTableProperties("hoodie.table.version=6\n"
                              "hoodie.table.precombine.field=ts\n"
                              "hoodie.compaction.payload.class=org.apache.hudi.common.model."
                              "DefaultHoodieRecordPayload\n"));
  EXPECT_EQ(p.merge_mode, MergeMode::kEventTime);
  ASSERT_OK_AND_ASSIGN(p, ParseTableProperties("hoodie.table.version=6\n"
                                               "hoodie.compaction.payload.class=com.x.Custom\n"));
  EXPECT_EQ(p.merge_mode, MergeMode::kCustom);
}

TEST(TableProperties, TimeBasedKeyGeneratorsHaveNoPartitionColumns) {
  ASSERT_OK_AND_ASSIGN(auto p, ParseTableProperties("hoodie.table.version=9\n"
                                                    "hoodie.table.keygenerator.type=TIMESTAMP\n"
                                                    "hoodie.table.partition.fields=ts\n"));
  EXPECT_TRUE(p.PartitionColumns().empty());
  ASSERT_OK_AND_ASSIGN(
      p, ParseTableProperties("hoodie.table.version=9\n"
                              "hoodie.table.keygenerator.type=CUSTOM\n"
                              "hoodie.table.partition.fields=r:simple,ts:timestamp\n"));
  EXPECT_EQ(p.PartitionColumns(), (std::vector<std::string>{"r"}));
}

TEST(TableProperties, UnknownVersionsAndBadValuesAreRefused) {
  EXPECT_THAT(ParseTableProperties("hoodie.table.version=5\n"),
              StatusIs(StatusCode::kUnsupported, HasSubstr("version 5")));
  EXPECT_THAT(ParseTableProperties("hoodie.table.version=x\n"), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(ParseTableProperties("hoodie.table.type=COW\n"), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(ParseTableProperties("hoodie.table.version=9\nhoodie.table.type=X\n"),
              StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(ParseTableProperties("hoodie.table.version=9\nhoodie.timeline.path=../x\n"),
              StatusIs(StatusCode::kCorruption));
}

}  // namespace
}  // namespace lakeshare::hudi
