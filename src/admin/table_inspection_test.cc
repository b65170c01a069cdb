#include "admin/table_inspection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "protocol/builtin_table_formats.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kTestData = LAKESHARE_TESTDATA_DIR;
const std::string kSimple = kTestData + "/delta/delta-rs/simple_table";
const std::string kPartitioned = kTestData + "/delta/delta-rs/delta-0.8.0-partitioned";

TableInspector Inspector(TableInspectorOptions options = {}) {
  return TableInspector(std::make_shared<StorageRegistry>("test-key"), BuiltinTableFormats(),
                        options);
}

TEST(TableInspectionTest, ReadsADeltaTable) {
  TableInspector inspector = Inspector();
  ASSERT_OK_AND_ASSIGN(TableInspection t, inspector.Inspect(kSimple, "Delta"));
  EXPECT_EQ(t.format, "delta");
  EXPECT_EQ(t.version, 4);
  EXPECT_GT(t.timestamp_ms, 0);
  EXPECT_THAT(t.schema_string, HasSubstr("\"id\""));
  EXPECT_TRUE(t.partition_columns.empty());
  EXPECT_GT(t.num_files, 0);
  EXPECT_GT(t.size_bytes, 0);
  EXPECT_FALSE(t.partition_filter.has_value());
}

TEST(TableInspectionTest, SaysWhatAPartitionFilterKeeps) {
  TableInspector inspector = Inspector();
  ASSERT_OK_AND_ASSIGN(TableInspection all, inspector.Inspect(kPartitioned, "delta"));
  EXPECT_THAT(all.partition_columns, ElementsAre("year", "month", "day"));
  ASSERT_OK_AND_ASSIGN(TableInspection t,
                       inspector.Inspect(kPartitioned, "delta", std::string("year = '2020'")));
  ASSERT_TRUE(t.partition_filter.has_value());
  const PartitionFilterSummary& p = *t.partition_filter;
  EXPECT_GT(p.partitions_kept, 0);
  EXPECT_LT(p.partitions_kept, p.partitions_total);
  EXPECT_LT(p.files_kept, t.num_files);
  ASSERT_FALSE(p.kept.empty());
  for (const auto& partition : p.kept) {
    EXPECT_THAT(partition, ::testing::Contains(
                               std::pair<std::string, std::optional<std::string>>("year", "2020")));
  }
  EXPECT_THAT(inspector.Inspect(kPartitioned, "delta", std::string("region = 'EU'")),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(inspector.Inspect(kPartitioned, "delta", std::string("year ==")),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(TableInspectionTest, ReadsAnIcebergTable) {
  TableInspector inspector = Inspector();
  ASSERT_OK_AND_ASSIGN(
      TableInspection t,
      inspector.Inspect(kTestData + "/iceberg/duckdb-iceberg/partition_integer", "iceberg"));
  EXPECT_EQ(t.format, "iceberg");
  EXPECT_GT(t.num_files, 0);
  EXPECT_FALSE(t.partition_columns.empty());
}

TEST(TableInspectionTest, NamesWhatIsWrongWithALocation) {
  TableInspector inspector = Inspector();
  auto expect_problem = [&](const std::string& location, const std::string& format,
                            const std::string& why) {
    auto r = inspector.Inspect(location, format);
    EXPECT_THAT(r, StatusIs(StatusCode::kFailedPrecondition)) << location;
    if (!r.ok()) {
      EXPECT_THAT(std::string(r.status().message()), HasSubstr(why)) << location;
      EXPECT_THAT(std::string(r.status().message()), HasSubstr(location));
    }
  };
  expect_problem("data/orders", "delta", "relative path");
  expect_problem(kTestData + "/no/such/table", "delta", "no such file or folder");
  // A folder that is not a Delta table.
  expect_problem(kTestData + "/delta", "delta", "no _delta_log");
  expect_problem(kSimple, "hudi", "no .hoodie");
  // Metadata that does not parse.
  const std::filesystem::path broken =
      std::filesystem::path(::testing::TempDir()) / "inspection-broken";
  std::filesystem::remove_all(broken);
  std::filesystem::create_directories(broken / "_delta_log");
  std::ofstream(broken / "_delta_log" / "00000000000000000000.json") << "{not json\n";
  auto r = inspector.Inspect(broken.string(), "delta");
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(broken.string()));
  EXPECT_THAT(inspector.Inspect(kSimple, "csv"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TableInspectionTest, BoundsConcurrentReads) {
  TableInspector inspector = Inspector({.max_concurrent = 0, .max_wait_ms = 10});
  EXPECT_THAT(inspector.Inspect(kSimple, "delta"), StatusIs(StatusCode::kTooManyRequests));
}

TEST(TableInspectionTest, PagesTheHistoryNewestFirst) {
  TableInspector inspector = Inspector();
  ASSERT_OK_AND_ASSIGN(TableHistoryPage first, inspector.History(kSimple, "delta", {}, 2));
  ASSERT_EQ(first.commits.size(), 2u);
  EXPECT_EQ(first.commits[0].version, 4);
  EXPECT_EQ(first.commits[1].version, 3);
  ASSERT_TRUE(first.next_before.has_value());
  ASSERT_OK_AND_ASSIGN(TableHistoryPage second,
                       inspector.History(kSimple, "delta", first.next_before, 2));
  ASSERT_EQ(second.commits.size(), 2u);
  EXPECT_EQ(second.commits[0].version, 2);
  ASSERT_OK_AND_ASSIGN(TableHistoryPage last,
                       inspector.History(kSimple, "delta", second.next_before, 2));
  ASSERT_EQ(last.commits.size(), 1u);
  EXPECT_EQ(last.commits[0].version, 0);
  EXPECT_FALSE(last.next_before.has_value());
  EXPECT_GT(last.commits[0].files_added, 0);
  EXPECT_GT(last.commits[0].timestamp_ms, 0);
  int64_t removed = 0;
  for (const auto& page : {first, second}) {
    for (const TableCommit& c : page.commits) removed += c.files_removed;
  }
  EXPECT_GT(removed, 0);  // simple_table overwrites its data
}

}  // namespace
}  // namespace lakeshare
