#include "demo/synthetic_iceberg_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "iceberg/iceberg_table.h"
#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;

struct Dir {
  fs::path path =
      fs::temp_directory_path() / ("lakeshare-synthetic-iceberg-" + std::to_string(::getpid()));
  Dir() { fs::remove_all(path); }
  ~Dir() { fs::remove_all(path); }
};

// The index of a generated data file from its name (<seq>-<i>-<run>.parquet,
// i counted within its snapshot), and its snapshot from <seq>.
std::pair<int64_t, int64_t> SnapshotAndIndex(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  size_t dash = name.find('-');
  return {std::stoll(name.substr(0, dash)), std::stoll(name.substr(dash + 1))};
}

TEST(SyntheticIcebergTable, PositionDeletesOnAFractionOfTheFiles) {
  for (int variant : {0, 1, 2}) {
    const bool per_data_file = variant == 1;
    Dir dir;
    IcebergGeneratorOptions o;
    o.dir = dir.path.string();
    o.files = 250;  // 125 per snapshot; days of 100 files: 0, 1, 2
    o.snapshots = 2;
    o.rows_per_file = 7;
    o.files_per_manifest = 40;
    o.delete_fraction = 0.1;
    o.delete_file_per_data_file = per_data_file;
    if (variant == 2) o.delete_format = "avro";  // read by our Avro reader
    auto g = GenerateIcebergTable(o);
    ASSERT_OK(g);
    EXPECT_EQ(g->latest_version, 3);
    EXPECT_EQ(g->files_with_deletes, 25);
    EXPECT_EQ(g->deleted_rows, 75);
    EXPECT_EQ(g->delete_files, per_data_file ? 25 : 3);

    IcebergTable t(o.dir, std::make_shared<LocalStorage>());
    auto s = t.Snapshot(std::nullopt);
    ASSERT_OK(s);
    ASSERT_EQ((*s)->files.size(), 250u);
    std::map<int64_t, int64_t> cardinality;  // global file index -> deleted rows
    for (const DataFile& f : (*s)->files) {
      if (!f.deletion_vector) continue;
      auto [seq, i] = SnapshotAndIndex(f.path.str());
      cardinality[(seq - 1) * 125 + i] = f.deletion_vector->cardinality;
    }
    std::map<int64_t, int64_t> expected;
    for (int64_t i = 9; i < 250; i += 10) expected[i] = 3;  // every 10th file, 3 rows each
    EXPECT_EQ(cardinality, expected) << "variant " << variant;
    size_t avro_files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path)) {
      avro_files += e.path().string().ends_with("-deletes.avro") ? 1 : 0;
    }
    EXPECT_EQ(avro_files, variant == 2 ? 3u : 0u);
  }
}

TEST(SyntheticIcebergTable, RefusesBadDeleteOptions) {
  Dir dir;
  IcebergGeneratorOptions o;
  o.dir = dir.path.string();
  o.delete_fraction = 1.5;
  EXPECT_EQ(GenerateIcebergTable(o).status().code(), StatusCode::kInvalidArgument);
  o.delete_fraction = 0.5;
  o.deletes_per_file = 0;
  EXPECT_EQ(GenerateIcebergTable(o).status().code(), StatusCode::kInvalidArgument);
  o.deletes_per_file = 3;
  o.delete_format = "orc";
  EXPECT_EQ(GenerateIcebergTable(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakeshare
