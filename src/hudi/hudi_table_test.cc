#include "hudi/hudi_table.h"

#include <set>

#include "hudi/hudi_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::HudiTempDir;
using ::lakeshare::testing::OpenHudiTable;
using ::lakeshare::testing::StatusIs;
using ::lakeshare::testing::UnzipHudiTable;
using ::testing::HasSubstr;

std::vector<std::string> Paths(const TableSnapshot& s) {
  std::vector<std::string> out;
  for (const DataFile& f : s.files) out.push_back(f.path);
  return out;
}

class HudiTableTest : public ::testing::Test {
 protected:
  std::shared_ptr<HudiTable> Open(const std::string& archive, bool merge_cache = true) {
    std::string dir = UnzipHudiTable(archive, tmp_.path());
    EXPECT_FALSE(dir.empty()) << archive;
    HudiTableOptions o;
    o.cache = &cache_;
    if (merge_cache) {
      auto mc = ContentCache::Open({tmp_.path() + "/merge-cache"});
      EXPECT_OK(mc);
      if (mc.ok()) o.merge_cache = *mc;
    }
    return OpenHudiTable(dir, std::move(o));
  }
  HudiTempDir tmp_;
  SnapshotCache cache_{int64_t{1} << 28};
};

TEST_F(HudiTableTest, CopyOnWriteVersionsAreCommitsInInstantOrder) {
  auto t = Open("hudi-rs/cow/v6_nonpartitioned.zip");
  ASSERT_OK_AND_ASSIGN(int64_t latest, t->LatestVersion());
  EXPECT_EQ(latest, 1);
  ASSERT_OK_AND_ASSIGN(auto v0, t->Snapshot(0));
  EXPECT_EQ(Paths(*v0),
            (std::vector<std::string>{
                "a079bdb3-731c-4894-b855-abfcd6921007-0_0-182-253_20240418173550988.parquet"}));
  EXPECT_EQ(v0->timestamp_ms, 1713461750988);
  ASSERT_OK_AND_ASSIGN(auto v1, t->Snapshot(std::nullopt));
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(Paths(*v1),
            (std::vector<std::string>{
                "a079bdb3-731c-4894-b855-abfcd6921007-0_0-203-274_20240418173551906.parquet"}));
  EXPECT_EQ(v1->files[0].stats, R"({"numRecords":4})");
  EXPECT_TRUE(v1->metadata.partition_columns.empty());
  EXPECT_THAT(v1->metadata.schema_string, HasSubstr(R"("name":"_hoodie_commit_time")"));
  EXPECT_THAT(v1->metadata.schema_string,
              HasSubstr(R"j("name":"decimalField","type":"decimal(10,5)")j"));
  EXPECT_THAT(t->Snapshot(2), StatusIs(StatusCode::kInvalidArgument, HasSubstr("[0, 1]")));
  ASSERT_OK_AND_ASSIGN(int64_t at,
                       t->VersionAtTimestamp(1713461751000, TimestampBound::kAtOrBefore));
  EXPECT_EQ(at, 0);
  ASSERT_OK_AND_ASSIGN(at, t->VersionAtTimestamp(1713461751000, TimestampBound::kAtOrAfter));
  EXPECT_EQ(at, 1);
  EXPECT_THAT(t->VersionAtTimestamp(1, TimestampBound::kAtOrBefore),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("before the earliest")));
}

TEST_F(HudiTableTest, VersionsFollowCompletionTimeAndReplaceCommitsRetireGroups) {
  auto t = Open("hudi-rs/cow/v9_txns_simple_meta.zip");
  ASSERT_OK_AND_ASSIGN(int64_t latest, t->LatestVersion());
  EXPECT_EQ(latest, 11);  // 12 commits and replacecommits; indexing is no version
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  EXPECT_EQ(s->metadata.partition_columns, (std::vector<std::string>{"region"}));
  std::set<std::string> regions;
  for (const DataFile& f : s->files) regions.insert(*f.partition_values.at("region"));
  EXPECT_EQ(regions, (std::set<std::string>{"apac", "eu", "us"}));
  // The clustering at version 10 replaced every earlier file group.
  for (const DataFile& f : s->files) {
    EXPECT_THAT(f.path,
                ::testing::AnyOf(HasSubstr("20260307162454799"), HasSubstr("20260307162456179")));
  }
}

TEST_F(HudiTableTest, TimeBasedKeyGeneratorsHaveNoPartitionColumns) {
  auto t = Open("hudi-rs/cow/v9_timebasedkeygen_nonhivestyle.zip");
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  EXPECT_TRUE(s->metadata.partition_columns.empty());
  ASSERT_FALSE(s->files.empty());
  EXPECT_TRUE(s->files[0].partition_values.empty());
}

TEST_F(HudiTableTest, EmptyTableHasVersionZero) {
  auto t = Open("hudi-rs/cow/v8_empty.zip");
  ASSERT_OK_AND_ASSIGN(int64_t latest, t->LatestVersion());
  EXPECT_EQ(latest, 0);
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  EXPECT_TRUE(s->files.empty());
  EXPECT_THAT(s->metadata.schema_string, HasSubstr("\"struct\""));
}

TEST_F(HudiTableTest, LanceBaseFilesAreRefused) {
  auto t = Open("hudi-rs/cow/v9_lance_nonpartitioned.zip");
  EXPECT_THAT(t->Snapshot(std::nullopt), StatusIs(StatusCode::kUnsupported, HasSubstr("LANCE")));
  EXPECT_OK(t->LatestVersion());
}

TEST_F(HudiTableTest, DeleteOnlyLogsBecomeDeletionVectors) {
  auto t = Open("hudi-rs-quickstart/quickstart_trips_table/mor/avro/v6_trips_8i3d.zip");
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  ASSERT_EQ(s->files.size(), 3u);
  int64_t deleted = 0;
  for (const DataFile& f : s->files) {
    if (!f.deletion_vector) continue;
    EXPECT_EQ(f.deletion_vector->storage_type, "i");
    deleted += f.deletion_vector->cardinality;
    EXPECT_THAT(f.path, HasSubstr("city=san_francisco"));
  }
  EXPECT_EQ(deleted, 3);
  ASSERT_TRUE(s->protocol.reader_features.has_value());
  EXPECT_EQ(*s->protocol.reader_features, (std::vector<std::string>{"deletionVectors"}));
  // Without deletion vectors the slice is merged into the cache.
  ASSERT_OK_AND_ASSIGN(auto plain, t->SnapshotWithoutDeletionVectors(s->version));
  ASSERT_EQ(plain->files.size(), 3u);
  int merged = 0;
  for (const DataFile& f : plain->files) {
    EXPECT_FALSE(f.deletion_vector.has_value());
    if (f.path[0] == '/') {
      ++merged;
      ASSERT_OK_AND_ASSIGN(std::string resolved, t->ResolveFilePath(f.path));
      EXPECT_EQ(resolved, f.path);
    }
  }
  EXPECT_EQ(merged, 1);
}

TEST_F(HudiTableTest, UpdatesInLogsAreMergedIntoTheCache) {
  auto t = Open("hudi-rs-quickstart/quickstart_trips_table/mor/avro/v8_trips_8i3u1d.zip");
  ASSERT_OK_AND_ASSIGN(int64_t latest, t->LatestVersion());
  EXPECT_EQ(latest, 6);
  for (int64_t v = 0; v <= latest; ++v) {
    ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(v));
    EXPECT_EQ(s->files.size(), 3u) << "version " << v;
  }
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  int merged = 0;
  for (const DataFile& f : s->files) merged += f.path[0] == '/' ? 1 : 0;
  EXPECT_EQ(merged, 1);  // the log written after the compaction
  // Without a merge cache such slices are refused with a clear error.
  auto no_cache =
      Open("hudi-rs-quickstart/quickstart_trips_table/mor/avro/v8_trips_8i3u1d.zip", false);
  EXPECT_THAT(no_cache->Snapshot(std::nullopt),
              StatusIs(StatusCode::kUnsupported, HasSubstr("merge cache")));
}

TEST_F(HudiTableTest, ReadOptimizedViewServesBaseFilesOnly) {
  std::string dir = UnzipHudiTable(
      "hudi-rs-quickstart/quickstart_trips_table/mor/avro/v6_trips_8i1u.zip", tmp_.path());
  HudiTableOptions o;
  o.cache = &cache_;
  o.read_optimized = true;
  auto t = OpenHudiTable(dir, o);
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  ASSERT_EQ(s->files.size(), 3u);
  for (const DataFile& f : s->files) EXPECT_NE(f.path[0], '/');
  ASSERT_TRUE(s->metadata.description.has_value());
  EXPECT_THAT(*s->metadata.description, HasSubstr("Read-optimized"));
}

TEST_F(HudiTableTest, RolledBackLogBlocksAreIgnored) {
  auto t = Open("hudi-rs/mor/parquet/v6_nonpartitioned_rollback.zip");
  ASSERT_OK_AND_ASSIGN(int64_t latest, t->LatestVersion());
  EXPECT_EQ(latest, 1);  // the rolled-back deltacommit is no version
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  ASSERT_EQ(s->files.size(), 1u);
}

TEST_F(HudiTableTest, ChangesListFileLevelAddsAndRemoves) {
  auto t = Open("hudi-rs/cow/v6_nonpartitioned.zip");
  ASSERT_OK_AND_ASSIGN(auto changes, t->Changes(0, 1));
  ASSERT_EQ(changes.size(), 2u);
  ASSERT_EQ(changes[0].changes.size(), 1u);
  EXPECT_EQ(changes[0].changes[0].type, ChangeType::kAdd);
  ASSERT_EQ(changes[1].changes.size(), 2u);
  EXPECT_EQ(changes[1].changes[0].type, ChangeType::kRemove);
  EXPECT_EQ(changes[1].changes[1].type, ChangeType::kAdd);
}

TEST_F(HudiTableTest, MissingTableIsNotFound) {
  HudiTableOptions o;
  o.cache = &cache_;
  auto t = OpenHudiTable(tmp_.path() + "/nothing", o);
  EXPECT_THAT(t->LatestVersion(), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace lakeshare
