#include "demo/demo_delta_writer.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <system_error>

#include "common/json_writer.h"
#include "common/time_util.h"
#include "delta/delta_action_writer.h"
#include "delta/delta_log_listing.h"
#include "delta/delta_paths.h"
#include "parquet/parquet_writer.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
namespace pq = lakeshare::parquet;

const char* SparkTypeName(DemoFieldType t) {
  switch (t) {
    case DemoFieldType::kLong:
      return "long";
    case DemoFieldType::kInteger:
      return "integer";
    case DemoFieldType::kDouble:
      return "double";
    case DemoFieldType::kString:
      return "string";
    case DemoFieldType::kDate:
      return "date";
    case DemoFieldType::kTimestamp:
      return "timestamp";
    case DemoFieldType::kBoolean:
      return "boolean";
  }
  return "string";
}

pq::ColumnType ParquetType(DemoFieldType t) {
  switch (t) {
    case DemoFieldType::kLong:
      return pq::ColumnType::kInt64;
    case DemoFieldType::kInteger:
      return pq::ColumnType::kInt32;
    case DemoFieldType::kDouble:
      return pq::ColumnType::kDouble;
    case DemoFieldType::kString:
      return pq::ColumnType::kString;
    case DemoFieldType::kDate:
      return pq::ColumnType::kDate;
    case DemoFieldType::kTimestamp:
      return pq::ColumnType::kTimestampMicros;
    case DemoFieldType::kBoolean:
      return pq::ColumnType::kBoolean;
  }
  return pq::ColumnType::kString;
}

bool IsPartitionColumn(const DemoTableSpec& spec, const std::string& name) {
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
std::optional<std::string> PartitionValueString(const DemoValue& v, DemoFieldType t) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  switch (t) {
    case DemoFieldType::kString:
      return std::get<std::string>(v);
    case DemoFieldType::kInteger:
      return std::to_string(std::get<int32_t>(v));
    case DemoFieldType::kLong:
      return std::to_string(std::get<int64_t>(v));
    case DemoFieldType::kBoolean:
      return std::get<bool>(v) ? "true" : "false";
    case DemoFieldType::kDate:
      return FormatDate(std::get<int32_t>(v));
    case DemoFieldType::kDouble:
      return FormatJsonDouble(std::get<double>(v));
    case DemoFieldType::kTimestamp: {
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

std::string SchemaString(const DemoTableSpec& spec) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("type").String("struct").Key("fields").BeginArray();
  for (const DemoField& f : spec.fields) {
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

void WriteStatValue(JsonWriter* w, const DemoValue& v, DemoFieldType t) {
  switch (t) {
    case DemoFieldType::kLong:
      w->Int(std::get<int64_t>(v));
      break;
    case DemoFieldType::kInteger:
      w->Int(std::get<int32_t>(v));
      break;
    case DemoFieldType::kDouble:
      w->Raw(FormatJsonDouble(std::get<double>(v)));
      break;
    case DemoFieldType::kString:
      w->String(std::get<std::string>(v));
      break;
    case DemoFieldType::kDate:
      w->String(FormatDate(std::get<int32_t>(v)));
      break;
    case DemoFieldType::kTimestamp:
      w->String(FormatTimestampMicros(std::get<int64_t>(v)));
      break;
    case DemoFieldType::kBoolean:
      w->Bool(std::get<bool>(v));
      break;
  }
}

// Delta file statistics, as Spark collects them: min/max for numbers, dates,
// timestamps and strings (not booleans), left out for an all-null column;
// null counts for every data column.
std::string StatsJson(const DemoTableSpec& spec, const std::vector<DemoRow>& rows) {
  struct ColumnStats {
    std::optional<DemoValue> min, max;
    int64_t nulls = 0;
  };
  std::vector<ColumnStats> cols(spec.fields.size());
  for (const DemoRow& row : rows) {
    for (size_t c = 0; c < spec.fields.size(); ++c) {
      const DemoValue& v = row[c];
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
      const DemoField& f = spec.fields[c];
      if (IsPartitionColumn(spec, f.name) || f.type == DemoFieldType::kBoolean) continue;
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

template <typename T>
pq::ColumnData Typed(const std::vector<DemoRow>& rows, size_t c) {
  std::vector<T> values;
  std::vector<bool> validity;
  for (const DemoRow& r : rows) {
    const T* v = std::get_if<T>(&r[c]);
    values.push_back(v ? *v : T{});
    validity.push_back(v != nullptr);
  }
  return {std::move(values), std::move(validity)};
}

pq::ColumnData ColumnOf(const DemoTableSpec& spec, const std::vector<DemoRow>& rows, size_t c) {
  switch (spec.fields[c].type) {
    case DemoFieldType::kLong:
    case DemoFieldType::kTimestamp:
      return Typed<int64_t>(rows, c);
    case DemoFieldType::kInteger:
    case DemoFieldType::kDate:
      return Typed<int32_t>(rows, c);
    case DemoFieldType::kDouble:
      return Typed<double>(rows, c);
    case DemoFieldType::kString:
      return Typed<std::string>(rows, c);
    case DemoFieldType::kBoolean:
      return Typed<bool>(rows, c);
  }
  return {};
}

bool ChangeDataFeed(const DemoTableSpec& spec) {
  for (const auto& [k, v] : spec.configuration) {
    if (k == "delta.enableChangeDataFeed") return v == "true";
  }
  return false;
}

// The DataFile an add or remove action of `f` records.
DataFile ActionFile(const DemoFile& f) {
  DataFile d;
  d.path = f.path;
  d.partition_values = f.partition_values;
  d.size = f.size;
  d.modification_time = f.modification_time;
  d.data_change = true;
  d.stats = f.stats;
  return d;
}

}  // namespace

struct DemoDeltaWriter::CommitInfo {
  std::string operation;  // "WRITE", "DELETE"
  std::vector<std::pair<std::string, std::string>> parameters;
  std::vector<std::pair<std::string, int64_t>> metrics;
  bool blind_append = true;
};

DemoDeltaWriter::DemoDeltaWriter(fs::path root, DemoTableSpec spec, uint64_t seed,
                                 int64_t first_commit_ms)
    : root_(std::move(root)),
      spec_(std::move(spec)),
      rng_(seed),
      first_commit_ms_(first_commit_ms) {}

Status DemoDeltaWriter::Init() {
  std::error_code ec;
  if (fs::exists(root_, ec) || ec) {
    return Status::FailedPrecondition("demo table folder already exists: " + root_.string());
  }
  return CreateDirectories(root_ / "_delta_log");
}

std::string DemoDeltaWriter::Uuid() {
  uint8_t b[16];
  for (int i = 0; i < 16; i += 8) {
    uint64_t r = rng_();
    for (int k = 0; k < 8; ++k) b[i + k] = static_cast<uint8_t>(r >> (8 * k));
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

Result<std::vector<DemoFile>> DemoDeltaWriter::WriteFiles(const std::vector<DemoRow>& rows) {
  std::vector<std::pair<PartitionValues, std::vector<DemoRow>>> groups;
  for (const DemoRow& row : rows) {
    PartitionValues pv = PartitionOf(row);
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == pv; });
    if (it == groups.end()) {
      groups.emplace_back(pv, std::vector<DemoRow>{});
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

Result<DemoFile> DemoDeltaWriter::WriteFile(const PartitionValues& pv, std::vector<DemoRow> rows,
                                            int split) {
  return WriteParquet(pv, std::move(rows), split, std::nullopt);
}

Result<DemoFile> DemoDeltaWriter::WriteParquet(const PartitionValues& pv, std::vector<DemoRow> rows,
                                               int split,
                                               const std::optional<std::string>& change_type) {
  // Parquet holds the data columns only; partition values live in the path.
  // A change data file adds _change_type (Delta's change data feed).
  pq::ParquetSchema schema;
  std::vector<pq::ColumnData> columns;
  for (size_t c = 0; c < spec_.fields.size(); ++c) {
    const DemoField& f = spec_.fields[c];
    if (IsPartitionColumn(spec_, f.name)) continue;
    schema.columns.emplace_back(f.name, ParquetType(f.type), f.nullable);
    columns.push_back(ColumnOf(spec_, rows, c));
  }
  if (change_type) {
    schema.columns.emplace_back("_change_type", ParquetType(DemoFieldType::kString), false);
    columns.push_back({std::vector<std::string>(rows.size(), *change_type), {}});
  }
  LS_ASSIGN_OR_RETURN(std::string bytes, pq::WriteParquetFile(schema, {columns}, {}));

  std::string dir = change_type ? "_change_data/" : "";
  for (const std::string& p : spec_.partition_columns) {
    const auto& v = pv.at(p);
    dir += p + "=" +
           (v && !v->empty() ? EscapeHivePartitionValue(*v) : "__HIVE_DEFAULT_PARTITION__") + "/";
  }
  char name[80];
  std::snprintf(name, sizeof(name), "%s-%05d-%s.c000.snappy.parquet", change_type ? "cdc" : "part",
                split, Uuid().c_str());
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
  if (!change_type) f.stats = StatsJson(spec_, rows);
  f.rows = std::move(rows);
  return f;
}

// Writes the next commit: commitInfo first (as Delta does), then `actions`.
// `added` and `removed` update the active file set.
Status DemoDeltaWriter::Commit(const CommitInfo& info, const std::string& actions,
                               const std::vector<DemoFile>& added,
                               const std::vector<DemoFile>& removed) {
  const int64_t version = next_version_;
  const int64_t ts = CommitTime(version);
  CommitInfoAction ci;
  ci.timestamp_ms = ts;
  ci.operation = info.operation;
  ci.operation_parameters = info.parameters;
  if (version > 0) ci.read_version = version - 1;
  ci.isolation_level = "Serializable";
  ci.is_blind_append = info.blind_append;
  ci.operation_metrics = info.metrics;
  ci.engine_info = "lakeshare-demo/" LAKESHARE_VERSION;
  ci.txn_id = Uuid();
  std::string text;
  AppendCommitInfoAction(ci, &text);
  text += actions;
  fs::path path = root_ / "_delta_log" / DeltaCommitFileName(version);
  LS_RETURN_IF_ERROR(WriteDeltaLogFile(path.string(), text, ts));
  for (const DemoFile& f : removed) active_.erase(f.path);
  for (const DemoFile& f : added) active_[f.path] = f;
  ++next_version_;
  return Status::OK();
}

Status DemoDeltaWriter::CommitWrite(const std::vector<DemoFile>& files) {
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
  std::string actions;
  if (create) {
    TableProtocol protocol;
    if (ChangeDataFeed(spec_)) protocol.min_writer_version = 4;  // the feature's writer version
    AppendProtocolAction(protocol, &actions);
    TableMetadata metadata;
    metadata.id = Uuid();
    metadata.description = spec_.description;
    metadata.schema_string = SchemaString(spec_);
    metadata.partition_columns = spec_.partition_columns;
    for (const auto& [k, v] : spec_.configuration) metadata.configuration[k] = v;
    metadata.created_time = CommitTime(0);
    AppendMetadataAction(metadata, &actions);
  }
  for (const DemoFile& f : files) AppendAddAction(ActionFile(f), &actions);
  return Commit(info, actions, files, {});
}

Status DemoDeltaWriter::CommitDelete(const std::string& predicate_sql,
                                     const std::function<bool(const DemoRow&)>& matches) {
  std::vector<DemoFile> removed, added, changes;
  int64_t deleted_rows = 0, copied_rows = 0;
  int split = 0;
  for (const auto& [path, f] : active_) {
    std::vector<DemoRow> keep, gone;
    for (const DemoRow& r : f.rows) (matches(r) ? gone : keep).push_back(r);
    if (gone.empty()) continue;
    if (ChangeDataFeed(spec_)) {
      // With the change data feed on, the deleted rows go to a cdc file.
      LS_ASSIGN_OR_RETURN(DemoFile cf, WriteParquet(f.partition_values, std::move(gone),
                                                    static_cast<int>(changes.size()), "delete"));
      changes.push_back(std::move(cf));
    }
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
                  {"numAddedChangeFiles", static_cast<int64_t>(changes.size())}};
  std::string actions;
  const int64_t ts = CommitTime(next_version_);
  for (const DemoFile& f : removed) AppendRemoveAction(ActionFile(f), ts, &actions);
  for (const DemoFile& f : added) AppendAddAction(ActionFile(f), &actions);
  for (const DemoFile& f : changes) AppendCdcAction(ActionFile(f), &actions);
  return Commit(info, actions, added, removed);
}

DemoTable DemoDeltaWriter::Describe() const {
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

PartitionValues DemoDeltaWriter::PartitionOf(const DemoRow& row) const {
  PartitionValues pv;
  for (size_t c = 0; c < spec_.fields.size(); ++c) {
    if (IsPartitionColumn(spec_, spec_.fields[c].name)) {
      pv[spec_.fields[c].name] = PartitionValueString(row[c], spec_.fields[c].type);
    }
  }
  return pv;
}

}  // namespace lakeshare
