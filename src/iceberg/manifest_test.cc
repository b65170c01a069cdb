#include "iceberg/manifest.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "iceberg/avro_writer.h"
#include "iceberg/iceberg_metadata.h"
#include "iceberg/iceberg_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare::iceberg {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The manifest lists of lineitem: the engine's snapshot summaries give the
// numbers the manifests must add up to.
TEST(Manifest, LineitemAddsUpToTheSnapshotSummaries) {
  fs::path dir = testing::IcebergTestData() / "iceberg/lineitem_iceberg";
  auto meta = ParseMetadata(Read(dir / "metadata/v2.metadata.json"));
  ASSERT_OK(meta);
  for (const SnapshotInfo& s : meta->snapshots) {
    std::string list_name = fs::path(*s.manifest_list).filename().string();
    auto list = ReadManifestList(Read(dir / "metadata" / list_name), list_name);
    ASSERT_OK(list);
    int64_t live = 0, records = 0, added = 0;
    for (const ManifestFile& mf : *list) {
      EXPECT_EQ(mf.content, ManifestContent::kData);
      std::string name = fs::path(mf.path).filename().string();
      auto m = ReadManifest(Read(dir / "metadata" / name), name, true);
      ASSERT_OK(m);
      EXPECT_EQ(m->spec_id, 0);
      for (const ManifestEntry& e : m->entries) {
        EXPECT_EQ(e.file_format, "PARQUET");
        if (e.status == EntryStatus::kAdded) ++added;
        if (e.status == EntryStatus::kDeleted) continue;
        ++live;
        records += e.record_count;
        EXPECT_FALSE(e.lower_bounds.empty());
        EXPECT_EQ(e.null_counts.size(), 16u);
      }
    }
    EXPECT_EQ(live, std::stoll(s.summary.at("total-data-files"))) << s.snapshot_id;
    EXPECT_EQ(records, std::stoll(s.summary.at("total-records"))) << s.snapshot_id;
    EXPECT_EQ(added, std::stoll(s.summary.at("added-data-files"))) << s.snapshot_id;
  }
}

TEST(Manifest, V1ManifestWithoutContentOrSequenceNumbers) {
  fs::path dir = testing::IcebergTestData() / "iceberg_v1_deprecated/default/legacy_v1/metadata";
  auto m = ReadManifest(Read(dir / "d65f86b0-b799-467f-b1f4-9c697e4c4fc7-m0.avro"), "v1", true);
  ASSERT_OK(m);
  ASSERT_EQ(m->entries.size(), 2u);
  for (const ManifestEntry& e : m->entries) {
    EXPECT_EQ(e.content, FileContent::kData);
    EXPECT_FALSE(e.sequence_number);
    ASSERT_EQ(e.partition.size(), 1u);
    EXPECT_EQ(e.partition[0].kind, PartitionDatum::Kind::kBytes);  // category (string)
  }
}

TEST(Manifest, DeleteManifestsAreRecognised) {
  fs::path dir =
      testing::IcebergTestData() /
      "legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector/metadata";
  auto list = ReadManifestList(Read(dir / "snap-legacy-bare-deletion-vector.avro"), "list");
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].content, ManifestContent::kDeletes);
  auto m = ReadManifest(Read(dir / "legacy-bare-deletion-vector-m0.avro"), "dv", true);
  ASSERT_OK(m);
  ASSERT_EQ(m->entries.size(), 1u);
  EXPECT_EQ(m->entries[0].content, FileContent::kPositionDeletes);
  EXPECT_EQ(m->entries[0].file_format, "PUFFIN");
}

TEST(Manifest, MissingRequiredFieldsAreCorruption) {
  // A well-formed Avro file that is not a manifest.
  auto w = AvroFileWriter::Create(
      R"({"type":"record","name":"x","fields":[{"name":"a","type":"int"}]})", {});
  ASSERT_OK(w);
  avro_value_t* rec = (*w)->NewRecord();
  auto a = AvroField(rec, "a");
  ASSERT_OK(AvroSetLong(&*a, 1));
  ASSERT_OK((*w)->Append());
  std::string bytes = *(*w)->Finish();
  auto m = ReadManifest(bytes, "not-a-manifest", true);
  EXPECT_EQ(m.status().code(), StatusCode::kCorruption);
  EXPECT_NE(m.status().message().find("missing field 'status'"), std::string::npos);
  auto l = ReadManifestList(bytes, "not-a-list");
  EXPECT_EQ(l.status().code(), StatusCode::kCorruption);
  EXPECT_NE(l.status().message().find("manifest_path"), std::string::npos);
  // A field of the wrong type.
  auto w2 = AvroFileWriter::Create(
      R"({"type":"record","name":"x","fields":[{"name":"status","type":"string"}]})", {});
  rec = (*w2)->NewRecord();
  auto s = AvroField(rec, "status");
  ASSERT_OK(AvroSetString(&*s, "1"));
  ASSERT_OK((*w2)->Append());
  EXPECT_EQ(ReadManifest(*(*w2)->Finish(), "wrong-type", true).status().code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace lakeshare::iceberg
