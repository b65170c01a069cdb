#include "delta/delta_table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "common/time_util.h"
#include "delta/delta_test_util.h"
#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using testing::AddJson;
using testing::CommitInfoJson;
using testing::DvJson;
using testing::MetadataJson;
using testing::ProtocolJson;
using testing::RemoveJson;
using testing::TempTable;
using testing::TestTable;

std::shared_ptr<Storage> Local() { return std::make_shared<LocalStorage>(); }

std::unique_ptr<DeltaTable> Open(const std::string& location, DeltaTableOptions options = {}) {
  return std::make_unique<DeltaTable>(location, Local(), options);
}

std::shared_ptr<const TableSnapshot> MustSnapshot(DeltaTable& table,
                                                  std::optional<int64_t> version = std::nullopt) {
  auto s = table.Snapshot(version);
  EXPECT_OK(s) << table.location() << " @" << version.value_or(-1);
  return s.ok() ? *s : std::make_shared<const TableSnapshot>();
}

std::vector<std::string> Paths(const TableSnapshot& s) {
  std::vector<std::string> out;
  for (const DataFile& f : s.files) out.push_back(f.path.str());
  return out;
}

const DataFile* FindFile(const TableSnapshot& s, const std::string& path) {
  for (const DataFile& f : s.files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

bool Contains(const Status& s, const std::string& text) {
  return s.message().find(text) != std::string::npos;
}

// ---------------------------------------------------------------------------
// Real tables written by Spark / delta-rs.

TEST(DeltaTableRealTest, SimpleTableVersionsAndTimeTravel) {
  auto table = Open(TestTable("simple_table"));
  EXPECT_EQ(*table->LatestVersion(), 4);

  auto latest = MustSnapshot(*table);
  EXPECT_EQ(latest->version, 4);
  EXPECT_EQ(Paths(*latest),
            (std::vector<std::string>{
                "part-00000-2befed33-c358-4768-a43c-3eda0d2a499d-c000.snappy.parquet",
                "part-00000-c1777d7d-89d9-4790-b38a-6ee7e24456b1-c000.snappy.parquet",
                "part-00001-7891c33d-cedc-47c3-88a6-abcfb049d3b4-c000.snappy.parquet",
                "part-00004-315835fe-fb44-4562-98f6-5e6cfa3ae45d-c000.snappy.parquet",
                "part-00007-3a0e4727-de0d-41b6-81ef-5223cf40f025-c000.snappy.parquet",
            }));
  const DataFile& first = latest->files[0];
  EXPECT_EQ(first.size, 262);
  EXPECT_EQ(first.modification_time, 1587968626000);
  EXPECT_FALSE(first.data_change);  // the state's canonical form (the commit said true)
  EXPECT_TRUE(first.partition_values.empty());
  EXPECT_FALSE(first.stats.has_value());
  EXPECT_FALSE(first.deletion_vector.has_value());

  EXPECT_EQ(latest->protocol.min_reader_version, 1);
  EXPECT_EQ(latest->protocol.min_writer_version, 2);
  EXPECT_FALSE(latest->protocol.reader_features.has_value());
  EXPECT_EQ(latest->metadata.id, "5fba94ed-9794-4965-ba6e-6ee3c0d22af9");
  EXPECT_EQ(latest->metadata.created_time, 1587968585495);
  EXPECT_EQ(latest->metadata.format_provider, "parquet");
  EXPECT_TRUE(latest->metadata.partition_columns.empty());
  EXPECT_EQ(
      latest->metadata.schema_string,
      R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})");

  // Time travel: the older file sets.
  auto v0 = MustSnapshot(*table, 0);
  EXPECT_EQ(v0->version, 0);
  EXPECT_EQ(Paths(*v0), (std::vector<std::string>{
                            "part-00000-a72b1fb3-f2df-41fe-a8f0-e65b746382dd-c000.snappy.parquet",
                            "part-00001-c506e79a-0bf8-4e2b-a42b-9731b2e490ae-c000.snappy.parquet",
                            "part-00003-508ae4aa-801c-4c2c-a923-f6f89930a5c1-c000.snappy.parquet",
                            "part-00004-80938522-09c0-420c-861f-5a649e3d9674-c000.snappy.parquet",
                            "part-00006-63ce9deb-bc0f-482d-b9a1-7e717b67f294-c000.snappy.parquet",
                            "part-00007-94f725e2-3963-4b00-9e83-e31021a93cf9-c000.snappy.parquet",
                        }));
  // Version 1 removed five of them and added 21; one original survives.
  auto v1 = MustSnapshot(*table, 1);
  EXPECT_EQ(v1->files.size(), 22u);
  EXPECT_NE(FindFile(*v1, "part-00000-a72b1fb3-f2df-41fe-a8f0-e65b746382dd-c000.snappy.parquet"),
            nullptr);
  EXPECT_EQ(FindFile(*v1, "part-00006-63ce9deb-bc0f-482d-b9a1-7e717b67f294-c000.snappy.parquet"),
            nullptr);
  EXPECT_EQ(MustSnapshot(*table, 2)->files.size(), 6u);
  auto v3 = MustSnapshot(*table, 3);
  EXPECT_EQ(v3->files.size(), 6u);
  EXPECT_NE(FindFile(*v3, "part-00001-bb70d2ba-c196-4df2-9c85-f34969ad3aa9-c000.snappy.parquet"),
            nullptr);
  EXPECT_EQ(FindFile(*v3, "part-00003-53f42606-6cda-4f13-8d07-599a21197296-c000.snappy.parquet"),
            nullptr);

  // Out-of-range versions.
  EXPECT_EQ(table->Snapshot(5).status(),
            Status::InvalidArgument(
                "Cannot time travel Delta table to version 5. Available versions: [0, 4]."));
  EXPECT_EQ(table->Snapshot(-1).status(),
            Status::InvalidArgument(
                "Cannot time travel Delta table to version -1. Available versions: [0, 4]."));
}

TEST(DeltaTableRealTest, StatsAreKeptVerbatim) {
  auto table = Open(TestTable("delta-0.8.0"));
  auto v0 = MustSnapshot(*table, 0);
  ASSERT_EQ(v0->files.size(), 2u);
  EXPECT_EQ(v0->files[1].path,
            "part-00001-911a94a2-43f6-4acb-8620-5e68c2654989-c000.snappy.parquet");
  // Note the space in `"value": 2`, exactly as the writer left it.
  EXPECT_EQ(
      v0->files[1].stats,
      R"({"numRecords":3,"nullCount":{"value":0},"minValues":{"value": 2},"maxValues":{"value":4}})");
  auto v1 = MustSnapshot(*table);
  EXPECT_EQ(Paths(*v1), (std::vector<std::string>{
                            "part-00000-04ec9591-0b73-459e-8d18-ba5711d6cbe1-c000.snappy.parquet",
                            "part-00000-c9b90f86-73e6-46c8-93ba-ff6bfaf892a1-c000.snappy.parquet",
                        }));
  EXPECT_EQ(
      v1->files[0].stats,
      R"({"numRecords":2,"nullCount":{"value":0},"minValues":{"value": 2},"maxValues":{"value":4}})");
  EXPECT_EQ(v1->files[0].size, 440);

  // delta-stats-optional: the file of version 2 has no stats at all.
  auto optional = Open(TestTable("delta-stats-optional"));
  auto s = MustSnapshot(*optional);
  const DataFile* no_stats =
      FindFile(*s, "part-00000-28925d3a-bdf2-411e-bca9-b067444cbcb0-c000.snappy.parquet");
  ASSERT_NE(no_stats, nullptr);
  EXPECT_FALSE(no_stats->stats.has_value());
  const DataFile* with_stats =
      FindFile(*s, "part-00000-7a509247-4f58-4453-9202-51d75dee59af-c000.snappy.parquet");
  ASSERT_NE(with_stats, nullptr);
  ASSERT_TRUE(with_stats->stats.has_value());
  EXPECT_EQ(with_stats->stats->rfind("{\"numRecords\":1", 0), 0u);
}

TEST(DeltaTableRealTest, PartitionValues) {
  auto partitioned = MustSnapshot(*Open(TestTable("delta-0.8.0-partitioned")));
  EXPECT_EQ(partitioned->metadata.partition_columns,
            (std::vector<std::string>{"year", "month", "day"}));
  ASSERT_EQ(partitioned->files.size(), 6u);
  const DataFile& f = partitioned->files[0];
  EXPECT_EQ(f.path,
            "year=2020/month=1/day=1/"
            "part-00000-8eafa330-3be9-4a39-ad78-fd13c2027c7e.c000.snappy.parquet");
  EXPECT_EQ(f.partition_values, (std::map<std::string, std::optional<std::string>>{
                                    {"year", "2020"}, {"month", "1"}, {"day", "1"}}));
  EXPECT_EQ(partitioned->files[3].partition_values.at("day"), "20");

  auto nulls = MustSnapshot(*Open(TestTable("delta-0.8.0-null-partition")));
  ASSERT_EQ(nulls->files.size(), 2u);
  EXPECT_EQ(nulls->files[0].partition_values.at("k"), "A");
  EXPECT_EQ(nulls->files[1].path,
            "k=__HIVE_DEFAULT_PARTITION__/"
            "part-00001-8474ac85-360b-4f58-b3ea-23990c71b932.c000.snappy.parquet");
  ASSERT_EQ(nulls->files[1].partition_values.count("k"), 1u);
  EXPECT_EQ(nulls->files[1].partition_values.at("k"), std::nullopt);

  auto numeric = MustSnapshot(*Open(TestTable("delta-0.8.0-numeric-partition")));
  ASSERT_EQ(numeric->files.size(), 2u);
  EXPECT_EQ(numeric->files[0].partition_values.at("y"), "10.0");
  EXPECT_EQ(numeric->files[1].partition_values.at("y"), "9.9");

  auto types = MustSnapshot(*Open(TestTable("delta-2.2.0-partitioned-types")));
  ASSERT_EQ(types->files.size(), 3u);
  EXPECT_EQ(types->files[0].partition_values.at("c1"), "4");
  EXPECT_EQ(types->files[0].partition_values.at("c2"), "c");
  EXPECT_EQ(types->files[0].stats,
            R"({"numRecords":1,"minValues":{"c3":5},"maxValues":{"c3":5},"nullCount":{"c3":0}})");

  auto primitives = MustSnapshot(*Open(TestTable("partition-type-primitives")));
  EXPECT_EQ(primitives->files.size(), 16u);
  EXPECT_EQ(primitives->metadata.partition_columns,
            (std::vector<std::string>{"year", "is_active", "event_date", "category"}));
  EXPECT_FALSE(primitives->metadata.name.has_value());  // "name":null

  auto http = MustSnapshot(*Open(TestTable("http_requests")));
  EXPECT_EQ(http->version, 1);
  ASSERT_EQ(http->files.size(), 2u);
  EXPECT_EQ(http->files[0].partition_values.at("date"), "2023-04-13");
  EXPECT_EQ(http->files[0].size, 3780);
}

TEST(DeltaTableRealTest, SpecialCharactersInPartitionPaths) {
  const std::string root = TestTable("delta-0.8.0-special-partition");
  auto table = Open(root);
  auto s = MustSnapshot(*table);
  ASSERT_EQ(s->files.size(), 2u);
  EXPECT_EQ(s->files[0].path,
            "x=A%252FA/part-00007-b350e235-2832-45df-9918-6cab4f7578f7.c000.snappy.parquet");
  EXPECT_EQ(s->files[0].partition_values.at("x"), "A/A");
  EXPECT_EQ(s->files[1].partition_values.at("x"), "B B");
  for (const DataFile& f : s->files) {
    auto resolved = table->ResolveFilePath(f.path);
    ASSERT_OK(resolved);
    EXPECT_TRUE(std::filesystem::exists(*resolved)) << *resolved;
  }
  EXPECT_EQ(*table->ResolveFilePath(s->files[0].path),
            root + "/x=A%2FA/part-00007-b350e235-2832-45df-9918-6cab4f7578f7.c000.snappy.parquet");
  EXPECT_EQ(*table->ResolveFilePath("s3://bucket/key%20x.parquet"), "s3://bucket/key%20x.parquet");
  EXPECT_EQ(*table->ResolveFilePath("file:///elsewhere/a%20b.parquet"), "/elsewhere/a b.parquet");
}

TEST(DeltaTableRealTest, DeletionVectors) {
  auto table = Open(TestTable("table-with-dv-small"));
  auto s = MustSnapshot(*table);
  EXPECT_EQ(s->version, 1);
  EXPECT_EQ(s->protocol.min_reader_version, 3);
  EXPECT_EQ(s->protocol.min_writer_version, 7);
  EXPECT_EQ(s->protocol.reader_features, std::vector<std::string>{"deletionVectors"});
  EXPECT_EQ(s->protocol.writer_features, std::vector<std::string>{"deletionVectors"});
  EXPECT_EQ(s->metadata.id, "testId");
  EXPECT_EQ(s->metadata.configuration.at("delta.enableDeletionVectors"), "true");
  // Version 1 removed the plain file and re-added it with a DV.
  ASSERT_EQ(s->files.size(), 1u);
  const DataFile& f = s->files[0];
  EXPECT_EQ(f.path, "part-00000-fae5310a-a37d-4e51-827b-c3d5516560ca-c000.snappy.parquet");
  ASSERT_TRUE(f.deletion_vector.has_value());
  EXPECT_EQ(f.deletion_vector->storage_type, "u");
  EXPECT_EQ(f.deletion_vector->path_or_inline_dv, "vBn[lx{q8@P<9BNH/isA");
  EXPECT_EQ(f.deletion_vector->offset, 1);
  EXPECT_EQ(f.deletion_vector->size_in_bytes, 36);
  EXPECT_EQ(f.deletion_vector->cardinality, 2);
  EXPECT_EQ(
      f.stats,
      R"({"numRecords":10,"minValues":{"value":0},"maxValues":{"value":9},"nullCount":{"value":0},"tightBounds":false})");

  auto v0 = MustSnapshot(*table, 0);
  ASSERT_EQ(v0->files.size(), 1u);
  EXPECT_FALSE(v0->files[0].deletion_vector.has_value());
  EXPECT_NE(v0->files[0].stats->find("\"tightBounds\":true"), std::string::npos);
}

TEST(DeltaTableRealTest, InCommitTimestamps) {
  auto table = Open(TestTable("cdc_ict_table"));
  auto timestamps = table->CommitTimestamps();
  ASSERT_OK(timestamps);
  ASSERT_EQ(timestamps->size(), 4u);
  // The in-commit timestamps as recorded (not commitInfo.timestamp, not the
  // file times), including version 1's, which is older than version 0's.
  const int64_t expected[] = {1783874203271, 1683874206883, 1783874212175, 1783874213881};
  for (int v = 0; v < 4; ++v) {
    EXPECT_EQ((*timestamps)[v].version, v);
    EXPECT_EQ((*timestamps)[v].timestamp_ms, expected[v]) << v;
    EXPECT_EQ(MustSnapshot(*table, v)->timestamp_ms, expected[v]) << v;
  }

  auto s = MustSnapshot(*table);
  EXPECT_EQ(s->protocol.min_writer_version, 7);
  EXPECT_EQ(s->protocol.writer_features,
            (std::vector<std::string>{"inCommitTimestamp", "changeDataFeed", "invariants",
                                      "appendOnly"}));
  EXPECT_EQ(
      Paths(*s),
      (std::vector<std::string>{
          "birthyear=1986/part-00000-3abf7009-9786-4927-a502-256082acae29.c000.snappy.parquet",
          "birthyear=1995/part-00001-675aa666-c3ad-4593-9747-ce3c3814eb6b.c000.snappy.parquet",
      }));
  EXPECT_EQ(s->files[1].partition_values.at("birthyear"), "1995");
  EXPECT_TRUE(MustSnapshot(*table, 0)->files.empty());
  EXPECT_EQ(MustSnapshot(*table, 1)->files.size(), 4u);
  EXPECT_EQ(MustSnapshot(*table, 2)->files.size(), 2u);

  using B = TimestampBound;
  EXPECT_EQ(*table->VersionAtTimestamp(1783874213881, B::kAtOrBefore), 3);
  EXPECT_EQ(*table->VersionAtTimestamp(1783874213880, B::kAtOrBefore), 2);
  EXPECT_EQ(*table->VersionAtTimestamp(1783874212175, B::kAtOrBefore), 2);
  // Before version 2's ICT, the latest version at or before is 1 (its ICT is
  // the oldest of all).
  EXPECT_EQ(*table->VersionAtTimestamp(1783874212174, B::kAtOrBefore), 1);
  EXPECT_EQ(*table->VersionAtTimestamp(1683874206883, B::kAtOrBefore), 1);
  EXPECT_EQ(table->VersionAtTimestamp(1683874206882, B::kAtOrBefore).status(),
            Status::InvalidArgument(
                "The provided timestamp (" + FormatIso8601Millis(1683874206882) +
                ") is before the earliest version available to this table (0). Please use a "
                "timestamp greater than or equal to " +
                FormatIso8601Millis(1683874206883) + "."));
  EXPECT_EQ(table->VersionAtTimestamp(1783874213882, B::kAtOrBefore).status(),
            Status::InvalidArgument(
                "The provided timestamp (" + FormatIso8601Millis(1783874213882) +
                ") is after the latest version available to this table (3). Please use a "
                "timestamp less than or equal to " +
                FormatIso8601Millis(1783874213881) + "."));

  EXPECT_EQ(*table->VersionAtTimestamp(0, B::kAtOrAfter), 0);
  EXPECT_EQ(*table->VersionAtTimestamp(1783874203271, B::kAtOrAfter), 0);
  EXPECT_EQ(*table->VersionAtTimestamp(1783874203272, B::kAtOrAfter), 2);
  EXPECT_EQ(*table->VersionAtTimestamp(1783874213881, B::kAtOrAfter), 3);
  EXPECT_EQ(table->VersionAtTimestamp(1783874213882, B::kAtOrAfter).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(DeltaTableRealTest, FileTimeTimestampsAreStrictlyIncreasing) {
  // The copies of these logs were written within milliseconds of each other:
  // the adjustment must still give strictly increasing timestamps.
  auto table = Open(TestTable("checkpoints"));
  auto timestamps = table->CommitTimestamps();
  ASSERT_OK(timestamps);
  ASSERT_EQ(timestamps->size(), 13u);
  for (size_t i = 1; i < timestamps->size(); ++i) {
    EXPECT_GT((*timestamps)[i].timestamp_ms, (*timestamps)[i - 1].timestamp_ms);
  }
  for (const auto& [version, ts] : *timestamps) {
    EXPECT_EQ(*table->VersionAtTimestamp(ts, TimestampBound::kAtOrBefore), version);
    EXPECT_EQ(*table->VersionAtTimestamp(ts, TimestampBound::kAtOrAfter), version);
    EXPECT_EQ(MustSnapshot(*table, version)->timestamp_ms, ts);
  }
  const auto& first = timestamps->front();
  EXPECT_EQ(*table->VersionAtTimestamp(first.timestamp_ms - 1, TimestampBound::kAtOrAfter), 0);
  EXPECT_EQ(table->VersionAtTimestamp(first.timestamp_ms - 1, TimestampBound::kAtOrBefore)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(DeltaTableRealTest, FeaturesMetadataAndOtherTables) {
  auto features = MustSnapshot(*Open(TestTable("simple_table_features")));
  EXPECT_EQ(features->protocol.min_reader_version, 5);
  EXPECT_EQ(features->protocol.reader_features,
            (std::vector<std::string>{"columnMapping", "blahabl", "deletionVectors", "timestampNtz",
                                      "v2Checkpoint"}));
  ASSERT_TRUE(features->protocol.writer_features.has_value());
  EXPECT_EQ(features->protocol.writer_features->size(), 13u);
  EXPECT_EQ(features->files.size(), 5u);

  auto mapping = MustSnapshot(*Open(TestTable("table_with_column_mapping")));
  EXPECT_EQ(mapping->protocol.min_reader_version, 2);
  EXPECT_EQ(mapping->protocol.min_writer_version, 5);
  EXPECT_EQ(mapping->metadata.configuration.at("delta.columnMapping.mode"), "name");
  EXPECT_EQ(mapping->metadata.partition_columns, std::vector<std::string>{"Company Very Short"});
  ASSERT_EQ(mapping->files.size(), 2u);
  EXPECT_EQ(mapping->files[1].path,
            "BH/part-00000-4d6e745c-8e04-48d9-aa60-438228358f1a.c000.zstd.parquet");
  EXPECT_EQ(mapping->files[1].partition_values.at("col-173b4db9-b5ad-427f-9e75-516aae37fbbb"),
            "BMS");

  // The metadata changes over versions; time travel sees the older one.
  auto evolving = Open(TestTable("table_with_partitioning_mapping"));
  auto m1 = MustSnapshot(*evolving, 1);
  EXPECT_EQ(m1->metadata.configuration.count("delta.columnMapping.mode"), 0u);
  EXPECT_EQ(m1->metadata.partition_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(m1->files.size(), 1u);
  auto m2 = MustSnapshot(*evolving, 2);
  EXPECT_EQ(m2->metadata.configuration.at("delta.columnMapping.mode"), "name");
  auto m4 = MustSnapshot(*evolving);
  EXPECT_EQ(m4->metadata.partition_columns, std::vector<std::string>{"newid"});
  EXPECT_EQ(Paths(*m4),
            (std::vector<std::string>{
                "aL/part-00000-f4dfefa0-7ef5-4c48-a4a0-61a6d4f2f813.c000.snappy.parquet",
                "id=1/part-00000-d480fbfc-9bf7-406a-b3e9-e2e1a89a6073.c000.snappy.parquet",
            }));

  auto empty = Open(TestTable("delta-0.8-empty"));
  EXPECT_EQ(MustSnapshot(*empty, 0)->files.size(), 2u);
  EXPECT_TRUE(MustSnapshot(*empty)->files.empty());

  auto covid = MustSnapshot(*Open(TestTable("COVID-19_NYT")));
  ASSERT_EQ(covid->files.size(), 8u);
  EXPECT_EQ(covid->files[7].size, 325440);

  auto checkpoints = Open(TestTable("checkpoints"));
  EXPECT_EQ(MustSnapshot(*checkpoints)->files.size(), 12u);
  EXPECT_EQ(MustSnapshot(*checkpoints, 5)->files.size(), 5u);
  EXPECT_TRUE(MustSnapshot(*checkpoints, 0)->files.empty());

  auto cdf = Open(TestTable("cdf-table"));
  EXPECT_EQ(MustSnapshot(*cdf)->files.size(), 9u);
  EXPECT_EQ(MustSnapshot(*cdf, 2)->files.size(), 10u);

  auto simple_commit = MustSnapshot(*Open(TestTable("simple_commit")));
  EXPECT_TRUE(simple_commit->files.empty());
  EXPECT_EQ(simple_commit->metadata.id, "22ef18ba-191c-4c36-a606-3dad5cdf3830");

  auto edge = MustSnapshot(*Open(TestTable("table_with_edge_timestamps")));
  ASSERT_EQ(edge->files.size(), 2u);
  EXPECT_NE(edge->files[0].stats->find("9999-12-31T00:00:00.000Z"), std::string::npos);

  // Databricks' Delta Live Tables: version 0's metaData has no schemaString.
  auto dlt = Open(TestTable("delta-live-table"));
  EXPECT_EQ(MustSnapshot(*dlt, 0)->metadata.schema_string, R"({"type":"struct","fields":[]})");
  auto dlt1 = MustSnapshot(*dlt, 1);
  EXPECT_EQ(dlt1->metadata.name, "SnowflakeTest_Snowflake_DTL_SHERPA_USER_TABLE");
  EXPECT_EQ(dlt1->protocol.min_reader_version, 2);
  EXPECT_EQ(dlt1->metadata.schema_string.rfind(
                R"({"type":"struct","fields":[{"name":"sherpa_user_id")", 0),
            0u);

  EXPECT_TRUE(MustSnapshot(*Open(TestTable("concurrent_workers")))->files.empty());
  EXPECT_EQ(MustSnapshot(*Open(TestTable("cdf-table-with-cdc-and-dvs")))->files.size(), 2u);
}

// Every table of the corpus whose log starts at commit 0 loads at every
// version (tables with checkpoints too: their JSON commits are complete).
TEST(DeltaTableRealTest, EveryJsonTableLoadsAtEveryVersion) {
  int tables = 0;
  std::vector<std::string> roots;
  for (const auto& entry : std::filesystem::directory_iterator(TestTable(""))) {
    roots.push_back(entry.path().string());
  }
  roots.push_back(TestTable("golden/data-reader-array-primitives"));
  for (const std::string& root : roots) {
    if (!std::filesystem::exists(root + "/_delta_log/00000000000000000000.json")) continue;
    ++tables;
    auto table = Open(root);
    auto latest = table->LatestVersion();
    ASSERT_OK(latest) << root;
    for (int64_t v = 0; v <= *latest; ++v) {
      auto s = table->Snapshot(v);
      ASSERT_OK(s) << root << " @" << v;
      EXPECT_EQ((*s)->version, v);
      EXPECT_TRUE(
          std::is_sorted((*s)->files.begin(), (*s)->files.end(),
                         [](const DataFile& a, const DataFile& b) { return a.path < b.path; }))
          << root;
    }
    auto timestamps = table->CommitTimestamps();
    ASSERT_OK(timestamps) << root;
    EXPECT_EQ(static_cast<int64_t>(timestamps->size()), *latest + 1) << root;
  }
  EXPECT_GE(tables, 40);
}

TEST(DeltaTableRealTest, TablesWhoseEarlyCommitsAreGone) {
  const std::string root = TestTable("checkpoints_vacuumed");
  auto table = Open(root);
  EXPECT_EQ(*table->LatestVersion(), 12);
  // From the checkpoints at 5 and 10, plus the commits after them.
  auto latest = MustSnapshot(*table);
  EXPECT_EQ(latest->version, 12);
  EXPECT_EQ(latest->files.size(), 12u);
  EXPECT_EQ(MustSnapshot(*table, 5)->files.size(), 5u);
  EXPECT_EQ(MustSnapshot(*table, 7)->files.size(), 7u);
  EXPECT_EQ(MustSnapshot(*table, 10)->files.size(), 10u);
  // Versions before the oldest checkpoint do not exist any more at all.
  EXPECT_EQ(table->Snapshot(3).status(),
            Status::InvalidArgument(
                "Cannot time travel Delta table to version 3. Available versions: [5, 12]."));
  // Commit timestamps cover the JSON commits 5..12.
  auto timestamps = table->CommitTimestamps();
  ASSERT_OK(timestamps);
  ASSERT_EQ(timestamps->size(), 8u);
  EXPECT_EQ(timestamps->front().version, 5);
  EXPECT_EQ(
      *table->VersionAtTimestamp(timestamps->back().timestamp_ms, TimestampBound::kAtOrBefore), 12);
  // A snapshot's timestamp is the one the timeline gives its version.
  for (const VersionTimestamp& t : *timestamps) {
    EXPECT_EQ(MustSnapshot(*table, t.version)->timestamp_ms, t.timestamp_ms) << t.version;
  }

  auto partitions = Open(TestTable("checkpoint_with_partitions"));
  EXPECT_EQ(*partitions->LatestVersion(), 2);
  auto p = MustSnapshot(*partitions);
  EXPECT_EQ(p->version, 2);
  EXPECT_EQ(p->metadata.partition_columns, std::vector<std::string>{"color"});
  EXPECT_EQ(partitions->Snapshot(1).status(),
            Status::InvalidArgument(
                "Cannot time travel Delta table to version 1. Available versions: [2, 2]."));

  auto cdf = Open(TestTable("checkpoint-cdf-table"));
  EXPECT_EQ(*cdf->LatestVersion(), 5);
  for (int64_t v : {3, 4, 5}) EXPECT_EQ(MustSnapshot(*cdf, v)->version, v);
  EXPECT_EQ(cdf->Snapshot(2).status().code(), StatusCode::kInvalidArgument);

  // Only a checkpoint, no JSON commit at all: readable by version; no
  // timeline to search.
  auto only = Open(TestTable("table-with-domain-metadata"));
  EXPECT_EQ(*only->LatestVersion(), 108);
  auto s = MustSnapshot(*only);
  EXPECT_EQ(s->version, 108);
  EXPECT_EQ(only->Snapshot(107).status().code(), StatusCode::kInvalidArgument);
}

TEST(DeltaTableRealTest, SnapshotsAreCachedAndShared) {
  // The estimates of the snapshots used below, from an uncached table.
  SnapshotCache off(0);
  auto uncached = Open(TestTable("simple_table"), DeltaTableOptions{.cache = &off});
  EXPECT_NE(MustSnapshot(*uncached).get(), MustSnapshot(*uncached).get());
  EXPECT_EQ(off.size(), 0u);
  int64_t bytes = 0;
  for (int64_t v : {0, 3, 4}) bytes += EstimateSnapshotBytes(*MustSnapshot(*uncached, v));

  SnapshotCache cache;
  auto table = Open(TestTable("simple_table"), DeltaTableOptions{.cache = &cache});
  auto a = MustSnapshot(*table, 4);
  auto b = MustSnapshot(*table, 4);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), EstimateSnapshotBytes(*a));
  // Room for all but one of the three: the third evicts the least recently
  // used.
  cache.SetCapacity(bytes - 1);
  MustSnapshot(*table, 0);
  MustSnapshot(*table, 3);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_LE(cache.bytes(), bytes - 1);
  EXPECT_NE(MustSnapshot(*table, 4).get(), a.get());
  // The evicted snapshot is still valid for whoever holds it.
  EXPECT_EQ(a->files.size(), 5u);
  // A table's entries go with it.
  table.reset();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0);
}

TEST(DeltaTableRealTest, ConcurrentReaders) {
  auto table = Open(TestTable("simple_table"));
  std::vector<size_t> expected_sizes = {6, 22, 6, 6, 5};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 40; ++i) {
        int64_t v = static_cast<int64_t>(rng() % 6);  // 5 means "latest"
        auto s = table->Snapshot(v == 5 ? std::nullopt : std::optional<int64_t>(v));
        if (!s.ok() || (*s)->files.size() != expected_sizes[v == 5 ? 4 : v]) ++failures;
        if (i % 10 == 0) {
          auto ts = table->CommitTimestamps();
          if (!ts.ok() || ts->size() != 5) ++failures;
          if (!table->LatestVersion().ok()) ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---------------------------------------------------------------------------
// Synthetic logs.

std::string Initial(const std::string& adds = "") {
  return CommitInfoJson() + ProtocolJson() + MetadataJson() + adds;
}

TEST(DeltaTableSyntheticTest, NotFound) {
  TempTable table;
  auto empty_log = Open(table.root());
  EXPECT_EQ(empty_log->LatestVersion().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(empty_log->Snapshot(std::nullopt).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(empty_log->VersionAtTimestamp(0, TimestampBound::kAtOrAfter).status().code(),
            StatusCode::kNotFound);

  std::filesystem::remove_all(table.log_dir());
  auto no_log = Open(table.root());
  auto s = no_log->Snapshot(0);
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(s.status(), table.root()));

  auto missing = Open(table.root() + "/does-not-exist");
  EXPECT_EQ(missing->LatestVersion().status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(missing->LatestVersion().status(), "does-not-exist"));
}

TEST(DeltaTableSyntheticTest, FileTimeTimestampsAndTimeTravelByTimestamp) {
  TempTable t;
  t.WriteCommit(0, Initial(AddJson("a")), 1000);
  t.WriteCommit(1, AddJson("b"), 2000);
  t.WriteCommit(2, AddJson("c"), 2000);  // same time as version 1
  t.WriteCommit(3, RemoveJson("a"), 5000);
  auto table = Open(t.root());
  auto ts = table->CommitTimestamps();
  ASSERT_OK(ts);
  std::vector<int64_t> got;
  for (const auto& c : *ts) got.push_back(c.timestamp_ms);
  EXPECT_EQ(got, (std::vector<int64_t>{1000, 2000, 2001, 5000}));
  EXPECT_EQ(MustSnapshot(*table, 2)->timestamp_ms, 2001);
  EXPECT_EQ(MustSnapshot(*table)->timestamp_ms, 5000);

  using B = TimestampBound;
  EXPECT_EQ(*table->VersionAtTimestamp(1000, B::kAtOrBefore), 0);
  EXPECT_EQ(*table->VersionAtTimestamp(1999, B::kAtOrBefore), 0);
  EXPECT_EQ(*table->VersionAtTimestamp(2000, B::kAtOrBefore), 1);
  EXPECT_EQ(*table->VersionAtTimestamp(2001, B::kAtOrBefore), 2);
  EXPECT_EQ(*table->VersionAtTimestamp(4999, B::kAtOrBefore), 2);
  EXPECT_EQ(*table->VersionAtTimestamp(5000, B::kAtOrBefore), 3);
  EXPECT_EQ(table->VersionAtTimestamp(999, B::kAtOrBefore).status(),
            Status::InvalidArgument(
                "The provided timestamp (1970-01-01T00:00:00.999Z) is before the earliest "
                "version available to this table (0). Please use a timestamp greater than or "
                "equal to 1970-01-01T00:00:01.000Z."));
  EXPECT_EQ(table->VersionAtTimestamp(5001, B::kAtOrBefore).status(),
            Status::InvalidArgument(
                "The provided timestamp (1970-01-01T00:00:05.001Z) is after the latest version "
                "available to this table (3). Please use a timestamp less than or equal to "
                "1970-01-01T00:00:05.000Z."));
  EXPECT_EQ(*table->VersionAtTimestamp(0, B::kAtOrAfter), 0);
  EXPECT_EQ(*table->VersionAtTimestamp(1001, B::kAtOrAfter), 1);
  EXPECT_EQ(*table->VersionAtTimestamp(2001, B::kAtOrAfter), 2);
  EXPECT_EQ(*table->VersionAtTimestamp(2002, B::kAtOrAfter), 3);
  EXPECT_EQ(table->VersionAtTimestamp(5001, B::kAtOrAfter).status(),
            table->VersionAtTimestamp(5001, B::kAtOrBefore).status());
}

TEST(DeltaTableSyntheticTest, IctEnabledLater) {
  TempTable t;
  t.WriteCommit(0, Initial(AddJson("a")), 10000);
  t.WriteCommit(1, CommitInfoJson(3) + AddJson("b"), 20000);  // ICT recorded but not enabled
  // Version 2 enables ICT: protocol feature and configuration.
  t.WriteCommit(2,
                CommitInfoJson(30500) +
                    ProtocolJson(1, 7, R"(,"writerFeatures":["inCommitTimestamp"])") +
                    MetadataJson(R"({"delta.enableInCommitTimestamps":"true"})"),
                90000);
  t.WriteCommit(3, CommitInfoJson(40000) + AddJson("c"), 1);
  auto table = Open(t.root());
  auto ts = table->CommitTimestamps();
  ASSERT_OK(ts);
  std::vector<int64_t> got;
  for (const auto& c : *ts) got.push_back(c.timestamp_ms);
  EXPECT_EQ(got, (std::vector<int64_t>{10000, 20000, 30500, 40000}));
  EXPECT_EQ(MustSnapshot(*table)->timestamp_ms, 40000);
  EXPECT_EQ(*table->VersionAtTimestamp(35000, TimestampBound::kAtOrBefore), 2);

  // An ICT commit without inCommitTimestamp is corrupt.
  t.WriteCommit(4, AddJson("d"), 50000);
  auto bad = table->VersionAtTimestamp(35000, TimestampBound::kAtOrBefore);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(bad.status(), "00000000000000000004.json"));
  EXPECT_EQ(table->Snapshot(4).status().code(), StatusCode::kCorruption);
}

TEST(DeltaTableSyntheticTest, NewCommitsAreSeenAndIncrementalReplayMatchesColdReplay) {
  TempTable t;
  t.WriteCommit(0, Initial(AddJson("a") + AddJson("b")), 1000);
  auto table = Open(t.root());
  EXPECT_EQ(MustSnapshot(*table)->files.size(), 2u);

  t.WriteCommit(1, RemoveJson("a") + AddJson("c"), 2000);
  t.WriteCommit(2, AddJson("a", 9) + AddJson("d", 1, DvJson("X")), 3000);
  EXPECT_EQ(*table->LatestVersion(), 2);
  auto warm = MustSnapshot(*table);  // brought forward from the cached version 0
  EXPECT_EQ(warm->version, 2);
  EXPECT_EQ(Paths(*warm), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(warm->timestamp_ms, 3000);

  auto cold = MustSnapshot(*Open(t.root()));
  ASSERT_EQ(cold->files.size(), warm->files.size());
  for (size_t i = 0; i < cold->files.size(); ++i) {
    EXPECT_EQ(cold->files[i].path, warm->files[i].path);
    EXPECT_EQ(cold->files[i].size, warm->files[i].size);
    EXPECT_EQ(cold->files[i].deletion_vector.has_value(),
              warm->files[i].deletion_vector.has_value());
  }
  EXPECT_EQ(cold->timestamp_ms, warm->timestamp_ms);
}

TEST(DeltaTableSyntheticTest, TableRecreatedInPlaceIsNotServedStale) {
  TempTable t;
  t.WriteCommit(0, Initial(AddJson("old")), 1000);
  auto table = Open(t.root());
  EXPECT_EQ(Paths(*MustSnapshot(*table)), std::vector<std::string>{"old"});
  t.WriteCommit(0, Initial(AddJson("new-and-longer")), 7000);
  EXPECT_EQ(Paths(*MustSnapshot(*table)), std::vector<std::string>{"new-and-longer"});
  EXPECT_EQ(MustSnapshot(*table)->timestamp_ms, 7000);
}

TEST(DeltaTableSyntheticTest, CorruptLogsAreReportedNotServed) {
  TempTable t;
  t.WriteCommit(0, Initial(AddJson("a")));
  t.WriteCommit(1, "{\"add\":{\"path\":\"b\",\"partitionValues\":{},\"size\":");  // truncated
  auto table = Open(t.root());
  auto s = table->Snapshot(std::nullopt);
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(s.status(), t.commit_path(1).string())) << s.status();
  EXPECT_EQ(MustSnapshot(*table, 0)->files.size(), 1u);  // older versions still work

  t.WriteCommit(1, "\n\n  \n");  // only blank lines
  EXPECT_EQ(table->Snapshot(1).status().code(), StatusCode::kCorruption);
  t.WriteCommit(1, "");  // empty
  EXPECT_EQ(table->Snapshot(1).status().code(), StatusCode::kCorruption);
  t.WriteCommit(1, "\x01\x02garbage\xff\n");
  EXPECT_EQ(table->Snapshot(1).status().code(), StatusCode::kCorruption);
  t.WriteCommit(1, "{\"commitInfo\":{\"x\":" + std::string(50000, '[') + "}}\n");
  EXPECT_EQ(table->Snapshot(1).status().code(), StatusCode::kCorruption);
  t.WriteCommit(1, R"({"add":{"path":"b","partitionValues":{},"size":1e999}})");
  EXPECT_EQ(table->Snapshot(1).status().code(), StatusCode::kCorruption);
  t.WriteCommit(1, R"({"add":{"path":"b","partitionValues":{},"size":"7"}})");
  EXPECT_EQ(table->Snapshot(1).status().code(), StatusCode::kCorruption);
  t.WriteCommit(1, AddJson("b") + "\n\n");  // valid, with trailing blank lines
  EXPECT_EQ(MustSnapshot(*table, 1)->files.size(), 2u);
}

TEST(DeltaTableSyntheticTest, MissingProtocolOrMetadata) {
  TempTable t;
  t.WriteCommit(0, CommitInfoJson() + ProtocolJson() + AddJson("a"));
  auto table = Open(t.root());
  auto s = table->Snapshot(0);
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(s.status(), "metaData"));
  EXPECT_TRUE(Contains(s.status(), t.commit_path(0).string()));
  t.WriteCommit(1, MetadataJson());
  EXPECT_EQ(MustSnapshot(*table, 1)->files.size(), 1u);
}

TEST(DeltaTableSyntheticTest, MissingCommitsAndCheckpoints) {
  TempTable t;
  t.WriteCommit(0, Initial(AddJson("a")));
  t.WriteCommit(1, AddJson("b"));
  t.WriteCommit(3, AddJson("d"));
  auto table = Open(t.root());
  EXPECT_EQ(*table->LatestVersion(), 3);
  EXPECT_EQ(MustSnapshot(*table, 1)->files.size(), 2u);
  auto gap = table->Snapshot(3);
  EXPECT_EQ(gap.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(gap.status(), "00000000000000000002.json")) << gap.status();
  // A checkpoint bridging the gap, but not a parquet file: kCorruption
  // naming it (relative to the table), never a crash.
  t.WriteLogFile("00000000000000000002.checkpoint.parquet", "PAR1");
  auto bad_checkpoint = table->Snapshot(3);
  EXPECT_EQ(bad_checkpoint.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(
      Contains(bad_checkpoint.status(), "_delta_log/00000000000000000002.checkpoint.parquet"))
      << bad_checkpoint.status();
  EXPECT_FALSE(Contains(bad_checkpoint.status(), t.root())) << bad_checkpoint.status();
  EXPECT_EQ(table->Snapshot(2).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(MustSnapshot(*table, 1)->files.size(), 2u);

  // Commit 0 gone and no checkpoint: nothing can be reconstructed.
  TempTable orphan;
  orphan.WriteCommit(4, AddJson("x"));
  auto o = Open(orphan.root());
  EXPECT_EQ(*o->LatestVersion(), 4);
  EXPECT_EQ(o->Snapshot(4).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(o->CommitTimestamps().status().code(), StatusCode::kCorruption);
}

TEST(DeltaTableSyntheticTest, CommitSizeLimit) {
  TempTable t;
  t.WriteCommit(0, Initial(AddJson("a")));
  auto table = Open(t.root(), DeltaTableOptions{.max_commit_file_bytes = 64});
  EXPECT_EQ(table->Snapshot(0).status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(table->CommitTimestamps().status().code(), StatusCode::kTooLarge);
}

TEST(DeltaTableSyntheticTest, ConcurrentReadersWhileCommitsArrive) {
  TempTable t;
  t.WriteCommit(0, Initial(AddJson("f0000")));
  auto table = Open(t.root());
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 6; ++r) {
    readers.emplace_back([&, r] {
      std::mt19937 rng(r);
      while (!done.load()) {
        auto latest = table->Snapshot(std::nullopt);
        // Each commit adds one file: version v has v + 1 files.
        if (!latest.ok() ||
            (*latest)->files.size() != static_cast<size_t>((*latest)->version + 1)) {
          ++failures;
        }
        if (latest.ok() && (*latest)->version > 0) {
          int64_t v = static_cast<int64_t>(rng() % ((*latest)->version + 1));
          auto old = table->Snapshot(v);
          if (!old.ok() || (*old)->files.size() != static_cast<size_t>(v + 1)) ++failures;
          if (r % 2 == 0 && !table->VersionAtTimestamp(0, TimestampBound::kAtOrAfter).ok()) {
            ++failures;
          }
        }
      }
    });
  }
  for (int v = 1; v <= 40; ++v) {
    // Commits appear atomically, as on a real object store.
    char name[16];
    std::snprintf(name, sizeof(name), "f%04d", v);
    t.WriteLogFile(".tmp", AddJson(name));
    std::filesystem::rename(t.log_dir() / ".tmp", t.commit_path(v));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  done = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(MustSnapshot(*table)->files.size(), 41u);
}

}  // namespace
}  // namespace lakeshare
