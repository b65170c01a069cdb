#include "demo/demo_delta_writer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include "common/json_writer.h"
#include "delta/delta_action_writer.h"
#include "delta/delta_log_listing.h"
#include "delta/delta_paths.h"
#include "parquet/parquet_writer.h"
#include "table/deletion_vector_bytes.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
namespace pq = lakeshare::parquet;

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

bool ChangeDataFeed(const DemoTableSpec& spec) {
  return DemoConfiguration(spec, "delta.enableChangeDataFeed") == "true";
}
bool DeletionVectors(const DemoTableSpec& spec) {
  return DemoConfiguration(spec, "delta.enableDeletionVectors") == "true";
}
bool ColumnMapping(const DemoTableSpec& spec) {
  return DemoConfiguration(spec, "delta.columnMapping.mode") == "name";
}

bool IsDeleted(const DemoFile& f, size_t row) {
  return std::binary_search(f.deleted.begin(), f.deleted.end(), static_cast<uint64_t>(row));
}

// The 16 bytes of a UUID's text form.
std::string UuidBytes(const std::string& uuid) {
  std::string out;
  for (size_t i = 0; i + 1 < uuid.size(); ++i) {
    if (uuid[i] == '-') continue;
    out.push_back(static_cast<char>(std::stoi(uuid.substr(i, 2), nullptr, 16)));
    ++i;
  }
  return out;
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
  if (f.deletion_vector) d.deletion_vector = *f.deletion_vector;
  return d;
}

}  // namespace

struct DemoDeltaWriter::CommitInfo {
  std::string operation;  // "WRITE", "DELETE", "RENAME COLUMN"
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
  if (ColumnMapping(spec_)) {
    if (!spec_.partition_columns.empty()) {
      return Status::InvalidArgument("demo tables with column mapping are unpartitioned");
    }
    int32_t id = 0;
    for (DemoField& f : spec_.fields) {
      f.id = ++id;
      f.physical_name = "col-" + Uuid();
    }
    spec_.configuration.emplace_back("delta.columnMapping.maxColumnId", std::to_string(id));
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
    if (IsDemoPartitionColumn(spec_, f.name)) continue;
    std::optional<int32_t> field_id;
    if (f.id > 0) field_id = f.id;
    schema.columns.emplace_back(DemoPhysicalName(f), DemoParquetType(f.type), f.nullable, field_id);
    columns.push_back(DemoColumn(spec_, rows, c));
  }
  if (change_type) {
    schema.columns.emplace_back("_change_type", DemoParquetType(DemoFieldType::kString), false);
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
  std::optional<bool> tight_bounds;
  if (DeletionVectors(spec_)) tight_bounds = true;
  if (!change_type) f.stats = DemoStatsJson(spec_, rows, tight_bounds);
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
    table_id_ = Uuid();
    AppendProtocolAction(Protocol(), &actions);
    AppendMetadataAction(Metadata(), &actions);
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
    for (size_t i = 0; i < f.rows.size(); ++i) {
      if (!IsDeleted(f, i)) (matches(f.rows[i]) ? gone : keep).push_back(f.rows[i]);
    }
    if (gone.empty()) continue;
    if (ChangeDataFeed(spec_)) {
      // With the change data feed on, the deleted rows go to a cdc file.
      LS_ASSIGN_OR_RETURN(DemoFile cf, WriteParquet(f.partition_values, std::move(gone),
                                                    static_cast<int>(changes.size()), "delete"));
      changes.push_back(std::move(cf));
    }
    deleted_rows += static_cast<int64_t>(f.rows.size() - f.deleted.size() - keep.size());
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

Status DemoDeltaWriter::CommitDeleteWithDeletionVectors(
    const std::string& predicate_sql, const std::function<bool(const DemoRow&)>& matches,
    int64_t max_inline_cardinality) {
  if (!DeletionVectors(spec_)) {
    return Status::InvalidArgument("table " + spec_.name + " has no deletion vectors");
  }
  std::vector<DemoFile> removed, added;
  int64_t deleted_rows = 0;
  std::string dv_file;  // the commit's DV file, without its version byte
  const std::string dv_uuid = Uuid();
  for (const auto& [path, f] : active_) {
    std::vector<uint64_t> deleted = f.deleted;
    for (size_t i = 0; i < f.rows.size(); ++i) {
      if (!IsDeleted(f, i) && matches(f.rows[i])) deleted.push_back(i);
    }
    if (deleted.size() == f.deleted.size()) continue;
    deleted_rows += static_cast<int64_t>(deleted.size() - f.deleted.size());
    std::sort(deleted.begin(), deleted.end());
    removed.push_back(f);
    DemoFile nf = f;
    nf.deleted = std::move(deleted);
    if (static_cast<int64_t>(nf.deleted.size()) <= max_inline_cardinality) {
      nf.deletion_vector = InlineDeletionVector(nf.deleted);
    } else {
      std::string bitmap = SerializeRoaringBitmapArray(nf.deleted);
      DeletionVector dv;
      dv.storage_type = "u";
      dv.path_or_inline_dv = Z85Encode(UuidBytes(dv_uuid));
      dv.offset = static_cast<int32_t>(1 + dv_file.size());  // after the version byte
      dv.size_in_bytes = static_cast<int32_t>(bitmap.size());
      dv.cardinality = static_cast<int64_t>(nf.deleted.size());
      nf.deletion_vector = std::move(dv);
      dv_file += DeletionVectorFile(bitmap).substr(1);  // size, bitmap, CRC
    }
    nf.stats = DemoStatsJson(spec_, nf.rows, /*tight_bounds=*/false);
    added.push_back(std::move(nf));
  }
  if (!dv_file.empty()) {
    fs::path full = root_ / ("deletion_vector_" + dv_uuid + ".bin");
    LS_RETURN_IF_ERROR(WriteFileBytes(full, std::string(1, '\x01') + dv_file));
    LS_RETURN_IF_ERROR(SetModificationTime(full, CommitTime(next_version_) - 400));
  }
  CommitInfo info;
  info.operation = "DELETE";
  info.parameters = {{"predicate", "[\"" + predicate_sql + "\"]"}};
  info.blind_append = false;
  // A file that had a DV gets a new one: "updated", not "added".
  int64_t updated = 0;
  for (const DemoFile& f : removed) updated += f.deletion_vector ? 1 : 0;
  info.metrics = {{"numRemovedFiles", 0},
                  {"numAddedFiles", 0},
                  {"numDeletedRows", deleted_rows},
                  {"numCopiedRows", 0},
                  {"numDeletionVectorsAdded", static_cast<int64_t>(added.size()) - updated},
                  {"numDeletionVectorsUpdated", updated}};
  std::string actions;
  const int64_t ts = CommitTime(next_version_);
  for (const DemoFile& f : removed) AppendRemoveAction(ActionFile(f), ts, &actions);
  for (const DemoFile& f : added) AppendAddAction(ActionFile(f), &actions);
  // Same paths: Commit drops the removed entries before adding the new ones.
  return Commit(info, actions, added, removed);
}

Status DemoDeltaWriter::CommitRenameColumn(const std::string& from, const std::string& to) {
  if (!ColumnMapping(spec_)) {
    return Status::InvalidArgument("renaming a column needs column mapping");
  }
  auto it = std::find_if(spec_.fields.begin(), spec_.fields.end(),
                         [&](const DemoField& f) { return f.name == from; });
  if (it == spec_.fields.end()) return Status::InvalidArgument("no column " + from);
  it->name = to;
  CommitInfo info;
  info.operation = "RENAME COLUMN";
  info.parameters = {{"oldColumnPath", from}, {"newColumnPath", to}};
  info.blind_append = false;
  std::string actions;
  AppendMetadataAction(Metadata(), &actions);
  return Commit(info, actions, {}, {});
}

TableProtocol DemoDeltaWriter::Protocol() const {
  TableProtocol protocol;
  if (ChangeDataFeed(spec_)) protocol.min_writer_version = 4;  // the feature's writer version
  if (DeletionVectors(spec_)) {
    // Deletion vectors exist only as a table feature (reader 3, writer 7).
    std::vector<std::string> features = {"deletionVectors"};
    if (ColumnMapping(spec_)) features.insert(features.begin(), "columnMapping");
    protocol.min_reader_version = 3;
    protocol.min_writer_version = 7;
    protocol.reader_features = features;
    if (ChangeDataFeed(spec_)) features.insert(features.begin(), "changeDataFeed");
    protocol.writer_features = features;
  } else if (ColumnMapping(spec_)) {
    protocol.min_reader_version = 2;  // column mapping's legacy versions
    protocol.min_writer_version = 5;
  }
  return protocol;
}

TableMetadata DemoDeltaWriter::Metadata() const {
  TableMetadata metadata;
  metadata.id = table_id_;
  metadata.description = spec_.description;
  metadata.schema_string = DemoSchemaString(spec_);
  metadata.partition_columns = spec_.partition_columns;
  for (const auto& [k, v] : spec_.configuration) metadata.configuration[k] = v;
  metadata.created_time = CommitTime(0);
  return metadata;
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
  for (const auto& [path, f] : active_) {
    t.num_rows += static_cast<int64_t>(f.rows.size() - f.deleted.size());
  }
  return t;
}

PartitionValues DemoDeltaWriter::PartitionOf(const DemoRow& row) const {
  PartitionValues pv;
  for (size_t c = 0; c < spec_.fields.size(); ++c) {
    if (IsDemoPartitionColumn(spec_, spec_.fields[c].name)) {
      pv[spec_.fields[c].name] = DemoPartitionValue(row[c], spec_.fields[c].type);
    }
  }
  return pv;
}

Result<std::filesystem::path> CreateDemoFolder(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("demo table folder must not be empty");
  std::filesystem::path root(dir);
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return Status::IOError("cannot create " + root.string() + ": " + ec.message());
  return root;
}

}  // namespace lakeshare
