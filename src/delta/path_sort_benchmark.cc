// The snapshot's path sort (path_sort.h) at 100 000, 1 000 000 and
// 10 000 000 files, on paths shaped like a partitioned Spark/DuckDB table's
// ("part=NN/part-NNNNN-<uuid>.c000.snappy.parquet", as
// bench/foreign_checkpoint_bench.py writes them), next to the sort it
// replaced (two halves sorted on two threads, then merged on one) as the
// baseline. Files per second is the figure to compare across sizes: a sort
// whose cost grows as n log n shows it falling.
//
//   delta_benchmark --benchmark_filter=SortPaths --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/thread_pool.h"
#include "delta/path_sort.h"

namespace lakeshare {
namespace {

struct Paths {
  std::vector<std::string> storage;
  std::vector<std::string_view> views;
  size_t lcp = 0;
};

const Paths& PathsOf(size_t n) {
  static std::unique_ptr<Paths> cached;
  if (cached && cached->views.size() == n) return *cached;
  cached.reset();
  auto p = std::make_unique<Paths>();
  std::mt19937_64 rng(n);
  static const char* hex = "0123456789abcdef";
  p->storage.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string s = "part=" + std::to_string(rng() % 100) + "/part-";
    char num[8];
    std::snprintf(num, sizeof(num), "%05zu", i % 100000);
    s += num;
    s += '-';
    for (int k = 0; k < 36; ++k)
      s += (k == 8 || k == 13 || k == 18 || k == 23) ? '-' : hex[rng() % 16];
    s += ".c000.snappy.parquet";
    p->storage.push_back(std::move(s));
  }
  for (const std::string& s : p->storage) p->views.push_back(s);
  p->lcp = 5;  // "part="
  cached = std::move(p);
  return *cached;
}

PathSortTies NoTies() {
  PathSortTies ties;
  ties.compare = [](uint32_t, uint32_t) { return 0; };
  ties.same_identity = [](uint32_t, uint32_t) { return true; };
  return ties;
}

void BM_SortPaths(benchmark::State& state) {
  const Paths& paths = PathsOf(static_cast<size_t>(state.range(0)));
  const PathSortTies ties = NoTies();
  for (auto _ : state) {
    std::vector<uint32_t> kept = SortPathsKeepLast(paths.views, paths.lcp, ties);
    benchmark::DoNotOptimize(kept.data());
  }
  state.counters["files_per_s"] = benchmark::Counter(static_cast<double>(paths.views.size()),
                                                     benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SortPaths)
    ->Arg(100000)
    ->Arg(1000000)
    ->Arg(10000000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The baseline: the sort SortFiles ran before path_sort (keys as above, two
// halves sorted at once, merged on one thread), without its dedupe pass.
void BM_SortPathsTwoHalvesBaseline(benchmark::State& state) {
  const Paths& paths = PathsOf(static_cast<size_t>(state.range(0)));
  const std::vector<std::string_view>& canonical = paths.views;
  const size_t n = canonical.size(), lcp = paths.lcp;
  struct Key {
    uint64_t w[3];
    uint32_t index;
  };
  auto less = [&](const Key& a, const Key& b) {
    for (int w = 0; w < 3; ++w) {
      if (a.w[w] != b.w[w]) return a.w[w] < b.w[w];
    }
    const std::string_view ca = canonical[a.index], cb = canonical[b.index];
    const size_t skip = lcp + 24;
    int c = ca.substr(std::min(skip, ca.size())).compare(cb.substr(std::min(skip, cb.size())));
    if (c != 0) return c < 0;
    return a.index < b.index;
  };
  for (auto _ : state) {
    std::unique_ptr<Key[]> keys(new Key[n]);
    const size_t mid = n / 2;
    (void)ParallelFor(2, 2, [&](size_t half) {
      const size_t from = half == 0 ? 0 : mid, to = half == 0 ? mid : n;
      for (size_t i = from; i < to; ++i) {
        unsigned char bytes[24] = {};
        const std::string_view c = canonical[i];
        if (c.size() > lcp)
          std::memcpy(bytes, c.data() + lcp, std::min<size_t>(24, c.size() - lcp));
        for (int w = 0; w < 3; ++w) {
          uint64_t v = 0;
          for (int b = 0; b < 8; ++b) v = (v << 8) | bytes[w * 8 + b];
          keys[i].w[w] = v;
        }
        keys[i].index = static_cast<uint32_t>(i);
      }
      std::sort(keys.get() + from, keys.get() + to, less);
      return Status::OK();
    });
    std::vector<Key> merged;
    merged.reserve(n);
    std::merge(keys.get(), keys.get() + mid, keys.get() + mid, keys.get() + n,
               std::back_inserter(merged), less);
    benchmark::DoNotOptimize(merged.data());
  }
  state.counters["files_per_s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SortPathsTwoHalvesBaseline)
    ->Arg(100000)
    ->Arg(1000000)
    ->Arg(10000000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace lakeshare
