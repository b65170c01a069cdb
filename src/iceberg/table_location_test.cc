#include "iceberg/table_location.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/crypto.h"
#include "common/encoding.h"
#include "iceberg/iceberg_table.h"
#include "testing/counting_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare::iceberg {
namespace {

namespace fs = std::filesystem;

TEST(LocationMapTest, LongestPrefixFirstEntryOfEqualOnes) {
  LocationMap map = {{"/test-warehouse/", "/srv/local"},
                     {"hdfs://namenode:8020/warehouse", "s3://bucket/warehouse/"},
                     {"/test-warehouse/ice/special", "/srv/special"},
                     {"/test-warehouse", "/srv/never"}};
  EXPECT_EQ(MapLocation("/test-warehouse/ice/t/data/a.parquet", map),
            "/srv/local/ice/t/data/a.parquet");
  EXPECT_EQ(MapLocation("/test-warehouse/ice/special/x.parquet", map), "/srv/special/x.parquet");
  EXPECT_EQ(MapLocation("hdfs://namenode:8020/warehouse/db/t/x.parquet", map),
            "s3://bucket/warehouse/db/t/x.parquet");
  // Recorded spellings normalize (file:, ./, repeated slashes; s3a as s3).
  EXPECT_EQ(MapLocation("file:///test-warehouse//ice/./t/b.parquet", map),
            "/srv/local/ice/t/b.parquet");
  LocationMap s3 = {{"s3://old-bucket/wh", "s3://new-bucket/wh"}};
  EXPECT_EQ(MapLocation("s3a://old-bucket/wh/t/x", s3), "s3://new-bucket/wh/t/x");
  // Not covered: another authority, a longer folder name, climbing out.
  EXPECT_FALSE(MapLocation("hdfs://other:8020/warehouse/x", map));
  EXPECT_FALSE(MapLocation("/test-warehouse2/x", map));
  EXPECT_FALSE(MapLocation("/test-warehouse/../etc/passwd", map));
  EXPECT_FALSE(MapLocation("/test-warehouse/a/../../etc", map));
  EXPECT_FALSE(MapLocation("/x", {}));
}

TEST(LocationMapTest, RebaseUsesTheMapOnlyOutsideTheTable) {
  LocationMap map = {{"/test-warehouse/", "/srv/copy"}};
  // Under the recorded table location: the configured folder, as before.
  ASSERT_OK_AND_ASSIGN(std::string in, RebaseLocation("/test-warehouse/ice/t/data/a.parquet",
                                                      "/test-warehouse/ice/t", "/mnt/t", &map));
  EXPECT_EQ(in, "/mnt/t/data/a.parquet");
  // Beside it: the map.
  ASSERT_OK_AND_ASSIGN(std::string beside, RebaseLocation("/test-warehouse/ice/t_data/a.parquet",
                                                          "/test-warehouse/ice/t", "/mnt/t", &map));
  EXPECT_EQ(beside, "/srv/copy/ice/t_data/a.parquet");
  // Neither: refused as before.
  auto out = RebaseLocation("/elsewhere/a.parquet", "/test-warehouse/ice/t", "/mnt/t", &map);
  EXPECT_EQ(out.status().code(), StatusCode::kCorruption);
}

std::string Ice(const std::string& name) {
  return (fs::path(LAKESHARE_TESTDATA_DIR) / "iceberg" / "impala" / "iceberg_test" /
          "hadoop_catalog" / "ice" / name)
      .string();
}

TEST(LocationMapTest, TableWithDataInSeveralFolders) {
  // Impala's iceberg_multiple_storage_locations writes its data beside the
  // table folder (…_data, …_data01, …_data02, all under /test-warehouse/).
  const std::string table = Ice("iceberg_multiple_storage_locations");
  {
    IcebergTable plain(table, std::make_shared<testing::CountingStorage>());
    EXPECT_EQ(plain.Snapshot(std::nullopt).status().code(), StatusCode::kCorruption);
  }
  IcebergTableOptions options;
  options.location_map = {{"/test-warehouse/iceberg_test/hadoop_catalog/ice/", Ice("")}};
  IcebergTable mapped(table, std::make_shared<testing::CountingStorage>(), options);
  ASSERT_OK_AND_ASSIGN(auto s, mapped.Snapshot(std::nullopt));
  ASSERT_FALSE(s->files.empty());
  std::set<std::string> folders;
  for (const DataFile& f : s->files) {
    EXPECT_TRUE(fs::exists(f.path.str())) << f.path;
    std::string rest(f.path.substr(Ice("").size()));
    folders.insert(rest.substr(0, rest.find('/', 1)));
  }
  EXPECT_EQ(folders.size(), 3u);
}

TEST(LocationMapTest, DeletesNamingMappedFilesWithAnotherSchemeMatch) {
  // A copy of iceberg_v2_delete_positional whose metadata records another
  // table location: its manifests and data files lie outside it and are
  // found through the map; the delete file names its data file as
  // hdfs://localhost:20500/test-warehouse/..., the manifests as
  // /test-warehouse/...: the same (mapped) file.
  fs::path dir = fs::temp_directory_path() / ("locmap-" + HexEncode(RandomBytes(6)));
  fs::path copy = dir / "iceberg_v2_delete_positional";
  fs::create_directories(dir);
  fs::copy(Ice("iceberg_v2_delete_positional"), copy, fs::copy_options::recursive);
  for (const char* name : {"v1.metadata.json", "v2.metadata.json"}) {
    fs::path p = copy / "metadata" / name;
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    std::string json = text.str();
    const std::string old_location = "hadoop_catalog/ice/iceberg_v2_delete_positional\"";
    size_t at = json.find(old_location);
    ASSERT_NE(at, std::string::npos);
    json.replace(at, old_location.size(), "hadoop_catalog/ice/renamed\"");
    std::ofstream(p, std::ios::trunc) << json;
  }
  IcebergTableOptions options;
  options.location_map = {{"/test-warehouse/iceberg_test/hadoop_catalog/ice/", dir.string()}};
  IcebergTable t(copy.string(), std::make_shared<testing::CountingStorage>(), options);
  ASSERT_OK_AND_ASSIGN(auto s, t.Snapshot(std::nullopt));
  int with_dv = 0;
  for (const DataFile& f : s->files) {
    EXPECT_EQ(f.path.rfind(copy.string() + "/data/", 0), 0u) << f.path;
    if (f.deletion_vector) {
      ++with_dv;
      EXPECT_EQ(f.deletion_vector->cardinality, 1);
    }
  }
  EXPECT_EQ(with_dv, 1);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lakeshare::iceberg
