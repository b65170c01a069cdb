#include "iceberg/iceberg_metadata.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "iceberg/iceberg_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare::iceberg {
namespace {

std::string Read(const std::string& relative) {
  std::ifstream in(testing::TablePath(relative), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(IcebergMetadata, FormatV1) {
  auto m = ParseMetadata(Read("iceberg_v1_deprecated/default/legacy_v1/metadata/v2.metadata.json"));
  ASSERT_OK(m);
  EXPECT_EQ(m->format_version, 1);
  ASSERT_EQ(m->schemas.size(), 1u);
  EXPECT_EQ(m->CurrentSchema()->fields.size(), 3u);
  ASSERT_EQ(m->specs.size(), 1u);
  ASSERT_EQ(m->specs[0].fields.size(), 1u);
  EXPECT_EQ(m->specs[0].fields[0].transform, "identity");
  EXPECT_EQ(m->specs[0].fields[0].field_id, 1000);
  ASSERT_EQ(m->snapshots.size(), 1u);
  EXPECT_FALSE(m->snapshots[0].manifest_list);
  EXPECT_EQ(m->snapshots[0].manifests.size(), 1u);
  EXPECT_EQ(m->snapshots[0].sequence_number, 0);
  EXPECT_EQ(m->snapshots[0].operation, "append");
  EXPECT_EQ(MainLineage(*m).size(), 1u);
}

TEST(IcebergMetadata, FormatV2AndV3AndGzip) {
  auto v2 = ParseMetadata(Read("iceberg/lineitem_iceberg/metadata/v2.metadata.json"));
  ASSERT_OK(v2);
  EXPECT_EQ(v2->format_version, 2);
  auto lineage = MainLineage(*v2);
  ASSERT_EQ(lineage.size(), 2u);
  EXPECT_EQ(lineage[0]->sequence_number, 1);
  EXPECT_EQ(lineage[1]->sequence_number, 2);
  EXPECT_EQ(lineage[1]->parent_id, lineage[0]->snapshot_id);

  auto v3 = ParseMetadata(
      Read("legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector/metadata/"
           "00002-legacy-bare-dv.metadata.json"));
  ASSERT_OK(v3);
  EXPECT_EQ(v3->format_version, 3);
  EXPECT_EQ(v3->next_row_id, 3);

  std::string gz = Read("iceberg/lineitem_iceberg_gz/metadata/v2.gz.metadata.json");
  ASSERT_TRUE(IsGzip(gz));
  auto g = ParseMetadata(gz);
  ASSERT_OK(g);
  EXPECT_EQ(g->snapshots.size(), 1u);
  MetadataLimits tiny;
  tiny.max_inflated_bytes = 100;
  EXPECT_EQ(ParseMetadata(gz, tiny).status().code(), StatusCode::kTooLarge);
}

TEST(IcebergMetadata, EveryMetadataFileOfTheTestDataParsesOrIsCorruption) {
  int parsed = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(testing::IcebergTestData())) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name[0] == '.' || name.find(".json") == std::string::npos) {
      continue;
    }
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto m = ParseMetadata(ss.str());
    if (m.ok()) {
      ++parsed;
      EXPECT_NE(m->CurrentSchema(), nullptr);
    } else {
      // bad_data and big_query_error's v0 (no format-version) are broken on purpose.
      EXPECT_EQ(m.status().code(), StatusCode::kCorruption) << name << ": " << m.status();
    }
  }
  EXPECT_GT(parsed, 80);
}

TEST(IcebergMetadata, MalformedMetadata) {
  EXPECT_EQ(ParseMetadata(Read("bad_data/bad_iceberg_metadata.json")).status().code(),
            StatusCode::kCorruption);
  std::string good = Read("iceberg/lineitem_iceberg/metadata/v2.metadata.json");
  for (size_t cut : {size_t{0}, size_t{1}, good.size() / 3, good.size() - 2}) {
    EXPECT_EQ(ParseMetadata(good.substr(0, cut)).status().code(), StatusCode::kCorruption);
  }
  EXPECT_EQ(ParseMetadata(R"({"format-version":4,"location":"x"})").status().code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(
      ParseMetadata(R"({"format-version":2,"location":"x","table-uuid":"u"})").status().code(),
      StatusCode::kCorruption);  // no schema
  const char* base = R"({"format-version":2,"table-uuid":"u","location":"x","current-schema-id":0,
    "schemas":[{"type":"struct","schema-id":0,"fields":[]}],)";
  EXPECT_EQ(ParseMetadata(std::string(base) + R"("current-snapshot-id":5,"snapshots":[]})")
                .status()
                .code(),
            StatusCode::kCorruption);  // current snapshot missing
  EXPECT_EQ(
      ParseMetadata(std::string(base) + R"("snapshots":[{"snapshot-id":1}]})").status().code(),
      StatusCode::kCorruption);
  EXPECT_EQ(ParseMetadata(std::string(base) +
                          R"("snapshots":[{"snapshot-id":1,"timestamp-ms":1,"manifest-list":"a"},
                              {"snapshot-id":1,"timestamp-ms":2,"manifest-list":"b"}]})")
                .status()
                .code(),
            StatusCode::kCorruption);  // duplicate id
  std::string deep(100000, '[');
  EXPECT_EQ(ParseMetadata(deep).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ParseMetadata(std::string("\x1f\x8b garbage", 10)).status().code(),
            StatusCode::kCorruption);
}

TEST(IcebergMetadata, LineageStopsAtExpiredAncestorsAndCycles) {
  const char* text = R"({"format-version":2,"table-uuid":"u","location":"x","current-schema-id":0,
    "schemas":[{"type":"struct","schema-id":0,"fields":[]}],"current-snapshot-id":3,
    "snapshots":[
      {"snapshot-id":3,"parent-snapshot-id":2,"sequence-number":3,"timestamp-ms":3,"manifest-list":"c"},
      {"snapshot-id":2,"parent-snapshot-id":1,"sequence-number":2,"timestamp-ms":2,"manifest-list":"b"},
      {"snapshot-id":9,"parent-snapshot-id":2,"sequence-number":4,"timestamp-ms":4,"manifest-list":"x"}]})";
  auto m = ParseMetadata(text);
  ASSERT_OK(m);
  auto l = MainLineage(*m);
  ASSERT_EQ(l.size(), 2u);  // 1 expired; 9 is on another branch
  EXPECT_EQ(l[0]->snapshot_id, 2);
  EXPECT_EQ(l[1]->snapshot_id, 3);
  const char* cycle = R"({"format-version":2,"table-uuid":"u","location":"x","current-schema-id":0,
    "schemas":[{"type":"struct","schema-id":0,"fields":[]}],"current-snapshot-id":1,
    "snapshots":[{"snapshot-id":1,"parent-snapshot-id":2,"timestamp-ms":3,"manifest-list":"c"},
      {"snapshot-id":2,"parent-snapshot-id":1,"timestamp-ms":2,"manifest-list":"b"}]})";
  auto c = ParseMetadata(cycle);
  ASSERT_OK(c);
  EXPECT_EQ(MainLineage(*c).size(), 2u);
  // Ids above INT64_MAX (some writers) are kept as the same 64 bits.
  auto big =
      ParseMetadata(R"({"format-version":2,"table-uuid":"u","location":"x","current-schema-id":0,
    "schemas":[{"type":"struct","schema-id":0,"fields":[]}],"current-snapshot-id":9876543210123456789,
    "snapshots":[{"snapshot-id":9876543210123456789,"timestamp-ms":3,"manifest-list":"c"}]})");
  ASSERT_OK(big);
  EXPECT_EQ(*big->current_snapshot_id, static_cast<int64_t>(9876543210123456789ull));
}

}  // namespace
}  // namespace lakeshare::iceberg
