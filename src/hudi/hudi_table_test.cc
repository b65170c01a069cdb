#include "hudi/hudi_table.h"

#include <filesystem>
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
  for (const DataFile& f : s.files) out.push_back(f.path.str());
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

// Completed write instant files of the active timeline (both layouts), in
// name order.
std::vector<std::filesystem::path> WriteInstantFiles(const std::string& table) {
  std::vector<std::filesystem::path> out;
  for (const char* dir : {".hoodie", ".hoodie/timeline"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(table + "/" + dir, ec)) {
      const std::string ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".commit" || ext == ".deltacommit")) {
        out.push_back(e.path());
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.filename().string() < b.filename().string();
  });
  return out;
}

// Commit metadata that lists no file (an empty instant file here): the
// files those commits wrote are found by listing the table's folders, so
// every version serves the same files as the intact table.
TEST_F(HudiTableTest, CommitsWithoutWriteStatsAreCompletedByAListing) {
  for (const char* archive :
       {"hudi-rs/cow/v6_complexkeygen_hivestyle.zip", "hudi-rs/cow/v8_complexkeygen_hivestyle.zip",
        "hudi-rs/cow/v9_timebasedkeygen_nonhivestyle.zip",
        "hudi-rs/mor/parquet/v6_simplekeygen_nonhivestyle.zip",
        "hudi-rs-quickstart/quickstart_trips_table/mor/avro/v8_trips_8i3u1d.zip"}) {
    SCOPED_TRACE(archive);
    const std::string base = tmp_.path() + "/" + std::filesystem::path(archive).stem().string();
    std::filesystem::create_directories(base + "/intact");
    std::filesystem::create_directories(base + "/listed");
    const std::string intact_dir = UnzipHudiTable(archive, base + "/intact");
    const std::string listed_dir = UnzipHudiTable(archive, base + "/listed");
    ASSERT_FALSE(intact_dir.empty() || listed_dir.empty());
    // Every write instant but the last (its schema is the table's) loses
    // its metadata.
    auto files = WriteInstantFiles(listed_dir);
    ASSERT_GE(files.size(), 2u);
    for (size_t i = 0; i + 1 < files.size(); ++i) std::filesystem::resize_file(files[i], 0);
    HudiTableOptions o;
    o.cache = &cache_;
    auto mc = ContentCache::Open({base + "/merge-cache"});
    ASSERT_OK(mc);
    o.merge_cache = *mc;
    auto intact = OpenHudiTable(intact_dir, o);
    auto listed = OpenHudiTable(listed_dir, o);
    ASSERT_OK_AND_ASSIGN(int64_t latest, intact->LatestVersion());
    ASSERT_OK_AND_ASSIGN(int64_t listed_latest, listed->LatestVersion());
    EXPECT_EQ(latest, listed_latest);
    for (int64_t v = 0; v <= latest; ++v) {
      ASSERT_OK_AND_ASSIGN(auto a, intact->Snapshot(v));
      ASSERT_OK_AND_ASSIGN(auto b, listed->Snapshot(v));
      EXPECT_EQ(Paths(*a), Paths(*b)) << "version " << v;
      ASSERT_EQ(a->files.size(), b->files.size());
      for (size_t i = 0; i < a->files.size(); ++i) {
        EXPECT_EQ(a->files[i].partition_values, b->files[i].partition_values);
        EXPECT_EQ(a->files[i].size, b->files[i].size);
      }
    }
  }
}

// A replace commit without metadata cannot say which file groups it
// retired: the table is refused rather than served with them.
TEST_F(HudiTableTest, AReplaceCommitWithoutMetadataIsRefused) {
  const std::string dir =
      UnzipHudiTable("hudi-rs/cow/v6_simplekeygen_nonhivestyle_overwritetable.zip", tmp_.path());
  ASSERT_FALSE(dir.empty());
  std::error_code ec;
  bool emptied = false;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/.hoodie", ec)) {
    if (e.path().extension() == ".replacecommit" && !emptied) {
      std::filesystem::resize_file(e.path(), 0);
      emptied = true;
    }
  }
  ASSERT_TRUE(emptied);
  HudiTableOptions o;
  o.cache = &cache_;
  auto t = OpenHudiTable(dir, o);
  EXPECT_THAT(t->Snapshot(std::nullopt),
              StatusIs(StatusCode::kUnsupported, HasSubstr("replaced file groups")));
}

TEST_F(HudiTableTest, MissingTableIsNotFound) {
  HudiTableOptions o;
  o.cache = &cache_;
  auto t = OpenHudiTable(tmp_.path() + "/nothing", o);
  EXPECT_THAT(t->LatestVersion(), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace lakeshare
