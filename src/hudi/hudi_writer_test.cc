#include "hudi/hudi_writer.h"

#include <filesystem>

#include "hudi/hudi_table.h"
#include "hudi/hudi_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::HudiTempDir;
using ::lakeshare::testing::OpenHudiTable;
using ::lakeshare::testing::StatusIs;
using ::testing::HasSubstr;

class SyntheticHudiTest : public ::testing::TestWithParam<int> {
 protected:
  std::shared_ptr<HudiTable> Open(const std::string& dir) {
    HudiTableOptions o;
    o.cache = &cache_;
    auto mc = ContentCache::Open({tmp_.path() + "/merge-cache"});
    EXPECT_OK(mc);
    if (mc.ok()) o.merge_cache = *mc;
    return OpenHudiTable(dir, o);
  }
  HudiTempDir tmp_;
  SnapshotCache cache_{int64_t{1} << 28};
};

TEST_P(SyntheticHudiTest, CopyOnWriteFilesOverCommits) {
  hudi::SyntheticTableOptions o;
  o.dir = tmp_.path() + "/cow";
  o.table_version = GetParam();
  o.files = 40;
  o.commits = 4;
  o.rows_per_file = 3;
  ASSERT_OK_AND_ASSIGN(auto written, hudi::GenerateSyntheticHudiTable(o));
  EXPECT_EQ(written.latest_version, 3);
  EXPECT_EQ(written.rows, 120);
  auto t = Open(o.dir);
  ASSERT_OK_AND_ASSIGN(int64_t latest, t->LatestVersion());
  EXPECT_EQ(latest, 3);
  for (int64_t v = 0; v <= latest; ++v) {
    ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(v));
    EXPECT_EQ(s->files.size(), static_cast<size_t>(10 * (v + 1)));
    for (const DataFile& f : s->files) {
      EXPECT_EQ(f.stats, R"({"numRecords":3})");
      EXPECT_EQ(f.partition_values.size(), 1u);
    }
  }
  EXPECT_THAT(hudi::GenerateSyntheticHudiTable(o), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(SyntheticHudiTest, MergeOnReadUpdatesMergeAndDeletesBecomeVectors) {
  hudi::SyntheticTableOptions o;
  o.dir = tmp_.path() + "/mor";
  o.table_version = GetParam();
  o.merge_on_read = true;
  o.files = 4;
  o.commits = 2;
  o.rows_per_file = 10;
  o.update_fraction = 0.2;
  o.delete_fraction = 0.1;
  ASSERT_OK_AND_ASSIGN(auto written, hudi::GenerateSyntheticHudiTable(o));
  EXPECT_EQ(written.latest_version, 3);
  EXPECT_EQ(written.rows, 36);
  auto t = Open(o.dir);
  // Version 2: updates only: every slice is merged.
  ASSERT_OK_AND_ASSIGN(auto v2, t->Snapshot(2));
  ASSERT_EQ(v2->files.size(), 4u);
  for (const DataFile& f : v2->files) {
    EXPECT_EQ(f.path[0], '/') << f.path;
    EXPECT_EQ(f.stats, R"({"numRecords":10})");
  }
  // Version 3: updates and deletes: merged, 9 rows each.
  ASSERT_OK_AND_ASSIGN(auto v3, t->Snapshot(3));
  int64_t rows = 0;
  for (const DataFile& f : v3->files) {
    ASSERT_TRUE(f.stats.has_value());
    rows += std::stoll(std::string(f.stats->substr(f.stats->find(':') + 1)));
  }
  EXPECT_EQ(rows, 36);
}

TEST_P(SyntheticHudiTest, DeleteOnlyLogsGiveDeletionVectors) {
  hudi::SyntheticTableOptions o;
  o.dir = tmp_.path() + "/deletes";
  o.table_version = GetParam();
  o.merge_on_read = true;
  o.files = 3;
  o.commits = 1;
  o.rows_per_file = 8;
  o.delete_fraction = 0.25;
  ASSERT_OK(hudi::GenerateSyntheticHudiTable(o).status());
  auto t = Open(o.dir);
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  ASSERT_EQ(s->files.size(), 3u);
  for (const DataFile& f : s->files) {
    ASSERT_TRUE(f.deletion_vector.has_value()) << f.path;
    EXPECT_EQ(f.deletion_vector->cardinality, 2);
  }
}

TEST_P(SyntheticHudiTest, CleanedVersionsAreRefusedAndLatestIsServed) {
  hudi::SyntheticTableOptions o;
  o.dir = tmp_.path() + "/clean";
  o.table_version = GetParam();
  o.files = 5;
  o.commits = 1;
  o.rows_per_file = 2;
  o.rewrite_and_clean = true;
  ASSERT_OK(hudi::GenerateSyntheticHudiTable(o).status());
  auto t = Open(o.dir);
  ASSERT_OK_AND_ASSIGN(int64_t latest, t->LatestVersion());
  EXPECT_EQ(latest, 1);  // the clean is no version
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  EXPECT_EQ(s->files.size(), 5u);
  EXPECT_THAT(t->Snapshot(0), StatusIs(StatusCode::kInvalidArgument, HasSubstr("clean")));
}

TEST_P(SyntheticHudiTest, ArchivedInstantsStillListTheirFiles) {
  hudi::SyntheticTableOptions o;
  o.dir = tmp_.path() + "/archived";
  o.table_version = GetParam();
  o.files = 12;
  o.commits = 6;
  o.rows_per_file = 1;
  o.archive_instants = 4;
  ASSERT_OK(hudi::GenerateSyntheticHudiTable(o).status());
  auto t = Open(o.dir);
  ASSERT_OK_AND_ASSIGN(int64_t latest, t->LatestVersion());
  EXPECT_EQ(latest, 5);
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  EXPECT_EQ(s->files.size(), 12u);
  ASSERT_OK_AND_ASSIGN(auto v1, t->Snapshot(1));
  EXPECT_EQ(v1->files.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(TableVersions, SyntheticHudiTest, ::testing::Values(6, 9));

}  // namespace
}  // namespace lakeshare
