// Hudi table costs without HTTP: a cold snapshot of a 100 000-file
// copy-on-write table (timeline only: 100 commits of Avro or JSON commit
// metadata, read and indexed), merging merge-on-read slices (base file
// plus an Avro log block updating 10% of its rows) into parquet, and the
// cold snapshot of the largest sample table with a column-stats index with
// and without reading it (storage requests and bytes as counters).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "hudi/hudi_table.h"
#include "hudi/hudi_writer.h"
#include "storage/local_storage.h"
#include "testing/counting_storage.h"

namespace lakeshare {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hudi-bench-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void BM_ColdSnapshot(benchmark::State& state) {
  TempDir tmp;
  hudi::SyntheticTableOptions o;
  o.dir = tmp.path() + "/t";
  o.table_version = static_cast<int>(state.range(1));
  o.files = state.range(0);
  o.commits = 100;
  o.metadata_only = true;
  if (!hudi::GenerateSyntheticHudiTable(o).ok()) {
    state.SkipWithError("generate");
    return;
  }
  for (auto _ : state) {
    SnapshotCache cache(int64_t{4} << 30);
    HudiTableOptions options;
    options.cache = &cache;
    HudiTable table(o.dir, std::make_shared<LocalStorage>(), options);
    auto snap = table.Snapshot(std::nullopt);
    if (!snap.ok() || static_cast<int64_t>((*snap)->files.size()) != o.files) {
      state.SkipWithError("snapshot");
      return;
    }
    benchmark::DoNotOptimize(snap);
  }
  state.counters["files"] = static_cast<double>(o.files);
}
BENCHMARK(BM_ColdSnapshot)->Args({100000, 9})->Args({100000, 6})->Unit(benchmark::kMillisecond);

void BM_MergeSlices(benchmark::State& state) {
  TempDir tmp;
  hudi::SyntheticTableOptions o;
  o.dir = tmp.path() + "/mor";
  o.merge_on_read = true;
  o.files = 4;
  o.commits = 1;
  o.rows_per_file = state.range(0);
  o.update_fraction = 0.1;
  if (!hudi::GenerateSyntheticHudiTable(o).ok()) {
    state.SkipWithError("generate");
    return;
  }
  int64_t merged_bytes = 0;
  int run = 0;
  for (auto _ : state) {
    SnapshotCache cache(int64_t{1} << 30);
    HudiTableOptions options;
    options.cache = &cache;
    auto mc = ContentCache::Open({tmp.path() + "/cache-" + std::to_string(run++)});
    if (!mc.ok()) {
      state.SkipWithError("merge cache");
      return;
    }
    options.merge_cache = *mc;
    HudiTable table(o.dir, std::make_shared<LocalStorage>(), options);
    auto snap = table.Snapshot(std::nullopt);
    if (!snap.ok()) {
      state.SkipWithError(snap.status().ToString().c_str());
      return;
    }
    for (const DataFile& f : (*snap)->files) merged_bytes += f.size;
  }
  state.SetBytesProcessed(merged_bytes);
  state.counters["rows"] = benchmark::Counter(static_cast<double>(o.files * o.rows_per_file),
                                              benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_MergeSlices)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Arg: 0 = column stats off, 1 = on (the metadata table's timeline and
// column_stats files read too).
void BM_ColdSnapshotColumnStats(benchmark::State& state) {
  TempDir tmp;
  const std::string zip =
      std::string(LAKESHARE_TESTDATA_DIR) + "/hudi/hudi-rs/cow/v9_txns_simple_meta.zip";
  const std::string cmd =
      "/usr/bin/python3 -m zipfile -e '" + zip + "' '" + tmp.path() + "' >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    state.SkipWithError("unzip");
    return;
  }
  const std::string dir = tmp.path() + "/v9_txns_simple_meta";
  int64_t requests = 0;
  int64_t bytes = 0;
  bool with_bounds = false;
  for (auto _ : state) {
    SnapshotCache cache(int64_t{1} << 30);
    HudiTableOptions options;
    options.cache = &cache;
    options.column_stats = state.range(0) != 0;
    auto storage = std::make_shared<testing::CountingStorage>();
    HudiTable table(dir, storage, options);
    auto snap = table.Snapshot(std::nullopt);
    if (!snap.ok() || (*snap)->files.empty()) {
      state.SkipWithError("snapshot");
      return;
    }
    const auto counts = storage->counts();
    requests = counts.requests();
    bytes = counts.bytes;
    with_bounds = (*snap)->files.front().stats->find("minValues") != std::string::npos;
  }
  if (with_bounds != (state.range(0) != 0)) state.SkipWithError("stats");
  state.counters["requests"] = static_cast<double>(requests);
  state.counters["bytes_read"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ColdSnapshotColumnStats)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lakeshare
