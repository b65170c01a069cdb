// Checkpoints against the JSON log: every table of the shared test data that
// has a checkpoint gives, from the checkpoint, the snapshot that replaying
// its JSON commits gives (file by file: path, size, modification time,
// partition values, deletion vector, stats as equal JSON), with the string
// columns and with the typed ones (stats_parsed, partitionValues_parsed).
// Then checkpoints we write ourselves: multi-part (complete or not), V2 with
// sidecars, _last_checkpoint stale/corrupt/missing, and damaged files.
#include "delta/delta_checkpoint.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "common/time_util.h"
#include "delta/delta_checkpoint_writer.h"
#include "delta/delta_log_replay.h"
#include "delta/delta_table.h"
#include "delta/delta_test_util.h"
#include "demo/synthetic_delta_table.h"
#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

DeltaTableOptions WithCache(SnapshotCache* cache, bool use_checkpoints = true) {
  DeltaTableOptions o;
  o.cache = cache;
  o.use_checkpoints = use_checkpoints;
  return o;
}

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::AddJson;
using testing::CommitInfoJson;
using testing::MetadataJson;
using testing::ProtocolJson;
using testing::RemoveJson;
using testing::TempTable;
using testing::TestTable;

std::shared_ptr<Storage> Local() { return std::make_shared<LocalStorage>(); }

bool Contains(const Status& s, const std::string& text) {
  return s.message().find(text) != std::string::npos;
}

// Tables of the shared test data with a checkpoint file in their log.
std::vector<std::string> CheckpointTables() {
  std::vector<std::string> out;
  fs::path root = fs::path(LAKESHARE_TESTDATA_DIR) / "delta" / "delta-rs";
  if (!fs::exists(root)) return out;
  for (const auto& t : fs::directory_iterator(root)) {
    fs::path log = t.path() / "_delta_log";
    if (!fs::is_directory(log)) continue;
    for (const auto& e : fs::directory_iterator(log)) {
      if (e.path().filename().string().find(".checkpoint") != std::string::npos) {
        out.push_back(t.path().string());
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// JSON values equal as a client reads them: numbers by value, strings that
// are both timestamps by instant, null members the same as absent ones.
bool JsonEqual(const json::value& a, const json::value& b, std::string* where) {
  if (a.is_number() && b.is_number()) {
    double x = a.to_number<double>(), y = b.to_number<double>();
    if (x == y || std::abs(x - y) <= 1e-12 * std::max(std::abs(x), std::abs(y))) return true;
    *where = json::serialize(a) + " != " + json::serialize(b);
    return false;
  }
  if (a.is_string() && b.is_string()) {
    if (a == b) return true;
    auto ta = ParseTimestampMillis(a.as_string().c_str());
    auto tb = ParseTimestampMillis(b.as_string().c_str());
    if (ta.ok() && tb.ok() && *ta == *tb) return true;
    *where = json::serialize(a) + " != " + json::serialize(b);
    return false;
  }
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (const auto& kv : a.as_object()) {
      if (!kv.value().is_null()) keys.insert(std::string(kv.key()));
    }
    for (const auto& kv : b.as_object()) {
      if (!kv.value().is_null()) keys.insert(std::string(kv.key()));
    }
    for (const std::string& k : keys) {
      const json::value* x = a.as_object().if_contains(k);
      const json::value* y = b.as_object().if_contains(k);
      if (x == nullptr || y == nullptr || x->is_null() || y->is_null()) {
        *where = "member '" + k + "' only on one side";
        return false;
      }
      if (!JsonEqual(*x, *y, where)) {
        *where = k + "." + *where;
        return false;
      }
    }
    return true;
  }
  if (a == b) return true;
  *where = json::serialize(a) + " != " + json::serialize(b);
  return false;
}

void ExpectStatsEqual(const std::optional<std::string>& got, const std::optional<std::string>& want,
                      const std::string& ctx) {
  ASSERT_EQ(got.has_value(), want.has_value()) << ctx << (got ? *got : *want);
  if (!got) return;
  json::value a = json::parse(*got), b = json::parse(*want);
  std::string where;
  EXPECT_TRUE(JsonEqual(a, b, &where))
      << ctx << ": " << where << "\n  got  " << *got << "\n  want " << *want;
}

std::string DvText(const CompactOptional<DeletionVector>& dv) {
  if (!dv) return "-";
  return dv->storage_type + "|" + dv->path_or_inline_dv + "|" +
         (dv->offset ? std::to_string(*dv->offset) : "none") + "|" +
         std::to_string(dv->size_in_bytes) + "|" + std::to_string(dv->cardinality);
}

// `got` (from a checkpoint) against `want` (from JSON commits). dataChange is
// not compared: it describes the commit that added a file, and checkpoint
// writers record it as they like.
void ExpectSameSnapshot(const TableSnapshot& got, const TableSnapshot& want, const std::string& ctx,
                        bool stats_exact = true) {
  EXPECT_EQ(got.version, want.version) << ctx;
  EXPECT_EQ(got.protocol.min_reader_version, want.protocol.min_reader_version) << ctx;
  EXPECT_EQ(got.protocol.min_writer_version, want.protocol.min_writer_version) << ctx;
  EXPECT_EQ(got.protocol.reader_features, want.protocol.reader_features) << ctx;
  EXPECT_EQ(got.protocol.writer_features, want.protocol.writer_features) << ctx;
  EXPECT_EQ(got.metadata.id, want.metadata.id) << ctx;
  EXPECT_EQ(got.metadata.name, want.metadata.name) << ctx;
  EXPECT_EQ(got.metadata.description, want.metadata.description) << ctx;
  EXPECT_EQ(got.metadata.format_provider, want.metadata.format_provider) << ctx;
  EXPECT_EQ(got.metadata.format_options, want.metadata.format_options) << ctx;
  EXPECT_EQ(got.metadata.schema_string, want.metadata.schema_string) << ctx;
  EXPECT_EQ(got.metadata.partition_columns, want.metadata.partition_columns) << ctx;
  EXPECT_EQ(got.metadata.configuration, want.metadata.configuration) << ctx;
  EXPECT_EQ(got.metadata.created_time, want.metadata.created_time) << ctx;
  ASSERT_EQ(got.files.size(), want.files.size()) << ctx;
  for (size_t i = 0; i < got.files.size(); ++i) {
    const DataFile& g = got.files[i];
    const DataFile& w = want.files[i];
    const std::string f = ctx + " file " + w.path.str();
    EXPECT_EQ(g.path, w.path) << f;
    EXPECT_EQ(g.size, w.size) << f;
    EXPECT_EQ(g.modification_time, w.modification_time) << f;
    EXPECT_TRUE(g.partition_values == w.partition_values) << f;
    EXPECT_EQ(DvText(g.deletion_vector), DvText(w.deletion_vector)) << f;
    EXPECT_TRUE(g.tags == w.tags) << f;
    if (stats_exact && g.stats && w.stats && *g.stats == *w.stats) continue;
    ExpectStatsEqual(g.stats.ToOptional(), w.stats.ToOptional(), f);
  }
}

Result<std::shared_ptr<const TableSnapshot>> CheckpointSnapshot(
    const std::string& root, const DeltaCheckpoint& cp, const CheckpointReadOptions& options) {
  LocalStorage storage;
  LS_ASSIGN_OR_RETURN(CheckpointContents c,
                      ReadDeltaCheckpoint(storage, storage.Join(root, "_delta_log"), cp, options));
  if (!c.protocol || !c.metadata)
    return Status::Corruption("checkpoint without protocol or metadata");
  return SnapshotOf(c.version, 0, std::move(*c.protocol), std::move(*c.metadata),
                    std::move(c.files));
}

TEST(DeltaCheckpointRealTest, EveryCheckpointMatchesItsJsonCommits) {
  std::vector<std::string> tables = CheckpointTables();
  ASSERT_GE(tables.size(), 17u) << "test data missing (tests/data)";
  int compared_checkpoints = 0, compared_versions = 0, parsed_stats = 0, parsed_pv = 0;
  for (const std::string& root : tables) {
    SCOPED_TRACE(root);
    LocalStorage storage;
    auto listing = ListDeltaLog(storage, root);
    ASSERT_OK(listing);
    ASSERT_FALSE(listing->checkpoints.empty());
    SnapshotCache none(0);
    DeltaTable json_table(root, Local(), WithCache(&none, false));
    DeltaTable table(root, Local(), WithCache(&none));
    for (const DeltaCheckpoint& cp : listing->checkpoints) {
      const std::string ctx =
          fs::path(root).filename().string() + " checkpoint " + std::to_string(cp.version);
      // The checkpoint read three ways: string columns, typed stats, typed
      // partition values.
      auto plain = CheckpointSnapshot(root, cp, {});
      ASSERT_OK(plain) << ctx;
      auto typed_stats = CheckpointSnapshot(root, cp, {.prefer_parsed_stats = true});
      ASSERT_OK(typed_stats) << ctx;
      auto typed_pv = CheckpointSnapshot(root, cp, {.prefer_parsed_partition_values = true});
      ASSERT_OK(typed_pv) << ctx;
      ExpectSameSnapshot(**typed_stats, **plain, ctx + " (stats_parsed)", false);
      ExpectSameSnapshot(**typed_pv, **plain, ctx + " (partitionValues_parsed)");
      for (size_t i = 0; i < (*plain)->files.size(); ++i) {
        parsed_stats += (*typed_stats)->files[i].stats != (*plain)->files[i].stats;
      }
      {
        // Count checkpoints whose typed partition values were really read.
        std::ifstream in(cp.files.front().path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        parsed_pv += ss.str().find("partitionValues_parsed") != std::string::npos;
      }
      if (!listing->HasCommits(0, cp.version)) continue;  // JSON commits gone
      auto json_snapshot = json_table.Snapshot(cp.version);
      ASSERT_OK(json_snapshot) << ctx;
      ExpectSameSnapshot(**plain, **json_snapshot, ctx);
      ExpectSameSnapshot(**typed_stats, **json_snapshot, ctx + " (stats_parsed)", false);
      ++compared_checkpoints;
    }
    // Every version from the oldest checkpoint on: checkpoint + commits ==
    // commits alone (timestamps included), where the commits exist.
    for (int64_t v = listing->checkpoints.front().version; v <= listing->latest_version; ++v) {
      if (!listing->HasCommits(0, v)) continue;
      auto from_checkpoint = table.Snapshot(v);
      auto from_json = json_table.Snapshot(v);
      ASSERT_OK(from_checkpoint) << v;
      ASSERT_OK(from_json) << v;
      ExpectSameSnapshot(**from_checkpoint, **from_json, "version " + std::to_string(v));
      EXPECT_EQ((*from_checkpoint)->timestamp_ms, (*from_json)->timestamp_ms) << v;
      ++compared_versions;
    }
  }
  EXPECT_GE(compared_checkpoints, 15);
  EXPECT_GE(compared_versions, 20);
  EXPECT_GT(parsed_stats, 0);  // some stats really came from stats_parsed
  EXPECT_GT(parsed_pv, 0);
}

// Checkpoints DuckDB wrote (bench/foreign_checkpoint_bench.py, tests/data/README.md): the
// same 3 000 adds, once snappy with PLAIN and dictionary pages (partitionValues is a
// dictionary-encoded map, modificationTime a dictionary of one value), once zstd with V2
// data pages and DELTA encodings; remove, txn, tags and deletionVector columns all null;
// then 3 JSON commits of 5 adds and 1 remove. The expected values are DuckDB's own reading.
TEST(DeltaCheckpointDuckDbTest, BothLayoutsReadAsDuckDbReadsThem) {
  const fs::path root = fs::path(LAKESHARE_TESTDATA_DIR) / "delta" / "duckdb";
  std::vector<std::shared_ptr<const TableSnapshot>> checkpoints, latest;
  for (const char* layout : {"checkpoint-snappy", "checkpoint-zstd-v2"}) {
    SCOPED_TRACE(layout);
    const std::string table = (root / layout).string();
    LocalStorage storage;
    ASSERT_OK_AND_ASSIGN(DeltaLogListing listing, ListDeltaLog(storage, table));
    ASSERT_EQ(listing.checkpoints.size(), 1u);
    ASSERT_OK_AND_ASSIGN(std::shared_ptr<const TableSnapshot> cp,
                         CheckpointSnapshot(table, listing.checkpoints.front(), {}));
    ASSERT_EQ(cp->files.size(), 3000u);
    EXPECT_EQ(cp->protocol.min_reader_version, 1);
    EXPECT_EQ(cp->protocol.min_writer_version, 2);
    EXPECT_EQ(cp->metadata.id, "c0ffee00-0000-4000-8000-000000000013");
    EXPECT_EQ(cp->metadata.partition_columns, std::vector<std::string>{"part"});
    EXPECT_EQ(cp->metadata.created_time, 1764979200000);
    int64_t sizes = 0;
    size_t stats_bytes = 0;
    for (size_t i = 0; i < cp->files.size(); ++i) {
      const DataFile& f = cp->files[i];
      sizes += f.size;
      ASSERT_TRUE(f.stats.has_value()) << f.path;
      stats_bytes += f.stats->size();
      EXPECT_EQ(f.modification_time, 1764979200000) << f.path;
      EXPECT_FALSE(f.deletion_vector) << f.path;
      EXPECT_FALSE(f.tags) << f.path;
      // The dictionary-encoded map agrees with the path's partition directory.
      const std::string dir(f.path.substr(0, f.path.find('/')));
      auto part = f.partition_values.find("part");
      ASSERT_NE(part, f.partition_values.end()) << f.path;
      EXPECT_EQ("part=" + part->second.value_or("?"), dir) << f.path;
    }
    // DuckDB: SELECT sum(add.size), sum(length(add.stats)) FROM read_parquet(...)
    EXPECT_EQ(sizes, 150632747155);
    EXPECT_EQ(stats_bytes, 530134u);
    // DuckDB's values of the checkpoint's 4th row.
    const DataFile* known = nullptr;
    for (size_t i = 0; i < cp->files.size(); ++i) {
      if (cp->files[i].path ==
          "part=52/part-00001-c4ca4238-a0b9-2382-0dcc-509a6f75849b.c000.snappy.parquet") {
        known = &cp->files[i];
      }
    }
    ASSERT_NE(known, nullptr);
    EXPECT_EQ(known->size, 57637815);
    EXPECT_EQ(known->stats.ToOptional().value_or(""),
              R"({"numRecords":21236,"minValues":{"id":377505,"value":0.767024,"name":"aaa40205"},)"
              R"("maxValues":{"id":382505,"value":1.5,"name":"zzz00001"},)"
              R"("nullCount":{"id":0,"value":5,"name":0}})");
    checkpoints.push_back(cp);

    // The latest version: checkpoint + 3 commits (15 adds, 3 removes).
    SnapshotCache none(0);
    DeltaTable delta(table, Local(), WithCache(&none));
    ASSERT_OK_AND_ASSIGN(std::shared_ptr<const TableSnapshot> last, delta.Snapshot(3));
    EXPECT_EQ(last->files.size(), 3012u);
    for (size_t i = 0; i < last->files.size(); ++i) EXPECT_NE(last->files[i].path, known->path);
    latest.push_back(last);
  }
  ASSERT_EQ(checkpoints.size(), 2u);
  ExpectSameSnapshot(*checkpoints[1], *checkpoints[0], "zstd-v2 vs snappy checkpoint");
  ExpectSameSnapshot(*latest[1], *latest[0], "zstd-v2 vs snappy at version 3");
}

TEST(DeltaCheckpointRealTest, TypedColumnsRenderAsTheLogWritesThem) {
  // delta-1.2.1-only-struct-stats: no stats string in the checkpoint, so the
  // stats come from stats_parsed (decimal, date, INT96 timestamp, structs).
  LocalStorage storage;
  std::string root = TestTable("delta-1.2.1-only-struct-stats");
  auto listing = ListDeltaLog(storage, root);
  ASSERT_OK(listing);
  auto snap = CheckpointSnapshot(root, listing->checkpoints.back(), {});
  ASSERT_OK(snap);
  bool seen = false;
  for (const DataFile& f : (*snap)->files) {
    if (f.path != "part-00000-7a509247-4f58-4453-9202-51d75dee59af-c000.snappy.parquet") continue;
    seen = true;
    ASSERT_TRUE(f.stats);
    EXPECT_NE(f.stats->find(R"("decimal":-5.67800)"), std::string::npos) << *f.stats;
    EXPECT_NE(f.stats->find(R"("date":"2022-10-24")"), std::string::npos) << *f.stats;
    EXPECT_NE(f.stats->find(R"("timestamp":"2022-10-24T22:59:)"), std::string::npos) << *f.stats;
    EXPECT_NE(f.stats->find(R"("nested_struct":{"struct_element":{"nested_struct_element":)"),
              std::string::npos)
        << *f.stats;
  }
  EXPECT_TRUE(seen);
  // checkpoint-cdf-table: partitionValues_parsed holds a date.
  root = TestTable("checkpoint-cdf-table");
  listing = ListDeltaLog(storage, root);
  ASSERT_OK(listing);
  auto typed = CheckpointSnapshot(root, listing->checkpoints.back(),
                                  {.prefer_parsed_partition_values = true});
  ASSERT_OK(typed);
  ASSERT_FALSE((*typed)->files.empty());
  for (const DataFile& f : (*typed)->files) {
    auto it = f.partition_values.find("birthday");
    ASSERT_TRUE(it != f.partition_values.end());
    ASSERT_TRUE(it->second.has_value());
    EXPECT_EQ(it->second->size(), 10u) << *it->second;
    EXPECT_NE(f.path.find("birthday=" + *it->second + "/"), std::string::npos) << f.path;
  }
}

TEST(DeltaCheckpointRealTest, VacuumedTableAgreesAcrossItsCheckpoints) {
  // checkpoints_vacuumed keeps commits 5..12 and checkpoints 5 and 10: the
  // state at 10 from checkpoint 5 + commits 6..10 equals checkpoint 10.
  const std::string root = TestTable("checkpoints_vacuumed");
  LocalStorage storage;
  auto listing = ListDeltaLog(storage, root);
  ASSERT_OK(listing);
  ASSERT_EQ(listing->checkpoints.size(), 2u);
  auto at5 = CheckpointSnapshot(root, listing->checkpoints[0], {});
  auto at10 = CheckpointSnapshot(root, listing->checkpoints[1], {});
  ASSERT_OK(at5);
  ASSERT_OK(at10);
  DeltaLogReplay replay(*at5);
  for (int64_t v = 6; v <= 10; ++v) {
    const DeltaLogFile* commit = listing->FindCommit(v);
    ASSERT_NE(commit, nullptr);
    auto parsed = ParseDeltaCommit(*storage.Read(commit->info.path), commit->info.path);
    ASSERT_OK(parsed);
    ASSERT_OK(replay.Apply(v, std::move(*parsed), commit->info));
  }
  auto replayed = std::move(replay).Finish();
  ASSERT_OK(replayed);
  ExpectSameSnapshot(**at10, **replayed, "checkpoint 10 vs 5 + commits");
  EXPECT_EQ((*at10)->files.size(), 10u);
}

// ---------------------------------------------------------------------------
// Checkpoints we write.

DataFile File(const std::string& path, int64_t size, std::optional<std::string> part = {}) {
  DataFile f;
  f.path = path;
  f.size = size;
  f.modification_time = 1000 + size;
  f.data_change = true;
  if (part) f.partition_values["p"] = *part;
  f.stats = R"({"numRecords":)" + std::to_string(size) + R"(,"minValues":{"x":1}})";
  return f;
}

TableProtocol Protocol() {
  TableProtocol p;
  p.min_reader_version = 1;
  p.min_writer_version = 2;
  return p;
}

TableMetadata Metadata() {
  TableMetadata m;
  m.id = "test-id";
  m.schema_string = R"({"type":"struct","fields":[]})";
  m.partition_columns = {"p"};
  m.configuration = {{"delta.checkpointInterval", "2"}};
  m.created_time = 1000;
  return m;
}

// A table with commits 0..4 (a1..a5 added, a2 removed at 3), whose states we
// know, for checkpoints of our own making.
struct KnownTable {
  TempTable t{"cp"};
  KnownTable() {
    t.WriteCommit(
        0, CommitInfoJson() + ProtocolJson() + MetadataJson("{}", R"(["p"])") + AddJson("a1", 1));
    for (int v = 1; v <= 4; ++v) {
      std::string c = CommitInfoJson() + AddJson("a" + std::to_string(v + 1), v + 1);
      if (v == 3) c += RemoveJson("a2");
      t.WriteCommit(v, c);
    }
  }
  std::vector<DataFile> FilesAt(int64_t v) const {
    std::vector<DataFile> out;
    for (int i = 1; i <= v + 1; ++i) {
      if (i == 2 && v >= 3) continue;
      out.push_back(File("a" + std::to_string(i), i));
    }
    return out;
  }
  void WriteCheckpoint(int64_t v, const std::vector<DataFile>& files, int parts = 1,
                       bool write_all_parts = true) const {
    TableProtocol p = Protocol();
    TableMetadata m = Metadata();
    for (int part = 1; part <= parts; ++part) {
      if (!write_all_parts && part == parts) break;
      std::vector<DataFile> mine;
      for (size_t i = 0; i < files.size(); ++i) {
        if (static_cast<int>(i % static_cast<size_t>(parts)) == part - 1) mine.push_back(files[i]);
      }
      auto bytes = WriteCheckpointParquet(part == 1 ? &p : nullptr, part == 1 ? &m : nullptr, mine,
                                          {.rows_per_row_group = 2});
      ASSERT_OK(bytes);
      char name[96];
      if (parts == 1) {
        std::snprintf(name, sizeof(name), "%020lld.checkpoint.parquet", static_cast<long long>(v));
      } else {
        std::snprintf(name, sizeof(name), "%020lld.checkpoint.%010d.%010d.parquet",
                      static_cast<long long>(v), part, parts);
      }
      t.WriteLogFile(name, *bytes);
    }
  }
};

std::vector<std::string> PathsOf(const TableSnapshot& s) {
  std::vector<std::string> out;
  for (const DataFile& f : s.files) out.push_back(f.path.str());
  return out;
}

std::vector<std::string> Names(const std::vector<DataFile>& files) {
  std::vector<std::string> out;
  for (const DataFile& f : files) out.push_back(f.path.str());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DeltaCheckpointWrittenTest, RoundTripOfOurOwnCheckpoint) {
  KnownTable k;
  std::vector<DataFile> files = k.FilesAt(4);
  files[0].partition_values["p"] = std::nullopt;
  files[1].partition_values["p"] = "x=1";
  files[2].deletion_vector = DeletionVector{"u", "ab^-aqEH.-t@S}K{vb[*k^", 1, 34, 3};
  files[3].stats.reset();
  files[1].tags = std::map<std::string, std::string>{{"INSERTION_TIME", "1"}, {"k", "v"}};
  TableProtocol p = Protocol();
  TableMetadata m = Metadata();
  auto bytes = WriteCheckpointParquet(&p, &m, files, {.rows_per_row_group = 3});
  ASSERT_OK(bytes);
  k.t.WriteLogFile("00000000000000000004.checkpoint.parquet", *bytes);
  LocalStorage storage;
  auto listing = ListDeltaLog(storage, k.t.root());
  ASSERT_OK(listing);
  auto c = ReadDeltaCheckpoint(storage, listing->log_dir, listing->checkpoints.back());
  ASSERT_OK(c);
  EXPECT_EQ(c->files.size(), 2u);  // one group per row group of adds
  std::vector<DataFile> read;
  for (auto& group : c->files) {
    for (DataFile& f : std::move(group).Take()) read.push_back(std::move(f));
  }
  EXPECT_EQ(c->metadata->partition_columns, m.partition_columns);
  EXPECT_EQ(c->metadata->configuration, m.configuration);
  EXPECT_EQ(c->metadata->created_time, 1000);
  ASSERT_EQ(read.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(read[i].path, files[i].path);
    EXPECT_EQ(read[i].size, files[i].size);
    EXPECT_EQ(read[i].modification_time, files[i].modification_time);
    EXPECT_TRUE(read[i].partition_values == files[i].partition_values) << i;
    EXPECT_EQ(read[i].stats, files[i].stats);
    EXPECT_EQ(DvText(read[i].deletion_vector), DvText(files[i].deletion_vector));
    EXPECT_TRUE(read[i].tags == files[i].tags) << i;
  }
}

// A checkpoint's paths and stats stay in its decoded pages (PLAIN values
// are texts as they lie), and the snapshot keeps those pages: the same texts
// after the checkpoint file is gone.
TEST(DeltaCheckpointWrittenTest, TextsStayInTheDecodedPages) {
  KnownTable k;
  std::vector<DataFile> files = k.FilesAt(4);
  TableProtocol p = Protocol();
  TableMetadata m = Metadata();
  auto bytes = WriteCheckpointParquet(&p, &m, files, {.rows_per_row_group = 2});
  ASSERT_OK(bytes);
  const std::string name = "00000000000000000004.checkpoint.parquet";
  k.t.WriteLogFile(name, *bytes);
  LocalStorage storage;
  auto listing = ListDeltaLog(storage, k.t.root());
  ASSERT_OK(listing);
  auto c = ReadDeltaCheckpoint(storage, listing->log_dir, listing->checkpoints.back());
  ASSERT_OK(c);
  for (const LoadedFiles& g : c->files) {
    EXPECT_FALSE(g.pages.empty());
    for (const DataFile& f : g.files) {
      EXPECT_TRUE(f.path.in_arena()) << f.path;
      if (f.stats) {
        EXPECT_TRUE(f.stats.in_arena()) << f.path;
      }
    }
  }
  std::filesystem::remove(k.t.log_dir() / name);
  auto s = SnapshotOf(4, 0, std::move(*c->protocol), std::move(*c->metadata), std::move(c->files));
  ASSERT_OK(s);
  std::vector<DataFile> want = files;
  std::sort(want.begin(), want.end(), FileOrder);
  ASSERT_EQ((*s)->files.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ((*s)->files[i].path, want[i].path);
    EXPECT_EQ((*s)->files[i].stats, want[i].stats);
    EXPECT_TRUE((*s)->files[i].path.in_arena());
  }
  for (const FileList::ChunkPtr& chunk : (*s)->files.chunks()) EXPECT_NE(chunk->pages, nullptr);
}

TEST(DeltaCheckpointWrittenTest, MultiPartCompleteAndIncomplete) {
  KnownTable k;
  k.WriteCheckpoint(1, k.FilesAt(1));
  k.WriteCheckpoint(3, k.FilesAt(3), 3, /*write_all_parts=*/false);  // part 3 of 3 missing
  SnapshotCache none(0);
  // Commit 0 gone: only checkpoints can rebuild the table.
  fs::remove(k.t.commit_path(0));
  DeltaTable table(k.t.root(), Local(), WithCache(&none));
  // The incomplete checkpoint at 3 is skipped: 1 + commits 2..4.
  auto s = table.Snapshot(std::nullopt);
  ASSERT_OK(s);
  EXPECT_EQ(PathsOf(**s), Names(k.FilesAt(4)));
  auto s3 = table.Snapshot(3);
  ASSERT_OK(s3);
  EXPECT_EQ(PathsOf(**s3), Names(k.FilesAt(3)));
  // With every part there it is used (commit 2 gone proves it).
  k.WriteCheckpoint(3, k.FilesAt(3), 3);
  fs::remove(k.t.commit_path(2));
  auto again = table.Snapshot(std::nullopt);
  ASSERT_OK(again);
  EXPECT_EQ(PathsOf(**again), Names(k.FilesAt(4)));
  EXPECT_EQ(table.Snapshot(2).status().code(), StatusCode::kCorruption);  // needs commit 2
}

TEST(DeltaCheckpointWrittenTest, LatestVersionOnlyACheckpoint) {
  // Commit 4 gone, its checkpoint there: 4 from the checkpoint, 3 from the
  // checkpoint at 2 + commit 3 (no timeline to consult: its time is kept).
  KnownTable k;
  k.WriteCheckpoint(2, k.FilesAt(2));
  k.WriteCheckpoint(4, k.FilesAt(4));
  fs::remove(k.t.commit_path(4));
  SnapshotCache none(0);
  DeltaTable table(k.t.root(), Local(), WithCache(&none));
  for (int64_t v : {2, 3, 4}) {
    auto s = table.Snapshot(v);
    ASSERT_OK(s) << v;
    EXPECT_EQ(PathsOf(**s), Names(k.FilesAt(v))) << v;
  }
  EXPECT_EQ(*table.LatestVersion(), 4);
  EXPECT_EQ(table.CommitTimestamps().status().code(), StatusCode::kUnsupported);
}

TEST(DeltaCheckpointWrittenTest, LastCheckpointIsOnlyAHint) {
  for (std::string last : {std::string("garbage{"), LastCheckpointJson(1, 3, 10, 2),
                           LastCheckpointJson(3, 9, 10, 1000000, 7), LastCheckpointJson(9, 3, 1, 1),
                           std::string(R"({"version":-3})"), std::string()}) {
    SCOPED_TRACE(last);
    KnownTable k;
    k.WriteCheckpoint(1, k.FilesAt(1));
    k.WriteCheckpoint(3, k.FilesAt(3));
    fs::remove(k.t.commit_path(0));
    fs::remove(k.t.commit_path(2));  // only checkpoint 3 can give 3 and 4
    if (!last.empty()) k.t.WriteLogFile("_last_checkpoint", last);
    SnapshotCache none(0);
    DeltaTable table(k.t.root(), Local(), WithCache(&none));
    auto s = table.Snapshot(std::nullopt);
    ASSERT_OK(s);
    EXPECT_EQ(PathsOf(**s), Names(k.FilesAt(4)));
    auto s1 = table.Snapshot(1);
    ASSERT_OK(s1);
    EXPECT_EQ(PathsOf(**s1), Names(k.FilesAt(1)));
  }
  auto hint = ParseLastCheckpoint(LastCheckpointJson(3, 9, 10, 5, 2), "_last_checkpoint");
  ASSERT_OK(hint);
  EXPECT_EQ(hint->version, 3);
  EXPECT_EQ(hint->parts, 2);
  EXPECT_EQ(hint->num_of_add_files, 5);
  EXPECT_EQ(ParseLastCheckpoint("[1]", "_last_checkpoint").status().code(),
            StatusCode::kCorruption);
}

TEST(DeltaCheckpointWrittenTest, V2CheckpointWithSidecars) {
  KnownTable k;
  std::vector<DataFile> files = k.FilesAt(3);
  fs::create_directories(k.t.log_dir() / "_sidecars");
  std::vector<DataFile> first(files.begin(), files.begin() + 2),
      rest(files.begin() + 2, files.end());
  std::string sidecars;
  int n = 0;
  for (const auto* part : {&first, &rest}) {
    auto bytes = WriteCheckpointParquet(nullptr, nullptr, *part);
    ASSERT_OK(bytes);
    std::string name = "sidecar-" + std::to_string(++n) + ".parquet";
    std::ofstream(k.t.log_dir() / "_sidecars" / name, std::ios::binary) << *bytes;
    sidecars += R"({"sidecar":{"path":")" + name + R"(","sizeInBytes":)" +
                std::to_string(bytes->size()) +
                R"(,"modificationTime":1}})"
                "\n";
  }
  const std::string v2 =
      "00000000000000000003.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json";
  auto write_top = [&](const std::string& extra) {
    k.t.WriteLogFile(v2, R"({"checkpointMetadata":{"version":3}})"
                         "\n" +
                             ProtocolJson(3, 7) + MetadataJson("{}", R"(["p"])") + sidecars +
                             extra);
  };
  write_top("");
  fs::remove(k.t.commit_path(0));
  fs::remove(k.t.commit_path(2));
  SnapshotCache none(0);
  DeltaTable table(k.t.root(), Local(), WithCache(&none));
  auto s = table.Snapshot(3);
  ASSERT_OK(s);
  EXPECT_EQ(PathsOf(**s), Names(files));
  EXPECT_EQ((*s)->protocol.min_reader_version, 3);
  auto latest = table.Snapshot(std::nullopt);
  ASSERT_OK(latest);
  EXPECT_EQ(PathsOf(**latest), Names(k.FilesAt(4)));

  // Two V2 checkpoints of version 3 (a lost race): the listing would take
  // the first by name, which is broken; _last_checkpoint names the winner.
  const std::string loser =
      "00000000000000000003.checkpoint.00000000-0000-4000-8000-000000000000.json";
  k.t.WriteLogFile(loser, "not json\n");
  EXPECT_EQ(table.Snapshot(3).status().code(), StatusCode::kCorruption);
  k.t.WriteLogFile("_last_checkpoint",
                   R"({"version":3,"size":5,"v2Checkpoint":{"path":")" + v2 + R"("}})");
  auto hinted = table.Snapshot(3);
  ASSERT_OK(hinted);
  EXPECT_EQ(PathsOf(**hinted), Names(files));
  fs::remove(k.t.log_dir() / loser);

  // A missing sidecar, a sidecar outside _sidecars, a version mismatch:
  // kCorruption naming the checkpoint relative to the table.
  fs::rename(k.t.log_dir() / "_sidecars" / "sidecar-2.parquet", k.t.log_dir() / "moved.parquet");
  auto missing = table.Snapshot(3);
  EXPECT_EQ(missing.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(missing.status(), "_delta_log/" + v2)) << missing.status();
  EXPECT_TRUE(Contains(missing.status(), "sidecar-2.parquet")) << missing.status();
  EXPECT_FALSE(Contains(missing.status(), k.t.root())) << missing.status();
  sidecars += R"({"sidecar":{"path":"../moved.parquet","sizeInBytes":1}})"
              "\n";
  write_top("");
  EXPECT_EQ(table.Snapshot(3).status().code(), StatusCode::kCorruption);
  sidecars.clear();
  k.t.WriteLogFile(v2, R"({"checkpointMetadata":{"version":2}})"
                       "\n" +
                           ProtocolJson() + MetadataJson());
  auto mismatch = table.Snapshot(3);
  EXPECT_EQ(mismatch.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(Contains(mismatch.status(), "checkpointMetadata")) << mismatch.status();
}

TEST(DeltaCheckpointWrittenTest, DamagedCheckpointsAreCorruptionNotCrashes) {
  KnownTable k;
  k.WriteCheckpoint(3, k.FilesAt(3));
  fs::remove(k.t.commit_path(0));
  const fs::path cp = k.t.log_dir() / "00000000000000000003.checkpoint.parquet";
  std::string good;
  {
    std::ifstream in(cp, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    good = ss.str();
  }
  SnapshotCache none(0);
  DeltaTable table(k.t.root(), Local(), WithCache(&none));
  ASSERT_OK(table.Snapshot(3));
  std::mt19937 rng(7);
  int corrupt = 0;
  for (int i = 0; i < 300; ++i) {
    std::string bad = good;
    if (i < 60) {
      bad.resize(rng() % good.size());  // truncated
    } else {
      for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips) {
        bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
      }
    }
    k.t.WriteLogFile(cp.filename().string(), bad);
    auto s = table.Snapshot(3);
    if (s.ok()) continue;  // a flip in a value: still a well-formed file
    ++corrupt;
    EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << s.status();
    EXPECT_TRUE(Contains(s.status(), "_delta_log/00000000000000000003.checkpoint.parquet"))
        << s.status();
    EXPECT_FALSE(Contains(s.status(), k.t.root())) << s.status();
  }
  EXPECT_GE(corrupt, 60);
}

TEST(DeltaCheckpointWrittenTest, IncrementalRefreshAcrossACheckpoint) {
  KnownTable k;
  k.WriteCheckpoint(2, k.FilesAt(2));
  SnapshotCache cache;
  DeltaTable table(k.t.root(), Local(), WithCache(&cache));
  auto s4 = table.Snapshot(std::nullopt);
  ASSERT_OK(s4);
  // A new commit: the cached 4 is brought forward (a5 replaced, a6 added).
  k.t.WriteCommit(5, AddJson("a6", 6) + AddJson("a5", 55));
  auto s5 = table.Snapshot(std::nullopt);
  ASSERT_OK(s5);
  std::vector<std::string> want = Names(k.FilesAt(4));
  want.push_back("a6");
  EXPECT_EQ(PathsOf(**s5), want);
  for (const DataFile& f : (*s5)->files) {
    if (f.path == "a5") {
      EXPECT_EQ(f.size, 55);
    }
  }
  // The same state cold, from the checkpoint.
  SnapshotCache none(0);
  DeltaTable cold(k.t.root(), Local(), WithCache(&none));
  auto c5 = cold.Snapshot(std::nullopt);
  ASSERT_OK(c5);
  ExpectSameSnapshot(**s5, **c5, "incremental vs cold");
  EXPECT_EQ((*s5)->timestamp_ms, (*c5)->timestamp_ms);
}

TEST(DeltaCheckpointWrittenTest, LargeIncrementalMergesKeepTheOrder) {
  // Thousands of files in many chunks; commits adding, replacing and
  // removing files everywhere: the incremental result equals a cold replay.
  TempTable t("merge");
  std::mt19937 rng(11);
  std::vector<std::string> names;
  std::string c0 = CommitInfoJson() + ProtocolJson() + MetadataJson();
  for (int i = 0; i < 5000; ++i) {
    names.push_back("f" + std::to_string(rng() % 100000) + (i % 7 == 0 ? "%20x" : ""));
    c0 += AddJson(names.back(), i);
  }
  t.WriteCommit(0, c0);
  SnapshotCache cache;
  DeltaTable table(t.root(), Local(), WithCache(&cache));
  ASSERT_OK(table.Snapshot(std::nullopt));
  for (int v = 1; v <= 6; ++v) {
    std::string c = CommitInfoJson();
    for (int j = 0; j < 300; ++j) {
      switch (rng() % 3) {
        case 0:
          c += AddJson("g" + std::to_string(rng() % 100000), j);
          break;
        case 1:
          c += RemoveJson(names[rng() % names.size()]);
          break;
        default:
          c += AddJson(names[rng() % names.size()], 7000 + j);
          break;
      }
    }
    t.WriteCommit(v, c);
    auto warm = table.Snapshot(std::nullopt);
    ASSERT_OK(warm);
    SnapshotCache none(0);
    DeltaTable cold(t.root(), Local(), WithCache(&none));
    auto want = cold.Snapshot(std::nullopt);
    ASSERT_OK(want);
    ExpectSameSnapshot(**warm, **want, "version " + std::to_string(v));
    for (size_t i = 1; i < (*warm)->files.size(); ++i) {
      ASSERT_TRUE(FileOrder((*warm)->files[i - 1], (*warm)->files[i])) << i;
    }
  }
}

}  // namespace
}  // namespace lakeshare

namespace lakeshare {
namespace {

TEST(SyntheticTableTest, GeneratedTableLoadsFromItsCheckpoint) {
  TempTable t("synthetic");
  fs::remove_all(t.log_dir());
  SyntheticTableOptions options;
  options.files = 3000;
  options.commits = 7;
  options.rows_per_row_group = 1000;
  options.adds_per_commit = 4;
  options.removes_per_commit = 3;
  auto summary = GenerateSyntheticTable(t.root(), options);
  ASSERT_OK(summary);
  EXPECT_EQ(summary->latest_version, 7);
  EXPECT_EQ(summary->active_files, 3000 + 7 * (4 - 3));
  // A second run into the same folder is refused.
  EXPECT_EQ(GenerateSyntheticTable(t.root(), options).status().code(),
            StatusCode::kFailedPrecondition);

  SnapshotCache none(0);
  DeltaTable table(t.root(), Local(), WithCache(&none));
  auto s = table.Snapshot(std::nullopt);
  ASSERT_OK(s);
  EXPECT_EQ((*s)->version, 7);
  EXPECT_EQ(static_cast<int64_t>((*s)->files.size()), summary->active_files);
  EXPECT_EQ((*s)->metadata.partition_columns, std::vector<std::string>{"date"});
  size_t stats_bytes = 0;
  for (const DataFile& f : (*s)->files) {
    ASSERT_TRUE(f.stats);
    stats_bytes += f.stats->size();
    auto date = f.partition_values.find("date");
    ASSERT_TRUE(date != f.partition_values.end() && date->second);
    EXPECT_EQ(f.path.rfind("date=" + *date->second + "/part-", 0), 0u) << f.path;
    json::parse(*f.stats);  // valid JSON
  }
  const double avg = static_cast<double>(stats_bytes) / static_cast<double>((*s)->files.size());
  EXPECT_GT(avg, 150);
  EXPECT_LT(avg, 260);
  // Every version from the checkpoint on; commit timestamps a minute apart.
  auto ts = table.CommitTimestamps();
  ASSERT_OK(ts);
  ASSERT_EQ(ts->size(), 7u);
  EXPECT_EQ((*ts)[1].timestamp_ms - (*ts)[0].timestamp_ms, 60000);
  auto v0 = table.Snapshot(0);
  ASSERT_OK(v0);
  EXPECT_EQ((*v0)->files.size(), 3000u);
  // The same seed writes the same table.
  TempTable again("synthetic");
  fs::remove_all(again.log_dir());
  ASSERT_OK(GenerateSyntheticTable(again.root(), options));
  auto same = DeltaTable(again.root(), Local(), WithCache(&none)).Snapshot(7);
  ASSERT_OK(same);
  EXPECT_EQ(PathsOf(**same), PathsOf(**s));
}

TEST(SnapshotCacheTest, ConcurrentRequestsShareOneLoad) {
  KnownTable k;
  k.WriteCheckpoint(2, k.FilesAt(2));
  SnapshotCache cache;
  DeltaTable table(k.t.root(), Local(), WithCache(&cache));
  std::vector<std::shared_ptr<const TableSnapshot>> got(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      auto s = table.Snapshot(4);
      if (s.ok()) got[i] = *s;
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& s : got) {
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s.get(), got[0].get());  // one load, shared
  }
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SnapshotCacheTest, SharedBetweenTablesAndBoundedByBytes) {
  KnownTable a, b;
  SnapshotCache cache;
  DeltaTable ta(a.t.root(), Local(), WithCache(&cache));
  DeltaTable tb(b.t.root(), Local(), WithCache(&cache));
  auto sa = ta.Snapshot(std::nullopt);
  auto sb = tb.Snapshot(std::nullopt);
  ASSERT_OK(sa);
  ASSERT_OK(sb);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.bytes(), EstimateSnapshotBytes(**sa) + EstimateSnapshotBytes(**sb));
  // Shrinking the bound evicts the least recently used (table a's).
  ASSERT_OK(tb.Snapshot(std::nullopt));
  cache.SetCapacity(EstimateSnapshotBytes(**sb));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(tb.Snapshot(std::nullopt)->get(), sb->get());
  EXPECT_NE(ta.Snapshot(std::nullopt)->get(), sa->get());
}

TEST(SnapshotCacheTest, EstimateGrowsWithTheFiles) {
  std::vector<DataFile> few, many;
  for (int i = 0; i < 10; ++i) few.push_back(File("f" + std::to_string(i), i));
  for (int i = 0; i < 10000; ++i) many.push_back(File("f" + std::to_string(i), i));
  auto small = SnapshotOf(1, 0, Protocol(), Metadata(), {std::move(few)});
  auto large = SnapshotOf(1, 0, Protocol(), Metadata(), {std::move(many)});
  ASSERT_OK(small);
  ASSERT_OK(large);
  const int64_t per_file = (EstimateSnapshotBytes(**large) - EstimateSnapshotBytes(**small)) / 9990;
  EXPECT_GT(per_file, static_cast<int64_t>(sizeof(DataFile)));
  EXPECT_LT(per_file, 1000);
}

}  // namespace
}  // namespace lakeshare
