// The reader against real files: every Delta checkpoint (classic and V2
// sidecars) in the shared test data, checked against facts read
// independently from the same tables' JSON commits, .crc files and
// _last_checkpoint; and every parquet data file of the Delta and Iceberg test
// tables, decoded whole.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "common/time_util.h"
#include "parquet/parquet_reader.h"
#include "parquet/record_view.h"
#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare::parquet {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path kTestData = LAKESHARE_TESTDATA_DIR;
const fs::path kDeltaRs = kTestData / "delta" / "delta-rs";

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> CheckpointFiles() {
  std::vector<fs::path> out;
  if (!fs::exists(kDeltaRs)) return out;
  for (const auto& table : fs::directory_iterator(kDeltaRs)) {
    fs::path log = table.path() / "_delta_log";
    if (!fs::is_directory(log)) continue;
    for (const auto& e : fs::directory_iterator(log)) {
      std::string name = e.path().filename().string();
      if (name.find(".checkpoint") != std::string::npos && e.path().extension() == ".parquet") {
        out.push_back(e.path());
      }
    }
    if (fs::is_directory(log / "_sidecars")) {
      for (const auto& e : fs::directory_iterator(log / "_sidecars")) {
        if (e.path().extension() == ".parquet") out.push_back(e.path());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> DataFiles() {
  std::vector<fs::path> out;
  for (const fs::path& root : {kDeltaRs, kTestData / "iceberg"}) {
    if (!fs::exists(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file() || e.path().extension() != ".parquet") continue;
      if (e.path().string().find("_delta_log") != std::string::npos) continue;
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<ParquetReader> OpenFile(const fs::path& p) {
  LocalStorage storage;
  LS_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> f,
                      storage.OpenRandomAccess(p.string(), std::nullopt));
  return ParquetReader::Open(std::shared_ptr<const RandomAccessFile>(std::move(f)));
}

// Reads every leaf of every row group and checks the counts the footer gives.
void ReadWholeFile(const fs::path& p) {
  SCOPED_TRACE(p.string());
  auto reader = OpenFile(p);
  ASSERT_OK(reader);
  std::vector<int> all;
  for (int l = 0; l < reader->schema().num_leaves(); ++l) all.push_back(l);
  int64_t rows = 0;
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    auto batch = reader->ReadRowGroup(rg, all);
    ASSERT_OK(batch) << "row group " << rg;
    rows += batch->num_rows;
    for (const ColumnBatch& c : batch->columns) {
      const ColumnMetaData& meta =
          *reader->metadata().row_groups[rg].columns[c.leaf_index].meta_data;
      EXPECT_EQ(c.num_levels, meta.num_values) << c.leaf().name;
      int64_t non_null = 0;
      for (int64_t i = 0; i < c.num_levels; ++i) non_null += c.def_level(i) == c.leaf().max_def;
      EXPECT_EQ(c.num_values(), non_null) << c.leaf().name;
      if (meta.statistics && meta.statistics->null_count && c.leaf().max_rep == 0) {
        EXPECT_EQ(*meta.statistics->null_count, c.num_levels - non_null) << c.leaf().name;
      }
    }
    auto tree = RecordTree::Make(std::move(*batch));
    ASSERT_OK(tree);
    EXPECT_EQ(tree->num_rows(), reader->row_group_rows(rg));
  }
  EXPECT_EQ(rows, reader->num_rows());
}

TEST(ParquetCheckpointTest, FindsTheCheckpoints) {
  if (!fs::exists(kDeltaRs)) FAIL() << "test data missing (tests/data)";
  EXPECT_GE(CheckpointFiles().size(), 20u);
  EXPECT_GE(DataFiles().size(), 100u);
}

TEST(ParquetCheckpointTest, EveryCheckpointDecodesWhole) {
  if (!fs::exists(kDeltaRs)) FAIL() << "test data missing (tests/data)";
  for (const fs::path& p : CheckpointFiles()) ReadWholeFile(p);
}

TEST(ParquetCheckpointTest, EveryDataFileDecodesWhole) {
  if (!fs::exists(kDeltaRs)) FAIL() << "test data missing (tests/data)";
  for (const fs::path& p : DataFiles()) ReadWholeFile(p);
}

// Delta's golden table: row i (0..9, over two files) holds one-element arrays
// of i in every primitive type.
TEST(ParquetCheckpointTest, GoldenArrayPrimitivesValues) {
  fs::path dir = kDeltaRs / "golden" / "data-reader-array-primitives";
  if (!fs::exists(dir)) FAIL() << "test data missing (tests/data)";
  std::set<int64_t> seen;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".parquet") continue;
    SCOPED_TRACE(e.path().string());
    auto reader = OpenFile(e.path());
    ASSERT_OK(reader);
    auto leaves = reader->schema().Resolve(
        {"as_array_int", "as_array_long", "as_array_byte", "as_array_short", "as_array_float",
         "as_array_double", "as_array_string", "as_array_binary", "as_array_big_decimal"});
    ASSERT_OK(leaves);
    auto batch = reader->ReadRowGroup(0, *leaves);
    ASSERT_OK(batch);
    auto tree = RecordTree::Make(std::move(*batch));
    ASSERT_OK(tree);
    auto only = [&](const char* column, int64_t row) -> std::pair<const RecordNode*, int64_t> {
      ListView l = tree->Find(column)->AsList();
      SlotRange r = l.elements->Elements(row);
      EXPECT_EQ(r.size(), 1) << column;
      return {l.element, r.from};
    };
    for (int64_t row = 0; row < tree->num_rows(); ++row) {
      auto [ints, i] = only("as_array_int", row);
      int64_t v = ints->Int64(i);
      seen.insert(v);
      for (const char* c : {"as_array_long", "as_array_byte", "as_array_short"}) {
        auto [n, k] = only(c, row);
        EXPECT_EQ(n->Int64(k), v) << c;
      }
      for (const char* c : {"as_array_float", "as_array_double"}) {
        auto [n, k] = only(c, row);
        EXPECT_EQ(n->Double(k), static_cast<double>(v)) << c;
      }
      auto [str, s] = only("as_array_string", row);
      EXPECT_EQ(str->String(s), std::to_string(v));
      auto [bin, b] = only("as_array_binary", row);
      EXPECT_EQ(bin->String(b), std::string(2, static_cast<char>(v)));
      auto [dec, d] = only("as_array_big_decimal", row);
      ASSERT_TRUE(dec->DecimalUnscaled(d).has_value());
      EXPECT_EQ(FormatDecimal(*dec->DecimalUnscaled(d), dec->schema_node().logical.scale),
                std::to_string(v));
    }
  }
  EXPECT_EQ(seen, (std::set<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

// stats_parsed (Delta 1.2.1 with writeStatsAsStruct): every typed min/max
// (INT32 decimals, DATE, INT96 timestamps, nested structs) and null count
// equals the JSON stats of the same file in the commits.
TEST(ParquetCheckpointTest, StatsParsedAgreesWithJsonStats) {
  fs::path table = kDeltaRs / "delta-1.2.1-only-struct-stats";
  if (!fs::exists(table)) FAIL() << "test data missing (tests/data)";
  std::map<std::string, json::object> json_stats;
  for (int v = 0; v <= 10; ++v) {
    char name[32];
    std::snprintf(name, sizeof(name), "%020d.json", v);
    std::istringstream lines(ReadText(table / "_delta_log" / name));
    std::string line;
    while (std::getline(lines, line)) {
      json::object action = json::parse(line).as_object();
      if (const json::value* a = action.if_contains("add")) {
        json_stats[std::string(a->at("path").as_string())] =
            json::parse(a->at("stats").as_string()).as_object();
      }
    }
  }
  auto reader = OpenFile(table / "_delta_log" / "00000000000000000010.checkpoint.parquet");
  ASSERT_OK(reader);
  auto leaves = reader->schema().Resolve({"add.path", "add.stats_parsed"});
  ASSERT_OK(leaves);
  auto batch = reader->ReadRowGroup(0, *leaves);
  ASSERT_OK(batch);
  auto tree = RecordTree::Make(std::move(*batch));
  ASSERT_OK(tree);
  const RecordNode* add = tree->Find("add");
  const RecordNode* path = tree->Find("add.path");
  int compared = 0;
  for (int64_t row = 0; row < tree->num_rows(); ++row) {
    if (!add->IsValid(row)) continue;
    std::string p(path->String(row));
    SCOPED_TRACE(p);
    ASSERT_TRUE(json_stats.count(p));
    const json::object& want = json_stats[p];
    EXPECT_EQ(tree->Find("add.stats_parsed.numRecords")->Int64(row),
              want.at("numRecords").as_int64());
    for (const char* side : {"minValues", "maxValues"}) {
      const json::object& w = want.at(side).as_object();
      std::string prefix = std::string("add.stats_parsed.") + side + ".";
      const RecordNode* integer = tree->Find(prefix + "integer");
      EXPECT_EQ(integer->Int64(row), w.at("integer").to_number<int64_t>());
      EXPECT_DOUBLE_EQ(tree->Find(prefix + "double")->Double(row),
                       w.at("double").to_number<double>());
      const RecordNode* dec = tree->Find(prefix + "decimal");
      // The JSON number lost its trailing zeros in parsing: compare values,
      // and the digits with the scale applied.
      std::string text =
          FormatDecimal(*dec->DecimalUnscaled(row), dec->schema_node().logical.scale);
      EXPECT_EQ(std::stod(text), w.at("decimal").to_number<double>()) << text;
      EXPECT_EQ(dec->schema_node().logical.scale, 5);
      EXPECT_EQ(tree->Find(prefix + "string")->String(row), w.at("string").as_string());
      EXPECT_EQ(FormatDate(tree->Find(prefix + "date")->Int64(row)), w.at("date").as_string());
      const RecordNode* ts = tree->Find(prefix + "timestamp");
      EXPECT_EQ(ts->schema_node().physical_type, Type::kInt96);
      EXPECT_EQ(FormatIso8601Millis(ts->TimestampMicros(row) / 1000),
                w.at("timestamp").as_string());
      EXPECT_EQ(tree->Find(prefix + "struct.struct_element")->String(row),
                w.at("struct").at("struct_element").as_string());
      EXPECT_EQ(
          tree->Find(prefix + "nested_struct.struct_element.nested_struct_element")->String(row),
          w.at("nested_struct").at("struct_element").at("nested_struct_element").as_string());
    }
    const json::object& nulls = want.at("nullCount").as_object();
    for (const char* column : {"integer", "null", "boolean", "double", "decimal", "string",
                               "binary", "date", "timestamp"}) {
      EXPECT_EQ(tree->Find(std::string("add.stats_parsed.nullCount.") + column)->Int64(row),
                nulls.at(column).to_number<int64_t>())
          << column;
    }
    ++compared;
  }
  EXPECT_GT(compared, 0);
}

// ---------------------------------------------------------------- actions

using PartitionValues = std::map<std::string, std::optional<std::string>>;

struct AddInfo {
  int64_t size = -1;
  PartitionValues partition_values;
  std::optional<std::string> stats;
  std::optional<int64_t> num_records;  // from stats or stats_parsed
};

struct Snapshot {
  std::map<std::string, AddInfo> adds;
  std::set<std::string> removes;
  std::optional<std::string> schema_string;
  std::optional<int64_t> min_reader_version;
  std::optional<int64_t> min_writer_version;
  int64_t rows = 0;
  bool has_stats_parsed = false;
};

// Files are identified by path and deletion vector (a DV update removes and
// re-adds the same path).
std::string FileKey(std::string_view path, std::string_view dv) {
  return dv.empty() ? std::string(path) : std::string(path) + "#" + std::string(dv);
}

std::optional<int64_t> NumRecordsOf(std::string_view stats_json) {
  boost::system::error_code ec;
  json::value v = json::parse(stats_json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::value* n = v.as_object().if_contains("numRecords");
  if (n == nullptr || !n->is_int64()) return std::nullopt;
  return n->as_int64();
}

Result<Snapshot> ReadCheckpoint(const fs::path& p) {
  LS_ASSIGN_OR_RETURN(ParquetReader reader, OpenFile(p));
  const Schema& schema = reader.schema();
  std::vector<std::string> wanted = {"add.path", "add.size", "add.partitionValues"};
  for (const char* optional :
       {"add.stats", "add.stats_parsed.numRecords", "remove.path",
        "add.deletionVector.pathOrInlineDv", "remove.deletionVector.pathOrInlineDv",
        "metaData.schemaString", "protocol.minReaderVersion", "protocol.minWriterVersion"}) {
    if (schema.Resolve({optional}).ok()) wanted.push_back(optional);
  }
  LS_ASSIGN_OR_RETURN(std::vector<int> leaves, schema.Resolve(wanted));
  Snapshot snap;
  snap.has_stats_parsed = schema.Resolve({"add.stats_parsed.numRecords"}).ok();
  for (int rg = 0; rg < reader.num_row_groups(); ++rg) {
    LS_ASSIGN_OR_RETURN(RowGroupBatch batch, reader.ReadRowGroup(rg, leaves));
    // Only the projected leaves were decoded.
    if (batch.columns.size() != leaves.size()) return Status::Internal("projection leaked");
    LS_ASSIGN_OR_RETURN(RecordTree tree, RecordTree::Make(std::move(batch)));
    snap.rows += tree.num_rows();
    const RecordNode* add = tree.Find("add");
    const RecordNode* path = tree.Find("add.path");
    const RecordNode* size = tree.Find("add.size");
    const RecordNode* pv_node = tree.Find("add.partitionValues");
    const RecordNode* stats = tree.Find("add.stats");
    const RecordNode* num_records = tree.Find("add.stats_parsed.numRecords");
    const RecordNode* remove_path = tree.Find("remove.path");
    const RecordNode* add_dv = tree.Find("add.deletionVector.pathOrInlineDv");
    const RecordNode* remove_dv = tree.Find("remove.deletionVector.pathOrInlineDv");
    const RecordNode* schema_string = tree.Find("metaData.schemaString");
    const RecordNode* min_reader = tree.Find("protocol.minReaderVersion");
    const RecordNode* min_writer = tree.Find("protocol.minWriterVersion");
    if (!add || !path || !size || !pv_node) return Status::Internal("add columns missing");
    MapView pv = pv_node->AsMap();
    if (!pv.entries || !pv.key || !pv.value) return Status::Internal("partitionValues not a map");
    for (int64_t row = 0; row < tree.num_rows(); ++row) {
      if (add->IsValid(row)) {
        AddInfo info;
        info.size = size->Int64(row);
        for (int64_t e : pv.entries->Elements(row)) {
          std::optional<std::string> value;
          if (pv.value->IsValid(e)) value = std::string(pv.value->String(e));
          info.partition_values[std::string(pv.key->String(e))] = value;
        }
        if (stats && stats->IsValid(row)) {
          info.stats = std::string(stats->String(row));
          info.num_records = NumRecordsOf(*info.stats);
        }
        if (num_records && num_records->IsValid(row)) info.num_records = num_records->Int64(row);
        snap.adds[FileKey(path->String(row), add_dv ? add_dv->String(row) : "")] = info;
      }
      if (remove_path && remove_path->IsValid(row)) {
        snap.removes.insert(
            FileKey(remove_path->String(row), remove_dv ? remove_dv->String(row) : ""));
      }
      if (schema_string && schema_string->IsValid(row)) {
        snap.schema_string = std::string(schema_string->String(row));
      }
      if (min_reader && min_reader->IsValid(row)) snap.min_reader_version = min_reader->Int64(row);
      if (min_writer && min_writer->IsValid(row)) snap.min_writer_version = min_writer->Int64(row);
    }
  }
  return snap;
}

std::string DvOf(const json::object& action) {
  const json::value* dv = action.if_contains("deletionVector");
  if (dv == nullptr || !dv->is_object()) return "";
  return std::string(dv->as_object().at("pathOrInlineDv").as_string());
}

// Replays JSON commits 0..version (all must exist).
std::optional<Snapshot> ReplayJson(const fs::path& log, int64_t version) {
  Snapshot snap;
  for (int64_t v = 0; v <= version; ++v) {
    char name[32];
    std::snprintf(name, sizeof(name), "%020lld.json", static_cast<long long>(v));
    if (!fs::exists(log / name)) return std::nullopt;
    std::istringstream lines(ReadText(log / name));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      json::object action = json::parse(line).as_object();
      if (const json::value* a = action.if_contains("add")) {
        const json::object& o = a->as_object();
        AddInfo info;
        info.size = o.at("size").to_number<int64_t>();
        if (const json::value* pv = o.if_contains("partitionValues"); pv && pv->is_object()) {
          for (const auto& [k, val] : pv->as_object()) {
            std::optional<std::string> s;
            if (val.is_string()) s = std::string(val.as_string());
            info.partition_values[std::string(k)] = s;
          }
        }
        if (const json::value* st = o.if_contains("stats"); st && st->is_string()) {
          info.stats = std::string(st->as_string());
          info.num_records = NumRecordsOf(*info.stats);
        }
        std::string path = FileKey(o.at("path").as_string(), DvOf(o));
        snap.adds[path] = info;
        snap.removes.erase(path);
      } else if (const json::value* r = action.if_contains("remove")) {
        std::string path = FileKey(r->as_object().at("path").as_string(), DvOf(r->as_object()));
        snap.adds.erase(path);
        snap.removes.insert(path);
      } else if (const json::value* m = action.if_contains("metaData")) {
        snap.schema_string = std::string(m->as_object().at("schemaString").as_string());
      } else if (const json::value* p = action.if_contains("protocol")) {
        snap.min_reader_version = p->as_object().at("minReaderVersion").to_number<int64_t>();
        snap.min_writer_version = p->as_object().at("minWriterVersion").to_number<int64_t>();
      }
    }
  }
  return snap;
}

int64_t VersionOf(const fs::path& checkpoint) {
  return std::stoll(checkpoint.filename().string().substr(0, 20));
}

TEST(ParquetCheckpointTest, CheckpointsAgreeWithTheJsonCommits) {
  if (!fs::exists(kDeltaRs)) FAIL() << "test data missing (tests/data)";
  int compared = 0;
  for (const fs::path& p : CheckpointFiles()) {
    if (p.parent_path().filename() == "_sidecars") continue;
    SCOPED_TRACE(p.string());
    std::optional<Snapshot> want = ReplayJson(p.parent_path(), VersionOf(p));
    if (!want) continue;
    auto got = ReadCheckpoint(p);
    ASSERT_OK(got);
    ++compared;
    ASSERT_EQ(got->adds.size(), want->adds.size());
    for (const auto& [path, w] : want->adds) {
      SCOPED_TRACE(path);
      auto it = got->adds.find(path);
      ASSERT_NE(it, got->adds.end());
      const AddInfo& g = it->second;
      EXPECT_EQ(g.size, w.size);
      EXPECT_EQ(g.partition_values, w.partition_values);
      // Checkpoints keep the JSON stats verbatim, or only their parsed form.
      if (g.stats) {
        EXPECT_EQ(g.stats, w.stats);
      }
      if (w.num_records && (g.stats || got->has_stats_parsed)) {
        EXPECT_EQ(g.num_records, w.num_records);
      }
    }
    // Tombstones may have expired, but never include a live file.
    for (const std::string& r : got->removes) {
      EXPECT_TRUE(want->removes.count(r)) << r;
      EXPECT_FALSE(want->adds.count(r)) << r;
    }
    EXPECT_EQ(got->schema_string, want->schema_string);
    EXPECT_EQ(got->min_reader_version, want->min_reader_version);
    EXPECT_EQ(got->min_writer_version, want->min_writer_version);
  }
  EXPECT_GE(compared, 10);
}

// .crc files (written with the checkpoint's version) give the number of live
// files and their total size; V2 sidecars are checked this way.
TEST(ParquetCheckpointTest, CheckpointsAgreeWithCrcFiles) {
  if (!fs::exists(kDeltaRs)) FAIL() << "test data missing (tests/data)";
  int compared = 0;
  for (const fs::path& p : CheckpointFiles()) {
    fs::path log = p.parent_path();
    if (log.filename() == "_sidecars") log = log.parent_path();
    char name[32];
    std::snprintf(name, sizeof(name), "%020lld.crc", static_cast<long long>(VersionOf(p)));
    if (!fs::exists(log / name)) continue;
    SCOPED_TRACE(p.string());
    json::object crc = json::parse(ReadText(log / name)).as_object();
    auto got = ReadCheckpoint(p);
    ASSERT_OK(got);
    ++compared;
    int64_t total = 0;
    for (const auto& [path, a] : got->adds) total += a.size;
    EXPECT_EQ(static_cast<int64_t>(got->adds.size()), crc.at("numFiles").to_number<int64_t>());
    EXPECT_EQ(total, crc.at("tableSizeBytes").to_number<int64_t>());
    if (p.parent_path().filename() != "_sidecars") {
      const json::object& md = crc.at("metadata").as_object();
      EXPECT_EQ(got->schema_string, std::string(md.at("schemaString").as_string()));
      EXPECT_EQ(got->min_reader_version,
                crc.at("protocol").as_object().at("minReaderVersion").to_number<int64_t>());
    }
  }
  EXPECT_GE(compared, 3);
}

// _last_checkpoint records the action count ("size") and, from Spark, the
// number of live files.
TEST(ParquetCheckpointTest, CheckpointsAgreeWithLastCheckpoint) {
  if (!fs::exists(kDeltaRs)) FAIL() << "test data missing (tests/data)";
  int compared = 0;
  for (const fs::path& p : CheckpointFiles()) {
    fs::path log = p.parent_path();
    if (log.filename() == "_sidecars" || !fs::exists(log / "_last_checkpoint")) continue;
    json::object last = json::parse(ReadText(log / "_last_checkpoint")).as_object();
    if (last.at("version").to_number<int64_t>() != VersionOf(p)) continue;
    SCOPED_TRACE(p.string());
    auto got = ReadCheckpoint(p);
    ASSERT_OK(got);
    ++compared;
    int64_t size = last.at("size").to_number<int64_t>();
    // Some delta-rs versions wrote the file's byte size there; some tables
    // are broken on purpose (a stale or made-up _last_checkpoint).
    const json::value* bytes = last.if_contains("sizeInBytes");
    if (!bytes) bytes = last.if_contains("size_in_bytes");
    bool describes_this_file =
        bytes ? bytes->to_number<int64_t>() == static_cast<int64_t>(fs::file_size(p))
              : p.string().find("latest_not_checkpointed") == std::string::npos;
    if (describes_this_file && size != static_cast<int64_t>(fs::file_size(p))) {
      EXPECT_EQ(got->rows, size);
    }
    if (const json::value* n = last.if_contains("numOfAddFiles")) {
      EXPECT_EQ(static_cast<int64_t>(got->adds.size()), n->to_number<int64_t>());
    }
  }
  EXPECT_GE(compared, 8);
}

// V2 checkpoints: the JSON top-level file names its sidecars and their action
// counts.
TEST(ParquetCheckpointTest, SidecarsAgreeWithTheirV2Checkpoint) {
  fs::path log = kDeltaRs / "checkpoint-v2-table" / "_delta_log";
  if (!fs::exists(log)) FAIL() << "test data missing (tests/data)";
  int compared = 0;
  for (const auto& e : fs::directory_iterator(log)) {
    std::string name = e.path().filename().string();
    if (name.find(".checkpoint.") == std::string::npos || e.path().extension() != ".json") {
      continue;
    }
    std::istringstream lines(ReadText(e.path()));
    std::string line;
    int64_t expected_adds = -1;
    while (std::getline(lines, line)) {
      json::object action = json::parse(line).as_object();
      if (const json::value* m = action.if_contains("checkpointMetadata")) {
        if (const json::value* tags = m->as_object().if_contains("tags")) {
          if (const json::value* n = tags->as_object().if_contains("numOfAddFiles")) {
            expected_adds = std::stoll(std::string(n->as_string()));
          }
        }
      }
      if (const json::value* s = action.if_contains("sidecar")) {
        fs::path sidecar = log / "_sidecars" / std::string(s->as_object().at("path").as_string());
        SCOPED_TRACE(sidecar.string());
        auto got = ReadCheckpoint(sidecar);
        ASSERT_OK(got);
        EXPECT_EQ(static_cast<int64_t>(got->adds.size()), expected_adds);
        EXPECT_EQ(static_cast<int64_t>(fs::file_size(sidecar)),
                  s->as_object().at("sizeInBytes").to_number<int64_t>());
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 2);
}

}  // namespace
}  // namespace lakeshare::parquet
