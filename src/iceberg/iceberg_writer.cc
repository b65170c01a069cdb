#include "iceberg/iceberg_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <variant>

#include "common/encoding.h"
#include "common/json_writer.h"
#include "iceberg/avro_writer.h"
#include "iceberg/writer_values.h"
#include "table/partition_values.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
using iceberg::AvroField;
using iceberg::AvroFileWriter;
using iceberg::AvroPartitionType;
using iceberg::BoundBytes;
using iceberg::IcebergTypeName;
using iceberg::IsValid;
using iceberg::ParquetTypeOf;
using iceberg::PartitionText;
using iceberg::RowCount;
using iceberg::SameValue;
using iceberg::SetPartitionValue;
using iceberg::TypeId;

std::string RandomUuid() {
  std::random_device rd;
  std::string bytes;
  for (int i = 0; i < 16; ++i) bytes.push_back(static_cast<char>(rd() & 0xff));
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
  std::string h = HexEncode(bytes);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

int64_t RandomSnapshotId() {
  std::random_device rd;
  uint64_t v = (uint64_t{rd()} << 32) ^ rd();
  return static_cast<int64_t>(v >> 1) | 1;
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IOError("cannot write " + path);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) return Status::IOError("cannot write " + path);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::IOError("cannot write " + path + ": " + ec.message());
  return Status::OK();
}

Status SetIdMap(avro_value_t* df, const char* name,
                const std::vector<std::pair<int32_t, std::string>>* bytes,
                const std::vector<std::pair<int32_t, int64_t>>* longs) {
  LS_ASSIGN_OR_RETURN(avro_value_t field, AvroField(df, name));
  LS_ASSIGN_OR_RETURN(avro_value_t array, iceberg::AvroSetBranch(&field, 1));
  size_t n = bytes ? bytes->size() : longs->size();
  for (size_t i = 0; i < n; ++i) {
    avro_value_t elem;
    if (avro_value_append(&array, &elem, nullptr) != 0) return Status::Internal("append failed");
    LS_ASSIGN_OR_RETURN(avro_value_t key, AvroField(&elem, "key"));
    LS_ASSIGN_OR_RETURN(avro_value_t value, AvroField(&elem, "value"));
    LS_RETURN_IF_ERROR(iceberg::AvroSetLong(&key, bytes ? (*bytes)[i].first : (*longs)[i].first));
    if (bytes) {
      LS_RETURN_IF_ERROR(iceberg::AvroSetBytes(&value, (*bytes)[i].second));
    } else {
      LS_RETURN_IF_ERROR(iceberg::AvroSetLong(&value, (*longs)[i].second));
    }
  }
  return Status::OK();
}

// Column metrics of one manifest entry, keyed by field id.
struct EntryMetrics {
  std::vector<std::pair<int32_t, int64_t>> value_counts, null_counts, nan_counts;
  std::vector<std::pair<int32_t, std::string>> lower, upper;
};

parquet::ColumnData FirstRow(const parquet::ColumnData& c) {
  parquet::ColumnData out;
  out.values = std::visit(
      [](const auto& v) -> parquet::ColumnValues {
        return std::decay_t<decltype(v)>(v.begin(), v.begin() + 1);
      },
      c.values);
  if (!c.validity.empty()) out.validity = {c.validity[0]};
  return out;
}

// Fills one "added" manifest entry of `content` (0 data, 1 position
// deletes); `partition` holds one one-row column per partition field, named
// by `partition_names`.
Status SetEntry(avro_value_t* rec, int64_t snapshot_id, int64_t seq, int64_t content,
                const std::string& path, const std::vector<std::string>& partition_names,
                const std::vector<TypeId>& partition_types,
                const std::vector<parquet::ColumnData>& partition, int64_t rows, int64_t size,
                const EntryMetrics& m, const char* file_format = "PARQUET") {
  LS_ASSIGN_OR_RETURN(avro_value_t f, AvroField(rec, "status"));
  LS_RETURN_IF_ERROR(iceberg::AvroSetLong(&f, 1));
  LS_ASSIGN_OR_RETURN(f, AvroField(rec, "snapshot_id"));
  LS_RETURN_IF_ERROR(iceberg::AvroSetLong(&f, snapshot_id));
  LS_ASSIGN_OR_RETURN(f, AvroField(rec, "sequence_number"));
  LS_RETURN_IF_ERROR(iceberg::AvroSetLong(&f, seq));
  LS_ASSIGN_OR_RETURN(f, AvroField(rec, "file_sequence_number"));
  LS_RETURN_IF_ERROR(iceberg::AvroSetLong(&f, seq));
  LS_ASSIGN_OR_RETURN(avro_value_t df, AvroField(rec, "data_file"));
  LS_ASSIGN_OR_RETURN(f, AvroField(&df, "content"));
  LS_RETURN_IF_ERROR(iceberg::AvroSetLong(&f, content));
  LS_ASSIGN_OR_RETURN(f, AvroField(&df, "file_path"));
  LS_RETURN_IF_ERROR(iceberg::AvroSetString(&f, path));
  LS_ASSIGN_OR_RETURN(f, AvroField(&df, "file_format"));
  LS_RETURN_IF_ERROR(iceberg::AvroSetString(&f, file_format));
  LS_ASSIGN_OR_RETURN(avro_value_t part, AvroField(&df, "partition"));
  for (size_t p = 0; p < partition_names.size(); ++p) {
    LS_ASSIGN_OR_RETURN(avro_value_t pv, AvroField(&part, partition_names[p].c_str()));
    LS_RETURN_IF_ERROR(SetPartitionValue(&pv, partition_types[p], partition[p], 0));
  }
  LS_ASSIGN_OR_RETURN(f, AvroField(&df, "record_count"));
  LS_RETURN_IF_ERROR(iceberg::AvroSetLong(&f, rows));
  LS_ASSIGN_OR_RETURN(f, AvroField(&df, "file_size_in_bytes"));
  LS_RETURN_IF_ERROR(iceberg::AvroSetLong(&f, size));
  LS_RETURN_IF_ERROR(SetIdMap(&df, "value_counts", nullptr, &m.value_counts));
  LS_RETURN_IF_ERROR(SetIdMap(&df, "null_value_counts", nullptr, &m.null_counts));
  LS_RETURN_IF_ERROR(SetIdMap(&df, "nan_value_counts", nullptr, &m.nan_counts));
  LS_RETURN_IF_ERROR(SetIdMap(&df, "lower_bounds", &m.lower, nullptr));
  return SetIdMap(&df, "upper_bounds", &m.upper, nullptr);
}

Status WriteFile(const std::string& dir, const std::string& folder, const std::string& relative,
                 const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / folder, ec);
  if (ec) return Status::IOError("cannot create " + folder + ": " + ec.message());
  std::ofstream out(dir + "/" + relative, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::IOError("cannot write " + relative);
  return Status::OK();
}

constexpr int32_t kDeleteFilePathId = 2147483546;
constexpr int32_t kDeletePosId = 2147483545;

constexpr const char* kManifestListSchema = R"({"type":"record","name":"manifest_file","fields":[
{"name":"manifest_path","type":"string","field-id":500},
{"name":"manifest_length","type":"long","field-id":501},
{"name":"partition_spec_id","type":"int","field-id":502},
{"name":"content","type":"int","field-id":517},
{"name":"sequence_number","type":"long","field-id":515},
{"name":"min_sequence_number","type":"long","field-id":516},
{"name":"added_snapshot_id","type":"long","field-id":503},
{"name":"added_files_count","type":"int","field-id":504},
{"name":"existing_files_count","type":"int","field-id":505},
{"name":"deleted_files_count","type":"int","field-id":506},
{"name":"added_rows_count","type":"long","field-id":512},
{"name":"existing_rows_count","type":"long","field-id":513},
{"name":"deleted_rows_count","type":"long","field-id":514},
{"name":"partitions","type":["null",{"type":"array","items":{"type":"record","name":"r508","fields":[
{"name":"contains_null","type":"boolean","field-id":509},
{"name":"contains_nan","type":["null","boolean"],"default":null,"field-id":518},
{"name":"lower_bound","type":["null","bytes"],"default":null,"field-id":510},
{"name":"upper_bound","type":["null","bytes"],"default":null,"field-id":511}]},"element-id":508}],
"default":null,"field-id":507}]})";

// Finishes one manifest of a new snapshot: its bytes under metadata/, and
// the manifest list's entry for it.
Result<iceberg::ManifestFile> FinishManifest(AvroFileWriter& writer, const std::string& dir,
                                             const std::string& location, const std::string& name,
                                             iceberg::ManifestContent content, int64_t seq,
                                             int64_t snapshot_id, int64_t added_files) {
  LS_ASSIGN_OR_RETURN(std::string bytes, writer.Finish());
  LS_RETURN_IF_ERROR(WriteFileAtomically(dir + "/metadata/" + name, bytes));
  iceberg::ManifestFile mf;
  mf.path = location + "/metadata/" + name;
  mf.length = static_cast<int64_t>(bytes.size());
  mf.spec_id = 0;
  mf.content = content;
  mf.sequence_number = seq;
  mf.added_snapshot_id = snapshot_id;
  mf.added_files = added_files;
  mf.existing_files = 0;
  mf.deleted_files = 0;
  return mf;
}

}  // namespace

Result<std::unique_ptr<IcebergTableWriter>> IcebergTableWriter::Create(std::string dir,
                                                                       IcebergTableSpec spec,
                                                                       int64_t created_ms) {
  if (spec.columns.empty()) return Status::InvalidArgument("an Iceberg table needs columns");
  for (const std::string& p : spec.partition_by) {
    bool ok = !p.empty() && !std::isdigit(static_cast<unsigned char>(p[0]));
    for (char c : p) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) return Status::InvalidArgument("partition column '" + p + "' is not an Avro name");
  }
  std::unique_ptr<IcebergTableWriter> w(new IcebergTableWriter());
  for (const std::string& p : spec.partition_by) {
    size_t index = spec.columns.size();
    for (size_t i = 0; i < spec.columns.size(); ++i) {
      if (spec.columns[i].name == p) index = i;
    }
    if (index == spec.columns.size()) {
      return Status::InvalidArgument("partition column '" + p + "' is not a column");
    }
    w->partition_index_.push_back(index);
  }
  for (const IcebergColumn& c : spec.columns) {
    if (IcebergTypeName(c.type) == nullptr) {
      return Status::InvalidArgument("column '" + c.name + "': unsupported type for writing");
    }
  }
  std::error_code ec;
  if (fs::exists(fs::path(dir) / "metadata", ec) && !fs::is_empty(fs::path(dir) / "metadata", ec)) {
    return Status::FailedPrecondition("'" + dir + "' already holds an Iceberg table");
  }
  fs::create_directories(fs::path(dir) / "metadata", ec);
  fs::create_directories(fs::path(dir) / "data", ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  w->dir_ = std::move(dir);
  w->location_ = spec.recorded_location.value_or(w->dir_);
  while (w->location_.size() > 1 && w->location_.back() == '/') w->location_.pop_back();
  w->spec_ = std::move(spec);
  w->uuid_ = RandomUuid();
  LS_RETURN_IF_ERROR(w->WriteMetadata(created_ms));
  return w;
}

std::string IcebergTableWriter::SchemaJson() const {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("type").String("struct").Key("schema-id").Int(0);
  w.Key("fields").BeginArray();
  for (size_t i = 0; i < spec_.columns.size(); ++i) {
    const IcebergColumn& c = spec_.columns[i];
    w.BeginObject().Key("id").Int(static_cast<int64_t>(i + 1)).Key("name").String(c.name);
    w.Key("required").Bool(c.required).Key("type").String(IcebergTypeName(c.type));
    if (c.doc) w.Key("doc").String(*c.doc);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

std::string IcebergTableWriter::SpecJson() const {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  for (size_t i = 0; i < partition_index_.size(); ++i) {
    w.BeginObject().Key("name").String(spec_.columns[partition_index_[i]].name);
    w.Key("transform").String("identity");
    w.Key("source-id").Int(static_cast<int64_t>(partition_index_[i] + 1));
    w.Key("field-id").Int(static_cast<int64_t>(1000 + i)).EndObject();
  }
  w.EndArray();
  return out;
}

std::string IcebergTableWriter::ManifestSchemaJson() const {
  std::string part = "[";
  for (size_t i = 0; i < partition_index_.size(); ++i) {
    const IcebergColumn& c = spec_.columns[partition_index_[i]];
    if (i > 0) part += ",";
    std::string name;
    AppendJsonString(&name, c.name);
    part += "{\"name\":" + name + ",\"type\":[\"null\"," + AvroPartitionType(c.type) +
            "],\"default\":null,\"field-id\":" + std::to_string(1000 + i) + "}";
  }
  part += "]";
  auto kv = [](const char* name, int field_id, int key_id, const char* value_type) {
    std::string r =
        std::string("{\"name\":\"") + name +
        "\",\"type\":[\"null\",{\"type\":\"array\","
        "\"items\":{\"type\":\"record\",\"name\":\"k" +
        std::to_string(key_id) + "_v" + std::to_string(key_id + 1) +
        "\",\"fields\":[{\"name\":\"key\",\"type\":\"int\","
        "\"field-id\":" +
        std::to_string(key_id) + "},{\"name\":\"value\",\"type\":\"" + value_type +
        "\",\"field-id\":" + std::to_string(key_id + 1) +
        "}]},\"logicalType\":\"map\"}],\"default\":null,\"field-id\":" + std::to_string(field_id) +
        "}";
    return r;
  };
  return std::string(R"({"type":"record","name":"manifest_entry","fields":[)") +
         R"({"name":"status","type":"int","field-id":0},)" +
         R"({"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},)" +
         R"({"name":"sequence_number","type":["null","long"],"default":null,"field-id":3},)" +
         R"({"name":"file_sequence_number","type":["null","long"],"default":null,"field-id":4},)" +
         R"({"name":"data_file","type":{"type":"record","name":"r2","fields":[)" +
         R"({"name":"content","type":"int","field-id":134},)" +
         R"({"name":"file_path","type":"string","field-id":100},)" +
         R"({"name":"file_format","type":"string","field-id":101},)" +
         R"({"name":"partition","type":{"type":"record","name":"r102","fields":)" + part +
         R"(},"field-id":102},)" + R"({"name":"record_count","type":"long","field-id":103},)" +
         R"({"name":"file_size_in_bytes","type":"long","field-id":104},)" +
         kv("value_counts", 109, 119, "long") + "," + kv("null_value_counts", 110, 121, "long") +
         "," + kv("nan_value_counts", 137, 138, "long") + "," +
         kv("lower_bounds", 125, 126, "bytes") + "," + kv("upper_bounds", 128, 129, "bytes") +
         R"(]},"field-id":2}]})";
}

Status IcebergTableWriter::WriteMetadata(int64_t timestamp_ms) {
  last_updated_ms_ = timestamp_ms;
  ++metadata_version_;
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("format-version").Int(2).Key("table-uuid").String(uuid_).Key("location").String(location_);
  w.Key("last-sequence-number").Int(sequence_).Key("last-updated-ms").Int(timestamp_ms);
  w.Key("last-column-id").Int(static_cast<int64_t>(spec_.columns.size()));
  w.Key("current-schema-id").Int(0).Key("schemas").BeginArray().Raw(SchemaJson()).EndArray();
  w.Key("default-spec-id").Int(0).Key("partition-specs").BeginArray();
  w.BeginObject().Key("spec-id").Int(0).Key("fields").Raw(SpecJson()).EndObject().EndArray();
  w.Key("last-partition-id").Int(static_cast<int64_t>(999 + partition_index_.size()));
  w.Key("default-sort-order-id").Int(0).Key("sort-orders").BeginArray();
  w.BeginObject().Key("order-id").Int(0).Key("fields").BeginArray().EndArray().EndObject();
  w.EndArray();
  w.Key("properties").BeginObject();
  for (const auto& [k, v] : spec_.properties) w.Key(k).String(v);
  w.EndObject();
  if (snapshots_.empty()) {
    w.Key("current-snapshot-id").Int(-1);
    w.Key("refs").BeginObject().EndObject();
  } else {
    w.Key("current-snapshot-id").Int(snapshots_.back().id);
    w.Key("refs").BeginObject().Key("main").BeginObject();
    w.Key("snapshot-id").Int(snapshots_.back().id).Key("type").String("branch");
    w.EndObject().EndObject();
  }
  w.Key("snapshots").BeginArray();
  for (const SnapshotRecord& s : snapshots_) {
    w.BeginObject().Key("snapshot-id").Int(s.id);
    if (s.parent) w.Key("parent-snapshot-id").Int(*s.parent);
    w.Key("sequence-number").Int(s.sequence).Key("timestamp-ms").Int(s.timestamp_ms);
    w.Key("manifest-list").String(s.manifest_list).Key("schema-id").Int(0);
    w.Key("summary").BeginObject();
    for (const auto& [k, v] : s.summary) w.Key(k).String(v);
    w.EndObject().EndObject();
  }
  w.EndArray();
  w.Key("snapshot-log").BeginArray();
  for (const SnapshotRecord& s : snapshots_) {
    w.BeginObject().Key("timestamp-ms").Int(s.timestamp_ms).Key("snapshot-id").Int(s.id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("metadata-log").BeginArray();
  for (const auto& [ts, file] : metadata_log_) {
    w.BeginObject().Key("timestamp-ms").Int(ts).Key("metadata-file").String(file).EndObject();
  }
  w.EndArray();
  w.Key("statistics").BeginArray().EndArray();
  w.EndObject();
  std::string name = "v" + std::to_string(metadata_version_) + ".metadata.json";
  LS_RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/metadata/" + name, out));
  metadata_log_.emplace_back(timestamp_ms, location_ + "/metadata/" + name);
  return WriteFileAtomically(dir_ + "/metadata/version-hint.text",
                             std::to_string(metadata_version_));
}

// The manifest list of every manifest so far plus the new ones, the
// snapshot and the next metadata version.
Status IcebergTableWriter::WriteSnapshot(int64_t snapshot_id, int64_t seq, const std::string& run,
                                         std::vector<WrittenManifest> new_manifests,
                                         std::map<std::string, std::string> summary,
                                         int64_t timestamp_ms) {
  // The manifest list: earlier manifests (existing) and the new ones.
  std::map<std::string, std::string> list_meta = {{"snapshot-id", std::to_string(snapshot_id)},
                                                  {"sequence-number", std::to_string(seq)},
                                                  {"format-version", "2"}};
  if (!snapshots_.empty()) list_meta["parent-snapshot-id"] = std::to_string(snapshots_.back().id);
  LS_ASSIGN_OR_RETURN(auto list, AvroFileWriter::Create(kManifestListSchema, list_meta));
  std::vector<WrittenManifest> all = manifests_;
  for (auto& m : new_manifests) all.push_back(m);
  for (const auto& [mf, rows] : all) {
    avro_value_t* rec = list->NewRecord();
    auto set = [&](const char* name, int64_t v) -> Status {
      LS_ASSIGN_OR_RETURN(avro_value_t f, AvroField(rec, name));
      return iceberg::AvroSetLong(&f, v);
    };
    LS_ASSIGN_OR_RETURN(avro_value_t path, AvroField(rec, "manifest_path"));
    LS_RETURN_IF_ERROR(iceberg::AvroSetString(&path, mf.path));
    LS_RETURN_IF_ERROR(set("manifest_length", mf.length));
    LS_RETURN_IF_ERROR(set("partition_spec_id", 0));
    LS_RETURN_IF_ERROR(set("content", static_cast<int64_t>(mf.content)));
    LS_RETURN_IF_ERROR(set("sequence_number", mf.sequence_number));
    LS_RETURN_IF_ERROR(set("min_sequence_number", mf.sequence_number));
    LS_RETURN_IF_ERROR(set("added_snapshot_id", *mf.added_snapshot_id));
    // Files of earlier snapshots count as "added" by the manifest that
    // added them: Iceberg's counts describe the manifest's own entries.
    LS_RETURN_IF_ERROR(set("added_files_count", *mf.added_files));
    LS_RETURN_IF_ERROR(set("existing_files_count", 0));
    LS_RETURN_IF_ERROR(set("deleted_files_count", 0));
    LS_RETURN_IF_ERROR(set("added_rows_count", rows));
    LS_RETURN_IF_ERROR(set("existing_rows_count", 0));
    LS_RETURN_IF_ERROR(set("deleted_rows_count", 0));
    LS_ASSIGN_OR_RETURN(avro_value_t parts, AvroField(rec, "partitions"));
    LS_RETURN_IF_ERROR(iceberg::AvroSetNull(&parts));
    LS_RETURN_IF_ERROR(list->Append());
  }
  LS_ASSIGN_OR_RETURN(std::string list_bytes, list->Finish());
  std::string list_name = "snap-" + std::to_string(snapshot_id) + "-1-" + run + ".avro";
  LS_RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/metadata/" + list_name, list_bytes));

  SnapshotRecord s;
  s.id = snapshot_id;
  if (!snapshots_.empty()) s.parent = snapshots_.back().id;
  s.sequence = seq;
  s.timestamp_ms = timestamp_ms;
  s.manifest_list = location_ + "/metadata/" + list_name;
  s.summary = std::move(summary);
  s.summary["total-data-files"] = std::to_string(total_files_);
  s.summary["total-records"] = std::to_string(total_records_);
  s.summary["total-files-size"] = std::to_string(total_size_);
  s.summary["total-delete-files"] = std::to_string(total_delete_files_);
  s.summary["total-position-deletes"] = std::to_string(total_position_deletes_);
  s.summary["total-equality-deletes"] = "0";
  snapshots_.push_back(std::move(s));
  for (auto& mf : new_manifests) manifests_.push_back(std::move(mf));
  sequence_ = seq;
  return WriteMetadata(timestamp_ms);
}

Result<int64_t> IcebergTableWriter::Append(
    size_t count, const std::function<Result<IcebergFileData>(size_t)>& make_file,
    const IcebergAppendOptions& options) {
  const int64_t snapshot_id = RandomSnapshotId();
  const int64_t seq = sequence_ + 1;
  const std::string run = RandomUuid();
  parquet::ParquetSchema pschema;
  for (size_t i = 0; i < spec_.columns.size(); ++i) {
    const IcebergColumn& c = spec_.columns[i];
    pschema.columns.emplace_back(c.name, ParquetTypeOf(c.type), !c.required,
                                 static_cast<int32_t>(i + 1));
  }
  std::string manifest_schema = ManifestSchemaJson();
  std::map<std::string, std::string> manifest_meta = {
      {"schema", SchemaJson()},   {"partition-spec", SpecJson()},
      {"partition-spec-id", "0"}, {"format-version", "2"},
      {"content", "data"},
  };
  size_t per_manifest = std::max<size_t>(1, options.files_per_manifest);
  std::vector<std::string> partition_names;
  std::vector<TypeId> partition_types;
  for (size_t p : partition_index_) {
    partition_names.push_back(spec_.columns[p].name);
    partition_types.push_back(spec_.columns[p].type);
  }
  int64_t added_records = 0, added_size = 0;
  std::vector<WrittenManifest> new_manifests;
  for (size_t start = 0, m = 0; start < count; start += per_manifest, ++m) {
    size_t end = std::min(count, start + per_manifest);
    LS_ASSIGN_OR_RETURN(auto writer, AvroFileWriter::Create(manifest_schema, manifest_meta));
    int64_t manifest_records = 0;
    for (size_t i = start; i < end; ++i) {
      LS_ASSIGN_OR_RETURN(IcebergFileData file, make_file(i));
      if (file.columns.size() != spec_.columns.size()) {
        return Status::InvalidArgument("a data file needs one column per table column");
      }
      size_t rows = RowCount(file.columns[0]);
      for (const auto& c : file.columns) {
        if (RowCount(c) != rows) return Status::InvalidArgument("columns differ in length");
      }
      if (rows == 0) return Status::InvalidArgument("a data file needs rows");
      std::string folder = "data";
      for (size_t p : partition_index_) {
        for (size_t r = 1; r < rows; ++r) {
          if (!SameValue(file.columns[p], 0, r)) {
            return Status::InvalidArgument("partition column '" + spec_.columns[p].name +
                                           "' has several values in one file");
          }
        }
        folder +=
            "/" + EscapeHivePartitionValue(spec_.columns[p].name) + "=" +
            EscapeHivePartitionValue(PartitionText(spec_.columns[p].type, file.columns[p], 0));
      }
      std::string relative = folder + "/" + std::to_string(seq) + "-" + std::to_string(i) + "-" +
                             run.substr(0, 8) + ".parquet";
      int64_t size = options.fake_file_size;
      if (options.write_data) {
        LS_ASSIGN_OR_RETURN(std::string bytes, parquet::WriteParquetFile(pschema, {file.columns}));
        LS_RETURN_IF_ERROR(WriteFile(dir_, folder, relative, bytes));
        size = static_cast<int64_t>(bytes.size());
      }
      // Metrics.
      std::vector<std::pair<int32_t, int64_t>> value_counts, null_counts, nan_counts;
      std::vector<std::pair<int32_t, std::string>> lower, upper;
      for (size_t c = 0; c < spec_.columns.size(); ++c) {
        int32_t id = static_cast<int32_t>(c + 1);
        const parquet::ColumnData& col = file.columns[c];
        int64_t nulls = 0, nans = 0;
        std::optional<size_t> lo, hi;
        for (size_t r = 0; r < rows; ++r) {
          if (!IsValid(col, r)) {
            ++nulls;
            continue;
          }
          bool nan = false;
          if (auto* d = std::get_if<std::vector<double>>(&col.values)) nan = std::isnan((*d)[r]);
          if (nan) {
            ++nans;
            continue;
          }
          auto less = [&](size_t a, size_t b) {
            return std::visit([&](const auto& v) { return v[a] < v[b]; }, col.values);
          };
          if (!lo || less(r, *lo)) lo = r;
          if (!hi || less(*hi, r)) hi = r;
        }
        value_counts.emplace_back(id, static_cast<int64_t>(rows));
        null_counts.emplace_back(id, nulls);
        if (spec_.columns[c].type == TypeId::kDouble) nan_counts.emplace_back(id, nans);
        if (lo) lower.emplace_back(id, *BoundBytes(spec_.columns[c].type, col, *lo));
        if (hi) upper.emplace_back(id, *BoundBytes(spec_.columns[c].type, col, *hi));
      }
      EntryMetrics metrics{std::move(value_counts), std::move(null_counts), std::move(nan_counts),
                           std::move(lower), std::move(upper)};
      std::vector<parquet::ColumnData> partition;
      for (size_t p : partition_index_) partition.push_back(FirstRow(file.columns[p]));
      LS_RETURN_IF_ERROR(SetEntry(writer->NewRecord(), snapshot_id, seq, 0,
                                  location_ + "/" + relative, partition_names, partition_types,
                                  partition, static_cast<int64_t>(rows), size, metrics));
      data_file_index_[location_ + "/" + relative] = data_files_.size();
      data_files_.push_back(
          {location_ + "/" + relative, folder, std::move(partition), static_cast<int64_t>(rows)});
      LS_RETURN_IF_ERROR(writer->Append());
      manifest_records += static_cast<int64_t>(rows);
      added_size += size;
    }
    LS_ASSIGN_OR_RETURN(
        iceberg::ManifestFile mf,
        FinishManifest(*writer, dir_, location_, run + "-m" + std::to_string(m) + ".avro",
                       iceberg::ManifestContent::kData, seq, snapshot_id,
                       static_cast<int64_t>(end - start)));
    new_manifests.push_back({mf, manifest_records});
    added_records += manifest_records;
  }

  total_records_ += added_records;
  total_files_ += static_cast<int64_t>(count);
  total_size_ += added_size;
  LS_RETURN_IF_ERROR(WriteSnapshot(snapshot_id, seq, run, std::move(new_manifests),
                                   {{"operation", "append"},
                                    {"added-data-files", std::to_string(count)},
                                    {"added-records", std::to_string(added_records)},
                                    {"added-files-size", std::to_string(added_size)}},
                                   options.timestamp_ms));
  return seq;
}

std::vector<std::string> IcebergTableWriter::data_files() const {
  std::vector<std::string> out;
  out.reserve(data_files_.size());
  for (const WrittenDataFile& f : data_files_) out.push_back(f.path);
  return out;
}

namespace {

// An Avro position delete file: records of file_path and pos with the
// spec's reserved field ids.
Result<std::string> AvroPositionDeletes(const std::vector<std::string>& paths,
                                        const std::vector<int64_t>& positions) {
  const std::string schema = R"({"type":"record","name":"position_delete","fields":[)"
                             R"({"name":"file_path","type":"string","field-id":)" +
                             std::to_string(kDeleteFilePathId) +
                             R"(},{"name":"pos","type":"long","field-id":)" +
                             std::to_string(kDeletePosId) + "}]}";
  LS_ASSIGN_OR_RETURN(auto writer,
                      AvroFileWriter::Create(schema, {{"content", "position-deletes"}}));
  for (size_t i = 0; i < paths.size(); ++i) {
    avro_value_t* rec = writer->NewRecord();
    LS_ASSIGN_OR_RETURN(avro_value_t f, AvroField(rec, "file_path"));
    LS_RETURN_IF_ERROR(iceberg::AvroSetString(&f, paths[i]));
    LS_ASSIGN_OR_RETURN(f, AvroField(rec, "pos"));
    LS_RETURN_IF_ERROR(iceberg::AvroSetLong(&f, positions[i]));
    LS_RETURN_IF_ERROR(writer->Append());
  }
  return writer->Finish();
}

}  // namespace

Result<int64_t> IcebergTableWriter::AddPositionDeletes(std::vector<IcebergPositionDeleteFile> files,
                                                       const IcebergAppendOptions& options,
                                                       IcebergDeleteFormat format) {
  if (files.empty()) return Status::InvalidArgument("no position delete files to add");
  // Check everything before writing anything, so bad input leaves no file.
  std::vector<size_t> first_of;  // per delete file: a data file of its partition
  for (IcebergPositionDeleteFile& file : files) {
    if (file.rows.empty()) return Status::InvalidArgument("a position delete file needs rows");
    std::sort(file.rows.begin(), file.rows.end());
    std::optional<size_t> first;
    for (size_t r = 0; r < file.rows.size(); ++r) {
      const auto& [path, pos] = file.rows[r];
      auto it = data_file_index_.find(path);
      if (it == data_file_index_.end()) {
        return Status::InvalidArgument("'" + path + "' is not a data file of this table");
      }
      const WrittenDataFile& df = data_files_[it->second];
      if (!first) first = it->second;
      if (df.folder != data_files_[*first].folder) {
        return Status::InvalidArgument("a position delete file names data files of two partitions");
      }
      if (pos < 0 || pos >= df.rows) {
        return Status::InvalidArgument("position " + std::to_string(pos) + " is outside '" + path +
                                       "'");
      }
      if (r > 0 && file.rows[r - 1] == file.rows[r]) {
        return Status::InvalidArgument("a position delete file repeats a row");
      }
    }
    first_of.push_back(*first);
  }

  const int64_t snapshot_id = RandomSnapshotId();
  const int64_t seq = sequence_ + 1;
  const std::string run = RandomUuid();
  parquet::ParquetSchema pschema;
  pschema.columns.emplace_back("file_path", ParquetTypeOf(TypeId::kString), false,
                               kDeleteFilePathId);
  pschema.columns.emplace_back("pos", ParquetTypeOf(TypeId::kLong), false, kDeletePosId);
  std::vector<std::string> partition_names;
  std::vector<TypeId> partition_types;
  for (size_t p : partition_index_) {
    partition_names.push_back(spec_.columns[p].name);
    partition_types.push_back(spec_.columns[p].type);
  }
  std::string manifest_schema = ManifestSchemaJson();
  std::map<std::string, std::string> manifest_meta = {
      {"schema", SchemaJson()}, {"partition-spec", SpecJson()}, {"partition-spec-id", "0"},
      {"format-version", "2"},  {"content", "deletes"},
  };
  size_t per_manifest = std::max<size_t>(1, options.files_per_manifest);
  int64_t added_deletes = 0, added_size = 0;
  std::vector<WrittenManifest> new_manifests;
  for (size_t start = 0, m = 0; start < files.size(); start += per_manifest, ++m) {
    size_t end = std::min(files.size(), start + per_manifest);
    LS_ASSIGN_OR_RETURN(auto writer, AvroFileWriter::Create(manifest_schema, manifest_meta));
    int64_t manifest_deletes = 0;
    for (size_t k = start; k < end; ++k) {
      const auto& rows = files[k].rows;
      std::vector<std::string> paths;
      std::vector<int64_t> positions;
      paths.reserve(rows.size());
      positions.reserve(rows.size());
      for (const auto& [path, pos] : rows) {
        paths.push_back(path);
        positions.push_back(pos);
      }
      const int64_t n = static_cast<int64_t>(rows.size());
      std::vector<parquet::ColumnData> columns = {{std::move(paths), {}},
                                                  {std::move(positions), {}}};
      const bool avro = format == IcebergDeleteFormat::kAvro;
      std::string bytes;
      if (avro) {
        LS_ASSIGN_OR_RETURN(
            bytes, AvroPositionDeletes(std::get<std::vector<std::string>>(columns[0].values),
                                       std::get<std::vector<int64_t>>(columns[1].values)));
      } else {
        LS_ASSIGN_OR_RETURN(bytes, parquet::WriteParquetFile(pschema, {columns}));
      }
      const WrittenDataFile& target = data_files_[first_of[k]];
      std::string relative = target.folder + "/" + std::to_string(seq) + "-" + std::to_string(k) +
                             "-" + run.substr(0, 8) + (avro ? "-deletes.avro" : "-deletes.parquet");
      LS_RETURN_IF_ERROR(WriteFile(dir_, target.folder, relative, bytes));
      // Sorted by path, so the paths' bounds are the first and last rows.
      const auto& pos = std::get<std::vector<int64_t>>(columns[1].values);
      size_t lo = static_cast<size_t>(std::min_element(pos.begin(), pos.end()) - pos.begin());
      size_t hi = static_cast<size_t>(std::max_element(pos.begin(), pos.end()) - pos.begin());
      EntryMetrics metrics;
      metrics.value_counts = {{kDeleteFilePathId, n}, {kDeletePosId, n}};
      metrics.null_counts = {{kDeleteFilePathId, 0}, {kDeletePosId, 0}};
      metrics.lower = {{kDeleteFilePathId, *BoundBytes(TypeId::kString, columns[0], 0)},
                       {kDeletePosId, *BoundBytes(TypeId::kLong, columns[1], lo)}};
      metrics.upper = {
          {kDeleteFilePathId, *BoundBytes(TypeId::kString, columns[0], rows.size() - 1)},
          {kDeletePosId, *BoundBytes(TypeId::kLong, columns[1], hi)}};
      LS_RETURN_IF_ERROR(SetEntry(writer->NewRecord(), snapshot_id, seq, 1,
                                  location_ + "/" + relative, partition_names, partition_types,
                                  target.partition, n, static_cast<int64_t>(bytes.size()), metrics,
                                  avro ? "AVRO" : "PARQUET"));
      LS_RETURN_IF_ERROR(writer->Append());
      manifest_deletes += n;
      added_size += static_cast<int64_t>(bytes.size());
    }
    LS_ASSIGN_OR_RETURN(
        iceberg::ManifestFile mf,
        FinishManifest(*writer, dir_, location_, run + "-m" + std::to_string(m) + ".avro",
                       iceberg::ManifestContent::kDeletes, seq, snapshot_id,
                       static_cast<int64_t>(end - start)));
    new_manifests.push_back({mf, manifest_deletes});
    added_deletes += manifest_deletes;
  }
  total_delete_files_ += static_cast<int64_t>(files.size());
  total_position_deletes_ += added_deletes;
  LS_RETURN_IF_ERROR(WriteSnapshot(snapshot_id, seq, run, std::move(new_manifests),
                                   {{"operation", "delete"},
                                    {"added-delete-files", std::to_string(files.size())},
                                    {"added-position-delete-files", std::to_string(files.size())},
                                    {"added-position-deletes", std::to_string(added_deletes)},
                                    {"added-files-size", std::to_string(added_size)}},
                                   options.timestamp_ms));
  return seq;
}

}  // namespace lakeshare
