// Benchmarks of the Iceberg reader on a synthetic table written with
// IcebergTableWriter (manifests only: data files are never read).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "iceberg/iceberg_table.h"
#include "iceberg/iceberg_writer.h"
#include "iceberg/manifest.h"
#include "storage/local_storage.h"

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
BENCHMARK(BM_ColdSnapshot)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

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
