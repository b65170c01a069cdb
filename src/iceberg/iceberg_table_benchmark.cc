// Benchmarks of the Iceberg reader on a synthetic table written with
// IcebergTableWriter (manifests only: data files are never read).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "iceberg/iceberg_table.h"
#include "iceberg/iceberg_writer.h"
#include "iceberg/manifest.h"
#include "storage/local_storage.h"
#include "table/snapshot_cache.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
using iceberg::TypeId;

// A table of `files` data files in 10 snapshots, 10 000 per manifest.
std::string TableWith(int64_t files) {
  static std::map<int64_t, std::string> made;
  if (auto it = made.find(files); it != made.end()) return it->second;
  std::string dir =
      (fs::temp_directory_path() /
       ("lakeshare-iceberg-bench-" + std::to_string(::getpid()) + "-" + std::to_string(files)))
          .string();
  fs::remove_all(dir);
  IcebergTableSpec spec;
  spec.columns = {{"id", TypeId::kLong, true, std::nullopt},
                  {"day", TypeId::kDate, false, std::nullopt},
                  {"category", TypeId::kString, false, std::nullopt},
                  {"value", TypeId::kDouble, false, std::nullopt},
                  {"ts", TypeId::kTimestampTz, false, std::nullopt}};
  spec.partition_by = {"day"};
  auto writer = IcebergTableWriter::Create(dir, spec, 1700000000000);
  if (!writer.ok()) std::abort();
  int64_t per = files / 10;
  for (int s = 0; s < 10; ++s) {
    auto make = [&](size_t i) -> Result<IcebergFileData> {
      int64_t f = s * per + static_cast<int64_t>(i);
      IcebergFileData d;
      d.columns.push_back({std::vector<int64_t>{f * 10, f * 10 + 9}, {}});
      d.columns.push_back({std::vector<int32_t>{static_cast<int32_t>(18000 + f / 100),
                                                static_cast<int32_t>(18000 + f / 100)},
                           {}});
      d.columns.push_back({std::vector<std::string>{"alpha", "gamma"}, {}});
      d.columns.push_back({std::vector<double>{0.5, 99.25}, {}});
      d.columns.push_back({std::vector<int64_t>{f * 1000000, f * 1000000 + 60000000}, {}});
      return d;
    };
    IcebergAppendOptions o;
    o.timestamp_ms = 1700000000000 + s * 1000;
    o.write_data = false;
    if (!(*writer)->Append(static_cast<size_t>(per), make, o).ok()) std::abort();
  }
  made[files] = dir;
  return dir;
}

void BM_ColdSnapshot(benchmark::State& state) {
  std::string dir = TableWith(state.range(0));
  auto storage = std::make_shared<LocalStorage>();
  for (auto _ : state) {
    IcebergTable table(dir, storage);
    auto s = table.Snapshot(std::nullopt);
    if (!s.ok() || static_cast<int64_t>((*s)->files.size()) != state.range(0)) std::abort();
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ColdSnapshot)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_WarmSnapshot(benchmark::State& state) {
  std::string dir = TableWith(state.range(0));
  IcebergTable table(dir, std::make_shared<LocalStorage>());
  if (!table.Snapshot(std::nullopt).ok()) std::abort();
  for (auto _ : state) {
    auto s = table.Snapshot(std::nullopt);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_WarmSnapshot)->Arg(100000)->Unit(benchmark::kMicrosecond);

int64_t HeapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return static_cast<int64_t>(mi.uordblks + mi.hblkhd);
}

// Where the memory of a loaded snapshot goes, per file: the snapshot alone
// (held by a caller after the table is gone), the table's caches besides it
// (manifests, metadata), a second snapshot of an older version held at the
// same time, and what nothing holds any more (allocator and libavro
// leftovers). Heap in use by mallinfo2, after malloc_trim.
void BM_SnapshotMemory(benchmark::State& state) {
  const int64_t n = state.range(0);
  std::string dir = TableWith(n);
  auto storage = std::make_shared<LocalStorage>();
  {
    IcebergTable warm(dir, storage);  // warms the allocator and libavro
    if (!warm.Snapshot(std::nullopt).ok()) std::abort();
  }
  double snapshot = 0, caches = 0, older = 0, leftover = 0, estimate = 0;
  double accounted = 0, stats = 0, paths = 0, parts = 0;
  for (auto _ : state) {
    malloc_trim(0);
    const int64_t base = HeapInUse();
    std::shared_ptr<const TableSnapshot> s, old;
    int64_t with_table = 0, with_old = 0;
    {
      IcebergTable table(dir, storage);
      auto r = table.Snapshot(std::nullopt);
      if (!r.ok() || static_cast<int64_t>((*r)->files.size()) != n) std::abort();
      s = *r;
      malloc_trim(0);
      with_table = HeapInUse();
      auto o = table.Snapshot(s->version - 1);
      if (!o.ok()) std::abort();
      old = *o;
      malloc_trim(0);
      with_old = HeapInUse();
      old.reset();
    }
    malloc_trim(0);
    const int64_t held = HeapInUse();
    const double files = static_cast<double>(n);
    snapshot = static_cast<double>(held - base) / files;
    caches = static_cast<double>(with_table - held) / files;
    older = static_cast<double>(with_old - with_table) / files;
    size_t acc = 0, st = 0, pa = 0, pv = 0;
    for (const DataFile& f : s->files) {
      acc += DataFileBytes(f, &st);
      pa += f.path.size();
      pv += f.partition_values.OwnedHeapBytes();
    }
    accounted = static_cast<double>(acc) / files;
    stats = static_cast<double>(st) / files;
    paths = static_cast<double>(pa) / files;
    parts = static_cast<double>(pv) / files;
    estimate = static_cast<double>(EstimateSnapshotBytes(*s)) / files;
    s.reset();
    malloc_trim(0);
    leftover = static_cast<double>(HeapInUse() - base) / files;
  }
  state.counters["snapshot_heap_per_file"] = snapshot;
  state.counters["beyond_stats_per_file"] = snapshot - stats;
  state.counters["table_caches_per_file"] = caches;
  state.counters["older_snapshot_per_file"] = older;
  state.counters["leftover_per_file"] = leftover;
  state.counters["DataFileBytes_per_file"] = accounted;
  state.counters["estimate_per_file"] = estimate;
  state.counters["stats_text_per_file"] = stats;
  state.counters["path_text_per_file"] = paths;
  state.counters["partition_owned_per_file"] = parts;
}
BENCHMARK(BM_SnapshotMemory)->Arg(100000)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_ReadManifest(benchmark::State& state) {
  std::string dir = TableWith(100000);
  std::string path;
  for (const auto& e : fs::directory_iterator(fs::path(dir) / "metadata")) {
    std::string name = e.path().filename().string();
    if (name.find("-m0.avro") != std::string::npos) path = e.path().string();
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  for (auto _ : state) {
    auto m = iceberg::ReadManifest(bytes, "bench", true);
    if (!m.ok() || m->entries.size() != 10000) std::abort();
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_ReadManifest)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lakeshare
