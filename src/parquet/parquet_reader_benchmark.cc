// Decode throughput of the parquet reader on a checkpoint-shaped file made in
// memory: 200,000 `add` actions in row groups of 16,384 rows (one snappy page
// per chunk), with the nested layout Spark writes:
//   add { path, partitionValues (MAP, dictionary-encoded), size,
//         modificationTime, dataChange, stats }, remove { path }
// Counters: items/s are leaf values (or rows, for the record benchmarks);
// bytes/s are the decoded value bytes.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <random>

#include "parquet/metadata_serializer.h"
#include "parquet/parquet_reader.h"
#include "parquet/parquet_writer.h"
#include "parquet/record_view.h"
#include "testing/parquet_file_builder.h"

namespace lakeshare::parquet {
namespace {

using testing::BuildFile;
using testing::Group;
using testing::Leaf;
using testing::Root;
using testing::TestChunk;

constexpr auto kReq = Repetition::kRequired;
constexpr auto kOpt = Repetition::kOptional;
constexpr auto kRep = Repetition::kRepeated;
constexpr int kRows = 200'000;
constexpr int kRowsPerGroup = 16'384;

std::vector<SchemaElement> CheckpointSchema() {
  return {Root(2),
          Group("add", kOpt, 6),
          Leaf("path", kOpt, Type::kByteArray, LogicalType::String()),
          Group("partitionValues", kOpt, 1, ConvertedType::kMap),
          Group("key_value", kRep, 2),
          Leaf("key", kReq, Type::kByteArray, LogicalType::String()),
          Leaf("value", kOpt, Type::kByteArray, LogicalType::String()),
          Leaf("size", kOpt, Type::kInt64),
          Leaf("modificationTime", kOpt, Type::kInt64),
          Leaf("dataChange", kOpt, Type::kBoolean),
          Leaf("stats", kOpt, Type::kByteArray, LogicalType::String()),
          Group("remove", kOpt, 1),
          Leaf("path", kOpt, Type::kByteArray, LogicalType::String())};
}

std::string MakeRowGroupFile(int first_row, int rows) {
  std::mt19937_64 rng(static_cast<uint64_t>(first_row));
  std::vector<TestChunk> c(8);
  for (auto& x : c) x.codec = CompressionCodec::kSnappy;
  std::vector<std::string> paths, stats;
  std::vector<int64_t> sizes, times;
  std::string bools((static_cast<size_t>(rows) + 7) / 8, '\0');
  for (int r = 0; r < rows; ++r) {
    int id = first_row + r;
    char buf[160];
    std::snprintf(
        buf, sizeof(buf),
        "date=2024-%02d-%02d/part-%05d-5e8f1c2a-%08x-4d2b-9c1e-%012llx.c000.snappy.parquet",
        1 + id % 12, 1 + id % 28, id % 100000, id,
        static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
    paths.emplace_back(buf);
    std::snprintf(
        buf, sizeof(buf),
        "{\"numRecords\":%d,\"minValues\":{\"id\":%d,\"value\":%.3f},\"maxValues\":{\"id\":"
        "%d,\"value\":%.3f},\"nullCount\":{\"id\":0,\"value\":%d}}",
        1000 + id % 5000, id * 10, (id % 977) / 7.0, id * 10 + 999, (id % 991) / 3.0, id % 3);
    stats.emplace_back(buf);
    sizes.push_back(10'000 + static_cast<int64_t>(rng() % 10'000'000));
    times.push_back(1'700'000'000'000 + id);
    if (id % 3) bools[static_cast<size_t>(r) / 8] |= static_cast<char>(1 << (r % 8));
  }
  std::vector<int16_t> def2(static_cast<size_t>(rows), 2);
  c[0].type = Type::kByteArray;
  c[0].max_def = 2;
  c[0].def = def2;
  c[0].values = testing::PlainStrings(paths);
  // partitionValues {date: 2024-MM-DD}: dictionary-encoded keys and values.
  std::vector<std::string> dates;
  for (int m = 1; m <= 12; ++m) {
    for (int d = 1; d <= 28; ++d) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "2024-%02d-%02d", m, d);
      dates.emplace_back(buf);
    }
  }
  std::vector<uint32_t> key_idx(static_cast<size_t>(rows), 0), value_idx;
  for (int r = 0; r < rows; ++r) {
    int id = first_row + r;
    value_idx.push_back(static_cast<uint32_t>((id % 12) * 28 + id % 28));
  }
  for (int k = 1; k <= 2; ++k) {
    c[k].type = Type::kByteArray;
    c[k].max_def = static_cast<int16_t>(2 + k);
    c[k].max_rep = 1;
    c[k].def.assign(static_cast<size_t>(rows), static_cast<int16_t>(2 + k));
    c[k].rep.assign(static_cast<size_t>(rows), 0);
    c[k].encoding = Encoding::kRleDictionary;
  }
  c[1].dictionary = testing::PlainStrings({"date"});
  c[1].dictionary_count = 1;
  c[1].values = testing::DictIndices(key_idx, 1);
  c[2].dictionary = testing::PlainStrings(dates);
  c[2].dictionary_count = static_cast<int32_t>(dates.size());
  c[2].values = testing::DictIndices(value_idx, 9);
  c[3].type = c[4].type = Type::kInt64;
  c[3].max_def = c[4].max_def = 2;
  c[3].def = c[4].def = def2;
  c[3].values = testing::Plain64(sizes);
  c[4].values = testing::Plain64(times);
  c[5].type = Type::kBoolean;
  c[5].max_def = 2;
  c[5].def = def2;
  c[5].values = bools;
  c[6].type = Type::kByteArray;
  c[6].max_def = 2;
  c[6].def = def2;
  c[6].values = testing::PlainStrings(stats);
  c[7].type = Type::kByteArray;
  c[7].max_def = 2;
  c[7].def.assign(static_cast<size_t>(rows), 0);
  return BuildFile(CheckpointSchema(), c, rows);
}

// Splices single-row-group files into one file with many row groups.
std::string MakeCheckpoint() {
  std::string out = "PAR1";
  FileMetaData md;
  for (int first = 0; first < kRows; first += kRowsPerGroup) {
    int rows = std::min(kRowsPerGroup, kRows - first);
    std::string part = MakeRowGroupFile(first, rows);
    FileMetaData pm = *ReadFooter(part);
    int64_t shift = static_cast<int64_t>(out.size()) - 4;
    uint32_t footer_len;
    std::memcpy(&footer_len, part.data() + part.size() - 8, 4);
    out.append(part, 4, part.size() - 12 - footer_len);
    for (ColumnChunk& cc : pm.row_groups[0].columns) {
      cc.file_offset += shift;
      cc.meta_data->data_page_offset += shift;
      if (cc.meta_data->dictionary_page_offset) *cc.meta_data->dictionary_page_offset += shift;
    }
    if (md.schema.empty()) md.schema = pm.schema;
    md.num_rows += rows;
    md.row_groups.push_back(pm.row_groups[0]);
  }
  std::string footer;
  SerializeFileMetaData(md, &footer);
  out += footer;
  testing::AppendLe32(static_cast<uint32_t>(footer.size()), &out);
  out += "PAR1";
  return out;
}

const std::string& CheckpointFile() {
  static const std::string kFile = MakeCheckpoint();
  return kFile;
}

// Reads the projected columns of every row group; counts values and bytes.
void ReadProjected(benchmark::State& state, const std::vector<std::string>& columns) {
  auto file = std::make_shared<MemoryFile>(std::string_view(CheckpointFile()));
  auto reader = ParquetReader::Open(file);
  if (!reader.ok()) {
    state.SkipWithError(reader.status().ToString().c_str());
    return;
  }
  std::vector<int> leaves = *reader->schema().Resolve(columns);
  int64_t values = 0, bytes = 0;
  for (auto _ : state) {
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
      auto batch = reader->ReadRowGroup(rg, leaves);
      if (!batch.ok()) {
        state.SkipWithError(batch.status().ToString().c_str());
        return;
      }
      for (const ColumnBatch& c : batch->columns) {
        values += c.num_values();
        bytes += static_cast<int64_t>(c.int64s.size() * 8 + c.bools.size());
        for (std::string_view s : c.binaries) bytes += static_cast<int64_t>(s.size());
      }
      benchmark::DoNotOptimize(batch);
    }
  }
  state.SetItemsProcessed(values);
  state.SetBytesProcessed(bytes);
}

void BM_AddPath(benchmark::State& state) { ReadProjected(state, {"add.path"}); }
void BM_AddSize(benchmark::State& state) { ReadProjected(state, {"add.size"}); }
void BM_AddPathSizeStats(benchmark::State& state) {
  ReadProjected(state, {"add.path", "add.size", "add.stats"});
}
void BM_AddPartitionValues(benchmark::State& state) {
  ReadProjected(state, {"add.partitionValues"});
}
void BM_AllColumns(benchmark::State& state) { ReadProjected(state, {"add", "remove"}); }

// What a checkpoint reader does: project, assemble records, visit every add.
void BM_AddRecords(benchmark::State& state) {
  auto file = std::make_shared<MemoryFile>(std::string_view(CheckpointFile()));
  auto reader = ParquetReader::Open(file);
  std::vector<int> leaves =
      *reader->schema().Resolve({"add.path", "add.size", "add.partitionValues", "add.stats"});
  int64_t rows = 0, checksum = 0;
  for (auto _ : state) {
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
      auto tree = RecordTree::Make(*reader->ReadRowGroup(rg, leaves));
      const RecordNode* add = tree->Find("add");
      const RecordNode* path = add->Child("path");
      const RecordNode* size = add->Child("size");
      const RecordNode* stats = add->Child("stats");
      MapView pv = add->Child("partitionValues")->AsMap();
      for (int64_t row = 0; row < tree->num_rows(); ++row) {
        if (!add->IsValid(row)) continue;
        checksum += static_cast<int64_t>(path->String(row).size()) + size->Int64(row) +
                    static_cast<int64_t>(stats->String(row).size());
        for (int64_t e : pv.entries->Elements(row)) {
          checksum += static_cast<int64_t>(pv.key->String(e).size() + pv.value->String(e).size());
        }
        ++rows;
      }
    }
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(rows);
}

void BM_OpenFooter(benchmark::State& state) {
  auto file = std::make_shared<MemoryFile>(std::string_view(CheckpointFile()));
  for (auto _ : state) {
    auto reader = ParquetReader::Open(file);
    benchmark::DoNotOptimize(reader);
  }
}

// A flat file from ParquetWriter (PLAIN pages): raw INT64 and string decoding.
const std::string& FlatFile() {
  static const std::string kFile = [] {
    ParquetSchema schema{{{"id", ColumnType::kInt64}, {"name", ColumnType::kString}}};
    std::vector<int64_t> ids;
    std::vector<std::string> names;
    std::vector<bool> validity;
    for (int i = 0; i < 1'000'000; ++i) {
      ids.push_back(i * 7);
      names.push_back("name-" + std::to_string(i));
      validity.push_back(i % 10 != 0);
    }
    return *WriteParquetFile(schema, {{{ids, validity}, {names, validity}}});
  }();
  return kFile;
}

void BM_FlatColumn(benchmark::State& state) {
  auto reader = ParquetReader::Open(std::make_shared<MemoryFile>(std::string_view(FlatFile())));
  int leaf = static_cast<int>(state.range(0));
  int64_t values = 0, bytes = 0;
  for (auto _ : state) {
    auto c = reader->ReadColumnChunk(0, leaf);
    values += c->num_values();
    bytes += static_cast<int64_t>(c->int64s.size() * 8);
    for (std::string_view s : c->binaries) bytes += static_cast<int64_t>(s.size());
  }
  state.SetItemsProcessed(values);
  state.SetBytesProcessed(bytes);
}

BENCHMARK(BM_AddPath)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddSize)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddPathSizeStats)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddPartitionValues)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AllColumns)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddRecords)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OpenFooter)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FlatColumn)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lakeshare::parquet
