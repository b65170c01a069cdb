// The per-line cost of a query answer: filtering, URL signing (local signer)
// and line formatting for an in-memory snapshot of 1 000 000 files with
// realistic paths, one partition column and ~200-byte stats.
//
//   protocol_benchmark --benchmark_filter=QueryStream
//
// Arguments: the response format, and 1 to produce the lines on more than
// one core as a whole answer is (lines_ahead.h), 0 on the calling thread
// only. The counter cpu_s is the process's CPU (user+sys) per answer.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdlib>
#include <random>

#include "delta/delta_table.h"
#include "iceberg/iceberg_table.h"
#include "protocol/query_stream.h"
#include "storage/local_storage.h"
#include "storage/local_url_signer.h"

namespace lakeshare {
namespace {

// LAKESHARE_BENCH_FILES overrides the size (e.g. small for callgrind).
size_t NumFiles() {
  const char* env = std::getenv("LAKESHARE_BENCH_FILES");
  return env ? std::strtoull(env, nullptr, 10) : 1000000;
}
const size_t kFiles = NumFiles();

std::shared_ptr<const TableSnapshot> MakeSnapshot() {
  auto s = std::make_shared<TableSnapshot>();
  std::mt19937_64 rng(5);
  std::vector<DataFile> files;  // sorted, then handed to the snapshot's FileList
  files.reserve(kFiles);
  PartitionValueInterner interner;
  for (size_t i = 0; i < kFiles; ++i) {
    DataFile f;
    char path[160];
    std::snprintf(
        path, sizeof(path),
        "date=2024-%02d-%02d/part-%05zu-%08llx-%04llx-4%03llx-a%03llx-%012llx.c000.snappy."
        "parquet",
        int(1 + i / 31 % 12), int(1 + i % 28), i % 100000, (unsigned long long)(rng() & 0xffffffff),
        (unsigned long long)(rng() & 0xffff), (unsigned long long)(rng() & 0xfff),
        (unsigned long long)(rng() & 0xfff), (unsigned long long)(rng() & 0xffffffffffff));
    f.path = path;
    f.partition_values["date"] = std::string(f.path.view().substr(5, 10));
    interner.Intern(&f.partition_values);
    f.size = 1000000 + static_cast<int64_t>(rng() % 100000000);
    f.modification_time = 1700000000000;
    long long lo = static_cast<long long>(rng() % 1000000);
    char stats[256];
    std::snprintf(
        stats, sizeof(stats),
        R"({"numRecords":%lld,"minValues":{"id":%lld,"value":0.%06lld,"name":"aaa%05lld"},)"
        R"("maxValues":{"id":%lld,"value":1.%06lld,"name":"zzz%05lld"},)"
        R"("nullCount":{"id":0,"value":%lld,"name":0}})",
        1000 + lo % 99000, lo, lo, lo % 99999, lo + 5000, lo, lo % 99999, lo % 10);
    f.stats = stats;
    files.push_back(std::move(f));
  }
  std::sort(files.begin(), files.end(),
            [](const DataFile& a, const DataFile& b) { return a.path < b.path; });
  s->files = std::move(files);
  return s;
}

void BM_QueryStreamLines(benchmark::State& state) {
  // LAKESHARE_BENCH_TABLE: stream a real table's latest snapshot instead
  // (e.g. one written by `lakeshare generate-delta` or, with
  // LAKESHARE_BENCH_FORMAT=iceberg, `lakeshare generate-iceberg`), as loaded
  // by the server.
  static auto snapshot = [] {
    if (const char* dir = std::getenv("LAKESHARE_BENCH_TABLE")) {
      const char* fmt = std::getenv("LAKESHARE_BENCH_FORMAT");
      auto storage = std::make_shared<LocalStorage>();
      auto s = fmt != nullptr && std::string_view(fmt) == "iceberg"
                   ? IcebergTable(dir, storage).Snapshot(std::nullopt)
                   : DeltaTable(dir, storage).Snapshot(std::nullopt);
      if (s.ok()) return *s;
      std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
      std::abort();
    }
    return MakeSnapshot();
  }();
  auto storage = std::make_shared<LocalStorage>();
  ResolvedTable table;
  table.location = "/data/tables/sales";
  table.format = std::make_shared<DeltaTable>(table.location, storage);
  if (const char* fmt = std::getenv("LAKESHARE_BENCH_FORMAT");
      fmt != nullptr && std::string_view(fmt) == "iceberg") {
    table.location = std::getenv("LAKESHARE_BENCH_TABLE");
    table.format = std::make_shared<IcebergTable>(table.location, storage);
  }
  table.backend.storage = storage;
  table.backend.signer = std::make_shared<LocalUrlSigner>(std::string(64, 'k'));
  const auto format = static_cast<ResponseFormat>(state.range(0));
  const bool parallel = state.range(1) != 0;
  std::string piece;
  size_t bytes = 0;
  auto process_cpu = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  const double cpu_before = process_cpu();
  for (auto _ : state) {
    FileSigner signer(table, SignContext{"http://127.0.0.1:8080/delta-sharing"}, 1900000000000,
                      "s.d.t");
    QueryStreamOptions o;
    o.format = format;
    o.parallel_min_files = parallel ? 0 : SIZE_MAX;
    QueryBodyStream stream("", snapshot, std::move(signer), nullptr, o);
    while (true) {
      piece.clear();
      auto more = stream.Next(&piece, 256 << 10);
      bytes += piece.size();
      if (!more.ok()) state.SkipWithError(more.status().ToString().c_str());
      if (!more.ok() || !*more) break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * snapshot->files.size()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["cpu_s"] =
      benchmark::Counter((process_cpu() - cpu_before) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_QueryStreamLines)
    ->ArgsProduct({{static_cast<int>(ResponseFormat::kParquet),
                    static_cast<int>(ResponseFormat::kDelta)},
                   {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace lakeshare
