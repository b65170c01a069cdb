#include "iceberg/iceberg_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "iceberg/iceberg_table.h"
#include "parquet/parquet_reader.h"
#include "storage/local_storage.h"
#include "table/deletion_vector_bytes.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
using iceberg::TypeId;

struct Dir {
  fs::path path =
      fs::temp_directory_path() / ("lakeshare-iceberg-writer-" + std::to_string(::getpid()));
  Dir() { fs::remove_all(path); }
  ~Dir() { fs::remove_all(path); }
};

IcebergTableSpec Spec() {
  IcebergTableSpec spec;
  spec.columns = {{"id", TypeId::kLong, true, std::nullopt},
                  {"part", TypeId::kString, false, std::nullopt},
                  {"d", TypeId::kDate, false, std::nullopt},
                  {"x", TypeId::kDouble, false, std::nullopt}};
  spec.partition_by = {"part"};
  spec.recorded_location = "s3://somewhere-else/t";
  return spec;
}

IcebergFileData File(int64_t first, const std::string& part, bool null_part = false) {
  IcebergFileData f;
  f.columns.push_back({std::vector<int64_t>{first, first + 1, first + 2}, {}});
  f.columns.push_back({std::vector<std::string>(3, part),
                       null_part ? std::vector<bool>(3, false) : std::vector<bool>{}});
  f.columns.push_back({std::vector<int32_t>{100, 90, 110}, {}});
  f.columns.push_back({std::vector<double>{1.5, -2.0, 0.0}, std::vector<bool>{true, true, false}});
  return f;
}

TEST(IcebergWriter, WrittenTablesReadBack) {
  Dir dir;
  auto w = IcebergTableWriter::Create(dir.path.string(), Spec(), 1000);
  ASSERT_OK(w);
  IcebergAppendOptions o;
  o.timestamp_ms = 2000;
  o.files_per_manifest = 2;
  ASSERT_EQ(*(*w)->Append(
                3, [](size_t i) { return Result<IcebergFileData>(File(i * 3, "a/b")); }, o),
            1);
  o.timestamp_ms = 3000;
  ASSERT_EQ(*(*w)->Append(
                1, [](size_t) { return Result<IcebergFileData>(File(9, "", true)); }, o),
            2);

  IcebergTable t(dir.path.string(), std::make_shared<LocalStorage>());
  EXPECT_EQ(*t.LatestVersion(), 2);
  auto s = t.Snapshot(std::nullopt);
  ASSERT_OK(s);
  EXPECT_EQ((*s)->timestamp_ms, 3000);
  ASSERT_EQ((*s)->files.size(), 4u);
  EXPECT_EQ((*s)->metadata.partition_columns, std::vector<std::string>{"part"});
  EXPECT_EQ((*s)->metadata.id, (*w)->table_uuid());
  int nulls = 0;
  for (const DataFile& f : (*s)->files) {
    // Re-based from the recorded s3 location onto the folder.
    ASSERT_EQ(f.path.rfind(dir.path.string() + "/data/part=", 0), 0u) << f.path;
    EXPECT_EQ(f.size, static_cast<int64_t>(fs::file_size(f.path.str())));
    auto pv = f.partition_values.find("part")->second;
    if (!pv) {
      ++nulls;
    } else {
      EXPECT_EQ(*pv, "a/b");
      EXPECT_NE(f.path.find("part=a%2Fb/"), std::string::npos);
    }
    auto st = boost::json::parse(*f.stats).as_object();
    EXPECT_EQ(st.at("numRecords").as_int64(), 3);
    EXPECT_EQ(st.at("minValues").at("d").as_string(), "1970-04-01");  // day 90
    EXPECT_EQ(st.at("maxValues").at("d").as_string(), "1970-04-21");
    EXPECT_EQ(st.at("minValues").at("x").as_double(), -2.0);
    EXPECT_EQ(st.at("nullCount").at("x").as_int64(), 1);
    // The data file is parquet with Iceberg field ids.
    std::ifstream in(f.path.str(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto file = std::make_shared<MemoryFile>(ss.str());
    auto reader = parquet::ParquetReader::Open(file);
    ASSERT_OK(reader);
    EXPECT_EQ(reader->num_rows(), 3);
    const auto& schema = reader->metadata().schema;
    ASSERT_EQ(schema.size(), 5u);
    for (int i = 1; i <= 4; ++i) EXPECT_EQ(schema[i].field_id, i);
    auto ids = reader->ReadColumnChunk(0, 0);
    ASSERT_OK(ids);
    EXPECT_EQ(ids->int64s.size(), 3u);
  }
  EXPECT_EQ(nulls, 1);
  auto changes = t.Changes(1, 2);
  ASSERT_OK(changes);
  EXPECT_EQ((*changes)[0].changes.size(), 3u);
  EXPECT_EQ((*changes)[1].changes.size(), 1u);
}

TEST(IcebergWriter, RefusesBadInput) {
  Dir dir;
  IcebergTableSpec bad = Spec();
  bad.partition_by = {"nope"};
  EXPECT_EQ(IcebergTableWriter::Create(dir.path.string(), bad, 0).status().code(),
            StatusCode::kInvalidArgument);
  auto w = IcebergTableWriter::Create(dir.path.string(), Spec(), 0);
  ASSERT_OK(w);
  EXPECT_EQ(IcebergTableWriter::Create(dir.path.string(), Spec(), 0).status().code(),
            StatusCode::kFailedPrecondition);
  IcebergAppendOptions o;
  auto mixed = [](size_t) {
    IcebergFileData f = File(0, "a");
    std::get<std::vector<std::string>>(f.columns[1].values)[2] = "b";
    return Result<IcebergFileData>(f);
  };
  EXPECT_EQ((*w)->Append(1, mixed, o).status().code(), StatusCode::kInvalidArgument);
}

// Inline DVs only here (small bitmaps, no cache).
std::vector<uint64_t> InlinePositions(const DeletionVector& dv) {
  EXPECT_EQ(dv.storage_type, "i");
  auto bytes = Z85Decode(dv.path_or_inline_dv);
  if (!bytes) return {};
  return ParseRoaringBitmapArray(bytes->substr(0, static_cast<size_t>(dv.size_in_bytes)))
      .value_or(std::vector<uint64_t>{});
}

std::string Basename(const std::string& p) { return p.substr(p.find_last_of('/') + 1); }

TEST(IcebergWriter, PositionDeletesReadBackAsDeletionVectors) {
  Dir dir;
  auto w = IcebergTableWriter::Create(dir.path.string(), Spec(), 1000);
  ASSERT_OK(w);
  IcebergAppendOptions o;
  o.timestamp_ms = 2000;
  ASSERT_OK((*w)->Append(
      3, [](size_t i) { return Result<IcebergFileData>(File(i * 3, "a")); }, o));
  o.timestamp_ms = 3000;
  ASSERT_OK((*w)->Append(
      1, [](size_t) { return Result<IcebergFileData>(File(9, "", true)); }, o));
  const std::vector<std::string> paths = (*w)->data_files();
  ASSERT_EQ(paths.size(), 4u);
  EXPECT_EQ(paths[0].rfind("s3://somewhere-else/t/data/part=a/", 0), 0u) << paths[0];
  // One delete file for partition a (rows given unsorted), one for the
  // null partition; data file 1 keeps all its rows.
  std::vector<IcebergPositionDeleteFile> deletes(2);
  deletes[0].rows = {{paths[2], 1}, {paths[0], 2}, {paths[0], 0}};
  deletes[1].rows = {{paths[3], 2}};
  o.timestamp_ms = 4000;
  o.files_per_manifest = 1;  // two delete manifests
  ASSERT_EQ(*(*w)->AddPositionDeletes(deletes, o), 3);

  IcebergTable t(dir.path.string(), std::make_shared<LocalStorage>());
  EXPECT_EQ(*t.LatestVersion(), 3);
  auto s = t.Snapshot(std::nullopt);
  ASSERT_OK(s);
  ASSERT_EQ((*s)->files.size(), 4u);
  std::map<std::string, std::vector<uint64_t>> deleted;
  for (const DataFile& f : (*s)->files) {
    if (!f.deletion_vector) continue;
    auto positions = InlinePositions(*f.deletion_vector);
    EXPECT_EQ(static_cast<int64_t>(positions.size()), f.deletion_vector->cardinality);
    deleted[Basename(f.path.str())] = positions;
  }
  std::map<std::string, std::vector<uint64_t>> expected = {
      {Basename(paths[0]), {0, 2}}, {Basename(paths[2]), {1}}, {Basename(paths[3]), {2}}};
  EXPECT_EQ(deleted, expected);
  // The version before the deletes has none.
  auto before = t.Snapshot(2);
  ASSERT_OK(before);
  for (const DataFile& f : (*before)->files) EXPECT_FALSE(f.deletion_vector) << f.path;

  // The delete files: parquet with the reserved field ids, sorted by path
  // then position, next to their data files.
  int delete_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir.path / "data")) {
    if (e.path().string().find("-deletes.parquet") == std::string::npos) continue;
    ++delete_files;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto reader = parquet::ParquetReader::Open(std::make_shared<MemoryFile>(ss.str()));
    ASSERT_OK(reader);
    const auto& schema = reader->metadata().schema;
    ASSERT_EQ(schema.size(), 3u);
    EXPECT_EQ(schema[1].name, "file_path");
    EXPECT_EQ(schema[1].field_id, 2147483546);
    EXPECT_EQ(schema[2].name, "pos");
    EXPECT_EQ(schema[2].field_id, 2147483545);
    if (e.path().parent_path().filename() == "part=a") {
      auto pos = reader->ReadColumnChunk(0, 1);
      ASSERT_OK(pos);
      EXPECT_EQ(pos->int64s, (std::vector<int64_t>{0, 2, 1}));  // paths[0] sorts before paths[2]
    }
  }
  EXPECT_EQ(delete_files, 2);
}

TEST(IcebergWriter, RefusesBadPositionDeletes) {
  Dir dir;
  auto w = IcebergTableWriter::Create(dir.path.string(), Spec(), 0);
  ASSERT_OK(w);
  IcebergAppendOptions o;
  ASSERT_OK((*w)->Append(
      2, [](size_t i) { return Result<IcebergFileData>(File(0, i == 0 ? "a" : "b")); }, o));
  const std::vector<std::string> p = (*w)->data_files();
  auto code = [&](std::vector<std::pair<std::string, int64_t>> rows) {
    std::vector<IcebergPositionDeleteFile> files(1);
    files[0].rows = std::move(rows);
    return (*w)->AddPositionDeletes(files, o).status().code();
  };
  EXPECT_EQ((*w)->AddPositionDeletes({}, o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({{"s3://somewhere-else/t/data/x.parquet", 0}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({{p[0], 0}, {p[1], 0}}), StatusCode::kInvalidArgument);  // two partitions
  EXPECT_EQ(code({{p[0], 3}}), StatusCode::kInvalidArgument);             // 3 rows
  EXPECT_EQ(code({{p[0], -1}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({{p[0], 1}, {p[0], 1}}), StatusCode::kInvalidArgument);
  EXPECT_EQ((*w)->sequence_number(), 1);  // nothing written
  EXPECT_EQ(code({{p[1], 1}}), StatusCode::kOk);
  EXPECT_EQ((*w)->sequence_number(), 2);
}

}  // namespace
}  // namespace lakeshare
