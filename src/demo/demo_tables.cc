#include "demo/demo_tables.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <variant>

#include "common/json_writer.h"
#include "common/time_util.h"
#include "parquet/parquet_writer.h"

namespace lakeshare {
// The internals get their own namespace: names like Field or Row are too
// generic to sit in lakeshare.
namespace demo_internal {
namespace {

namespace fs = std::filesystem;
namespace pq = lakeshare::parquet;

// ------------------------------------------------------------ table model

enum class FieldType { kLong, kInteger, kDouble, kString, kDate, kTimestamp, kBoolean };

struct Field {
  std::string name;
  FieldType type;
  bool nullable;
  std::string comment;  // empty: none
};

// A cell: null, or the value in the representation of its FieldType (int32
// days for dates, int64 microseconds for timestamps).
using Value = std::variant<std::monostate, bool, int32_t, int64_t, double, std::string>;
using Row = std::vector<Value>;  // one cell per field, partition columns included

struct TableSpec {
  std::string name;
  std::string description;
  std::vector<Field> fields;
  std::vector<std::string> partition_columns;
  std::vector<std::pair<std::string, std::string>> configuration;
};

using PartitionValues = std::map<std::string, std::optional<std::string>>;

struct DemoFile {
  std::string path;  // as recorded in the log (URI-encoded, relative)
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  std::string stats;
  std::vector<Row> rows;
};

const char* SparkTypeName(FieldType t) {
  switch (t) {
    case FieldType::kLong:
      return "long";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kDouble:
      return "double";
    case FieldType::kString:
      return "string";
    case FieldType::kDate:
      return "date";
    case FieldType::kTimestamp:
      return "timestamp";
    case FieldType::kBoolean:
      return "boolean";
  }
  return "string";
}

pq::ColumnType ParquetType(FieldType t) {
  switch (t) {
    case FieldType::kLong:
      return pq::ColumnType::kInt64;
    case FieldType::kInteger:
      return pq::ColumnType::kInt32;
    case FieldType::kDouble:
      return pq::ColumnType::kDouble;
    case FieldType::kString:
      return pq::ColumnType::kString;
    case FieldType::kDate:
      return pq::ColumnType::kDate;
    case FieldType::kTimestamp:
      return pq::ColumnType::kTimestampMicros;
    case FieldType::kBoolean:
      return pq::ColumnType::kBoolean;
  }
  return pq::ColumnType::kString;
}

bool IsPartitionColumn(const TableSpec& spec, const std::string& name) {
  for (const auto& p : spec.partition_columns) {
    if (p == name) return true;
  }
  return false;
}

// Java's Double.toString for the magnitudes we write: shortest round-trip
// digits, always with a fractional part ("100.0", "12.5").
std::string FormatJsonDouble(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string FormatTimestampMicros(int64_t micros) {
  int64_t millis = micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);
  return FormatIso8601Millis(millis);
}

// Delta's partition value serialization (PROTOCOL.md "Partition Value
// Serialization"); nullopt is a null partition.
std::optional<std::string> PartitionValueString(const Value& v, FieldType t) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  switch (t) {
    case FieldType::kString:
      return std::get<std::string>(v);
    case FieldType::kInteger:
      return std::to_string(std::get<int32_t>(v));
    case FieldType::kLong:
      return std::to_string(std::get<int64_t>(v));
    case FieldType::kBoolean:
      return std::get<bool>(v) ? "true" : "false";
    case FieldType::kDate:
      return FormatDate(std::get<int32_t>(v));
    case FieldType::kDouble:
      return FormatJsonDouble(std::get<double>(v));
    case FieldType::kTimestamp: {
      // "yyyy-mm-dd hh:mm:ss.ffffff" (UTC).
      int64_t micros = std::get<int64_t>(v);
      std::string iso = FormatTimestampMicros(micros);  // ...THH:MM:SS.mmmZ
      char frac[8];
      std::snprintf(frac, sizeof(frac), "%06lld",
                    static_cast<long long>(((micros % 1'000'000) + 1'000'000) % 1'000'000));
      return iso.substr(0, 10) + " " + iso.substr(11, 8) + "." + frac;
    }
  }
  return std::nullopt;
}

// ------------------------------------------------------------ JSON actions

std::string SchemaString(const TableSpec& spec) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("type").String("struct").Key("fields").BeginArray();
  for (const Field& f : spec.fields) {
    w.BeginObject();
    w.Key("name").String(f.name);
    w.Key("type").String(SparkTypeName(f.type));
    w.Key("nullable").Bool(f.nullable);
    w.Key("metadata").BeginObject();
    if (!f.comment.empty()) w.Key("comment").String(f.comment);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

void WriteStatValue(JsonWriter* w, const Value& v, FieldType t) {
  switch (t) {
    case FieldType::kLong:
      w->Int(std::get<int64_t>(v));
      break;
    case FieldType::kInteger:
      w->Int(std::get<int32_t>(v));
      break;
    case FieldType::kDouble:
      w->Raw(FormatJsonDouble(std::get<double>(v)));
      break;
    case FieldType::kString:
      w->String(std::get<std::string>(v));
      break;
    case FieldType::kDate:
      w->String(FormatDate(std::get<int32_t>(v)));
      break;
    case FieldType::kTimestamp:
      w->String(FormatTimestampMicros(std::get<int64_t>(v)));
      break;
    case FieldType::kBoolean:
      w->Bool(std::get<bool>(v));
      break;
  }
}

// Delta file statistics, as Spark collects them: min/max for numbers, dates,
// timestamps and strings (not booleans), left out for an all-null column;
// null counts for every data column.
std::string StatsJson(const TableSpec& spec, const std::vector<Row>& rows) {
  struct ColumnStats {
    std::optional<Value> min, max;
    int64_t nulls = 0;
  };
  std::vector<ColumnStats> cols(spec.fields.size());
  for (const Row& row : rows) {
    for (size_t c = 0; c < spec.fields.size(); ++c) {
      const Value& v = row[c];
      if (std::holds_alternative<std::monostate>(v)) {
        ++cols[c].nulls;
        continue;
      }
      // Same-alternative variant comparison; std::string compares as
      // unsigned bytes, like Spark's UTF8String.
      if (!cols[c].min || v < *cols[c].min) cols[c].min = v;
      if (!cols[c].max || *cols[c].max < v) cols[c].max = v;
    }
  }
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("numRecords").Int(static_cast<int64_t>(rows.size()));
  for (const char* key : {"minValues", "maxValues"}) {
    w.Key(key).BeginObject();
    for (size_t c = 0; c < spec.fields.size(); ++c) {
      const Field& f = spec.fields[c];
      if (IsPartitionColumn(spec, f.name) || f.type == FieldType::kBoolean) continue;
      const auto& bound = key[1] == 'i' ? cols[c].min : cols[c].max;
      if (!bound) continue;
      w.Key(f.name);
      WriteStatValue(&w, *bound, f.type);
    }
    w.EndObject();
  }
  w.Key("nullCount").BeginObject();
  for (size_t c = 0; c < spec.fields.size(); ++c) {
    if (IsPartitionColumn(spec, spec.fields[c].name)) continue;
    w.Key(spec.fields[c].name).Int(cols[c].nulls);
  }
  w.EndObject().EndObject();
  return out;
}

void WritePartitionValues(JsonWriter* w, const PartitionValues& values) {
  w->Key("partitionValues").BeginObject();
  for (const auto& [k, v] : values) {
    w->Key(k);
    if (v) {
      w->String(*v);
    } else {
      w->Null();
    }
  }
  w->EndObject();
}

std::string AddJson(const DemoFile& f) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("add").BeginObject();
  w.Key("path").String(f.path);
  WritePartitionValues(&w, f.partition_values);
  w.Key("size").Int(f.size);
  w.Key("modificationTime").Int(f.modification_time);
  w.Key("dataChange").Bool(true);
  w.Key("stats").String(f.stats);
  w.EndObject().EndObject();
  return out;
}

std::string RemoveJson(const DemoFile& f, int64_t deletion_timestamp) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("remove").BeginObject();
  w.Key("path").String(f.path);
  w.Key("deletionTimestamp").Int(deletion_timestamp);
  w.Key("dataChange").Bool(true);
  w.Key("extendedFileMetadata").Bool(true);
  WritePartitionValues(&w, f.partition_values);
  w.Key("size").Int(f.size);
  w.EndObject().EndObject();
  return out;
}

std::string ProtocolJson() { return R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})"; }

std::string MetaDataJson(const TableSpec& spec, const std::string& id, int64_t created_time) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("metaData").BeginObject();
  w.Key("id").String(id);
  w.Key("description").String(spec.description);
  w.Key("format").BeginObject().Key("provider").String("parquet");
  w.Key("options").BeginObject().EndObject().EndObject();
  w.Key("schemaString").String(SchemaString(spec));
  w.Key("partitionColumns").BeginArray();
  for (const auto& p : spec.partition_columns) w.String(p);
  w.EndArray();
  w.Key("configuration").BeginObject();
  for (const auto& [k, v] : spec.configuration) w.Key(k).String(v);
  w.EndObject();
  w.Key("createdTime").Int(created_time);
  w.EndObject().EndObject();
  return out;
}

struct CommitInfo {
  std::string operation;  // "WRITE", "DELETE"
  std::vector<std::pair<std::string, std::string>> parameters;
  std::vector<std::pair<std::string, int64_t>> metrics;  // Spark writes them as strings
  bool blind_append = true;
};

// ------------------------------------------------------------ file system

Status WriteFileBytes(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::IOError("cannot write " + path.string());
  return Status::OK();
}

Status SetModificationTime(const fs::path& path, int64_t millis) {
  using namespace std::chrono;
  std::error_code ec;
  fs::last_write_time(path, file_clock::from_sys(sys_time<milliseconds>(milliseconds(millis))), ec);
  if (ec) return Status::IOError("cannot set mtime of " + path.string() + ": " + ec.message());
  return Status::OK();
}

Status CreateDirectories(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Status::IOError("cannot create " + path.string() + ": " + ec.message());
  return Status::OK();
}

// ------------------------------------------------------------ table writer

// Writes one Delta table commit by commit, tracking its active files.
class TableWriter {
 public:
  TableWriter(fs::path root, TableSpec spec, uint64_t seed, int64_t first_commit_ms)
      : root_(std::move(root)),
        spec_(std::move(spec)),
        rng_(seed),
        first_commit_ms_(first_commit_ms) {}

  Status Init() {
    std::error_code ec;
    if (fs::exists(root_, ec) || ec) {
      return Status::FailedPrecondition("demo table folder already exists: " + root_.string());
    }
    return CreateDirectories(root_ / "_delta_log");
  }

  std::mt19937_64& rng() { return rng_; }
  const TableSpec& spec() const { return spec_; }
  int64_t next_version() const { return next_version_; }
  int64_t CommitTime(int64_t version) const { return first_commit_ms_ + version * 1000; }
  const std::map<std::string, DemoFile>& active_files() const { return active_; }

  // A random (version 4) UUID from the table's seeded generator.
  std::string Uuid() {
    uint8_t b[16];
    for (int i = 0; i < 16; i += 8) {
      uint64_t r = rng_();
      for (int k = 0; k < 8; ++k) b[i + k] = static_cast<uint8_t>(r >> (8 * k));
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    char out[37];
    std::snprintf(out, sizeof(out),
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    return out;
  }

  // Writes `rows` as one data file per partition (in order of first
  // appearance), as a single Spark task would.
  Result<std::vector<DemoFile>> WriteFiles(const std::vector<Row>& rows) {
    std::vector<std::pair<PartitionValues, std::vector<Row>>> groups;
    for (const Row& row : rows) {
      PartitionValues pv = PartitionOf(row);
      auto it =
          std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == pv; });
      if (it == groups.end()) {
        groups.emplace_back(pv, std::vector<Row>{});
        it = groups.end() - 1;
      }
      it->second.push_back(row);
    }
    std::vector<DemoFile> files;
    int split = 0;
    for (auto& [pv, group_rows] : groups) {
      LS_ASSIGN_OR_RETURN(DemoFile f, WriteFile(pv, std::move(group_rows), split++));
      files.push_back(std::move(f));
    }
    return files;
  }

  Result<DemoFile> WriteFile(const PartitionValues& pv, std::vector<Row> rows, int split) {
    // Parquet holds the data columns only; partition values live in the path.
    pq::ParquetSchema schema;
    std::vector<pq::ColumnData> columns;
    for (size_t c = 0; c < spec_.fields.size(); ++c) {
      const Field& f = spec_.fields[c];
      if (IsPartitionColumn(spec_, f.name)) continue;
      schema.columns.emplace_back(f.name, ParquetType(f.type), f.nullable);
      columns.push_back(ColumnOf(rows, c));
    }
    LS_ASSIGN_OR_RETURN(std::string bytes, pq::WriteParquetFile(schema, {columns}, {}));

    std::string dir;
    for (const std::string& p : spec_.partition_columns) {
      const auto& v = pv.at(p);
      dir += p + "=" +
             (v && !v->empty() ? EscapeHivePartitionValue(*v) : "__HIVE_DEFAULT_PARTITION__") + "/";
    }
    char name[80];
    std::snprintf(name, sizeof(name), "part-%05d-%s.c000.snappy.parquet", split, Uuid().c_str());
    std::string relative = dir + name;
    if (!dir.empty()) LS_RETURN_IF_ERROR(CreateDirectories(root_ / dir));
    fs::path full = root_ / relative;
    LS_RETURN_IF_ERROR(WriteFileBytes(full, bytes));
    // Data files are written a little before their commit.
    int64_t mtime = CommitTime(next_version_) - 400;
    LS_RETURN_IF_ERROR(SetModificationTime(full, mtime));

    DemoFile f;
    f.path = EncodeDeltaPath(relative);
    f.partition_values = pv;
    f.size = static_cast<int64_t>(bytes.size());
    f.modification_time = mtime;
    f.stats = StatsJson(spec_, rows);
    f.rows = std::move(rows);
    return f;
  }

  // Writes the next commit: commitInfo first (as Delta does), then `actions`.
  // `added` and `removed` update the active file set.
  Status Commit(const CommitInfo& info, std::vector<std::string> actions,
                const std::vector<DemoFile>& added, const std::vector<DemoFile>& removed) {
    const int64_t version = next_version_;
    const int64_t ts = CommitTime(version);
    std::string ci;
    JsonWriter w(&ci);
    w.BeginObject().Key("commitInfo").BeginObject();
    w.Key("timestamp").Int(ts);
    w.Key("operation").String(info.operation);
    w.Key("operationParameters").BeginObject();
    for (const auto& [k, v] : info.parameters) w.Key(k).String(v);
    w.EndObject();
    if (version > 0) w.Key("readVersion").Int(version - 1);
    w.Key("isolationLevel").String("Serializable");
    w.Key("isBlindAppend").Bool(info.blind_append);
    w.Key("operationMetrics").BeginObject();
    for (const auto& [k, v] : info.metrics) w.Key(k).String(std::to_string(v));
    w.EndObject();
    w.Key("engineInfo").String("lakeshare-demo/" LAKESHARE_VERSION);
    w.Key("txnId").String(Uuid());
    w.EndObject().EndObject();

    std::string text = ci + "\n";
    for (const std::string& a : actions) text += a + "\n";
    char name[32];
    std::snprintf(name, sizeof(name), "%020lld.json", static_cast<long long>(version));
    fs::path path = root_ / "_delta_log" / name;
    LS_RETURN_IF_ERROR(WriteFileBytes(path, text));
    LS_RETURN_IF_ERROR(SetModificationTime(path, ts));
    for (const DemoFile& f : removed) active_.erase(f.path);
    for (const DemoFile& f : added) active_[f.path] = f;
    ++next_version_;
    return Status::OK();
  }

  // A WRITE commit adding `files` (v0 also creates the table).
  Status CommitWrite(const std::vector<DemoFile>& files) {
    CommitInfo info;
    info.operation = "WRITE";
    bool create = next_version_ == 0;
    std::string partition_by = "[";
    for (size_t i = 0; i < spec_.partition_columns.size(); ++i) {
      if (i > 0) partition_by += ",";
      AppendJsonString(&partition_by, spec_.partition_columns[i]);
    }
    partition_by += "]";
    info.parameters = {{"mode", create ? "ErrorIfExists" : "Append"},
                       {"partitionBy", create ? partition_by : "[]"}};
    int64_t rows = 0, bytes = 0;
    for (const DemoFile& f : files) {
      rows += static_cast<int64_t>(f.rows.size());
      bytes += f.size;
    }
    info.metrics = {{"numFiles", static_cast<int64_t>(files.size())},
                    {"numOutputRows", rows},
                    {"numOutputBytes", bytes}};
    std::vector<std::string> actions;
    if (create) {
      actions.push_back(ProtocolJson());
      actions.push_back(MetaDataJson(spec_, Uuid(), CommitTime(0)));
    }
    for (const DemoFile& f : files) actions.push_back(AddJson(f));
    return Commit(info, std::move(actions), files, {});
  }

  // A copy-on-write DELETE: every active file with a row matching `pred` is
  // removed, and its remaining rows (if any) are written to a new file.
  template <typename Pred>
  Status CommitDelete(const std::string& predicate_sql, Pred&& pred) {
    std::vector<DemoFile> removed, added;
    int64_t deleted_rows = 0, copied_rows = 0;
    int split = 0;
    for (const auto& [path, f] : active_) {
      std::vector<Row> keep;
      for (const Row& r : f.rows) {
        if (!pred(r)) keep.push_back(r);
      }
      if (keep.size() == f.rows.size()) continue;
      deleted_rows += static_cast<int64_t>(f.rows.size() - keep.size());
      copied_rows += static_cast<int64_t>(keep.size());
      removed.push_back(f);
      if (!keep.empty()) {
        LS_ASSIGN_OR_RETURN(DemoFile nf, WriteFile(f.partition_values, std::move(keep), split++));
        added.push_back(std::move(nf));
      }
    }
    CommitInfo info;
    info.operation = "DELETE";
    info.parameters = {{"predicate", "[\"" + predicate_sql + "\"]"}};
    info.blind_append = false;
    info.metrics = {{"numRemovedFiles", static_cast<int64_t>(removed.size())},
                    {"numAddedFiles", static_cast<int64_t>(added.size())},
                    {"numDeletedRows", deleted_rows},
                    {"numCopiedRows", copied_rows},
                    {"numAddedChangeFiles", 0}};
    std::vector<std::string> actions;
    const int64_t ts = CommitTime(next_version_);
    for (const DemoFile& f : removed) actions.push_back(RemoveJson(f, ts));
    for (const DemoFile& f : added) actions.push_back(AddJson(f));
    return Commit(info, std::move(actions), added, removed);
  }

  DemoTable Describe() const {
    DemoTable t;
    t.name = spec_.name;
    t.location = spec_.name;
    t.description = spec_.description;
    t.partition_columns = spec_.partition_columns;
    t.partitioned = !spec_.partition_columns.empty();
    t.latest_version = next_version_ - 1;
    t.num_files = static_cast<int64_t>(active_.size());
    for (const auto& [path, f] : active_) t.num_rows += static_cast<int64_t>(f.rows.size());
    return t;
  }

 private:
  PartitionValues PartitionOf(const Row& row) const {
    PartitionValues pv;
    for (size_t c = 0; c < spec_.fields.size(); ++c) {
      if (IsPartitionColumn(spec_, spec_.fields[c].name)) {
        pv[spec_.fields[c].name] = PartitionValueString(row[c], spec_.fields[c].type);
      }
    }
    return pv;
  }

  template <typename T>
  static pq::ColumnData Typed(const std::vector<Row>& rows, size_t c) {
    std::vector<T> values;
    std::vector<bool> validity;
    for (const Row& r : rows) {
      const T* v = std::get_if<T>(&r[c]);
      values.push_back(v ? *v : T{});
      validity.push_back(v != nullptr);
    }
    return {std::move(values), std::move(validity)};
  }

  pq::ColumnData ColumnOf(const std::vector<Row>& rows, size_t c) const {
    switch (spec_.fields[c].type) {
      case FieldType::kLong:
      case FieldType::kTimestamp:
        return Typed<int64_t>(rows, c);
      case FieldType::kInteger:
      case FieldType::kDate:
        return Typed<int32_t>(rows, c);
      case FieldType::kDouble:
        return Typed<double>(rows, c);
      case FieldType::kString:
        return Typed<std::string>(rows, c);
      case FieldType::kBoolean:
        return Typed<bool>(rows, c);
    }
    return {};
  }

  fs::path root_;
  TableSpec spec_;
  std::mt19937_64 rng_;
  int64_t first_commit_ms_;
  int64_t next_version_ = 0;
  std::map<std::string, DemoFile> active_;
};

// ------------------------------------------------------------ the tables

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// Uniform in [0, n) from the raw generator: std::uniform_int_distribution is
// implementation-defined, and the demo data must not depend on the library.
uint64_t Below(std::mt19937_64& rng, uint64_t n) { return rng() % n; }
bool OneIn(std::mt19937_64& rng, uint64_t n) { return Below(rng, n) == 0; }

template <typename T>
Value OrNull(std::mt19937_64& rng, uint64_t one_in, T v) {
  if (OneIn(rng, one_in)) return std::monostate{};
  return Value(std::move(v));
}

TableSpec SalesSpec() {
  return TableSpec{
      "sales",
      "Orders of a fictional retailer, partitioned by sales region.",
      {
          {"order_id", FieldType::kLong, false, "unique order number"},
          {"customer", FieldType::kString, true, ""},
          {"amount", FieldType::kDouble, true, "order total in EUR"},
          {"quantity", FieldType::kInteger, true, ""},
          {"order_date", FieldType::kDate, true, ""},
          {"ordered_at", FieldType::kTimestamp, true, ""},
          {"shipped", FieldType::kBoolean, true, ""},
          {"region", FieldType::kString, true, ""},
      },
      {"region"},
      {{"delta.enableChangeDataFeed", "false"}},
  };
}

const char* const kCustomers[] = {
    "Acme Corp",         "Globex",  "Initech", "Umbrella",    "Stark Industries",
    "Wayne Enterprises", "Soylent", "Hooli",   "Müller GmbH", "Café Olé SARL"};
// "Asia/Pacific" needs Hive escaping, "North America" URI encoding.
const char* const kRegions[] = {"Europe", "North America", "Asia/Pacific"};

// Orders `first_id`.. placed in [from_day, from_day + days) of 2024.
std::vector<Row> SalesRows(std::mt19937_64& rng, int64_t first_id, int count, int from_day,
                           int days, bool null_region_is_initech) {
  const int64_t jan1 = DaysFromCivil(2024, 1, 1);
  std::vector<Row> rows;
  for (int i = 0; i < count; ++i) {
    // One draw per statement: the order of operand evaluation is unspecified.
    int64_t day = jan1 + from_day + static_cast<int64_t>(Below(rng, days));
    int64_t seconds = day * kSecondsPerDay + static_cast<int64_t>(Below(rng, kSecondsPerDay));
    Value region =
        OneIn(rng, 12) ? Value(std::monostate{}) : Value(std::string(kRegions[Below(rng, 3)]));
    Value customer = OrNull(rng, 15, std::string(kCustomers[Below(rng, 10)]));
    if (null_region_is_initech && std::holds_alternative<std::monostate>(region)) {
      customer = std::string("Initech");
    }
    rows.push_back(Row{
        Value(first_id + i),
        customer,
        OrNull(rng, 15, static_cast<double>(500 + Below(rng, 200000)) / 100.0),
        OrNull(rng, 20, static_cast<int32_t>(1 + Below(rng, 10))),
        Value(static_cast<int32_t>(seconds / kSecondsPerDay)),
        OrNull(rng, 25, seconds * kMicrosPerSecond),
        OrNull(rng, 10, Below(rng, 3) != 0),
        region,
    });
  }
  return rows;
}

Result<DemoTable> WriteSales(const fs::path& dir, int64_t first_commit_ms) {
  TableWriter t(dir / "sales", SalesSpec(), /*seed=*/20240101, first_commit_ms);
  LS_RETURN_IF_ERROR(t.Init());
  // v0: the table is created with the first quarter's orders.
  LS_ASSIGN_OR_RETURN(auto v0, t.WriteFiles(SalesRows(t.rng(), 1, 120, 0, 90, false)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v0));
  // v1, v2: appends. In v2 the orders without a region all belong to Initech,
  // so that v3 deletes one file entirely.
  LS_ASSIGN_OR_RETURN(auto v1, t.WriteFiles(SalesRows(t.rng(), 121, 80, 90, 91, false)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v1));
  LS_ASSIGN_OR_RETURN(auto v2, t.WriteFiles(SalesRows(t.rng(), 201, 60, 181, 184, true)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v2));
  // v3: DELETE FROM sales WHERE customer = 'Initech'.
  LS_RETURN_IF_ERROR(t.CommitDelete("(customer = 'Initech')", [](const Row& r) {
    const auto* c = std::get_if<std::string>(&r[1]);
    return c && *c == "Initech";
  }));
  return t.Describe();
}

TableSpec CustomersSpec() {
  return TableSpec{
      "customers",
      "Customer master data of the fictional retailer.",
      {
          {"customer_id", FieldType::kLong, false, ""},
          {"name", FieldType::kString, false, ""},
          {"email", FieldType::kString, true, ""},
          {"country", FieldType::kString, true, "ISO 3166-1 alpha-2"},
          {"signup_date", FieldType::kDate, true, ""},
          {"tier", FieldType::kString, true, ""},
          {"lifetime_value", FieldType::kDouble, true, ""},
          {"loyalty_points", FieldType::kInteger, true, ""},
          {"is_active", FieldType::kBoolean, true, ""},
          {"last_login", FieldType::kTimestamp, true, ""},
      },
      {},
      {},
  };
}

std::vector<Row> CustomerRows(std::mt19937_64& rng, int64_t first_id, int count) {
  static const char* const kFirst[] = {"Ada", "Grace", "Alan", "Edsger", "Barbara",
                                       "Ken", "Linus", "Zoë",  "José",   "Hedy"};
  static const char* const kLast[] = {"Lovelace", "Hopper",   "Turing",   "Dijkstra", "Liskov",
                                      "Thompson", "Torvalds", "Nakamura", "García",   "Lamarr"};
  static const char* const kCountries[] = {"DE", "FR", "US", "JP", "BR", "IN", "GB", "ES"};
  static const char* const kTiers[] = {"bronze", "silver", "gold", "platinum"};
  const int64_t signup_start = DaysFromCivil(2019, 1, 1);
  const int64_t login_start = DaysFromCivil(2024, 6, 1) * kSecondsPerDay;
  std::vector<Row> rows;
  for (int i = 0; i < count; ++i) {
    std::string first = kFirst[Below(rng, 10)], last = kLast[Below(rng, 10)];
    std::string email;
    for (char ch : first + "." + last) {
      email += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    rows.push_back(Row{
        Value(first_id + i),
        Value(first + " " + last),
        OrNull(rng, 8, email + std::to_string(first_id + i) + "@example.com"),
        OrNull(rng, 20, std::string(kCountries[Below(rng, 8)])),
        OrNull(rng, 30, static_cast<int32_t>(signup_start + Below(rng, 5 * 365))),
        OrNull(rng, 10, std::string(kTiers[Below(rng, 4)])),
        OrNull(rng, 12, static_cast<double>(Below(rng, 5'000'000)) / 100.0),
        OrNull(rng, 9, static_cast<int32_t>(Below(rng, 100'000))),
        OrNull(rng, 15, Below(rng, 4) != 0),
        OrNull(rng, 6,
               (login_start + static_cast<int64_t>(Below(rng, 180 * kSecondsPerDay))) *
                   kMicrosPerSecond),
    });
  }
  return rows;
}

Result<DemoTable> WriteCustomers(const fs::path& dir, int64_t first_commit_ms) {
  TableWriter t(dir / "customers", CustomersSpec(), /*seed=*/42, first_commit_ms);
  LS_RETURN_IF_ERROR(t.Init());
  // v0: two files, as two Spark tasks would write them.
  std::vector<Row> rows = CustomerRows(t.rng(), 1, 50);
  LS_ASSIGN_OR_RETURN(DemoFile a,
                      t.WriteFile({}, std::vector<Row>(rows.begin(), rows.begin() + 25), 0));
  LS_ASSIGN_OR_RETURN(DemoFile b,
                      t.WriteFile({}, std::vector<Row>(rows.begin() + 25, rows.end()), 1));
  LS_RETURN_IF_ERROR(t.CommitWrite({a, b}));
  LS_ASSIGN_OR_RETURN(auto v1, t.WriteFiles(CustomerRows(t.rng(), 51, 15)));
  LS_RETURN_IF_ERROR(t.CommitWrite(v1));
  return t.Describe();
}

}  // namespace
}  // namespace demo_internal

using demo_internal::CreateDirectories;
using demo_internal::WriteCustomers;
using demo_internal::WriteSales;

std::string EscapeHivePartitionValue(std::string_view value) {
  static const std::string_view kSpecial = "\"#%'*/:=?\\\x7f{[]^";
  std::string out;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 0x01 && c <= 0x1f) || kSpecial.find(ch) != std::string_view::npos) {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string EncodeDeltaPath(std::string_view relative_path) {
  // What java.net.URI leaves alone in a path: unreserved and sub-delimiter
  // characters, ':', '@' and '/'. Everything else is %XX-encoded (Java keeps
  // non-ASCII characters as they are; encoding them is equivalent for readers,
  // which decode the path).
  static const std::string_view kKeep = "-_.!~*'(),;:$&+=@/";
  std::string out;
  for (char ch : relative_path) {
    auto c = static_cast<unsigned char>(ch);
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || (c < 0x80 && kKeep.find(ch) != std::string_view::npos)) {
      out += ch;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Result<std::vector<DemoTable>> WriteDemoTables(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("demo table folder must not be empty");
  std::filesystem::path root(dir);
  LS_RETURN_IF_ERROR(CreateDirectories(root));
  // Whole seconds, the last commit of each table 1 s before now.
  const int64_t now_s = NowMillis() / 1000 * 1000;
  std::vector<DemoTable> tables;
  LS_ASSIGN_OR_RETURN(DemoTable sales, WriteSales(root, now_s - 4000));
  tables.push_back(std::move(sales));
  LS_ASSIGN_OR_RETURN(DemoTable customers, WriteCustomers(root, now_s - 2000));
  tables.push_back(std::move(customers));
  return tables;
}

}  // namespace lakeshare
