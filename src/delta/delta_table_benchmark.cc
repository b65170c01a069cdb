// Benchmarks of Delta log replay on a generated JSON-only table: 100 commits,
// 10 000 active files (10 495 adds, 495 removes), ~200-byte stats per file.
//
//   delta_benchmark --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "delta/delta_log_replay.h"
#include "delta/delta_table.h"
#include "delta/delta_test_util.h"
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
        commit += delta_testing::ProtocolJson(1, 2);
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

  delta_testing::TempTable dir_;
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

}  // namespace
}  // namespace lakeshare
