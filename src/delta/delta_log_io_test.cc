// What DeltaTable asks of its Storage, counted as an object store would
// count requests: the log listed from the known checkpoint on (and in full
// only when needed), commit files read in parallel and each once, parquet
// checkpoints read by ranges. Every answer is also compared with a replay of
// the JSON commits alone.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "delta/delta_checkpoint.h"
#include "delta/delta_checkpoint_writer.h"
#include "delta/delta_table.h"
#include "delta/delta_test_util.h"
#include "demo/synthetic_delta_table.h"
#include "storage/local_storage.h"
#include "testing/counting_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
using testing::AddJson;
using testing::CommitInfoJson;
using testing::CountingStorage;
using testing::MetadataJson;
using testing::ProtocolJson;
using testing::RemoveJson;
using testing::TempTable;

constexpr int64_t kT0 = 1700000000000;

std::string FileName(int64_t v) {
  std::string name = std::to_string(v);
  if (name.size() < 4) name.insert(0, 4 - name.size(), '0');
  return "f" + name;
}

std::string CheckpointName(int64_t v) { return DeltaVersionPrefix(v) + ".checkpoint.parquet"; }

// A log whose commit v adds file f<v> (and every fourth removes an earlier
// one), with checkpoints written from its own JSON replay.
struct LogTable {
  TempTable t{"io"};
  int64_t latest = -1;
  // Commit times: a second apart, or all equal (then the timestamps of later
  // commits depend on the earlier ones).
  bool same_mtime = false;

  void Commit() {
    ++latest;
    std::string c = CommitInfoJson();
    if (latest == 0) c += ProtocolJson() + MetadataJson();
    c += AddJson(FileName(latest), 100 + latest);
    if (latest % 4 == 3) c += RemoveJson(FileName(latest - 2));
    // Written aside, then renamed: commits appear whole, as on a store.
    t.WriteLogFile(".tmp", c, same_mtime ? kT0 : kT0 + latest * 1000);
    fs::rename(t.log_dir() / ".tmp", t.commit_path(latest));
  }
  void Commits(int n) {
    for (int i = 0; i < n; ++i) Commit();
  }
  std::shared_ptr<const TableSnapshot> Replayed(int64_t v) const {
    SnapshotCache none(0);
    DeltaTable json(t.root(), std::make_shared<LocalStorage>(),
                    DeltaTableOptions{.cache = &none, .use_checkpoints = false});
    auto s = json.Snapshot(v);
    EXPECT_OK(s);
    return s.ok() ? *s : nullptr;
  }
  // A classic checkpoint of version v (`parts` > 1: multi-part, the last
  // part left out when `complete` is false).
  void Checkpoint(int64_t v, int parts = 1, bool complete = true,
                  int64_t rows_per_row_group = 3) const {
    auto s = Replayed(v);
    ASSERT_NE(s, nullptr);
    std::vector<DataFile> files(s->files.begin(), s->files.end());
    for (int part = 1; part <= parts; ++part) {
      if (!complete && part == parts) break;
      std::vector<DataFile> mine;
      for (size_t i = 0; i < files.size(); ++i) {
        if (static_cast<int>(i % static_cast<size_t>(parts)) == part - 1) mine.push_back(files[i]);
      }
      auto bytes = WriteCheckpointParquet(part == 1 ? &s->protocol : nullptr,
                                          part == 1 ? &s->metadata : nullptr, mine,
                                          {.rows_per_row_group = rows_per_row_group});
      ASSERT_OK(bytes);
      std::string name = CheckpointName(v);
      if (parts > 1) {
        char suffix[48];
        std::snprintf(suffix, sizeof(suffix), ".checkpoint.%010d.%010d.parquet", part, parts);
        name = DeltaVersionPrefix(v) + suffix;
      }
      t.WriteLogFile(".tmp", *bytes);
      fs::rename(t.log_dir() / ".tmp", t.log_dir() / name);
    }
  }
  void Hint(int64_t v) const { t.WriteLogFile("_last_checkpoint", LastCheckpointJson(v, 3, 1, 1)); }
};

void ExpectSame(const std::shared_ptr<const TableSnapshot>& got,
                const std::shared_ptr<const TableSnapshot>& want, const std::string& ctx) {
  ASSERT_NE(got, nullptr) << ctx;
  ASSERT_NE(want, nullptr) << ctx;
  EXPECT_EQ(got->version, want->version) << ctx;
  EXPECT_EQ(got->timestamp_ms, want->timestamp_ms) << ctx;
  EXPECT_EQ(got->metadata.id, want->metadata.id) << ctx;
  ASSERT_EQ(got->files.size(), want->files.size()) << ctx;
  for (size_t i = 0; i < got->files.size(); ++i) {
    EXPECT_EQ(got->files[i].path, want->files[i].path) << ctx;
    EXPECT_EQ(got->files[i].size, want->files[i].size) << ctx;
  }
}

std::shared_ptr<const TableSnapshot> Must(DeltaTable& table,
                                          std::optional<int64_t> version = std::nullopt) {
  auto s = table.Snapshot(version);
  EXPECT_OK(s) << version.value_or(-1);
  return s.ok() ? *s : nullptr;
}

std::vector<std::string> Strings(std::initializer_list<std::string> s) { return s; }

TEST(DeltaLogIoTest, ListsFromTheCheckpointOn) {
  LogTable k;
  k.Commits(31);  // 0..30
  k.Checkpoint(20);
  k.Hint(20);
  auto storage = std::make_shared<CountingStorage>();
  SnapshotCache cache;
  DeltaTable table(k.t.root(), storage, DeltaTableOptions{.cache = &cache});

  // First contact: _last_checkpoint, then the log from its checkpoint on:
  // commits 20..30, the checkpoint and _last_checkpoint.
  EXPECT_EQ(*table.LatestVersion(), 30);
  auto c = storage->Take();
  EXPECT_EQ(c.read, Strings({"_last_checkpoint"}));
  EXPECT_EQ(c.lists, 0);
  ASSERT_EQ(c.lists_after, 1);
  EXPECT_EQ(c.starts[0], DeltaVersionPrefix(20));
  EXPECT_EQ(c.listed, 13);
  // Then one listing per call, nothing read.
  EXPECT_EQ(*table.LatestVersion(), 30);
  c = storage->Take();
  EXPECT_EQ(c.requests(), 1);
  EXPECT_EQ(c.lists_after, 1);
  EXPECT_EQ(c.listed, 13);

  // Cold snapshot. Commit 20 is still there, so the checkpoint's timestamp
  // is its timeline one: the whole log is listed once and the commits up to
  // 20 read for their headers; then the checkpoint and commits 21..30.
  ExpectSame(Must(table), k.Replayed(30), "cold");
  c = storage->Take();
  EXPECT_EQ(c.lists, 1);
  EXPECT_EQ(c.lists_after, 1);
  EXPECT_EQ(c.reads, 0);  // ranged reads only
  EXPECT_GE(c.ReadsOf(".checkpoint.parquet"), 1);
  for (int64_t v = 0; v <= 30; ++v) EXPECT_EQ(c.ReadsOf(DeltaCommitFileName(v)), 1) << v;

  // A new commit: one listing from the checkpoint, one commit read.
  k.Commit();  // 31
  ExpectSame(Must(table), k.Replayed(31), "refresh");
  c = storage->Take();
  EXPECT_EQ(c.requests(), 2);
  EXPECT_EQ(c.lists_after, 1);
  EXPECT_EQ(c.starts.back(), DeltaVersionPrefix(20));
  EXPECT_EQ(c.read, Strings({DeltaCommitFileName(31)}));
  EXPECT_EQ(c.listed, 14);

  // Before the checkpoint: the older part kept from the full listing serves
  // (no second full listing); commits 0..5 replayed.
  ExpectSame(Must(table, 5), k.Replayed(5), "version 5");
  c = storage->Take();
  EXPECT_EQ(c.lists, 0);
  EXPECT_EQ(c.lists_after, 1);
  EXPECT_EQ(c.range_reads, 6);
  auto timestamps = table.CommitTimestamps();
  ASSERT_OK(timestamps);
  EXPECT_EQ(timestamps->size(), 32u);
  c = storage->Take();
  EXPECT_EQ(c.requests(), 1);  // every header is known by now

  // A new checkpoint at 32. The cached 31 is before it and one commit away,
  // so listings start at 31 (it stays usable) until 32 is cached.
  k.Commit();
  k.Checkpoint(32);
  k.Hint(32);
  EXPECT_EQ(*table.LatestVersion(), 32);
  ExpectSame(Must(table), k.Replayed(32), "across the new checkpoint");
  c = storage->Take();
  EXPECT_EQ(c.starts, Strings({DeltaVersionPrefix(20), DeltaVersionPrefix(31)}));
  EXPECT_EQ(c.read, Strings({DeltaCommitFileName(32)}));  // not the checkpoint
  // With 32 cached, the next listing after this one starts at its checkpoint.
  EXPECT_EQ(*table.LatestVersion(), 32);
  EXPECT_EQ(*table.LatestVersion(), 32);
  c = storage->Take();
  EXPECT_EQ(c.starts, Strings({DeltaVersionPrefix(31), DeltaVersionPrefix(32)}));
  EXPECT_EQ(c.listed, 4 + 3);  // then: commit 32, its checkpoint, _last_checkpoint
}

TEST(DeltaLogIoTest, ListingsStayBoundedAsTheLogGrows) {
  // Commits keep coming and a checkpoint every 10: each refresh lists at
  // most the commits since the checkpoint before the newest one.
  LogTable k;
  k.Commits(5);
  auto storage = std::make_shared<CountingStorage>();
  SnapshotCache cache;
  DeltaTable table(k.t.root(), storage, DeltaTableOptions{.cache = &cache});
  Must(table);
  int64_t max_listed = 0;
  for (int i = 0; i < 60; ++i) {
    k.Commit();
    if (k.latest % 10 == 0) {
      k.Checkpoint(k.latest);
      k.Hint(k.latest);
    }
    storage->Take();
    auto s = Must(table);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->version, k.latest);
    auto c = storage->Take();
    if (k.latest >= 12) {
      EXPECT_EQ(c.lists, 0) << k.latest;
      EXPECT_EQ(c.lists_after, 1) << k.latest;
      EXPECT_EQ(c.ReadsOf(".checkpoint"), 0) << k.latest;  // brought forward
      EXPECT_EQ(c.range_reads, 1) << k.latest;
      max_listed = std::max(max_listed, c.listed);
    }
  }
  EXPECT_LE(max_listed, 2 * 11 + 1);  // commits + checkpoints of two intervals, the hint
  ExpectSame(Must(table), k.Replayed(k.latest), "latest");
  for (int64_t v : {0, 9, 10, 11, 35, 64}) ExpectSame(Must(table, v), k.Replayed(v), "old");
}

TEST(DeltaLogIoTest, LastCheckpointIsOnlyAHint) {
  struct Case {
    std::string name;
    std::function<void(LogTable&)> setup;
    bool full_listing;  // on first contact
  };
  const std::vector<Case> cases = {
      {"missing", [](LogTable&) {}, true},
      {"garbage", [](LogTable& k) { k.t.WriteLogFile("_last_checkpoint", "{\"version\":"); }, true},
      {"names a checkpoint that is gone", [](LogTable& k) { k.Hint(10); }, true},
      {"names an incomplete multi-part checkpoint",
       [](LogTable& k) {
         k.Checkpoint(15, 3, /*complete=*/false);
         k.Hint(15);
       },
       true},
      {"names an older checkpoint",
       [](LogTable& k) {
         k.Checkpoint(10);
         k.Hint(10);
       },
       false},
      {"points past the log", [](LogTable& k) { k.Hint(99); }, true},
      {"current", [](LogTable& k) { k.Hint(20); }, false},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    LogTable k;
    k.Commits(26);
    k.Checkpoint(20);
    tc.setup(k);
    auto storage = std::make_shared<CountingStorage>();
    SnapshotCache none(0);
    DeltaTable table(k.t.root(), storage, DeltaTableOptions{.cache = &none});
    EXPECT_EQ(*table.LatestVersion(), 25);
    auto c = storage->Take();
    EXPECT_EQ(c.read, Strings({"_last_checkpoint"}));
    EXPECT_EQ(c.lists, tc.full_listing ? 1 : 0);
    // Whatever it said, later calls list from the newest checkpoint.
    EXPECT_EQ(*table.LatestVersion(), 25);
    c = storage->Take();
    EXPECT_EQ(c.starts, Strings({DeltaVersionPrefix(20)}));
    EXPECT_EQ(c.requests(), 1);
    ExpectSame(Must(table), k.Replayed(25), "latest");
    ExpectSame(Must(table, 12), k.Replayed(12), "12");
  }
}

TEST(DeltaLogIoTest, AStoreFailingOnTheHintFailsTheCall) {
  LogTable k;
  k.Commits(12);
  k.Checkpoint(10);
  k.Hint(10);
  auto storage = std::make_shared<CountingStorage>();
  storage->fail_reads_of = "_last_checkpoint";
  SnapshotCache none(0);
  DeltaTable table(k.t.root(), storage, DeltaTableOptions{.cache = &none});
  auto failed = table.LatestVersion();
  EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
  EXPECT_NE(failed.status().message().find("_last_checkpoint"), std::string::npos);
  EXPECT_EQ(storage->Take().requests(), 1);  // nothing listed after the failure
  // The store is back: the hint is read then.
  storage->fail_reads_of.clear();
  EXPECT_EQ(*table.LatestVersion(), 11);
  auto c = storage->Take();
  EXPECT_EQ(c.read, Strings({"_last_checkpoint"}));
  EXPECT_EQ(c.starts, Strings({DeltaVersionPrefix(10)}));
  EXPECT_EQ(c.lists, 0);
}

TEST(DeltaLogIoTest, TableRecreatedInPlaceIsListedAgain) {
  LogTable k;
  k.Commits(25);
  k.Checkpoint(20);
  k.Hint(20);
  auto storage = std::make_shared<CountingStorage>();
  SnapshotCache cache;
  DeltaTable table(k.t.root(), storage, DeltaTableOptions{.cache = &cache});
  ExpectSame(Must(table), k.Replayed(24), "first");

  // The same versions again, other content: the checkpoint the listings
  // start at is not the one seen before, so everything is listed anew.
  fs::remove_all(k.t.log_dir());
  fs::create_directories(k.t.log_dir());
  LogTable other;
  other.same_mtime = true;
  other.Commits(23);
  for (int64_t v = 0; v <= other.latest; ++v) {
    std::string extra = AddJson("new" + std::to_string(v));
    std::ofstream(other.t.commit_path(v), std::ios::app) << extra;
    TempTable::SetMtime(other.t.commit_path(v), kT0 + 7);
  }
  other.Checkpoint(20);
  other.Hint(20);
  for (const auto& e : fs::directory_iterator(other.t.log_dir())) {
    fs::copy(e.path(), k.t.log_dir() / e.path().filename());
  }
  storage->Take();
  ExpectSame(Must(table), k.Replayed(22), "recreated");
  auto c = storage->Take();
  EXPECT_EQ(c.lists, 1);
  EXPECT_EQ(*table.LatestVersion(), 22);
  ExpectSame(Must(table, 21), k.Replayed(21), "recreated 21");
  ExpectSame(Must(table, 3), k.Replayed(3), "recreated 3");

  // Recreated without any checkpoint: JSON commits only.
  fs::remove_all(k.t.log_dir());
  fs::create_directories(k.t.log_dir());
  LogTable json;
  json.Commits(4);
  for (const auto& e : fs::directory_iterator(json.t.log_dir())) {
    fs::copy(e.path(), k.t.log_dir() / e.path().filename());
  }
  EXPECT_EQ(*table.LatestVersion(), 3);
  ExpectSame(Must(table), k.Replayed(3), "JSON only");
  // And gone.
  fs::remove_all(k.t.log_dir());
  EXPECT_EQ(table.LatestVersion().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(table.Snapshot(std::nullopt).status().code(), StatusCode::kNotFound);
}

TEST(DeltaLogIoTest, CleanedUpCommitsAreNotServed) {
  LogTable k;
  k.Commits(25);
  k.Checkpoint(20);
  k.Hint(20);
  auto storage = std::make_shared<CountingStorage>();
  SnapshotCache none(0);
  DeltaTable table(k.t.root(), storage, DeltaTableOptions{.cache = &none});
  DeltaTable no_history(k.t.root(), storage,
                        DeltaTableOptions{.cache = &none, .history_max_age_ms = 0});
  for (DeltaTable* t : {&table, &no_history}) {
    ExpectSame(Must(*t), k.Replayed(24), "latest");
    ExpectSame(Must(*t, 5), k.Replayed(5), "5");
  }
  auto want21 = k.Replayed(21);
  // Log cleanup: commits before the checkpoint go.
  for (int64_t v = 0; v < 20; ++v) fs::remove(k.t.commit_path(v));
  for (DeltaTable* t : {&table, &no_history}) {
    // The kept listing names commit 5: reading it fails, the call is tried
    // again on a new listing and says what is left.
    auto gone = t->Snapshot(5);
    EXPECT_EQ(gone.status().code(), StatusCode::kInvalidArgument) << gone.status();
    EXPECT_NE(gone.status().message().find("[20, 24]"), std::string::npos) << gone.status();
    ExpectSame(Must(*t, 21), want21, "21");
  }
  // Without a kept listing the timeline shows the cleanup at once.
  auto timeline = no_history.CommitTimestamps();
  ASSERT_OK(timeline);
  EXPECT_EQ(timeline->front().version, 20);
}

TEST(DeltaLogIoTest, TimestampsDoNotDependOnWhereTheListingStarts) {
  // Commit files with one modification time: each timestamp is pushed past
  // the previous one, so a checkpoint's timestamp depends on every commit
  // before it.
  LogTable k;
  k.same_mtime = true;
  k.Commits(18);
  k.Checkpoint(12);
  k.Hint(12);
  SnapshotCache cache;
  DeltaTable table(k.t.root(), std::make_shared<CountingStorage>(),
                   DeltaTableOptions{.cache = &cache});
  for (int64_t v : {17, 12, 13, 3, 17}) {
    auto s = Must(table, v);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->timestamp_ms, kT0 + v) << v;
    ExpectSame(s, k.Replayed(v), "version " + std::to_string(v));
  }
  SnapshotCache none(0);
  DeltaTable cold(k.t.root(), std::make_shared<CountingStorage>(),
                  DeltaTableOptions{.cache = &none});
  EXPECT_EQ(*cold.VersionAtTimestamp(kT0 + 14, TimestampBound::kAtOrBefore), 14);
  auto changes = cold.Changes(13, 15);
  ASSERT_OK(changes);
  EXPECT_EQ((*changes)[0].timestamp_ms, kT0 + 13);
  ExpectSame(Must(cold), k.Replayed(17), "cold latest");
}

TEST(DeltaLogIoTest, CommitsAreReadInParallelAndAppliedInOrder) {
  LogTable k;
  k.Commits(40);
  for (size_t parallel : {size_t{1}, size_t{8}}) {
    SCOPED_TRACE(parallel);
    auto storage = std::make_shared<CountingStorage>();
    storage->read_delay = std::chrono::milliseconds(5);
    SnapshotCache none(0);
    DeltaTable table(k.t.root(), storage,
                     DeltaTableOptions{.cache = &none, .max_parallel_reads = parallel});
    ExpectSame(Must(table), k.Replayed(39), "replay");
    auto c = storage->Take();
    EXPECT_EQ(c.range_reads, 40 + 1);  // the commits and _last_checkpoint
    if (parallel == 1) {
      EXPECT_EQ(c.max_concurrent_reads, 1);
    } else {
      EXPECT_GT(c.max_concurrent_reads, 1);
      EXPECT_LE(c.max_concurrent_reads, 8);
    }
    // Timestamps of a fresh instance: headers read the same way.
    DeltaTable fresh(k.t.root(), storage,
                     DeltaTableOptions{.cache = &none, .max_parallel_reads = parallel});
    auto timeline = fresh.CommitTimestamps();
    ASSERT_OK(timeline);
    EXPECT_EQ(timeline->size(), 40u);
    c = storage->Take();
    EXPECT_EQ(c.ReadsOf(".json"), 40);
    EXPECT_EQ(parallel == 1, c.max_concurrent_reads == 1);
  }
  // A bad commit in the middle: its error, whatever was read around it.
  k.t.WriteCommit(17, "{\"add\":");
  for (size_t parallel : {size_t{1}, size_t{8}}) {
    SnapshotCache none(0);
    DeltaTable table(k.t.root(), std::make_shared<CountingStorage>(),
                     DeltaTableOptions{.cache = &none, .max_parallel_reads = parallel});
    auto s = table.Snapshot(std::nullopt);
    EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
    EXPECT_NE(s.status().message().find(DeltaCommitFileName(17)), std::string::npos) << s.status();
    ExpectSame(Must(table, 16), k.Replayed(16), "before it");
  }
}

TEST(DeltaLogIoTest, CheckpointsAreReadByRanges) {
  // 3 000 files in row groups of 500: the tail (footer) and one coalesced
  // read per row group; nothing read twice, no whole-object read.
  LogTable k;
  k.Commits(1);
  auto s = k.Replayed(0);
  std::vector<DataFile> files;
  for (int i = 0; i < 3000; ++i) {
    DataFile f;
    f.path = "part=" + std::to_string(i % 7) + "/file-" + std::to_string(i) + ".parquet";
    f.partition_values["part"] = std::to_string(i % 7);
    f.size = 1000 + i;
    f.modification_time = i;
    f.stats = std::string(R"({"numRecords":)") + std::to_string(i) + R"(,"minValues":{"a":)" +
              std::to_string(i) + "}}";
    files.push_back(std::move(f));
  }
  auto bytes =
      WriteCheckpointParquet(&s->protocol, &s->metadata, files, {.rows_per_row_group = 500});
  ASSERT_OK(bytes);
  k.t.WriteLogFile(CheckpointName(1), *bytes);
  LocalStorage local;
  auto listing = ListDeltaLog(local, k.t.root());
  ASSERT_OK(listing);
  ASSERT_EQ(listing->checkpoints.size(), 1u);
  auto want = ReadDeltaCheckpoint(local, listing->log_dir, listing->checkpoints[0]);
  ASSERT_OK(want);
  ASSERT_EQ(want->num_files(), 3000u);

  for (int64_t tail : {int64_t{16} << 10, int64_t{1} << 20}) {
    SCOPED_TRACE(tail);
    CountingStorage counting;
    auto got = ReadDeltaCheckpoint(counting, listing->log_dir, listing->checkpoints[0],
                                   {.remote_tail_read_bytes = tail});
    ASSERT_OK(got);
    EXPECT_EQ(got->num_files(), 3000u);
    auto c = counting.Take();
    EXPECT_EQ(c.reads, 0);
    EXPECT_EQ(c.heads, 0);
    EXPECT_LE(c.bytes, static_cast<int64_t>(bytes->size()));
    if (tail >= static_cast<int64_t>(bytes->size())) {
      EXPECT_EQ(c.range_reads, 1);  // it all came with the footer
    } else {
      EXPECT_GE(c.range_reads, 2);
      EXPECT_LE(c.range_reads, 2 + 6);  // tail (+ the rest of a larger footer), row groups
    }
    size_t i = 0;
    for (auto& group : got->files) {
      for (const DataFile& f : std::move(group).Take()) {
        const DataFile& w = files[i++];
        EXPECT_EQ(f.path, w.path);
        EXPECT_EQ(f.stats, w.stats);
      }
    }
  }
}

TEST(DeltaLogIoTest, SharedCheckpointTablesReadAsFromAStore) {
  // Every shared table with a checkpoint, read through the object-store
  // paths (ranged reads, kept tails, no probe reads, listings from the
  // checkpoint on) and locally: the same snapshots at every version.
  const fs::path root = fs::path(LAKESHARE_TESTDATA_DIR) / "delta" / "delta-rs";
  int tables = 0, versions = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    LocalStorage local;
    auto listing = ListDeltaLog(local, entry.path().string());
    if (!listing.ok() || listing->checkpoints.empty()) continue;
    SCOPED_TRACE(entry.path().filename().string());
    ++tables;
    SnapshotCache cache, none(0);
    auto storage = std::make_shared<CountingStorage>();
    DeltaTable remote(entry.path().string(), storage, DeltaTableOptions{.cache = &cache});
    DeltaTable reference(entry.path().string(), std::make_shared<LocalStorage>(),
                         DeltaTableOptions{.cache = &none});
    auto want = reference.Snapshot(std::nullopt);
    auto got = remote.Snapshot(std::nullopt);
    ASSERT_EQ(got.ok(), want.ok()) << got.status() << " / " << want.status();
    if (!want.ok()) continue;  // e.g. a feature left unsupported: the same error
    for (int64_t v = listing->latest_version; v >= listing->checkpoints.front().version; --v) {
      auto w = reference.Snapshot(v);
      auto g = remote.Snapshot(v);
      ASSERT_EQ(g.ok(), w.ok()) << v << ": " << g.status() << " / " << w.status();
      if (!w.ok()) continue;
      ExpectSame(*g, *w, "version " + std::to_string(v));
      for (size_t i = 0; i < (*w)->files.size(); ++i) {
        EXPECT_EQ((*g)->files[i].stats, (*w)->files[i].stats) << v;
        EXPECT_TRUE((*g)->files[i].partition_values == (*w)->files[i].partition_values) << v;
      }
      ++versions;
    }
    // No whole-object read but of _last_checkpoint (V2: which file of a version).
    auto c = storage->counts();
    EXPECT_LE(c.reads, c.ReadsOf("_last_checkpoint"));
  }
  EXPECT_GE(tables, 17);
  EXPECT_GE(versions, 40);
}

TEST(DeltaLogIoTest, ColdLoadOfAGeneratedTable) {
  // The generator's table: a checkpoint at 0 (no JSON commit 0), 20 commits.
  TempTable t("gen");
  fs::remove_all(t.log_dir());
  auto summary = GenerateSyntheticTable(
      t.root(), SyntheticTableOptions{
                    .files = 10000, .commits = 20, .partitions = 30, .rows_per_row_group = 4000});
  ASSERT_OK(summary);
  auto storage = std::make_shared<CountingStorage>();
  SnapshotCache none(0);
  DeltaTable table(t.root(), storage, DeltaTableOptions{.cache = &none});
  auto s = Must(table);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(static_cast<int64_t>(s->files.size()), summary->active_files);
  auto c = storage->Take();
  // _last_checkpoint, one listing, the checkpoint's tail and its 3 row
  // groups at most, each commit once; no timeline needed (no commit 0).
  EXPECT_EQ(c.lists + c.lists_after, 1);
  EXPECT_EQ(c.heads, 0);
  EXPECT_EQ(c.ReadsOf("_last_checkpoint"), 1);
  EXPECT_LE(c.ReadsOf(".checkpoint.parquet"), 1 + 3);
  for (int64_t v = 1; v <= 20; ++v) EXPECT_EQ(c.ReadsOf(DeltaCommitFileName(v)), 1) << v;
  EXPECT_LE(c.requests(), 1 + 1 + 4 + 20);
  EXPECT_LE(c.bytes, summary->checkpoint_bytes + (int64_t{1} << 20));
}

TEST(DeltaLogIoTest, GeneratedTableWithCommitsBeforeItsCheckpoint) {
  TempTable t("genh");
  fs::remove_all(t.log_dir());
  auto summary =
      GenerateSyntheticTable(t.root(), SyntheticTableOptions{.files = 2000,
                                                             .commits = 10,
                                                             .commits_before_checkpoint = 30,
                                                             .partitions = 10,
                                                             .rows_per_row_group = 700});
  ASSERT_OK(summary);
  EXPECT_EQ(summary->checkpoint_version, 30);
  EXPECT_EQ(summary->latest_version, 40);
  auto storage = std::make_shared<CountingStorage>();
  SnapshotCache cache, none(0);
  DeltaTable table(t.root(), storage, DeltaTableOptions{.cache = &cache});
  DeltaTable json(t.root(), std::make_shared<LocalStorage>(),
                  DeltaTableOptions{.cache = &none, .use_checkpoints = false});
  auto s = Must(table);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(static_cast<int64_t>(s->files.size()), summary->active_files);
  ExpectSame(s, Must(json), "latest");
  auto c = storage->Take();
  EXPECT_EQ(c.starts, Strings({DeltaVersionPrefix(30)}));
  EXPECT_EQ(c.lists, 1);  // commit 30 is there: its timestamp needs the older commits
  // Refresh and /version: from the checkpoint on.
  EXPECT_EQ(*table.LatestVersion(), 40);
  ExpectSame(Must(table), s, "warm");
  c = storage->Take();
  EXPECT_EQ(c.lists, 0);
  EXPECT_EQ(c.lists_after, 2);
  EXPECT_EQ(c.listed, 2 * (11 + 2));
  for (int64_t v : {0, 29, 30, 35}) {
    ExpectSame(Must(table, v), Must(json, v), "version " + std::to_string(v));
  }
}

TEST(DeltaLogIoTest, ConcurrentReadersWhileCommitsAndCheckpointsArrive) {
  LogTable k;
  k.Commits(3);
  SnapshotCache cache;
  DeltaTable table(k.t.root(), std::make_shared<CountingStorage>(),
                   DeltaTableOptions{.cache = &cache});
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  // Files at version v: v + 1 added, one removed per four commits.
  auto files_at = [](int64_t v) { return static_cast<size_t>(v + 1 - (v + 1) / 4); };
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&, r] {
      std::mt19937 rng(r);
      while (!done.load()) {
        auto latest = table.Snapshot(std::nullopt);
        if (!latest.ok() || (*latest)->files.size() != files_at((*latest)->version)) ++failures;
        if (!latest.ok()) continue;
        int64_t v = static_cast<int64_t>(rng() % ((*latest)->version + 1));
        auto old = table.Snapshot(v);
        if (!old.ok() || (*old)->files.size() != files_at(v)) ++failures;
        if (r % 2 == 0 && !table.LatestVersion().ok()) ++failures;
        if (r == 1 && !table.VersionAtTimestamp(kT0, TimestampBound::kAtOrAfter).ok()) ++failures;
      }
    });
  }
  for (int i = 0; i < 40; ++i) {
    k.Commit();
    if (k.latest % 7 == 0) {
      k.Checkpoint(k.latest);
      k.Hint(k.latest);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  done = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(failures.load(), 0);
  ExpectSame(Must(table), k.Replayed(k.latest), "latest");
}

}  // namespace
}  // namespace lakeshare
