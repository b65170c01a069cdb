// Benchmarks of Delta log replay on a generated JSON-only table: 100 commits,
// 10 000 active files (10 495 adds, 495 removes), ~200-byte stats per file;
// and of a checkpointed table (demo/synthetic_delta_table.h): 1 000 000 active files in
// a parquet checkpoint plus 100 JSON commits (cold load, checkpoint decode,
// incremental refresh after one new commit).
//
//   delta_benchmark --benchmark_counters_tabular=true
//   delta_benchmark --benchmark_filter=Million   (the checkpoint ones only)
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/json_writer.h"
#include "delta/delta_checkpoint.h"
#include "delta/delta_log_replay.h"
#include "delta/delta_table.h"
#include "delta/delta_test_util.h"
#include "demo/synthetic_delta_table.h"
#include "parquet/parquet_reader.h"
#include "parquet/record_view.h"
#include "storage/local_storage.h"

namespace lakeshare {
namespace {

constexpr int kCommits = 100;
constexpr int kAddsFirstCommit = 100;
constexpr int kRemovesPerCommit = 5;
constexpr int kActiveFiles = 10000;

std::string Uuid(std::mt19937_64& rng) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
    s += hex[rng() % 16];
  }
  return s;
}

// A JSON-only Delta table written once per process, with a fixed seed.
class GeneratedTable {
 public:
  static const GeneratedTable& Get() {
    static GeneratedTable table;
    return table;
  }
  std::string root() const { return dir_.root(); }

 private:
  GeneratedTable() : dir_("bench") {
    std::mt19937_64 rng(20240601);
    std::vector<std::string> active;
    int64_t now = 1700000000000;
    for (int v = 0; v < kCommits; ++v) {
      std::string commit;
      commit +=
          R"({"commitInfo":{"timestamp":)" + std::to_string(now) +
          R"(,"operation":"WRITE","operationParameters":{"mode":"Append"},"isBlindAppend":false}})"
          "\n";
      if (v == 0) {
        commit += testing::ProtocolJson(1, 2);
        commit +=
            R"({"metaData":{"id":"bench","format":{"provider":"parquet","options":{}},)"
            R"("schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},{\"name\":\"name\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},{\"name\":\"ts\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}},{\"name\":\"part\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}",)"
            R"("partitionColumns":["part"],"configuration":{},"createdTime":1700000000000}})"
            "\n";
      }
      int removes = v == 0 ? 0 : kRemovesPerCommit;
      for (int r = 0; r < removes; ++r) {
        size_t i = rng() % active.size();
        commit += R"({"remove":{"path":")" + active[i] + R"(","deletionTimestamp":)" +
                  std::to_string(now) +
                  R"(,"dataChange":true}})"
                  "\n";
        active[i] = active.back();
        active.pop_back();
      }
      int adds = kAddsFirstCommit + removes;
      for (int a = 0; a < adds; ++a) {
        char part[8];
        std::snprintf(part, sizeof(part), "%02d", static_cast<int>(rng() % 50));
        std::string path = "part=" + std::string(part) + "/part-" +
                           std::to_string(10000 + a).substr(1) + "-" + Uuid(rng) +
                           ".c000.snappy.parquet";
        int64_t id = static_cast<int64_t>(rng() % 1000000);
        std::string stats =
            R"({"numRecords":)" + std::to_string(1000 + rng() % 100000) + R"(,"minValues":{"id":)" +
            std::to_string(id) + R"(,"name":"alice-)" + std::to_string(rng() % 1000) +
            R"(","ts":"2024-01-01T00:00:00.000Z"},"maxValues":{"id":)" + std::to_string(id + 5000) +
            R"(,"name":"zoe-)" + std::to_string(rng() % 1000) +
            R"(","ts":"2024-06-30T23:59:59.999Z"},"nullCount":{"id":0,"name":)" +
            std::to_string(rng() % 10) + R"(,"ts":0}})";
        commit += R"({"add":{"path":")" + path + R"(","partitionValues":{"part":")" + part +
                  R"("},"size":)" + std::to_string(100000 + rng() % 10000000) +
                  R"(,"modificationTime":)" + std::to_string(now) +
                  R"(,"dataChange":true,"stats":)";
        AppendJsonString(&commit, stats);
        commit += "}}\n";
        active.push_back(path);
      }
      dir_.WriteCommit(v, commit, now);
      now += 60000;
    }
    if (active.size() != kActiveFiles) std::abort();
  }

  testing::TempTable dir_;
};

std::shared_ptr<const TableSnapshot> Load(DeltaTable& table, std::optional<int64_t> v,
                                          benchmark::State& state) {
  auto s = table.Snapshot(v);
  if (!s.ok()) {
    state.SkipWithError(s.status().ToString().c_str());
    return nullptr;
  }
  return *s;
}

void BM_ColdLoadLatest(benchmark::State& state) {
  const std::string root = GeneratedTable::Get().root();
  size_t files = 0;
  for (auto _ : state) {
    DeltaTable table(root, std::make_shared<LocalStorage>());
    auto s = Load(table, std::nullopt, state);
    if (!s) break;
    files = s->files.size();
    benchmark::DoNotOptimize(s);
  }
  state.counters["files"] = static_cast<double>(files);
  state.counters["files_per_s"] =
      benchmark::Counter(static_cast<double>(files), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ColdLoadLatest)->Unit(benchmark::kMillisecond);

void BM_LatestVersion(benchmark::State& state) {
  DeltaTable table(GeneratedTable::Get().root(), std::make_shared<LocalStorage>());
  for (auto _ : state) {
    auto v = table.LatestVersion();
    if (!v.ok() || *v != kCommits - 1) {
      state.SkipWithError("LatestVersion failed");
      break;
    }
    benchmark::DoNotOptimize(*v);
  }
}
BENCHMARK(BM_LatestVersion)->Unit(benchmark::kMicrosecond);

// A cache hit: list the log, validate the cached snapshot, return it.
void BM_CachedLatest(benchmark::State& state) {
  DeltaTable table(GeneratedTable::Get().root(), std::make_shared<LocalStorage>());
  if (!Load(table, std::nullopt, state)) return;
  for (auto _ : state) benchmark::DoNotOptimize(Load(table, std::nullopt, state));
}
BENCHMARK(BM_CachedLatest)->Unit(benchmark::kMicrosecond);

// Bringing a cached snapshot (version 98) forward by one commit: read and
// parse commit 99, reconcile, merge into 10 000 files. This is what
// Snapshot(nullopt) does after a new commit when the previous one is cached.
void BM_IncrementalOneCommit(benchmark::State& state) {
  const std::string root = GeneratedTable::Get().root();
  auto storage = std::make_shared<LocalStorage>();
  DeltaTable table(root, storage);
  auto base = Load(table, kCommits - 2, state);
  auto listing = ListDeltaLog(*storage, root);
  if (!base || !listing.ok()) return;
  const DeltaLogFile& next = *listing->FindCommit(kCommits - 1);
  for (auto _ : state) {
    auto content = storage->Read(next.info.path);
    auto commit = ParseDeltaCommit(std::move(*content), next.info.path);
    DeltaLogReplay replay(base);
    Status applied = replay.Apply(kCommits - 1, std::move(*commit), next.info);
    auto snapshot = std::move(replay).Finish();
    if (!applied.ok() || !snapshot.ok() || (*snapshot)->files.size() != kActiveFiles) {
      state.SkipWithError("incremental replay failed");
      break;
    }
    benchmark::DoNotOptimize(snapshot);
  }
}
BENCHMARK(BM_IncrementalOneCommit)->Unit(benchmark::kMillisecond);

// Commit timestamps of all 100 versions from a cold table (headers only).
void BM_CommitTimestampsCold(benchmark::State& state) {
  const std::string root = GeneratedTable::Get().root();
  for (auto _ : state) {
    DeltaTable table(root, std::make_shared<LocalStorage>());
    auto ts = table.CommitTimestamps();
    if (!ts.ok() || ts->size() != kCommits) {
      state.SkipWithError("CommitTimestamps failed");
      break;
    }
  }
}
BENCHMARK(BM_CommitTimestampsCold)->Unit(benchmark::kMillisecond);

void BM_VersionAtTimestampWarm(benchmark::State& state) {
  DeltaTable table(GeneratedTable::Get().root(), std::make_shared<LocalStorage>());
  int64_t t = 1700000000000 + 50 * 60000 + 1;
  for (auto _ : state) {
    auto v = table.VersionAtTimestamp(t, TimestampBound::kAtOrBefore);
    if (!v.ok() || *v != 50) {
      state.SkipWithError("VersionAtTimestamp failed");
      break;
    }
  }
}
BENCHMARK(BM_VersionAtTimestampWarm)->Unit(benchmark::kMicrosecond);

int64_t HeapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return static_cast<int64_t>(mi.uordblks + mi.hblkhd);
}

int64_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

// Memory held by a loaded snapshot of 10 000 files (the table object, its
// caches and the replay's temporaries are gone when this is measured).
void BM_SnapshotMemory(benchmark::State& state) {
  const std::string root = GeneratedTable::Get().root();
  {
    // Warm up the allocator so the measured load reuses freed memory.
    DeltaTable warm(root, std::make_shared<LocalStorage>());
    if (!Load(warm, std::nullopt, state)) return;
  }
  double heap_per_file = 0, rss_per_file = 0, string_bytes_per_file = 0;
  for (auto _ : state) {
    malloc_trim(0);
    int64_t heap_before = HeapInUse();
    int64_t rss_before = RssBytes();
    std::shared_ptr<const TableSnapshot> s;
    {
      DeltaTable table(root, std::make_shared<LocalStorage>());
      s = Load(table, std::nullopt, state);
    }
    if (!s) break;
    malloc_trim(0);
    const double files = static_cast<double>(s->files.size());
    heap_per_file = static_cast<double>(HeapInUse() - heap_before) / files;
    rss_per_file = static_cast<double>(RssBytes() - rss_before) / files;
    size_t strings = 0;
    for (const DataFile& f : s->files) {
      strings += f.path.size() + (f.stats ? f.stats->size() : 0);
      for (const auto& [k, v] : f.partition_values) strings += k.size() + (v ? v->size() : 0);
    }
    string_bytes_per_file = static_cast<double>(strings) / files;
  }
  state.counters["heap_bytes_per_file"] = heap_per_file;
  state.counters["rss_bytes_per_file"] = rss_per_file;
  state.counters["text_bytes_per_file"] = string_bytes_per_file;
}
BENCHMARK(BM_SnapshotMemory)->Unit(benchmark::kMillisecond)->Iterations(3);

// ---------------------------------------------------------------------------
// A million files: checkpoint + 100 commits.

constexpr int64_t kMillion = 1000000;

// A synthetic table written once per process (and per tag).
class MillionFileTable {
 public:
  static const MillionFileTable& Get(const std::string& tag = "million") {
    static std::map<std::string, std::unique_ptr<MillionFileTable>>* tables =
        new std::map<std::string, std::unique_ptr<MillionFileTable>>();
    auto& slot = (*tables)[tag];
    if (!slot) slot.reset(new MillionFileTable(tag));
    return *slot;
  }
  std::string root() const { return dir_.root(); }
  const testing::TempTable& dir() const { return dir_; }
  int64_t latest() const { return summary_.latest_version; }
  int64_t files() const { return summary_.active_files; }
  int64_t checkpoint_bytes() const { return summary_.checkpoint_bytes; }

 private:
  explicit MillionFileTable(const std::string& tag) : dir_(tag) {
    std::filesystem::remove_all(dir_.log_dir());
    // bench/checkpoint_bench.py points the read-only benchmarks at the table
    // it generated (the same seed gives the same files) to compare with DuckDB.
    const char* existing = std::getenv("LAKESHARE_BENCH_TABLE");
    if (existing != nullptr && tag == "million") {
      std::filesystem::copy(std::filesystem::path(existing) / "_delta_log", dir_.log_dir(),
                            std::filesystem::copy_options::recursive);
      auto listing = ListDeltaLog(*std::make_shared<LocalStorage>(), dir_.root());
      if (!listing.ok() || listing->checkpoints.empty()) std::abort();
      summary_.latest_version = listing->latest_version;
      summary_.active_files = kMillion;
      summary_.checkpoint_bytes = listing->checkpoints.front().files.front().size;
      return;
    }
    SyntheticTableOptions options;
    options.files = kMillion;
    options.commits = 100;
    auto summary = GenerateSyntheticTable(dir_.root(), options);
    if (!summary.ok()) {
      std::fprintf(stderr, "%s\n", summary.status().ToString().c_str());
      std::abort();
    }
    summary_ = *summary;
  }
  testing::TempTable dir_;
  SyntheticTableSummary summary_;
};

// Cold: a new table object and no cache, so the checkpoint is read, the
// files sorted and the 100 commits applied. page_faults: minor faults per
// load (fresh memory touched; each costs 10-25 us on some VMs).
void BM_ColdLoadMillionFiles(benchmark::State& state) {
  const MillionFileTable& t = MillionFileTable::Get();
  SnapshotCache none(0);
  DeltaTableOptions options{.cache = &none};
  size_t files = 0;
  long faults = 0;
  std::shared_ptr<const TableSnapshot> s;
  for (auto _ : state) {
    state.PauseTiming();
    s.reset();       // freeing the previous snapshot is not part of a load
    malloc_trim(0);  // nor is memory it left to the next load
    rusage before{};
    getrusage(RUSAGE_SELF, &before);
    state.ResumeTiming();
    DeltaTable table(t.root(), std::make_shared<LocalStorage>(), options);
    s = Load(table, std::nullopt, state);
    state.PauseTiming();
    rusage after{};
    getrusage(RUSAGE_SELF, &after);
    faults += after.ru_minflt - before.ru_minflt;
    state.ResumeTiming();
    if (!s) break;
    files = s->files.size();
  }
  state.counters["page_faults"] =
      static_cast<double>(faults) / static_cast<double>(std::max<int64_t>(state.iterations(), 1));
  state.counters["files"] = static_cast<double>(files);
  state.counters["checkpoint_MB"] = static_cast<double>(t.checkpoint_bytes()) / 1e6;
  if (s && files > 0) {
    // What the snapshot holds per file by DataFileBytes, and how much of it
    // is stats text.
    size_t stats = 0, bytes = 0;
    for (const DataFile& f : s->files) bytes += DataFileBytes(f, &stats);
    state.counters["bytes_per_file"] = static_cast<double>(bytes) / static_cast<double>(files);
    state.counters["stats_text_per_file"] = static_cast<double>(stats) / static_cast<double>(files);
  }
}
BENCHMARK(BM_ColdLoadMillionFiles)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The parquet part alone: every add of the checkpoint decoded into DataFiles
// (projection: protocol, metaData and the add columns).
void BM_ReadMillionFileCheckpoint(benchmark::State& state) {
  const MillionFileTable& t = MillionFileTable::Get();
  LocalStorage storage;
  auto listing = ListDeltaLog(storage, t.root());
  if (!listing.ok() || listing->checkpoints.empty()) {
    state.SkipWithError("no checkpoint");
    return;
  }
  CheckpointReadOptions options;
  options.parallelism = static_cast<size_t>(state.range(0));
  size_t files = 0;
  std::optional<CheckpointContents> kept;
  for (auto _ : state) {
    state.PauseTiming();
    kept.reset();
    state.ResumeTiming();
    auto c = ReadDeltaCheckpoint(storage, listing->log_dir, listing->checkpoints.front(), options);
    if (!c.ok()) {
      state.SkipWithError(c.status().ToString().c_str());
      break;
    }
    files = c->num_files();
    kept = std::move(*c);
  }
  state.counters["files"] = static_cast<double>(files);
}
BENCHMARK(BM_ReadMillionFileCheckpoint)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

// Parquet decode of the checkpoint's add columns (path, partitionValues,
// size, modificationTime, dataChange, stats, deletionVector) into record
// views, summed the way bench/checkpoint_bench.py asks DuckDB to: the
// yardstick comparison. Arg: threads (row groups decoded at once).
void BM_DecodeMillionFileCheckpointAddColumns(benchmark::State& state) {
  const MillionFileTable& t = MillionFileTable::Get();
  LocalStorage storage;
  auto listing = ListDeltaLog(storage, t.root());
  if (!listing.ok() || listing->checkpoints.empty()) return state.SkipWithError("no checkpoint");
  const FileInfo& info = listing->checkpoints.front().files.front();
  auto file = storage.OpenRandomAccess(info.path, info.size);
  if (!file.ok()) return state.SkipWithError("cannot open the checkpoint");
  auto reader =
      parquet::ParquetReader::Open(std::shared_ptr<const RandomAccessFile>(std::move(*file)));
  if (!reader.ok()) return state.SkipWithError(reader.status().ToString().c_str());
  auto leaves = reader->schema().Resolve({"add.path", "add.partitionValues", "add.size",
                                          "add.modificationTime", "add.dataChange", "add.stats",
                                          "add.deletionVector"});
  if (!leaves.ok()) return state.SkipWithError(leaves.status().ToString().c_str());
  const int groups = reader->num_row_groups();
  const int threads = static_cast<int>(state.range(0));
  int64_t adds = 0;
  for (auto _ : state) {
    std::atomic<int> next{0};
    std::atomic<int64_t> count{0}, path_bytes{0}, stats_bytes{0}, sizes{0}, entries{0};
    std::atomic<bool> failed{false};
    auto work = [&] {
      for (int rg = next++; rg < groups; rg = next++) {
        auto batch = reader->ReadRowGroup(rg, *leaves);
        if (!batch.ok()) return failed.store(true);
        auto tree = parquet::RecordTree::Make(std::move(*batch));
        if (!tree.ok()) return failed.store(true);
        const parquet::RecordNode* add = tree->Find("add");
        const parquet::RecordNode* path = add->Child("path");
        const parquet::RecordNode* stats = add->Child("stats");
        const parquet::RecordNode* size = add->Child("size");
        parquet::MapView pv = add->Child("partitionValues")->AsMap();
        int64_t c = 0, pb = 0, sb = 0, sz = 0, e = 0;
        for (int64_t row = 0; row < tree->num_rows(); ++row) {
          if (!add->IsValid(row)) continue;
          ++c;
          pb += static_cast<int64_t>(path->String(row).size());
          sb += static_cast<int64_t>(stats->String(row).size());
          sz += size->Int64(row);
          e += pv.entries->Elements(row).size();
        }
        count += c, path_bytes += pb, stats_bytes += sb, sizes += sz, entries += e;
      }
    };
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
    if (failed) return state.SkipWithError("decode failed");
    adds = count;
    benchmark::DoNotOptimize(path_bytes.load() + stats_bytes.load() + sizes.load() +
                             entries.load());
  }
  state.counters["adds"] = static_cast<double>(adds);
  state.counters["row_groups"] = groups;
}
BENCHMARK(BM_DecodeMillionFileCheckpointAddColumns)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseRealTime();

// Incremental refresh: the latest snapshot is cached; a new commit (10 adds,
// 10 removes, like the generator's) lands; Snapshot(latest) lists the log,
// reads that one commit and merges it into the cached million files.
void BM_IncrementalRefreshMillionFiles(benchmark::State& state) {
  const MillionFileTable& t = MillionFileTable::Get("million_refresh");
  SnapshotCache cache(int64_t{4} << 30);
  DeltaTable table(t.root(), std::make_shared<LocalStorage>(), DeltaTableOptions{.cache = &cache});
  auto base = Load(table, std::nullopt, state);
  if (!base) return;
  std::mt19937_64 rng(7);
  int64_t version = t.latest();
  std::vector<std::string> active;
  for (size_t i = 0; i < base->files.size(); i += 97) active.push_back(base->files[i].path.str());
  for (auto _ : state) {
    state.PauseTiming();
    std::string commit = R"({"commitInfo":{"timestamp":1,"operation":"WRITE"}})"
                         "\n";
    for (int r = 0; r < 10 && !active.empty(); ++r) {
      size_t i = rng() % active.size();
      commit += testing::RemoveJson(active[i]);
      active[i] = active.back();
      active.pop_back();
    }
    for (int a = 0; a < 10; ++a) {
      commit += testing::AddJson("date=2024-06-01/part-00000-" + Uuid(rng) + ".c000.snappy.parquet",
                                 1000, R"(,"stats":"{\"numRecords\":1}")");
    }
    t.dir().WriteCommit(++version, commit);
    state.ResumeTiming();
    auto s = Load(table, std::nullopt, state);
    if (!s || s->version != version) {
      state.SkipWithError("refresh failed");
      break;
    }
    benchmark::DoNotOptimize(s);
  }
  state.counters["files"] = static_cast<double>(base->files.size());
}
BENCHMARK(BM_IncrementalRefreshMillionFiles)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20)
    ->UseRealTime();

}  // namespace
}  // namespace lakeshare
