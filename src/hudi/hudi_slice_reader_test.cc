#include "hudi/hudi_slice_reader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hudi/hudi_test_util.h"
#include "hudi/hudi_writer.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::HudiTempDir;
using ::lakeshare::testing::OpenHudiTable;
using ::lakeshare::testing::UnzipHudiTable;

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Merges every slice of every version of the table at `dir` twice, column by
// column and row by row, and expects the same files byte for byte (with and
// without deletion vectors: the latter merges delete-only slices too).
// Returns how many merged files were compared.
int ExpectColumnarMergeIsRowMerge(const std::string& dir, const std::string& scratch) {
  int compared = 0;
  std::shared_ptr<HudiTable> tables[2];
  for (int row = 0; row < 2; ++row) {
    HudiTableOptions o;
    o.cache = nullptr;
    auto mc = ContentCache::Open({scratch + "/cache-" + std::to_string(row)});
    EXPECT_OK(mc);
    if (!mc.ok()) return 0;
    o.merge_cache = *mc;
    o.row_merge = row == 1;
    tables[row] = OpenHudiTable(dir, std::move(o));
  }
  auto latest = tables[0]->LatestVersion();
  EXPECT_OK(latest);
  if (!latest.ok()) return 0;
  for (int64_t v = 0; v <= *latest; ++v) {
    for (bool dvs : {true, false}) {
      std::shared_ptr<const TableSnapshot> snaps[2];
      for (int row = 0; row < 2; ++row) {
        auto s = dvs ? tables[row]->Snapshot(v) : tables[row]->SnapshotWithoutDeletionVectors(v);
        EXPECT_OK(s) << dir << " version " << v;
        if (!s.ok()) return compared;
        snaps[row] = *s;
      }
      EXPECT_EQ(snaps[0]->files.size(), snaps[1]->files.size());
      for (size_t i = 0; i < snaps[0]->files.size() && i < snaps[1]->files.size(); ++i) {
        const DataFile& a = snaps[0]->files[i];
        const DataFile& b = snaps[1]->files[i];
        EXPECT_EQ(std::filesystem::path(a.path.str()).filename(),
                  std::filesystem::path(b.path.str()).filename());
        EXPECT_EQ(a.size, b.size) << a.path;
        EXPECT_EQ(a.stats, b.stats) << a.path;
        if (a.path.empty() || a.path[0] != '/') continue;  // a base file
        EXPECT_TRUE(FileBytes(a.path.str()) == FileBytes(b.path.str()))
            << dir << " version " << v << ": " << a.path;
        ++compared;
      }
    }
  }
  return compared;
}

TEST(HudiColumnarMergeTest, SampleTablesMergeToTheRowMergesBytes) {
  int compared = 0;
  for (const char* archive : {
           "hudi-rs-quickstart/quickstart_trips_table/mor/avro/v6_trips_8i1u.zip",
           "hudi-rs-quickstart/quickstart_trips_table/mor/avro/v6_trips_8i3d.zip",
           "hudi-rs-quickstart/quickstart_trips_table/mor/avro/v8_trips_8i3u1d.zip",
           "hudi-rs/mor/avro/v9_txns_complex_meta.zip",
           "hudi-rs/mor/avro/v9_txns_complex_nometa.zip",
           "hudi-rs/mor/avro/v9_txns_nonpart_meta.zip",
           "hudi-rs/mor/avro/v9_txns_nonpart_nometa.zip",
           "hudi-rs/mor/avro/v9_txns_simple_meta.zip",
           "hudi-rs/mor/avro/v9_txns_simple_nometa.zip",
           "hudi-rs/mor/avro/v9_txns_simple_overwrite.zip",
           "hudi-rs/mor/avro/v9_nonpartitioned_rollback.zip",
           "hudi-rs/mor/parquet/v6_complexkeygen_hivestyle.zip",
           "hudi-rs/mor/parquet/v6_nonpartitioned.zip",
           "hudi-rs/mor/parquet/v6_simplekeygen_hivestyle_no_metafields.zip",
           "hudi-rs/mor/parquet/v6_simplekeygen_nonhivestyle.zip",
       }) {
    HudiTempDir tmp;
    std::string dir = UnzipHudiTable(archive, tmp.path());
    ASSERT_FALSE(dir.empty()) << archive;
    compared += ExpectColumnarMergeIsRowMerge(dir, tmp.path());
  }
  EXPECT_GT(compared, 10);
}

// Base files of several row groups (the merge cuts its own at 65 536 rows),
// updates and deletes in log files, both table versions.
TEST(HudiColumnarMergeTest, LargeSlicesMergeToTheRowMergesBytes) {
  for (int version : {6, 9}) {
    HudiTempDir tmp;
    hudi::SyntheticTableOptions o;
    o.dir = tmp.path() + "/mor";
    o.table_version = version;
    o.merge_on_read = true;
    o.files = 1;
    o.commits = 1;
    o.partitions = 1;
    o.rows_per_file = 70000;
    o.update_fraction = 0.1;
    o.delete_fraction = 0.05;
    ASSERT_OK(hudi::GenerateSyntheticHudiTable(o).status());
    EXPECT_GE(ExpectColumnarMergeIsRowMerge(o.dir, tmp.path()), 1) << version;
  }
}

}  // namespace
}  // namespace lakeshare
