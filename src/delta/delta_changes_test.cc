// DeltaTable::Changes (change data feed) on real CDF tables and synthetic
// logs. The expected actions were read off the tables' _delta_log files.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "delta/delta_table.h"
#include "delta/delta_test_util.h"
#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using testing::AddJson;
using testing::CommitInfoJson;
using testing::MetadataJson;
using testing::ProtocolJson;
using testing::RemoveJson;
using testing::TempTable;
using testing::TestTable;

std::unique_ptr<DeltaTable> Open(const std::string& location, DeltaTableOptions options = {}) {
  return std::make_unique<DeltaTable>(location, std::make_shared<LocalStorage>(), options);
}

std::vector<CommitChanges> MustChanges(DeltaTable& table, int64_t start, int64_t end) {
  auto changes = table.Changes(start, end);
  EXPECT_OK(changes) << table.location() << " [" << start << ", " << end << "]";
  return changes.ok() ? std::move(*changes) : std::vector<CommitChanges>{};
}

// The commit's actions as letters in log order: A(dd), R(emove), C(dc).
std::string Kinds(const CommitChanges& c) {
  std::string out;
  for (const FileChange& f : c.changes) {
    out += f.type == ChangeType::kAdd ? 'A' : f.type == ChangeType::kRemove ? 'R' : 'C';
  }
  return out;
}

std::vector<const FileChange*> OfType(const CommitChanges& c, ChangeType type) {
  std::vector<const FileChange*> out;
  for (const FileChange& f : c.changes) {
    if (f.type == type) out.push_back(&f);
  }
  return out;
}

std::vector<int64_t> Versions(const std::vector<CommitChanges>& changes) {
  std::vector<int64_t> out;
  for (const CommitChanges& c : changes) out.push_back(c.version);
  return out;
}

// Every commit's timestamp is the one CommitTimestamps() (hence
// VersionAtTimestamp) reports for its version.
void ExpectTimelineTimestamps(DeltaTable& table, const std::vector<CommitChanges>& changes) {
  auto timeline = table.CommitTimestamps();
  ASSERT_OK(timeline);
  std::map<int64_t, int64_t> ts;
  for (const VersionTimestamp& t : *timeline) ts[t.version] = t.timestamp_ms;
  for (const CommitChanges& c : changes) {
    ASSERT_EQ(ts.count(c.version), 1u) << c.version;
    EXPECT_EQ(c.timestamp_ms, ts[c.version]) << "version " << c.version;
  }
}

bool Contains(const Status& s, const std::string& text) {
  return s.message().find(text) != std::string::npos;
}

using PV = std::map<std::string, std::optional<std::string>>;

// ---------------------------------------------------------------------------
// Real tables.

TEST(DeltaChangesRealTest, CdfTablePartitioned) {
  auto table = Open(TestTable("cdf-table"));
  auto changes = MustChanges(*table, 0, 3);
  ASSERT_EQ(Versions(changes), (std::vector<int64_t>{0, 1, 2, 3}));

  // Version 0: the table's creation, CDF on from the start.
  const CommitChanges& v0 = changes[0];
  EXPECT_EQ(v0.operation, "WRITE");
  EXPECT_EQ(v0.operation_metrics,
            R"({"numFiles":"10","numOutputRows":"10","numOutputBytes":"6897"})");
  ASSERT_TRUE(v0.protocol);
  EXPECT_EQ(v0.protocol->min_reader_version, 1);
  EXPECT_EQ(v0.protocol->min_writer_version, 4);
  ASSERT_TRUE(v0.metadata);
  EXPECT_EQ(v0.metadata->id, "d38a7090-96be-4b1b-b20f-b85ad8ae1a38");
  EXPECT_EQ(v0.metadata->partition_columns, std::vector<std::string>{"birthday"});
  EXPECT_EQ(v0.metadata->configuration,
            (std::map<std::string, std::string>{{"delta.enableChangeDataFeed", "true"}}));
  EXPECT_EQ(Kinds(v0), "AAAAAAAAAA");
  const DataFile& first = v0.changes[0].file;
  EXPECT_EQ(
      first.path,
      "birthday=2023-12-22/part-00000-592a7e14-f790-4236-9c61-120d006eb3b8.c000.snappy.parquet");
  EXPECT_EQ(first.partition_values, (PV{{"birthday", "2023-12-22"}}));
  EXPECT_EQ(first.size, 694);
  EXPECT_EQ(first.modification_time, 1703265018088);
  EXPECT_TRUE(first.data_change);
  EXPECT_TRUE(first.stats.has_value());
  EXPECT_FALSE(v0.changes[0].deletion_timestamp.has_value());

  // Version 1: UPDATE of ids 2, 3, 4: three adds, six cdc files, three removes.
  const CommitChanges& v1 = changes[1];
  EXPECT_EQ(v1.operation, "UPDATE");
  EXPECT_FALSE(v1.protocol);
  EXPECT_FALSE(v1.metadata);
  EXPECT_EQ(Kinds(v1), "AAACCCCCCRRR");
  auto cdc = OfType(v1, ChangeType::kCdc);
  EXPECT_EQ(cdc[0]->file.path,
            "_change_data/birthday=2023-12-22/"
            "cdc-00000-59fa51a4-edbb-4fc0-a497-6969cdf3966c.c000.snappy.parquet");
  EXPECT_EQ(cdc[0]->file.partition_values, (PV{{"birthday", "2023-12-22"}}));
  EXPECT_EQ(cdc[0]->file.size, 1028);
  EXPECT_EQ(cdc[1]->file.partition_values, (PV{{"birthday", "2023-12-23"}}));
  EXPECT_EQ(cdc[5]->file.size, 1014);
  for (const FileChange* c : cdc) {
    EXPECT_FALSE(c->file.data_change);
    EXPECT_FALSE(c->file.stats.has_value());
    EXPECT_FALSE(c->file.deletion_vector.has_value());
    EXPECT_FALSE(c->deletion_timestamp.has_value());
  }
  auto removes = OfType(v1, ChangeType::kRemove);
  EXPECT_EQ(
      removes[0]->file.path,
      "birthday=2023-12-23/part-00002-7c6f102f-6ad1-4e3b-bee3-df831f4abf3c.c000.snappy.parquet");
  EXPECT_EQ(removes[0]->file.partition_values, (PV{{"birthday", "2023-12-23"}}));
  EXPECT_EQ(removes[0]->file.size, 687);
  EXPECT_EQ(removes[0]->deletion_timestamp, 1703265021672);
  EXPECT_TRUE(removes[0]->file.data_change);
  EXPECT_EQ(removes[2]->file.size, 680);

  // Version 2: the same shape; version 3: a DELETE, remove before cdc.
  EXPECT_EQ(Kinds(changes[2]), "AAACCCCCCRRR");
  EXPECT_EQ(OfType(changes[2], ChangeType::kAdd)[0]->file.partition_values,
            (PV{{"birthday", "2023-12-29"}}));
  const CommitChanges& v3 = changes[3];
  EXPECT_EQ(v3.operation, "DELETE");
  EXPECT_EQ(Kinds(v3), "RC");
  EXPECT_EQ(
      v3.changes[0].file.path,
      "birthday=2023-12-29/part-00000-1ca113cd-a94c-46a8-9c5b-b99e676ddd06.c000.snappy.parquet");
  EXPECT_EQ(v3.changes[0].file.size, 917);
  EXPECT_EQ(v3.changes[1].file.path,
            "_change_data/birthday=2023-12-29/"
            "cdc-00000-ed223ebe-3b27-44af-b2cf-91e882f4c500.c000.snappy.parquet");
  EXPECT_EQ(v3.changes[1].file.size, 971);
  EXPECT_NE(v3.operation_metrics.value_or("").find(R"("numDeletedRows":"1")"), std::string::npos);

  ExpectTimelineTimestamps(*table, changes);

  // cdc paths resolve like data paths, to files that exist.
  auto resolved = table->ResolveFilePath(cdc[0]->file.path);
  ASSERT_OK(resolved);
  EXPECT_EQ(*resolved, TestTable("cdf-table") + "/" + cdc[0]->file.path.str());
  EXPECT_TRUE(std::filesystem::exists(*resolved)) << *resolved;
}

TEST(DeltaChangesRealTest, CdfTableNonPartitioned) {
  auto table = Open(TestTable("cdf-table-non-partitioned"));
  auto changes = MustChanges(*table, 0, 4);
  ASSERT_EQ(Versions(changes), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(Kinds(changes[0]), "AAAAAAAAAA");
  EXPECT_EQ(Kinds(changes[1]), "AAACCCRRR");
  EXPECT_EQ(Kinds(changes[2]), "AAACCCRRR");
  EXPECT_EQ(Kinds(changes[3]), "RC");
  EXPECT_EQ(Kinds(changes[4]), "AA");  // an append: no cdc file
  std::vector<std::string> ops;
  for (const CommitChanges& c : changes) ops.push_back(c.operation.value_or("?"));
  EXPECT_EQ(ops, (std::vector<std::string>{"WRITE", "UPDATE", "UPDATE", "DELETE", "WRITE"}));
  for (const CommitChanges& c : changes) {
    for (const FileChange& f : c.changes) {
      EXPECT_TRUE(f.file.partition_values.empty()) << f.file.path;
      EXPECT_EQ(f.file.data_change, f.type != ChangeType::kCdc) << f.file.path;
    }
  }
  EXPECT_EQ(changes[3].changes[1].file.path,
            "_change_data/cdc-00000-a0f26ad2-e42f-4ee9-9a42-c551810ffef9.c000.snappy.parquet");
  EXPECT_EQ(changes[3].changes[1].file.size, 2242);
  EXPECT_EQ(changes[4].changes[1].file.path,
            "part-00001-75bdbc7a-6029-4166-bf76-1987f87901f1-c000.snappy.parquet");
  EXPECT_EQ(changes[4].changes[1].file.modification_time, 1713110313441);
  ExpectTimelineTimestamps(*table, changes);

  // A sub-range holds the same commits as the full range.
  auto tail = MustChanges(*table, 3, 4);
  ASSERT_EQ(Versions(tail), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(tail[0].timestamp_ms, changes[3].timestamp_ms);
  EXPECT_EQ(Kinds(tail[0]), "RC");
  EXPECT_EQ(tail[1].changes[0].file.path, changes[4].changes[0].file.path);
}

TEST(DeltaChangesRealTest, CdcWithInCommitTimestamps) {
  auto table = Open(TestTable("cdc_ict_table"));
  auto changes = MustChanges(*table, 0, 3);
  ASSERT_EQ(changes.size(), 4u);
  // ICT values as recorded, even when they go backwards (version 1).
  std::vector<int64_t> ts;
  for (const CommitChanges& c : changes) ts.push_back(c.timestamp_ms);
  EXPECT_EQ(ts, (std::vector<int64_t>{1783874203271, 1683874206883, 1783874212175, 1783874213881}));
  ExpectTimelineTimestamps(*table, changes);

  const CommitChanges& v0 = changes[0];
  EXPECT_EQ(v0.operation, "CREATE OR REPLACE TABLE");
  EXPECT_EQ(v0.operation_metrics, "{}");
  EXPECT_EQ(Kinds(v0), "");
  ASSERT_TRUE(v0.metadata && v0.protocol);
  EXPECT_EQ(v0.metadata->configuration.at("delta.enableChangeDataFeed"), "true");
  EXPECT_EQ(v0.metadata->configuration.at("delta.enableInCommitTimestamps"), "true");
  EXPECT_EQ(v0.protocol->min_writer_version, 7);
  EXPECT_EQ(v0.protocol->writer_features,
            (std::vector<std::string>{"inCommitTimestamp", "changeDataFeed", "invariants",
                                      "appendOnly"}));

  EXPECT_EQ(Kinds(changes[1]), "AAAA");
  EXPECT_EQ(changes[1].changes[0].file.partition_values, (PV{{"birthyear", "1986"}}));
  EXPECT_EQ(Kinds(changes[2]), "RRCC");
  EXPECT_EQ(changes[2].changes[2].file.path,
            "_change_data/birthyear=1995/"
            "cdc-00000-2a898d42-80c6-40a8-a045-dc92579b0c52.c000.snappy.parquet");
  EXPECT_EQ(changes[2].changes[2].file.partition_values, (PV{{"birthyear", "1995"}}));
  EXPECT_EQ(changes[2].changes[0].deletion_timestamp, 1783874212151);
  EXPECT_EQ(Kinds(changes[3]), "AACCRR");
  EXPECT_EQ(changes[3].operation, "UPDATE");

  // A single version, on a cold table: the ICT state comes from version 0.
  auto cold = Open(TestTable("cdc_ict_table"));
  auto v2 = MustChanges(*cold, 2, 2);
  ASSERT_EQ(v2.size(), 1u);
  EXPECT_EQ(v2[0].version, 2);
  EXPECT_EQ(v2[0].timestamp_ms, 1783874212175);
}

TEST(DeltaChangesRealTest, SimpleTableWithCdc) {
  auto table = Open(TestTable("simple_table_with_cdc"));
  auto changes = MustChanges(*table, 0, 2);
  ASSERT_EQ(changes.size(), 3u);

  const CommitChanges& v0 = changes[0];
  EXPECT_EQ(v0.operation, "CREATE TABLE");
  EXPECT_EQ(v0.operation_metrics, "{}");
  EXPECT_TRUE(v0.changes.empty());
  ASSERT_TRUE(v0.metadata);
  EXPECT_EQ(v0.metadata->configuration,
            (std::map<std::string, std::string>{{"description", "CDC test Table"},
                                                {"delta.enableChangeDataFeed", "true"}}));

  EXPECT_EQ(changes[1].operation, "WRITE");
  EXPECT_EQ(Kinds(changes[1]), "A");

  const CommitChanges& v2 = changes[2];
  EXPECT_EQ(v2.operation, "UPDATE");
  EXPECT_FALSE(v2.metadata);
  EXPECT_EQ(Kinds(v2), "RAC");
  EXPECT_EQ(v2.changes[0].file.path,
            "part-00000-996384f7-3fc5-4a5f-9921-6e56269ec2c9-c000.snappy.parquet");
  EXPECT_EQ(v2.changes[0].file.size, 815);
  EXPECT_EQ(v2.changes[0].deletion_timestamp, 1671962475760);
  EXPECT_EQ(v2.changes[2].file.path,
            "_change_data/cdc-00000-a846ce80-2eec-484d-bef7-0e63557786ca.c000.snappy.parquet");
  EXPECT_EQ(v2.changes[2].file.size, 1155);
  EXPECT_FALSE(v2.changes[2].file.data_change);
  EXPECT_EQ(v2.operation_metrics,
            R"({"numRemovedFiles":"1","numCopiedRows":"0","numAddedChangeFiles":"1",)"
            R"("executionTimeMs":"1628","scanTimeMs":"928","numAddedFiles":"1",)"
            R"("numUpdatedRows":"1","rewriteTimeMs":"690"})");
  ExpectTimelineTimestamps(*table, changes);
}

TEST(DeltaChangesRealTest, CdcWithDeletionVectors) {
  auto table = Open(TestTable("cdf-table-with-cdc-and-dvs"));
  auto changes = MustChanges(*table, 0, 25);
  ASSERT_EQ(changes.size(), 26u);
  ExpectTimelineTimestamps(*table, changes);

  ASSERT_TRUE(changes[0].protocol && changes[0].metadata);
  EXPECT_EQ(changes[0].protocol->min_reader_version, 3);
  EXPECT_EQ(changes[0].protocol->reader_features, std::vector<std::string>{"deletionVectors"});
  EXPECT_EQ(changes[0].metadata->configuration,
            (std::map<std::string, std::string>{{"delta.enableChangeDataFeed", "true"},
                                                {"delta.enableDeletionVectors", "true"}}));
  for (size_t v = 1; v < changes.size(); ++v) {
    EXPECT_FALSE(changes[v].metadata) << v;
    EXPECT_FALSE(changes[v].protocol) << v;
  }

  // Only UPDATE and MERGE wrote change data; DV deletes did not.
  std::vector<int64_t> with_cdc;
  for (const CommitChanges& c : changes) {
    if (!OfType(c, ChangeType::kCdc).empty()) with_cdc.push_back(c.version);
  }
  EXPECT_EQ(with_cdc, (std::vector<int64_t>{9, 12, 18, 20, 22}));

  // Version 2, a DELETE: the file is removed and re-added with a DV.
  const CommitChanges& v2 = changes[2];
  EXPECT_EQ(v2.operation, "DELETE");
  EXPECT_EQ(Kinds(v2), "RA");
  EXPECT_EQ(v2.changes[0].file.path, v2.changes[1].file.path);
  EXPECT_FALSE(v2.changes[0].file.deletion_vector);
  ASSERT_TRUE(v2.changes[1].file.deletion_vector);
  const DeletionVector& dv = *v2.changes[1].file.deletion_vector;
  EXPECT_EQ(dv.storage_type, "u");
  EXPECT_EQ(dv.path_or_inline_dv, "xXKMQm7kW?Gxtg1Fc8gx");
  EXPECT_EQ(dv.offset, 1);
  EXPECT_EQ(dv.size_in_bytes, 34);
  EXPECT_EQ(dv.cardinality, 1);

  // Version 3, an OPTIMIZE: nothing changes data.
  const CommitChanges& v3 = changes[3];
  EXPECT_EQ(v3.operation, "OPTIMIZE");
  EXPECT_EQ(Kinds(v3), "RRA");
  for (const FileChange& f : v3.changes) EXPECT_FALSE(f.file.data_change) << f.file.path;
  EXPECT_EQ(v3.changes[1].file.stats, R"({"numRecords":4})");
  ASSERT_TRUE(v3.changes[1].file.deletion_vector);
  EXPECT_EQ(v3.changes[1].file.deletion_vector->path_or_inline_dv, "xXKMQm7kW?Gxtg1Fc8gx");

  // Version 9, an UPDATE; remove stats are kept verbatim.
  EXPECT_EQ(Kinds(changes[9]), "RAC");
  EXPECT_EQ(changes[9].changes[0].file.stats, R"({ "numRecords" : 3 })");
  EXPECT_EQ(changes[9].changes[2].file.path,
            "_change_data/cdc-00001-9ab472f4-d099-4e0c-8fd3-bdb204769535.c000.snappy.parquet");
  EXPECT_EQ(changes[9].changes[2].file.size, 1234);

  // Version 18, a MERGE with DVs.
  const CommitChanges& v18 = changes[18];
  EXPECT_EQ(v18.operation, "MERGE");
  EXPECT_EQ(Kinds(v18), "RAAC");
  EXPECT_TRUE(v18.changes[2].file.deletion_vector);
  const std::string metrics = v18.operation_metrics.value_or("");
  EXPECT_NE(metrics.find(R"("numTargetRowsCopied":"0")"), std::string::npos);
  EXPECT_NE(metrics.find(R"("numTargetRowsInserted":"2")"), std::string::npos);

  // A single version in the middle.
  auto v12 = MustChanges(*table, 12, 12);
  ASSERT_EQ(v12.size(), 1u);
  EXPECT_EQ(v12[0].version, 12);
  EXPECT_EQ(v12[0].timestamp_ms, changes[12].timestamp_ms);
  EXPECT_EQ(Kinds(v12[0]), "RAAC");
  EXPECT_EQ(v12[0].changes[0].deletion_timestamp, 1734070110099);
  EXPECT_EQ(v12[0].changes[3].file.size, 1142);
  EXPECT_EQ(v12[0].operation_metrics,
            R"({"numRemovedFiles":"0","numRemovedBytes":"0","numCopiedRows":"0",)"
            R"("numDeletionVectorsAdded":"1","numDeletionVectorsRemoved":"0",)"
            R"("numAddedChangeFiles":"1","executionTimeMs":"1284",)"
            R"("numDeletionVectorsUpdated":"0","scanTimeMs":"494","numAddedFiles":"1",)"
            R"("numUpdatedRows":"1","numAddedBytes":"996","rewriteTimeMs":"790"})");

  // Reading one commit at a time gives the same result.
  DeltaTableOptions sequential;
  sequential.max_parallel_reads = 1;
  auto one_by_one = MustChanges(*Open(TestTable("cdf-table-with-cdc-and-dvs"), sequential), 0, 25);
  ASSERT_EQ(one_by_one.size(), changes.size());
  for (size_t v = 0; v < changes.size(); ++v) {
    EXPECT_EQ(one_by_one[v].timestamp_ms, changes[v].timestamp_ms);
    EXPECT_EQ(Kinds(one_by_one[v]), Kinds(changes[v]));
    EXPECT_EQ(one_by_one[v].operation_metrics, changes[v].operation_metrics);
  }
}

TEST(DeltaChangesRealTest, SimpleTableWithoutCdf) {
  auto table = Open(TestTable("simple_table"));
  auto changes = MustChanges(*table, 0, 4);
  ASSERT_EQ(changes.size(), 5u);
  EXPECT_EQ(Kinds(changes[0]), "AAAAAA");
  EXPECT_EQ(Kinds(changes[1]), "RRRRR" + std::string(21, 'A'));
  EXPECT_EQ(Kinds(changes[2]), std::string(6, 'A') + std::string(22, 'R'));  // all 22 of v1
  EXPECT_EQ(Kinds(changes[3]), "RRAA");
  EXPECT_EQ(Kinds(changes[4]), "RRA");
  EXPECT_TRUE(changes[0].metadata && changes[0].protocol);
  EXPECT_TRUE(changes[0].metadata->configuration.empty());
  EXPECT_EQ(changes[1].operation, "MERGE");
  EXPECT_FALSE(changes[1].operation_metrics);  // this writer recorded none
  EXPECT_FALSE(changes[0].operation_metrics);

  // Removes of this old writer record only path, deletionTimestamp and dataChange.
  const FileChange& r = changes[1].changes[0];
  EXPECT_EQ(r.file.path, "part-00006-63ce9deb-bc0f-482d-b9a1-7e717b67f294-c000.snappy.parquet");
  EXPECT_EQ(r.deletion_timestamp, 1587968596250);
  EXPECT_TRUE(r.file.data_change);
  EXPECT_EQ(r.file.size, 0);
  EXPECT_TRUE(r.file.partition_values.empty());
  EXPECT_FALSE(r.file.stats);
  EXPECT_EQ(changes[4].changes[2].file.path,
            "part-00000-2befed33-c358-4768-a43c-3eda0d2a499d-c000.snappy.parquet");
  EXPECT_EQ(changes[4].changes[2].file.size, 262);
  ExpectTimelineTimestamps(*table, changes);
}

TEST(DeltaChangesRealTest, CdfTableAfterACheckpoint) {
  // Commits 0-2 were cleaned up after the checkpoint at 3: the changes of
  // 3..5 are served from their JSON commits, and Snapshot(3) (the metadata
  // in force at the start) comes from the parquet checkpoint.
  auto table = Open(TestTable("checkpoint-cdf-table"));
  EXPECT_EQ(table->Changes(0, 5).status(),
            Status::InvalidArgument(
                "Cannot read changes of versions [0, 5]: the log has commits [3, 5]"));
  auto changes = MustChanges(*table, 3, 5);
  ASSERT_EQ(Versions(changes), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(Kinds(changes[0]), "RC");
  EXPECT_EQ(Kinds(changes[1]), "AAAA");
  EXPECT_EQ(Kinds(changes[2]), "AAAACCCCRRRR");
  EXPECT_EQ(changes[2].operation, "UPDATE");
  EXPECT_EQ(changes[2].changes[4].file.path,
            "_change_data/birthday=2024-12-30/"
            "cdc-00000-66f2943f-f545-4ad5-a29a-d41a6fc0964f.c000.snappy.parquet");
  EXPECT_EQ(changes[2].changes[4].file.partition_values, (PV{{"birthday", "2024-12-30"}}));
  for (const CommitChanges& c : changes) EXPECT_FALSE(c.metadata || c.protocol);
  ExpectTimelineTimestamps(*table, changes);
  auto start = table->Snapshot(3);
  ASSERT_OK(start);
  EXPECT_EQ((*start)->metadata.configuration.at("delta.enableChangeDataFeed"), "true");
}

TEST(DeltaChangesRealTest, RangeValidation) {
  auto table = Open(TestTable("cdf-table"));
  EXPECT_EQ(table->Changes(2, 5).status(),
            Status::InvalidArgument(
                "Cannot read changes of versions [2, 5]: the log has commits [0, 3]"));
  EXPECT_EQ(table->Changes(-1, 2).status(),
            Status::InvalidArgument(
                "Cannot read changes of versions [-1, 2]: the log has commits [0, 3]"));
  EXPECT_EQ(table->Changes(4, 4).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(table->Changes(3, 1).status(),
            Status::InvalidArgument(
                "Cannot read changes of versions [3, 1]: the start version is after the end "
                "version"));
  auto last = MustChanges(*table, 3, 3);
  ASSERT_EQ(Versions(last), std::vector<int64_t>{3});
  auto first = MustChanges(*table, 0, 0);
  ASSERT_EQ(Versions(first), std::vector<int64_t>{0});
  EXPECT_EQ(Kinds(first[0]), "AAAAAAAAAA");

  auto missing = Open(TestTable("no-such-table"));
  EXPECT_EQ(missing->Changes(0, 0).status().code(), StatusCode::kNotFound);
}

TEST(DeltaChangesRealTest, EveryTableServesItsTimeline) {
  // Every test table whose latest version has a JSON commit serves changes
  // from its timeline start; the others report what CommitTimestamps does.
  const std::string root = std::string(LAKESHARE_TESTDATA_DIR) + "/delta/delta-rs";
  int served = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (!std::filesystem::exists(entry.path() / "_delta_log")) continue;
    auto table = Open(entry.path().string());
    auto timeline = table->CommitTimestamps();
    auto latest = table->LatestVersion();
    if (!timeline.ok() || !latest.ok()) continue;
    const int64_t from = timeline->front().version;
    auto changes = table->Changes(from, *latest);
    if (!changes.ok()) {
      // A table whose newest JSON commits are malformed or unsupported here.
      EXPECT_NE(changes.status().code(), StatusCode::kInternal) << entry.path() << changes.status();
      continue;
    }
    ++served;
    ASSERT_EQ(changes->size(), static_cast<size_t>(*latest - from + 1)) << entry.path();
    for (size_t i = 0; i < changes->size(); ++i) {
      EXPECT_EQ((*changes)[i].version, (*timeline)[i].version) << entry.path();
      EXPECT_EQ((*changes)[i].timestamp_ms, (*timeline)[i].timestamp_ms) << entry.path();
    }
    if (from > 0) {
      EXPECT_EQ(table->Changes(from - 1, from).status().code(), StatusCode::kInvalidArgument)
          << entry.path();
    }
  }
  EXPECT_GT(served, 40);  // 48 of the delta-rs tables when written
}

// ---------------------------------------------------------------------------
// Synthetic logs.

std::string CdcJson(const std::string& path, int64_t size = 50,
                    const std::string& extra_fields = "") {
  return R"({"cdc":{"path":")" + path + R"(","partitionValues":{},"size":)" + std::to_string(size) +
         R"(,"dataChange":false)" + extra_fields + "}}\n";
}

std::string FileName(const TempTable& t, int64_t version) {
  return t.commit_path(version).filename().string();
}

TEST(DeltaChangesSyntheticTest, FileTimeTimestampsDependOnEarlierCommits) {
  TempTable t("changes_ts");
  // Same modification times: each commit is pushed 1 ms past the previous.
  t.WriteCommit(0, CommitInfoJson() + ProtocolJson() + MetadataJson() + AddJson("a"), 5000);
  t.WriteCommit(1, CommitInfoJson() + AddJson("b"), 5000);
  t.WriteCommit(2, CommitInfoJson() + RemoveJson("a") + CdcJson("_change_data/c"), 4000);
  auto table = Open(t.root());
  auto changes = MustChanges(*table, 2, 2);  // cold: commits 0 and 1 read for their headers only
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].timestamp_ms, 5002);
  EXPECT_EQ(Kinds(changes[0]), "RC");
  EXPECT_EQ(changes[0].operation, "WRITE");
  EXPECT_FALSE(changes[0].operation_metrics);
  ExpectTimelineTimestamps(*table, changes);

  // New commits are seen at once.
  t.WriteCommit(3, CommitInfoJson() + AddJson("d"), 9000);
  auto more = MustChanges(*table, 1, 3);
  EXPECT_EQ(Versions(more), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(more[0].timestamp_ms, 5001);
  EXPECT_EQ(more[2].timestamp_ms, 9000);
}

TEST(DeltaChangesSyntheticTest, ReadsOnlyTheRangesFileActions) {
  TempTable t("changes_only_range");
  t.WriteCommit(0, ProtocolJson() + MetadataJson() + AddJson("a"));
  // Version 1 has a malformed add: only reading its file actions fails.
  t.WriteCommit(1, CommitInfoJson() + R"({"add":{"path":"b","partitionValues":{},"size":"x"}})"
                                      "\n");
  t.WriteCommit(2, CommitInfoJson() + AddJson("c"));
  auto table = Open(t.root());
  auto changes = MustChanges(*table, 2, 2);
  EXPECT_EQ(Versions(changes), std::vector<int64_t>{2});
  Status s = table->Changes(0, 2).status();
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s;
  EXPECT_TRUE(Contains(s, FileName(t, 1))) << s;
  EXPECT_TRUE(Contains(s, "add.size")) << s;
  EXPECT_EQ(table->Snapshot(2).status().code(), StatusCode::kCorruption);
}

TEST(DeltaChangesSyntheticTest, MalformedCdcAndRemoveActionsAreCorruption) {
  const std::string head = ProtocolJson() + MetadataJson();
  struct Case {
    std::string line;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {"{\"cdc\":{\"path\":\"_change_data/x\",\"partitionValues\":{},\"si", "invalid JSON"},
      {"{\"cdc\": garbage}", "invalid JSON"},
      {R"({"cdc":[1]})", "cdc"},
      {R"({"cdc":{"partitionValues":{},"size":1}})", "cdc.path"},
      {R"({"cdc":{"path":"","partitionValues":{},"size":1}})", "cdc.path"},
      {R"({"cdc":{"path":"p","size":1}})", "cdc.partitionValues"},
      {R"({"cdc":{"path":"p","partitionValues":{}}})", "cdc.size"},
      {R"({"cdc":{"path":"p","partitionValues":{},"size":-3}})", "cdc.size"},
      {R"({"cdc":{"path":"p","partitionValues":{},"size":"3"}})", "cdc.size"},
      {R"({"cdc":{"path":"p","partitionValues":{"k":7},"size":3}})", "cdc.partitionValues"},
      {R"({"cdc":{"path":"p","partitionValues":{},"size":3,"dataChange":"no"}})", "cdc.dataChange"},
      {R"({"cdc":{"path":"p","partitionValues":{},"size":3,"tags":{"a":1}}})", "cdc.tags"},
      {R"({"remove":{"path":"p","size":"3"}})", "remove.size"},
      {R"({"remove":{"path":"p","size":1e30}})", "remove.size"},
      {R"({"remove":{"path":"p","partitionValues":["a"]}})", "remove.partitionValues"},
      {R"({"remove":{"path":"p","stats":{"numRecords":1}}})", "remove.stats"},
      {R"({"remove":{"path":"p","extendedFileMetadata":1}})", "remove.extendedFileMetadata"},
      {R"({"remove":{"path":"p","tags":[]}})", "remove.tags"},
      {R"({"remove":{"path":"p","deletionTimestamp":"now"}})", "remove.deletionTimestamp"},
      {R"({"remove":{"path":"p","deletionVector":{"storageType":"u"}}})", "deletionVector"},
      {"{\"remove\":{\"path\":\"p\",\"deletionTime", "invalid JSON"},
  };
  for (const Case& c : cases) {
    TempTable t("changes_bad");
    t.WriteCommit(0, head + AddJson("p"));
    t.WriteCommit(1, CommitInfoJson() + c.line + "\n");
    auto table = Open(t.root());
    Status s = table->Changes(0, 1).status();
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << c.line << " -> " << s;
    EXPECT_TRUE(Contains(s, FileName(t, 1))) << s;
    EXPECT_TRUE(Contains(s, c.fragment)) << c.line << " -> " << s;
    // The commit before is fine on its own.
    EXPECT_OK(table->Changes(0, 0)) << c.line;
  }
}

TEST(DeltaChangesSyntheticTest, TruncatedAndEmptyCommits) {
  TempTable t("changes_truncated");
  t.WriteCommit(0, ProtocolJson() + MetadataJson());
  const std::string full = CommitInfoJson() + CdcJson("_change_data/a.parquet", 7) +
                           RemoveJson("x", R"(,"size":5,"partitionValues":{})");
  auto table = Open(t.root());
  int corrupt = 0;
  for (size_t cut = 1; cut < full.size(); ++cut) {
    std::string part = full.substr(0, cut);
    t.WriteCommit(1, part);
    auto changes = table->Changes(1, 1);
    // A cut right after a newline leaves whole actions: a valid commit.
    if (part.back() == '\n' || full[cut] == '\n') {
      EXPECT_OK(changes) << cut;
      continue;
    }
    ++corrupt;
    EXPECT_EQ(changes.status().code(), StatusCode::kCorruption) << cut << ": " << changes.status();
    EXPECT_TRUE(Contains(changes.status(), FileName(t, 1))) << changes.status();
  }
  EXPECT_GT(corrupt, 100);
  t.WriteCommit(1, "");
  EXPECT_EQ(table->Changes(0, 1).status().code(), StatusCode::kCorruption);
}

TEST(DeltaChangesSyntheticTest, FirstBadCommitIsReported) {
  TempTable t("changes_first_bad");
  t.WriteCommit(0, ProtocolJson() + MetadataJson());
  for (int v = 1; v <= 12; ++v) t.WriteCommit(v, CommitInfoJson() + AddJson(std::to_string(v)));
  t.WriteCommit(4, CommitInfoJson() + R"({"cdc":{"path":"x"}})" + "\n");
  // Only reading its file actions fails (its headers are fine).
  t.WriteCommit(9, CommitInfoJson() + R"({"add":{"path":5}})" + "\n");
  for (size_t parallel : {1, 3, 8}) {
    DeltaTableOptions options;
    options.max_parallel_reads = parallel;
    for (int i = 0; i < 5; ++i) {
      Status s = Open(t.root(), options)->Changes(0, 12).status();
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << s;
      EXPECT_TRUE(Contains(s, FileName(t, 4))) << parallel << ": " << s;
    }
    EXPECT_TRUE(Contains(Open(t.root(), options)->Changes(5, 12).status(), FileName(t, 9)));
    EXPECT_OK(Open(t.root(), options)->Changes(5, 8));
  }
}

TEST(DeltaChangesSyntheticTest, ActionFieldsAndNulls) {
  TempTable t("changes_fields");
  t.WriteCommit(
      0, ProtocolJson() + MetadataJson(R"({"delta.enableChangeDataFeed":"true"})", R"(["p"])"));
  t.WriteCommit(
      1,
      R"({"commitInfo":{"operation":"MERGE","operationMetrics":{"numTargetRowsInserted":"0","nested":{"a":[1,2.5,null,true]},"quote":"a\"b"}}})"
      "\n"
      R"({"remove":{"path":"p=1/a.parquet","deletionTimestamp":null,"dataChange":false,"extendedFileMetadata":true,"partitionValues":{"p":null},"size":12,"stats":"{\"numRecords\":2}","tags":{"t":"v","n":null},"deletionVector":{"storageType":"i","pathOrInlineDv":"abc","sizeInBytes":3,"cardinality":1}}})"
      "\n"
      R"({"cdc":{"path":"_change_data/p=1/c%20d.parquet","partitionValues":{"p":"1"},"size":9,"dataChange":true,"tags":null}})"
      "\n"
      R"({"remove":{"path":"b","partitionValues":null,"size":null,"stats":null,"tags":null,"extendedFileMetadata":null}})"
      "\n"
      R"({"txn":{"appId":"x","version":1}})"
      "\n");
  t.WriteCommit(2, R"({"commitInfo":{"operation":7,"operationMetrics":"none"}})"
                   "\n" +
                       MetadataJson(R"({"delta.enableChangeDataFeed":"false"})", R"(["p"])"));
  auto table = Open(t.root());
  auto changes = MustChanges(*table, 1, 2);
  ASSERT_EQ(changes.size(), 2u);

  const CommitChanges& v1 = changes[0];
  EXPECT_EQ(v1.operation, "MERGE");
  EXPECT_EQ(v1.operation_metrics,
            R"({"numTargetRowsInserted":"0","nested":{"a":[1,2.5,null,true]},"quote":"a\"b"})");
  EXPECT_EQ(Kinds(v1), "RCR");
  const FileChange& r = v1.changes[0];
  EXPECT_EQ(r.file.path, "p=1/a.parquet");
  EXPECT_FALSE(r.deletion_timestamp);
  EXPECT_FALSE(r.file.data_change);
  EXPECT_EQ(r.file.partition_values, (PV{{"p", std::nullopt}}));
  EXPECT_EQ(r.file.size, 12);
  EXPECT_EQ(r.file.stats, R"({"numRecords":2})");
  ASSERT_TRUE(r.file.deletion_vector);
  EXPECT_EQ(r.file.deletion_vector->storage_type, "i");
  EXPECT_FALSE(r.file.deletion_vector->offset);
  const FileChange& c = v1.changes[1];
  EXPECT_EQ(c.file.path, "_change_data/p=1/c%20d.parquet");  // as recorded
  EXPECT_EQ(c.file.partition_values, (PV{{"p", "1"}}));
  EXPECT_EQ(c.file.size, 9);
  EXPECT_TRUE(c.file.data_change);
  const FileChange& bare = v1.changes[2];
  EXPECT_EQ(bare.file.path, "b");
  EXPECT_TRUE(bare.file.data_change);
  EXPECT_EQ(bare.file.size, 0);
  EXPECT_TRUE(bare.file.partition_values.empty());

  // The cdc path resolves percent-decoded under the table root.
  auto resolved = table->ResolveFilePath(c.file.path);
  ASSERT_OK(resolved);
  EXPECT_EQ(*resolved, t.root() + "/_change_data/p=1/c d.parquet");

  // commitInfo is free-form: fields of other types are left out, not errors.
  const CommitChanges& v2 = changes[1];
  EXPECT_FALSE(v2.operation);
  EXPECT_FALSE(v2.operation_metrics);
  ASSERT_TRUE(v2.metadata);
  EXPECT_EQ(v2.metadata->configuration.at("delta.enableChangeDataFeed"), "false");
  EXPECT_TRUE(v2.changes.empty());

  // cdc files are not table state: the snapshot holds no trace of them.
  auto snapshot = table->Snapshot(1);
  ASSERT_OK(snapshot);
  EXPECT_TRUE((*snapshot)->files.empty());
}

TEST(DeltaChangesSyntheticTest, GapsCheckpointsAndLimits) {
  TempTable t("changes_gaps");
  // Commits 0-1 were cleaned up after the checkpoint at 2.
  t.WriteLogFile("00000000000000000002.checkpoint.parquet", "PAR1");
  for (int v = 2; v <= 5; ++v) t.WriteCommit(v, CommitInfoJson() + AddJson(std::to_string(v)));
  auto table = Open(t.root());
  EXPECT_EQ(table->Changes(1, 3).status(),
            Status::InvalidArgument(
                "Cannot read changes of versions [1, 3]: the log has commits [2, 5]"));
  auto changes = MustChanges(*table, 3, 5);
  EXPECT_EQ(Versions(changes), (std::vector<int64_t>{3, 4, 5}));
  ExpectTimelineTimestamps(*table, changes);

  // A latest version that only a checkpoint holds.
  t.WriteLogFile("00000000000000000006.checkpoint.parquet", "PAR1");
  EXPECT_EQ(table->Changes(3, 5).status().code(), StatusCode::kUnsupported);

  // The byte limit on a range.
  TempTable small("changes_limit");
  small.WriteCommit(0, ProtocolJson() + MetadataJson());
  for (int v = 1; v <= 4; ++v) {
    small.WriteCommit(v, CommitInfoJson() + AddJson(std::to_string(v), 1, std::string(400, ' ')));
  }
  DeltaTableOptions options;
  options.max_changes_bytes = 1500;
  auto limited = Open(small.root(), options);
  EXPECT_OK(limited->Changes(1, 2));
  Status s = limited->Changes(1, 4).status();
  EXPECT_EQ(s.code(), StatusCode::kTooLarge) << s;
  EXPECT_TRUE(Contains(s, "Cannot read changes of versions [1, 4]")) << s;
}

TEST(DeltaChangesSyntheticTest, ConcurrentCallers) {
  auto table = Open(TestTable("cdf-table-with-cdc-and-dvs"));
  auto expected = MustChanges(*table, 0, 25);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 5; ++round) {
        int64_t start = (i * 5 + round) % 20;
        auto changes = table->Changes(start, start + 5);
        if (!changes.ok() || changes->size() != 6 ||
            changes->front().timestamp_ms != expected[start].timestamp_ms ||
            Kinds(changes->back()) != Kinds(expected[start + 5])) {
          ++failures;
        }
        if (!table->Snapshot(start).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace lakeshare
