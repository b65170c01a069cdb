#include "delta/delta_action_writer.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "common/json_writer.h"

namespace lakeshare {
namespace {

void WritePartitionValues(JsonWriter& w, const PartitionValues& values) {
  w.Key("partitionValues").BeginObject();
  for (const auto& [key, value] : values) w.Key(key).StringOrNull(value);
  w.EndObject();
}

void WriteStrings(JsonWriter& w, const std::vector<std::string>& strings) {
  w.BeginArray();
  for (const std::string& s : strings) w.String(s);
  w.EndArray();
}

}  // namespace

// Delta's deletionVector descriptor; offset only for DVs stored in files.
void WriteDeletionVectorField(JsonWriter& w, const DeletionVector& dv) {
  w.Key("deletionVector").BeginObject();
  w.Key("storageType").String(dv.storage_type);
  w.Key("pathOrInlineDv").String(dv.path_or_inline_dv);
  if (dv.offset) w.Key("offset").Int(*dv.offset);
  w.Key("sizeInBytes").Int(dv.size_in_bytes);
  w.Key("cardinality").Int(dv.cardinality);
  w.EndObject();
}

void AppendCommitInfoAction(const CommitInfoAction& info, std::string* out) {
  JsonWriter w(out);
  w.BeginObject().Key("commitInfo").BeginObject();
  w.Key("timestamp").Int(info.timestamp_ms);
  w.Key("operation").String(info.operation);
  w.Key("operationParameters").BeginObject();
  for (const auto& [k, v] : info.operation_parameters) w.Key(k).String(v);
  w.EndObject();
  if (info.read_version) w.Key("readVersion").Int(*info.read_version);
  if (info.isolation_level) w.Key("isolationLevel").String(*info.isolation_level);
  w.Key("isBlindAppend").Bool(info.is_blind_append);
  if (info.operation_metrics) {
    w.Key("operationMetrics").BeginObject();
    for (const auto& [k, v] : *info.operation_metrics) w.Key(k).String(std::to_string(v));
    w.EndObject();
  }
  if (info.engine_info) w.Key("engineInfo").String(*info.engine_info);
  if (info.txn_id) w.Key("txnId").String(*info.txn_id);
  w.EndObject().EndObject();
  out->push_back('\n');
}

void AppendProtocolAction(const TableProtocol& protocol, std::string* out) {
  JsonWriter w(out);
  w.BeginObject().Key("protocol").BeginObject();
  w.Key("minReaderVersion").Int(protocol.min_reader_version);
  w.Key("minWriterVersion").Int(protocol.min_writer_version);
  if (protocol.reader_features) WriteStrings(w.Key("readerFeatures"), *protocol.reader_features);
  if (protocol.writer_features) WriteStrings(w.Key("writerFeatures"), *protocol.writer_features);
  w.EndObject().EndObject();
  out->push_back('\n');
}

void AppendMetadataAction(const TableMetadata& metadata, std::string* out) {
  JsonWriter w(out);
  w.BeginObject().Key("metaData").BeginObject();
  w.Key("id").String(metadata.id);
  if (metadata.name) w.Key("name").String(*metadata.name);
  if (metadata.description) w.Key("description").String(*metadata.description);
  w.Key("format").BeginObject().Key("provider").String(metadata.format_provider);
  w.Key("options").BeginObject();
  for (const auto& [k, v] : metadata.format_options) w.Key(k).String(v);
  w.EndObject().EndObject();
  w.Key("schemaString").String(metadata.schema_string);
  WriteStrings(w.Key("partitionColumns"), metadata.partition_columns);
  w.Key("configuration").BeginObject();
  for (const auto& [k, v] : metadata.configuration) w.Key(k).String(v);
  w.EndObject();
  if (metadata.created_time) w.Key("createdTime").Int(*metadata.created_time);
  w.EndObject().EndObject();
  out->push_back('\n');
}

void AppendAddAction(const DataFile& file, std::string* out) {
  JsonWriter w(out);
  w.BeginObject().Key("add").BeginObject();
  w.Key("path").String(file.path);
  WritePartitionValues(w, file.partition_values);
  w.Key("size").Int(file.size);
  w.Key("modificationTime").Int(file.modification_time);
  w.Key("dataChange").Bool(file.data_change);
  if (file.stats) w.Key("stats").String(*file.stats);
  if (file.deletion_vector) WriteDeletionVectorField(w, *file.deletion_vector);
  w.EndObject().EndObject();
  out->push_back('\n');
}

void AppendRemoveAction(const DataFile& file, int64_t deletion_timestamp_ms, std::string* out) {
  JsonWriter w(out);
  w.BeginObject().Key("remove").BeginObject();
  w.Key("path").String(file.path);
  w.Key("deletionTimestamp").Int(deletion_timestamp_ms);
  w.Key("dataChange").Bool(file.data_change);
  w.Key("extendedFileMetadata").Bool(true);
  WritePartitionValues(w, file.partition_values);
  w.Key("size").Int(file.size);
  if (file.deletion_vector) WriteDeletionVectorField(w, *file.deletion_vector);
  w.EndObject().EndObject();
  out->push_back('\n');
}

void AppendCdcAction(const DataFile& file, std::string* out) {
  JsonWriter w(out);
  w.BeginObject().Key("cdc").BeginObject();
  w.Key("path").String(file.path);
  WritePartitionValues(w, file.partition_values);
  w.Key("size").Int(file.size);
  w.Key("dataChange").Bool(false);
  w.EndObject().EndObject();
  out->push_back('\n');
}

Status WriteDeltaLogFile(const std::string& path, std::string_view content, int64_t mtime_ms) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) return Status::IOError("cannot write " + path);
  }
  const auto when =
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(mtime_ms));
  std::error_code ec;
  std::filesystem::last_write_time(path, std::chrono::file_clock::from_sys(when), ec);
  if (ec) return Status::IOError("cannot set the time of " + path + ": " + ec.message());
  return Status::OK();
}

}  // namespace lakeshare
