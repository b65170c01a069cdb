// Costs of data skipping on a large table: parsing each file's stats text,
// and evaluating a small predicate over 100 000 files.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "predicate/evaluate.h"
#include "predicate/file_stats.h"
#include "predicate/json_predicate.h"

namespace lakeshare {
namespace {

constexpr int kFiles = 100000;

// Stats shaped like Spark's for a 6-column table (one struct column).
std::string StatsText(int i) {
  char buf[640];
  std::snprintf(
      buf, sizeof(buf),
      R"({"numRecords":%d,"minValues":{"id":%d,"name":"name%06d","price":%d.25,)"
      R"("day":"2021-%02d-01","ts":"2021-01-01T00:00:%02d.000Z","addr":{"city":"c%03d"}},)"
      R"("maxValues":{"id":%d,"name":"name%06d","price":%d.75,"day":"2021-%02d-28",)"
      R"("ts":"2021-01-01T00:00:%02d.999Z","addr":{"city":"c%03d"}},)"
      R"("nullCount":{"id":0,"name":%d,"price":0,"day":0,"ts":0,"addr":{"city":1}}})",
      1000 + i % 7, i * 100, i, i % 500, 1 + i % 12, i % 60, i % 1000, i * 100 + 99, i + 1,
      i % 500 + 10, 1 + i % 12, i % 60, (i + 7) % 1000, i % 3);
  return buf;
}

std::vector<std::string> AllStatsText() {
  std::vector<std::string> out;
  out.reserve(kFiles);
  for (int i = 0; i < kFiles; ++i) out.push_back(StatsText(i));
  return out;
}

const std::vector<std::string>& Texts() {
  static const std::vector<std::string> kTexts = AllStatsText();
  return kTexts;
}

void BM_ParseStats(benchmark::State& state) {
  const std::vector<std::string>& texts = Texts();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& t = texts[i++ % texts.size()];
    FileStats s = FileStats::Parse(t);
    benchmark::DoNotOptimize(s);
    bytes += t.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ParseStats);

// Only the columns a predicate uses are kept.
void BM_ParseStatsTwoColumns(benchmark::State& state) {
  const std::vector<std::string>& texts = Texts();
  std::vector<std::string> columns = {"id", "name"};
  StatsParseOptions options;
  options.columns = &columns;
  size_t i = 0;
  for (auto _ : state) {
    FileStats s = FileStats::Parse(texts[i++ % texts.size()], options);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseStatsTwoColumns);

Predicate ThreeNodePredicate() {
  // and(greaterThanOrEqual(id, 5000000), lessThan(name, "name060000")).
  return *ParseJsonPredicate(std::string(R"({"op":"and","children":[
      {"op":"greaterThanOrEqual","children":[{"op":"column","name":"id","valueType":"long"},
        {"op":"literal","value":"5000000","valueType":"long"}]},
      {"op":"lessThan","children":[{"op":"column","name":"name","valueType":"string"},
        {"op":"literal","value":"name060000","valueType":"string"}]}]})"));
}

// One pass over a whole 100 000-file snapshot whose stats were parsed before.
void BM_Evaluate3NodeOver100kFiles(benchmark::State& state) {
  std::vector<FileStats> stats;
  stats.reserve(kFiles);
  for (const std::string& t : Texts()) stats.push_back(FileStats::Parse(t));
  PartitionValues parts = {{"region", "eu"}};
  Predicate p = ThreeNodePredicate();
  int64_t kept = 0;
  for (auto _ : state) {
    kept = 0;
    for (const FileStats& s : stats) kept += MayMatch(p, FileView{&parts, &s});
    benchmark::DoNotOptimize(kept);
  }
  state.counters["kept"] = static_cast<double>(kept);
  state.SetItemsProcessed(state.iterations() * kFiles);
}
BENCHMARK(BM_Evaluate3NodeOver100kFiles)->Unit(benchmark::kMillisecond);

// Parsing (only the used columns) and evaluating, per request: the cost when
// parsed stats are not cached.
void BM_ParseAndEvaluateOver100kFiles(benchmark::State& state) {
  Predicate p = ThreeNodePredicate();
  std::vector<std::string> columns = p.ColumnNames();
  StatsParseOptions options;
  options.columns = &columns;
  for (auto _ : state) {
    int64_t kept = 0;
    for (const std::string& t : Texts()) {
      FileStats s = FileStats::Parse(t, options);
      kept += MayMatch(p, FileView{nullptr, &s});
    }
    benchmark::DoNotOptimize(kept);
  }
  state.SetItemsProcessed(state.iterations() * kFiles);
}
BENCHMARK(BM_ParseAndEvaluateOver100kFiles)->Unit(benchmark::kMillisecond);

// The costliest hint the node limit lets through: an `or` of 3 333
// equalities on one column (10 000 nodes), over 5 000 files whose stats were
// parsed before. Items are node visits.
void BM_EvaluateWideOrOver5kFiles(benchmark::State& state) {
  constexpr int kLeaves = 3333;
  constexpr int kWideFiles = 5000;
  std::string json = R"({"op":"or","children":[)";
  for (int i = 0; i < kLeaves; ++i) {
    if (i > 0) json += ',';
    json += R"({"op":"equal","children":[{"op":"column","name":"id","valueType":"long"},)";
    json += R"({"op":"literal","value":")" + std::to_string(7 + i * 1000) +
            R"(","valueType":"long"}]})";
  }
  json += "]}";
  Predicate p = *ParseJsonPredicate(json);
  std::vector<FileStats> stats;
  stats.reserve(kWideFiles);
  for (int i = 0; i < kWideFiles; ++i) stats.push_back(FileStats::Parse(Texts()[i]));
  for (auto _ : state) {
    int64_t kept = 0;
    for (const FileStats& s : stats) kept += MayMatch(p, FileView{nullptr, &s});
    benchmark::DoNotOptimize(kept);
  }
  state.SetItemsProcessed(state.iterations() * kWideFiles * p.node_count());
}
BENCHMARK(BM_EvaluateWideOrOver5kFiles)->Unit(benchmark::kMillisecond);

void BM_ParseJsonPredicate(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ThreeNodePredicate());
}
BENCHMARK(BM_ParseJsonPredicate);

void BM_StatsMemory(benchmark::State& state) {
  size_t bytes = 0;
  for (auto _ : state) {
    FileStats s = FileStats::Parse(Texts()[0]);
    bytes = sizeof(FileStats) + s.MemoryUsage();
    benchmark::DoNotOptimize(s);
  }
  state.counters["bytes_per_file"] = static_cast<double>(bytes);
  state.counters["text_bytes"] = static_cast<double>(Texts()[0].size());
}
BENCHMARK(BM_StatsMemory);

}  // namespace
}  // namespace lakeshare
