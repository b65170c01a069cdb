#include "iceberg/snapshot_deletes.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "common/encoding.h"
#include "iceberg/avro_writer.h"
#include "iceberg/iceberg_table.h"
#include "iceberg/row_deletes.h"
#include "storage/local_storage.h"
#include "table/deletion_vector_bytes.h"
#include "testing/counting_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
using testing::StatusIs;

std::string ImpalaTable(const std::string& relative) {
  return (fs::path(LAKESHARE_TESTDATA_DIR) / "iceberg" / "impala" / "iceberg_test" / relative)
      .string();
}

std::shared_ptr<IcebergTable> Open(const std::string& relative, IcebergTableOptions options = {},
                                   std::shared_ptr<Storage> storage = nullptr) {
  if (!storage) storage = std::make_shared<testing::CountingStorage>();
  return std::make_shared<IcebergTable>(ImpalaTable(relative), storage, std::move(options));
}

std::string Basename(const std::string& p) { return p.substr(p.find_last_of('/') + 1); }

// The positions of an inline deletion vector.
std::vector<uint64_t> InlinePositions(const DeletionVector& dv) {
  EXPECT_EQ(dv.storage_type, "i");
  auto bytes = Z85Decode(dv.path_or_inline_dv);
  EXPECT_TRUE(bytes.has_value());
  if (!bytes) return {};
  auto positions = ParseRoaringBitmapArray(bytes->substr(0, dv.size_in_bytes));
  EXPECT_TRUE(positions.has_value());
  return positions.value_or(std::vector<uint64_t>{});
}

// {data file name: deleted positions} of a snapshot (inline DVs only).
std::map<std::string, std::vector<uint64_t>> DeletedPositions(const TableSnapshot& s) {
  std::map<std::string, std::vector<uint64_t>> out;
  for (const DataFile& f : s.files) {
    if (f.deletion_vector) out[Basename(f.path.str())] = InlinePositions(*f.deletion_vector);
  }
  return out;
}

bool HasDvFeature(const TableSnapshot& s) {
  const auto& rf = s.protocol.reader_features;
  return rf && std::find(rf->begin(), rf->end(), "deletionVectors") != rf->end();
}

TEST(IcebergRowDeletes, PositionDeletesBecomeOneDeletionVectorPerDataFile) {
  // The delete file names its data file as hdfs://localhost:20500/test-
  // warehouse/..., the manifests as /test-warehouse/...: the same file.
  auto t = Open("hadoop_catalog/ice/iceberg_v2_delete_positional");
  ASSERT_OK_AND_ASSIGN(auto latest, t->Snapshot(std::nullopt));
  EXPECT_FALSE(latest->unreadable_reason);
  EXPECT_TRUE(HasDvFeature(*latest));
  EXPECT_EQ(latest->protocol.min_reader_version, 3);
  auto deleted = DeletedPositions(*latest);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted.begin()->first, "00000-0-fb178c51-b12a-4c5f-a66e-a8e9375daeba-00001.parquet");
  EXPECT_EQ(deleted.begin()->second, std::vector<uint64_t>{1});
  // The version before the delete has none.
  ASSERT_OK_AND_ASSIGN(auto first, t->Snapshot(latest->version - 1));
  EXPECT_TRUE(DeletedPositions(*first).empty());
  EXPECT_FALSE(HasDvFeature(*first));
}

TEST(IcebergRowDeletes, NullRecordsAndDuplicatesInDeleteFiles) {
  // Rows with a null file_path delete nothing; a position listed twice
  // counts once.
  auto t = Open("hadoop_catalog/ice/iceberg_v2_null_delete_record");
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  auto deleted = DeletedPositions(*s);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted.begin()->second, (std::vector<uint64_t>{0, 1}));
}

TEST(IcebergRowDeletes, PartitionedDeletesApplyInTheirPartitions) {
  auto t = Open("hadoop_catalog/ice/iceberg_v2_partitioned_position_deletes");
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  auto deleted = DeletedPositions(*s);
  ASSERT_EQ(deleted.size(), 3u);
  int64_t total = 0;
  for (const auto& [name, positions] : deleted) total += static_cast<int64_t>(positions.size());
  EXPECT_EQ(total, 10);  // 5 + 3 + 2 rows of the three delete files
}

TEST(IcebergRowDeletes, DanglingDeletesAfterCompactionAreIgnored) {
  auto t = Open("hadoop_catalog/ice/iceberg_spark_compaction_with_dangling_delete");
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  EXPECT_FALSE(s->unreadable_reason);
  // The compacted file replaced the files the deletes name.
  EXPECT_TRUE(DeletedPositions(*s).empty());
}

TEST(IcebergRowDeletes, V3DeletionVectorsFromPuffin) {
  auto t = Open("iceberg_v3/iceberg_v3_deletion_vectors");
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  EXPECT_FALSE(s->unreadable_reason);
  auto deleted = DeletedPositions(*s);
  EXPECT_FALSE(deleted.empty());
  for (const auto& [name, positions] : deleted) EXPECT_FALSE(positions.empty()) << name;
}

TEST(IcebergRowDeletes, LargeVectorsAreDvFilesInTheCache) {
  auto dir = fs::temp_directory_path() / ("icedel-cache-" + HexEncode(RandomBytes(6)));
  ASSERT_OK_AND_ASSIGN(auto cache, ContentCache::Open({dir.string()}));
  IcebergTableOptions options;
  options.dv_cache = cache;
  auto storage = std::make_shared<testing::CountingStorage>();
  auto t = Open("hadoop_catalog/ice/iceberg_lineitem_multiblock", options, storage);
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  const DeletionVector* dv = nullptr;
  for (const DataFile& f : s->files) {
    if (f.deletion_vector) dv = &*f.deletion_vector;
  }
  ASSERT_NE(dv, nullptr);
  EXPECT_EQ(dv->storage_type, "p");
  EXPECT_EQ(dv->cardinality, 2114);
  EXPECT_EQ(dv->offset, 1);
  EXPECT_EQ(dv->path_or_inline_dv.rfind(dir.string() + "/", 0), 0u);
  std::ifstream in(dv->path_or_inline_dv, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto bitmap = ReadDeletionVectorFile(bytes.str(), 1);
  ASSERT_TRUE(bitmap.has_value());
  EXPECT_EQ(static_cast<int32_t>(bitmap->size()), dv->size_in_bytes);
  EXPECT_EQ(ParseRoaringBitmapArray(*bitmap)->size(), 2114u);
  // A second query is served from the snapshot cache: no delete file read.
  storage->Take();
  ASSERT_OK_AND_ASSIGN(auto again, t->Snapshot(std::nullopt));
  EXPECT_EQ(again.get(), s.get());
  EXPECT_EQ(storage->counts().ReadsOf("delete"), 0);
  // Without a cache the same vector is inline.
  ASSERT_OK_AND_ASSIGN(
      auto inline_snap,
      Open("hadoop_catalog/ice/iceberg_lineitem_multiblock")->Snapshot(std::nullopt));
  int64_t cardinality = 0;
  for (const DataFile& f : inline_snap->files) {
    if (f.deletion_vector) cardinality = InlinePositions(*f.deletion_vector).size();
  }
  EXPECT_EQ(cardinality, 2114);
  fs::remove_all(dir);
}

TEST(IcebergRowDeletes, EqualityDeletesBecomeDeletionVectors) {
  // equality_deletes_test.cc checks them in detail.
  auto t = Open("hadoop_catalog/ice/iceberg_v2_delete_equality_nulls");
  ASSERT_OK_AND_ASSIGN(auto s, t->Snapshot(std::nullopt));
  EXPECT_FALSE(s->unreadable_reason);
  EXPECT_TRUE(HasDvFeature(*s));
  EXPECT_FALSE(DeletedPositions(*s).empty());
}

TEST(IcebergRowDeletes, DeletionVectorBlobsAreChecked) {
  // deletion-vector-v1 of position 1: length, magic, bitmap, CRC.
  std::string bitmap = SerializeRoaringBitmapArray({1}).substr(4);
  std::string body = std::string("\xD1\xD3\x39\x64", 4) + bitmap;
  auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  std::string blob = be32(static_cast<uint32_t>(body.size())) + body + be32(crc);
  ASSERT_OK_AND_ASSIGN(auto positions, iceberg::ParseDeletionVectorBlob(blob, 100));
  EXPECT_EQ(positions, std::vector<uint64_t>{1});
  std::string bad_crc = blob;
  bad_crc.back() ^= 1;
  EXPECT_THAT(iceberg::ParseDeletionVectorBlob(bad_crc, 100), StatusIs(StatusCode::kCorruption));
  std::string bad_magic = blob;
  bad_magic[4] = 0;
  EXPECT_THAT(iceberg::ParseDeletionVectorBlob(bad_magic, 100), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(iceberg::ParseDeletionVectorBlob(blob.substr(1), 100),
              StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(iceberg::ParseDeletionVectorBlob(blob, 0), StatusIs(StatusCode::kTooLarge));
}

TEST(IcebergRowDeletes, AvroPositionDeleteFilesAreRead) {
  // An Avro position delete file as Iceberg writers lay it out (file_path,
  // pos; a null row is skipped as in parquet).
  auto w = iceberg::AvroFileWriter::Create(
      R"({"type":"record","name":"delete","fields":[{"name":"file_path","type":"string"},)"
      R"({"name":"pos","type":["null","long"]}]})",
      {{"content", "position-deletes"}}, "deflate");
  ASSERT_OK(w);
  const std::vector<std::pair<std::string, std::optional<int64_t>>> rows = {
      {"s3://b/t/data/a.parquet", 3},
      {"s3://b/t/data/a.parquet", 7},
      {"s3://b/t/data/b.parquet", std::nullopt},
      {"s3://b/t/data/b.parquet", 0}};
  for (const auto& [path, pos] : rows) {
    avro_value_t* rec = (*w)->NewRecord();
    auto p = iceberg::AvroField(rec, "file_path");
    ASSERT_OK(iceberg::AvroSetString(&*p, path));
    auto q = iceberg::AvroField(rec, "pos");
    if (pos) {
      ASSERT_OK(iceberg::AvroSetLong(&*q, *pos));
    } else {
      ASSERT_OK(iceberg::AvroSetNull(&*q));
    }
    ASSERT_OK((*w)->Append());
  }
  ASSERT_OK_AND_ASSIGN(std::string bytes, (*w)->Finish());
  const fs::path dir = fs::temp_directory_path() / ("ice-avro-del-" + HexEncode(RandomBytes(6)));
  fs::create_directories(dir);
  const std::string file = (dir / "delete.avro").string();
  std::ofstream(file, std::ios::binary) << bytes;
  LocalStorage storage;
  ASSERT_OK_AND_ASSIGN(auto read, iceberg::ReadAvroPositionDeleteFile(storage, file, 100));
  EXPECT_EQ(read.count, 3);
  EXPECT_EQ(read.by_file.at("s3://b/t/data/a.parquet"), (std::vector<uint64_t>{3, 7}));
  EXPECT_EQ(read.by_file.at("s3://b/t/data/b.parquet"), (std::vector<uint64_t>{0}));
  // Bounded by the positions a snapshot may apply; garbage is kCorruption.
  EXPECT_THAT(iceberg::ReadAvroPositionDeleteFile(storage, file, 2),
              StatusIs(StatusCode::kTooLarge));
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  EXPECT_THAT(iceberg::ReadAvroPositionDeleteFile(storage, file, 100),
              StatusIs(StatusCode::kCorruption));
  fs::remove_all(dir);
}

TEST(IcebergRowDeletes, SameFileKeyIgnoresSchemeAndAuthority) {
  EXPECT_EQ(iceberg::SameFileKey("hdfs://nn:8020/wh/t/data/a.parquet"), "/wh/t/data/a.parquet");
  EXPECT_EQ(iceberg::SameFileKey("/wh/t//data/./a.parquet"), "/wh/t/data/a.parquet");
  EXPECT_EQ(iceberg::SameFileKey("file:///wh/t/a"), "/wh/t/a");
  EXPECT_EQ(iceberg::SameFileKey("s3a://bucket/wh/a"), iceberg::SameFileKey("s3://other/wh/a"));
  EXPECT_EQ(iceberg::SameFileKey("data/a.parquet"), "data/a.parquet");
}

}  // namespace
}  // namespace lakeshare
