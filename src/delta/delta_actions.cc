#include "delta/delta_actions.h"

#include <simdjson.h>

#include <cstring>
#include <limits>
#include <new>

#include "delta/action_field_reader.h"

namespace lakeshare {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// One action line larger than this is refused: simdjson's DOM needs about
// 14 bytes of working memory per input byte, and no sane action is this big
// (a metaData line with a 10 000-column schema is a few MB).
constexpr size_t kMaxActionLineBytes = size_t{32} << 20;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (!IsJsonSpace(c)) return false;
  }
  return true;
}

// The first key of `{"key": ...}` without parsing the line, or "" when the line
// does not start that way (it is then parsed, and reported if malformed).
std::string_view SniffActionKey(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsJsonSpace(line[i])) ++i;
  if (i >= line.size() || line[i] != '{') return {};
  ++i;
  while (i < line.size() && IsJsonSpace(line[i])) ++i;
  if (i >= line.size() || line[i] != '"') return {};
  size_t start = ++i;
  while (i < line.size() && line[i] != '"') {
    if (line[i] == '\\') return {};
    ++i;
  }
  if (i >= line.size()) return {};
  return line.substr(start, i - start);
}

bool IsHeaderAction(std::string_view key) {
  return key == "commitInfo" || key == "protocol" || key == "metaData";
}

Result<std::optional<DeletionVector>> ParseDeletionVector(element v,
                                                          const DeltaActionFieldReader& f) {
  if (v.is_null()) return std::optional<DeletionVector>();
  simdjson::dom::object obj;
  LS_RETURN_IF_ERROR(f.Object(v, "deletionVector", &obj));
  DeletionVector dv;
  bool has_type = false, has_path = false, has_size = false, has_card = false;
  for (simdjson::dom::key_value_pair kv : obj) {
    std::string_view k = kv.key;
    if (k == "storageType") {
      LS_RETURN_IF_ERROR(f.String(kv.value, "deletionVector.storageType", &dv.storage_type));
      has_type = true;
    } else if (k == "pathOrInlineDv") {
      LS_RETURN_IF_ERROR(
          f.String(kv.value, "deletionVector.pathOrInlineDv", &dv.path_or_inline_dv));
      has_path = true;
    } else if (k == "offset") {
      if (kv.value.is_null()) {
        dv.offset.reset();
      } else {
        int64_t x = 0;
        LS_RETURN_IF_ERROR(f.NonNegative(kv.value, "deletionVector.offset",
                                         std::numeric_limits<int32_t>::max(), &x));
        dv.offset = static_cast<int32_t>(x);
      }
    } else if (k == "sizeInBytes") {
      int64_t x = 0;
      LS_RETURN_IF_ERROR(f.NonNegative(kv.value, "deletionVector.sizeInBytes",
                                       std::numeric_limits<int32_t>::max(), &x));
      dv.size_in_bytes = static_cast<int32_t>(x);
      has_size = true;
    } else if (k == "cardinality") {
      LS_RETURN_IF_ERROR(f.NonNegative(kv.value, "deletionVector.cardinality",
                                       std::numeric_limits<int64_t>::max(), &dv.cardinality));
      has_card = true;
    }
  }
  if (!has_type) return f.Missing("deletionVector.storageType");
  if (!has_path) return f.Missing("deletionVector.pathOrInlineDv");
  if (!has_size) return f.Missing("deletionVector.sizeInBytes");
  if (!has_card) return f.Missing("deletionVector.cardinality");
  if (dv.storage_type.empty()) return f.Error("deletionVector.storageType", "empty");
  return std::optional<DeletionVector>(std::move(dv));
}

Result<DataFile> ParseAdd(simdjson::dom::object obj, const DeltaActionFieldReader& f) {
  DataFile file;
  bool has_path = false, has_partition_values = false, has_size = false;
  for (simdjson::dom::key_value_pair kv : obj) {
    std::string_view k = kv.key;
    if (k == "path") {
      LS_RETURN_IF_ERROR(f.String(kv.value, k, &file.path));
      has_path = true;
    } else if (k == "partitionValues") {
      LS_RETURN_IF_ERROR(f.PartitionValues(kv.value, k, &file.partition_values));
      has_partition_values = true;
    } else if (k == "size") {
      LS_RETURN_IF_ERROR(
          f.NonNegative(kv.value, k, std::numeric_limits<int64_t>::max(), &file.size));
      has_size = true;
    } else if (k == "modificationTime") {
      LS_RETURN_IF_ERROR(f.Int64(kv.value, k, &file.modification_time));
    } else if (k == "dataChange") {
      LS_RETURN_IF_ERROR(f.Bool(kv.value, k, &file.data_change));
    } else if (k == "stats") {
      // The log stores stats as a JSON string; its text is kept verbatim.
      LS_RETURN_IF_ERROR(f.OptString(kv.value, k, &file.stats));
    } else if (k == "deletionVector") {
      LS_ASSIGN_OR_RETURN(file.deletion_vector, ParseDeletionVector(kv.value, f));
    } else if (k == "tags") {
      if (kv.value.is_null()) {
        file.tags.reset();
      } else {
        LS_RETURN_IF_ERROR(f.StringMap(kv.value, k, &file.tags.emplace()));
      }
    }
  }
  if (!has_path) return f.Missing("path");
  if (file.path.empty()) return f.Error("path", "empty");
  if (!has_partition_values) return f.Missing("partitionValues");
  if (!has_size) return f.Missing("size");
  return file;
}

Result<DeltaRemove> ParseRemove(simdjson::dom::object obj, const DeltaActionFieldReader& f) {
  DeltaRemove remove;
  bool has_path = false;
  for (simdjson::dom::key_value_pair kv : obj) {
    std::string_view k = kv.key;
    if (k == "path") {
      LS_RETURN_IF_ERROR(f.String(kv.value, k, &remove.path));
      has_path = true;
    } else if (k == "dataChange") {
      LS_RETURN_IF_ERROR(f.Bool(kv.value, k, &remove.data_change));
    } else if (k == "deletionTimestamp") {
      LS_RETURN_IF_ERROR(f.OptInt64(kv.value, k, &remove.deletion_timestamp));
    } else if (k == "deletionVector") {
      LS_ASSIGN_OR_RETURN(remove.deletion_vector, ParseDeletionVector(kv.value, f));
    } else if (k == "extendedFileMetadata") {
      LS_RETURN_IF_ERROR(f.OptBool(kv.value, k, &remove.extended_file_metadata));
    } else if (k == "partitionValues") {
      if (kv.value.is_null()) {
        remove.partition_values.reset();
      } else {
        LS_RETURN_IF_ERROR(f.PartitionValues(kv.value, k, &remove.partition_values.emplace()));
      }
    } else if (k == "size") {
      LS_RETURN_IF_ERROR(f.OptSize(kv.value, k, &remove.size));
    } else if (k == "stats") {
      LS_RETURN_IF_ERROR(f.OptString(kv.value, k, &remove.stats));
    } else if (k == "tags") {
      if (kv.value.is_null()) {
        remove.tags.reset();
      } else {
        LS_RETURN_IF_ERROR(f.StringMap(kv.value, k, &remove.tags.emplace()));
      }
    }
  }
  if (!has_path) return f.Missing("path");
  if (remove.path.empty()) return f.Error("path", "empty");
  return remove;
}

Result<DeltaCdc> ParseCdc(simdjson::dom::object obj, const DeltaActionFieldReader& f) {
  DeltaCdc cdc;
  bool has_path = false, has_partition_values = false, has_size = false;
  for (simdjson::dom::key_value_pair kv : obj) {
    std::string_view k = kv.key;
    if (k == "path") {
      LS_RETURN_IF_ERROR(f.String(kv.value, k, &cdc.path));
      has_path = true;
    } else if (k == "partitionValues") {
      LS_RETURN_IF_ERROR(f.PartitionValues(kv.value, k, &cdc.partition_values));
      has_partition_values = true;
    } else if (k == "size") {
      LS_RETURN_IF_ERROR(
          f.NonNegative(kv.value, k, std::numeric_limits<int64_t>::max(), &cdc.size));
      has_size = true;
    } else if (k == "dataChange") {
      LS_RETURN_IF_ERROR(f.Bool(kv.value, k, &cdc.data_change));
    } else if (k == "tags") {
      if (kv.value.is_null()) {
        cdc.tags.reset();
      } else {
        LS_RETURN_IF_ERROR(f.StringMap(kv.value, k, &cdc.tags.emplace()));
      }
    }
  }
  if (!has_path) return f.Missing("path");
  if (cdc.path.empty()) return f.Error("path", "empty");
  if (!has_partition_values) return f.Missing("partitionValues");
  if (!has_size) return f.Missing("size");
  return cdc;
}

Result<TableProtocol> ParseProtocol(simdjson::dom::object obj, const DeltaActionFieldReader& f) {
  TableProtocol protocol;
  bool has_reader = false, has_writer = false;
  for (simdjson::dom::key_value_pair kv : obj) {
    std::string_view k = kv.key;
    if (k == "minReaderVersion") {
      LS_RETURN_IF_ERROR(f.Int32(kv.value, k, &protocol.min_reader_version));
      has_reader = true;
    } else if (k == "minWriterVersion") {
      LS_RETURN_IF_ERROR(f.Int32(kv.value, k, &protocol.min_writer_version));
      has_writer = true;
    } else if (k == "readerFeatures") {
      LS_RETURN_IF_ERROR(f.OptStringArray(kv.value, k, &protocol.reader_features));
    } else if (k == "writerFeatures") {
      LS_RETURN_IF_ERROR(f.OptStringArray(kv.value, k, &protocol.writer_features));
    }
  }
  if (!has_reader) return f.Missing("minReaderVersion");
  if (!has_writer) return f.Missing("minWriterVersion");
  return protocol;
}

Result<TableMetadata> ParseMetadata(simdjson::dom::object obj, const DeltaActionFieldReader& f) {
  TableMetadata metadata;
  bool has_id = false, has_schema = false;
  for (simdjson::dom::key_value_pair kv : obj) {
    std::string_view k = kv.key;
    if (k == "id") {
      LS_RETURN_IF_ERROR(f.String(kv.value, k, &metadata.id));
      has_id = true;
    } else if (k == "name") {
      LS_RETURN_IF_ERROR(f.OptString(kv.value, k, &metadata.name));
    } else if (k == "description") {
      LS_RETURN_IF_ERROR(f.OptString(kv.value, k, &metadata.description));
    } else if (k == "format") {
      simdjson::dom::object format;
      LS_RETURN_IF_ERROR(f.Object(kv.value, k, &format));
      for (simdjson::dom::key_value_pair fk : format) {
        if (fk.key == "provider") {
          LS_RETURN_IF_ERROR(f.String(fk.value, "format.provider", &metadata.format_provider));
        } else if (fk.key == "options") {
          LS_RETURN_IF_ERROR(f.StringMap(fk.value, "format.options", &metadata.format_options));
        }
      }
    } else if (k == "schemaString") {
      if (!kv.value.is_null()) {
        LS_RETURN_IF_ERROR(f.String(kv.value, k, &metadata.schema_string));
        has_schema = true;
      }
    } else if (k == "partitionColumns") {
      // Absent or null means no partition columns, as in Spark.
      if (!kv.value.is_null()) {
        LS_RETURN_IF_ERROR(f.StringArray(kv.value, k, &metadata.partition_columns));
      }
    } else if (k == "configuration") {
      LS_RETURN_IF_ERROR(f.StringMap(kv.value, k, &metadata.configuration));
    } else if (k == "createdTime") {
      LS_RETURN_IF_ERROR(f.OptInt64(kv.value, k, &metadata.created_time));
    }
  }
  if (!has_id) return f.Missing("id");
  // Databricks writes a first metaData without a schema for tables created
  // empty (e.g. Delta Live Tables); Spark reads it as the empty struct.
  if (!has_schema) metadata.schema_string = R"({"type":"struct","fields":[]})";
  return metadata;
}

Result<DeltaSidecar> ParseSidecar(simdjson::dom::object obj, const DeltaActionFieldReader& f) {
  DeltaSidecar sidecar;
  bool has_path = false, has_size = false;
  for (simdjson::dom::key_value_pair kv : obj) {
    std::string_view k = kv.key;
    if (k == "path") {
      LS_RETURN_IF_ERROR(f.String(kv.value, k, &sidecar.path));
      has_path = true;
    } else if (k == "sizeInBytes") {
      LS_RETURN_IF_ERROR(
          f.NonNegative(kv.value, k, std::numeric_limits<int64_t>::max(), &sidecar.size_in_bytes));
      has_size = true;
    } else if (k == "modificationTime") {
      LS_RETURN_IF_ERROR(f.OptInt64(kv.value, k, &sidecar.modification_time));
    }
  }
  if (!has_path) return f.Missing("path");
  if (sidecar.path.empty()) return f.Error("path", "empty");
  if (!has_size) return f.Missing("sizeInBytes");
  return sidecar;
}

Result<DeltaCommitInfo> ParseCommitInfo(simdjson::dom::object obj,
                                        const DeltaActionFieldReader& f) {
  DeltaCommitInfo info;
  for (simdjson::dom::key_value_pair kv : obj) {
    if (kv.key == "inCommitTimestamp") {
      LS_RETURN_IF_ERROR(f.OptInt64(kv.value, kv.key, &info.in_commit_timestamp));
    } else if (kv.key == "timestamp") {
      // Free-form provenance: a value of another type is not an error.
      int64_t ts = 0;
      if (kv.value.get_int64().get(ts) == simdjson::SUCCESS) info.timestamp = ts;
    } else if (kv.key == "operation") {
      std::string_view op;
      if (kv.value.get_string().get(op) == simdjson::SUCCESS) info.operation = std::string(op);
    } else if (kv.key == "operationMetrics") {
      if (kv.value.is_object()) info.operation_metrics = simdjson::minify(kv.value);
    }
  }
  return info;
}

// Applies the actions of one parsed line to `commit`.
Status ParseLine(element doc, std::string_view file, size_t line, DeltaParseMode mode,
                 DeltaCommit* commit) {
  simdjson::dom::object actions;
  if (doc.get_object().get(actions) != simdjson::SUCCESS) {
    return DeltaActionFieldReader(file, line, "line").Error("", "an action must be a JSON object");
  }
  for (simdjson::dom::key_value_pair kv : actions) {
    std::string_view key = kv.key;
    bool header = IsHeaderAction(key);
    if (!header && (mode == DeltaParseMode::kHeadersOnly ||
                    (key != "add" && key != "remove" && key != "cdc" && key != "sidecar" &&
                     key != "checkpointMetadata"))) {
      continue;  // an action we do not need, or do not know
    }
    // Spark reads `{"add": null}` as no action.
    if (kv.value.is_null()) continue;
    DeltaActionFieldReader f(file, line, key);
    simdjson::dom::object obj;
    LS_RETURN_IF_ERROR(f.Object(kv.value, "", &obj));
    if (key == "add") {
      LS_ASSIGN_OR_RETURN(DataFile add, ParseAdd(obj, f));
      commit->file_actions.emplace_back(std::move(add));
    } else if (key == "remove") {
      LS_ASSIGN_OR_RETURN(DeltaRemove remove, ParseRemove(obj, f));
      commit->file_actions.emplace_back(std::move(remove));
    } else if (key == "cdc") {
      LS_ASSIGN_OR_RETURN(DeltaCdc cdc, ParseCdc(obj, f));
      commit->file_actions.emplace_back(std::move(cdc));
    } else if (key == "sidecar") {
      LS_ASSIGN_OR_RETURN(DeltaSidecar sidecar, ParseSidecar(obj, f));
      commit->sidecars.push_back(std::move(sidecar));
    } else if (key == "checkpointMetadata") {
      if (commit->checkpoint_metadata_version) {
        return f.Error("", "more than one checkpointMetadata action");
      }
      int64_t version = 0;
      bool has_version = false;
      for (simdjson::dom::key_value_pair m : obj) {
        if (m.key == "version") {
          LS_RETURN_IF_ERROR(
              f.NonNegative(m.value, "version", std::numeric_limits<int64_t>::max(), &version));
          has_version = true;
        }
      }
      if (!has_version) return f.Missing("version");
      commit->checkpoint_metadata_version = version;
    } else if (key == "protocol") {
      if (commit->protocol) return f.Error("", "more than one protocol action in a commit");
      LS_ASSIGN_OR_RETURN(commit->protocol, ParseProtocol(obj, f));
    } else if (key == "metaData") {
      if (commit->metadata) return f.Error("", "more than one metaData action in a commit");
      LS_ASSIGN_OR_RETURN(commit->metadata, ParseMetadata(obj, f));
    } else if (key == "commitInfo") {
      LS_ASSIGN_OR_RETURN(DeltaCommitInfo info, ParseCommitInfo(obj, f));
      if (!commit->commit_info) commit->commit_info = info;  // the first one is authoritative
    }
  }
  return Status::OK();
}

Result<DeltaCommit> ParseLines(std::string& content, size_t size, std::string_view name,
                               DeltaParseMode mode) {
  simdjson::dom::parser parser(kMaxActionLineBytes);
  DeltaCommit commit;
  size_t non_blank_lines = 0;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < size) {
    const char* begin = content.data() + pos;
    const void* nl = std::memchr(begin, '\n', size - pos);
    size_t len =
        nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - begin) : size - pos;
    pos += len + 1;
    ++line_no;
    std::string_view line(begin, len);
    if (IsBlank(line)) continue;
    ++non_blank_lines;
    if (mode == DeltaParseMode::kHeadersOnly) {
      std::string_view key = SniffActionKey(line);
      if (!key.empty() && !IsHeaderAction(key)) continue;
    }
    if (len > kMaxActionLineBytes) {
      return DeltaActionFieldReader(name, line_no, "line").Error("", "action line is too large");
    }
    element doc;
    // The content carries SIMDJSON_PADDING bytes past its end, and every line
    // is followed by the rest of the file, so no copy is needed.
    auto error = parser.parse(reinterpret_cast<const uint8_t*>(begin), len, false).get(doc);
    if (error == simdjson::MEMALLOC) {
      return Status::Unavailable("Delta commit " + std::string(name) + ": out of memory");
    }
    if (error != simdjson::SUCCESS) {
      return DeltaActionFieldReader(name, line_no, "line")
          .Error("", std::string("invalid JSON: ") + simdjson::error_message(error));
    }
    LS_RETURN_IF_ERROR(ParseLine(doc, name, line_no, mode, &commit));
  }
  if (non_blank_lines == 0) {
    return Status::Corruption("Delta commit " + std::string(name) +
                              " holds no action (empty or truncated file)");
  }
  return commit;
}

}  // namespace

Result<DeltaCommit> ParseDeltaCommit(std::string content, std::string_view name,
                                     DeltaParseMode mode) {
  try {
    const size_t size = content.size();
    content.append(simdjson::SIMDJSON_PADDING, ' ');
    return ParseLines(content, size, name, mode);
  } catch (const std::bad_alloc&) {
    return Status::Unavailable("Delta commit " + std::string(name) + ": out of memory");
  } catch (const std::exception& e) {
    return Status::Corruption("Delta commit " + std::string(name) + ": " + e.what());
  }
}

FileChange ToFileChange(DeltaFileAction action) {
  FileChange change;
  if (auto* add = std::get_if<DataFile>(&action)) {
    change.type = ChangeType::kAdd;
    change.file = std::move(*add);
  } else if (auto* remove = std::get_if<DeltaRemove>(&action)) {
    change.type = ChangeType::kRemove;
    DataFile& file = change.file;
    file.path = remove->path;
    if (remove->partition_values) file.partition_values = std::move(*remove->partition_values);
    file.size = remove->size.value_or(0);
    file.data_change = remove->data_change;
    file.stats = remove->stats;
    file.deletion_vector = std::move(remove->deletion_vector);
    if (remove->tags) file.tags = std::move(*remove->tags);
    change.deletion_timestamp = remove->deletion_timestamp;
  } else {
    auto& cdc = std::get<DeltaCdc>(action);
    change.type = ChangeType::kCdc;
    change.file.path = cdc.path;
    change.file.partition_values = std::move(cdc.partition_values);
    change.file.size = cdc.size;
    change.file.data_change = cdc.data_change;
    if (cdc.tags) change.file.tags = std::move(*cdc.tags);
  }
  return change;
}

}  // namespace lakeshare
