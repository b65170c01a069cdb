#include "hudi/hudi_commit_metadata.h"

#include <boost/json.hpp>

namespace lakeshare::hudi {
namespace {

namespace json = boost::json;

constexpr std::string_view kAvroMagic("Obj\x01", 4);

bool IsAvro(const std::string& bytes) { return bytes.compare(0, 4, kAvroMagic) == 0; }

bool IsBlank(const std::string& bytes) {
  for (char c : bytes) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// ------------------------------------------------------------------ JSON

std::string JsonString(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return "";
  return std::string(it->value().as_string());
}

int64_t JsonInt(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return 0;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().as_uint64());
  if (it->value().is_double()) return static_cast<int64_t>(it->value().as_double());
  return 0;
}

Result<WriteStat> WriteStatFromJson(const json::value& v, const std::string& partition) {
  if (!v.is_object()) return Status::Corruption("a write stat is not an object");
  const json::object& o = v.as_object();
  WriteStat s;
  s.partition_path = JsonString(o, "partitionPath");
  if (s.partition_path.empty()) s.partition_path = partition;
  s.file_id = JsonString(o, "fileId");
  s.path = JsonString(o, "path");
  s.file_size = JsonInt(o, "fileSizeInBytes");
  if (s.file_size == 0) s.file_size = JsonInt(o, "totalWriteBytes");
  s.num_writes = JsonInt(o, "numWrites");
  s.num_deletes = JsonInt(o, "numDeletes");
  s.num_inserts = JsonInt(o, "numInserts");
  s.num_update_writes = JsonInt(o, "numUpdateWrites");
  s.prev_commit = JsonString(o, "prevCommit");
  if (auto it = o.find("cdcStats"); it != o.end() && it->value().is_object()) {
    for (const auto& [k, size] : it->value().as_object()) {
      int64_t n = size.is_int64() ? size.as_int64() : 0;
      s.cdc_stats[std::string(k)] = n;
    }
  }
  return s;
}

Result<CommitMetadata> CommitMetadataFromJson(const std::string& bytes) {
  json::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value root = json::parse(bytes, ec, {}, opts);
  if (ec || !root.is_object()) return Status::Corruption("commit metadata is not a JSON object");
  const json::object& o = root.as_object();
  CommitMetadata m;
  if (auto it = o.find("partitionToWriteStats"); it != o.end() && it->value().is_object()) {
    for (const auto& [partition, stats] : it->value().as_object()) {
      if (stats.is_null()) continue;
      if (!stats.is_array()) return Status::Corruption("write stats are not an array");
      for (const json::value& s : stats.as_array()) {
        LS_ASSIGN_OR_RETURN(WriteStat ws, WriteStatFromJson(s, std::string(partition)));
        m.write_stats.push_back(std::move(ws));
      }
    }
  }
  if (auto it = o.find("partitionToReplaceFileIds"); it != o.end() && it->value().is_object()) {
    for (const auto& [partition, ids] : it->value().as_object()) {
      if (!ids.is_array()) continue;
      auto& out = m.replaced_file_ids[std::string(partition)];
      for (const json::value& id : ids.as_array()) {
        if (id.is_string()) out.emplace_back(id.as_string());
      }
    }
  }
  if (auto it = o.find("extraMetadata"); it != o.end() && it->value().is_object()) {
    std::string schema = JsonString(it->value().as_object(), "schema");
    if (!schema.empty()) m.schema = std::move(schema);
  }
  m.operation_type = JsonString(o, "operationType");
  if (auto it = o.find("compacted"); it != o.end() && it->value().is_bool()) {
    m.compacted = it->value().as_bool();
  }
  return m;
}

// ------------------------------------------------------------------ Avro

Result<WriteStat> WriteStatFromAvro(const AvroValue& v, const std::string& partition) {
  WriteStat s;
  s.partition_path = StringField(v, "partitionPath");
  if (s.partition_path.empty()) s.partition_path = partition;
  s.file_id = StringField(v, "fileId");
  s.path = StringField(v, "path");
  s.file_size = LongField(v, "fileSizeInBytes", 0);
  if (s.file_size == 0) s.file_size = LongField(v, "totalWriteBytes", 0);
  s.num_writes = LongField(v, "numWrites", 0);
  s.num_deletes = LongField(v, "numDeletes", 0);
  s.num_inserts = LongField(v, "numInserts", 0);
  s.num_update_writes = LongField(v, "numUpdateWrites", 0);
  s.prev_commit = StringField(v, "prevCommit");
  if (auto cdc = v.Field("cdcStats"); cdc && !cdc->IsNull()) {
    LS_ASSIGN_OR_RETURN(size_t n, cdc->Size());
    for (size_t i = 0; i < n; ++i) {
      LS_ASSIGN_OR_RETURN(auto entry, cdc->MapEntry(i));
      auto size = entry.second.AsInt64();
      s.cdc_stats[entry.first] = size.ok() ? *size : 0;
    }
  }
  return s;
}

template <typename Fn>
Status ForFirstRecord(std::string bytes, const std::string& what, Fn fn) {
  bool seen = false;
  LS_RETURN_IF_ERROR(DecodeAvroFile(std::move(bytes), what, [&](const AvroValue& r) -> Status {
    if (seen) return Status::OK();
    seen = true;
    return fn(r);
  }));
  if (!seen) return Status::Corruption(what + ": the Avro file holds no record");
  return Status::OK();
}

}  // namespace

std::string BaseName(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

Result<CommitMetadata> CommitMetadataFromAvro(const AvroValue& record) {
  CommitMetadata m;
  if (auto stats = record.Field("partitionToWriteStats"); stats && !stats->IsNull()) {
    LS_ASSIGN_OR_RETURN(size_t n, stats->Size());
    for (size_t i = 0; i < n; ++i) {
      LS_ASSIGN_OR_RETURN(auto entry, stats->MapEntry(i));
      if (entry.second.IsNull()) continue;
      LS_ASSIGN_OR_RETURN(size_t k, entry.second.Size());
      for (size_t j = 0; j < k; ++j) {
        LS_ASSIGN_OR_RETURN(AvroValue s, entry.second.Element(j));
        LS_ASSIGN_OR_RETURN(WriteStat ws, WriteStatFromAvro(s, entry.first));
        m.write_stats.push_back(std::move(ws));
      }
    }
  }
  if (auto replaced = record.Field("partitionToReplaceFileIds"); replaced && !replaced->IsNull()) {
    LS_ASSIGN_OR_RETURN(size_t n, replaced->Size());
    for (size_t i = 0; i < n; ++i) {
      LS_ASSIGN_OR_RETURN(auto entry, replaced->MapEntry(i));
      auto& out = m.replaced_file_ids[entry.first];
      if (entry.second.IsNull()) continue;
      LS_ASSIGN_OR_RETURN(size_t k, entry.second.Size());
      for (size_t j = 0; j < k; ++j) {
        LS_ASSIGN_OR_RETURN(AvroValue id, entry.second.Element(j));
        LS_ASSIGN_OR_RETURN(std::string_view s, id.AsString());
        out.emplace_back(s);
      }
    }
  }
  if (auto extra = record.Field("extraMetadata"); extra && !extra->IsNull()) {
    LS_ASSIGN_OR_RETURN(size_t n, extra->Size());
    for (size_t i = 0; i < n; ++i) {
      LS_ASSIGN_OR_RETURN(auto entry, extra->MapEntry(i));
      if (entry.first != "schema" || entry.second.IsNull()) continue;
      LS_ASSIGN_OR_RETURN(std::string_view s, entry.second.AsString());
      if (!s.empty()) m.schema = std::string(s);
    }
  }
  m.operation_type = StringField(record, "operationType");
  if (auto c = record.Field("compacted"); c && !c->IsNull()) {
    auto b = c->AsBool();
    m.compacted = b.ok() && *b;
  }
  return m;
}

Result<CommitMetadata> ParseCommitMetadata(std::string bytes, const std::string& what) {
  if (IsBlank(bytes)) return CommitMetadata{};
  if (IsAvro(bytes)) {
    CommitMetadata out;
    LS_RETURN_IF_ERROR(ForFirstRecord(std::move(bytes), what, [&](const AvroValue& r) -> Status {
      auto m = CommitMetadataFromAvro(r);
      if (!m.ok()) return m.status().WithContext(what);
      out = std::move(*m);
      return Status::OK();
    }));
    return out;
  }
  auto m = CommitMetadataFromJson(bytes);
  if (!m.ok()) return m.status().WithContext(what);
  return m;
}

Result<std::vector<std::string>> RollbackInstantsFromAvro(const AvroValue& record) {
  LS_ASSIGN_OR_RETURN(std::vector<std::string> out, StringArrayField(record, "commitsRollback"));
  if (auto infos = record.Field("instantsRollback"); infos && !infos->IsNull()) {
    LS_ASSIGN_OR_RETURN(size_t n, infos->Size());
    for (size_t i = 0; i < n; ++i) {
      LS_ASSIGN_OR_RETURN(AvroValue info, infos->Element(i));
      std::string t = StringField(info, "commitTime");
      if (!t.empty()) out.push_back(std::move(t));
    }
  }
  return out;
}

Result<std::vector<std::string>> ParseRollbackInstants(std::string bytes, const std::string& what) {
  std::vector<std::string> out;
  if (IsBlank(bytes)) return out;
  LS_RETURN_IF_ERROR(ForFirstRecord(std::move(bytes), what, [&](const AvroValue& r) -> Status {
    auto v = RollbackInstantsFromAvro(r);
    if (!v.ok()) return v.status().WithContext(what);
    out = std::move(*v);
    return Status::OK();
  }));
  return out;
}

Result<std::vector<std::string>> ParseRestoreInstants(std::string bytes, const std::string& what) {
  std::vector<std::string> out;
  if (IsBlank(bytes)) return out;
  LS_RETURN_IF_ERROR(ForFirstRecord(std::move(bytes), what, [&](const AvroValue& r) -> Status {
    auto direct = StringArrayField(r, "instantsToRollback");
    if (!direct.ok()) return direct.status().WithContext(what);
    out = std::move(*direct);
    if (auto infos = r.Field("restoreInstantInfo"); infos && !infos->IsNull()) {
      LS_ASSIGN_OR_RETURN(size_t n, infos->Size());
      for (size_t i = 0; i < n; ++i) {
        LS_ASSIGN_OR_RETURN(AvroValue info, infos->Element(i));
        std::string t = StringField(info, "commitTime");
        if (!t.empty()) out.push_back(std::move(t));
      }
    }
    // Each rollback of the restore names the instants it undid.
    if (auto per = r.Field("hoodieRestoreMetadata"); per && !per->IsNull()) {
      LS_ASSIGN_OR_RETURN(size_t n, per->Size());
      for (size_t i = 0; i < n; ++i) {
        LS_ASSIGN_OR_RETURN(auto entry, per->MapEntry(i));
        if (entry.second.IsNull()) continue;
        LS_ASSIGN_OR_RETURN(size_t k, entry.second.Size());
        for (size_t j = 0; j < k; ++j) {
          LS_ASSIGN_OR_RETURN(AvroValue rb, entry.second.Element(j));
          LS_ASSIGN_OR_RETURN(auto instants, RollbackInstantsFromAvro(rb));
          out.insert(out.end(), instants.begin(), instants.end());
        }
      }
    }
    return Status::OK();
  }));
  return out;
}

Result<CleanMetadata> CleanMetadataFromAvro(const AvroValue& record) {
  CleanMetadata m;
  m.earliest_commit_to_retain = StringField(record, "earliestCommitToRetain");
  if (auto parts = record.Field("partitionMetadata"); parts && !parts->IsNull()) {
    LS_ASSIGN_OR_RETURN(size_t n, parts->Size());
    for (size_t i = 0; i < n; ++i) {
      LS_ASSIGN_OR_RETURN(auto entry, parts->MapEntry(i));
      if (entry.second.IsNull()) continue;
      std::string partition = StringField(entry.second, "partitionPath");
      if (partition.empty()) partition = entry.first;
      auto& files = m.deleted_files[partition];
      LS_ASSIGN_OR_RETURN(auto ok, StringArrayField(entry.second, "successDeleteFiles"));
      for (const std::string& f : ok) files.push_back(BaseName(f));
      LS_ASSIGN_OR_RETURN(auto failed, StringArrayField(entry.second, "failedDeleteFiles"));
      for (const std::string& f : failed) files.push_back(BaseName(f));
      LS_ASSIGN_OR_RETURN(auto patterns, StringArrayField(entry.second, "deletePathPatterns"));
      for (const std::string& f : patterns) files.push_back(BaseName(f));
    }
  }
  return m;
}

Result<CleanMetadata> ParseCleanMetadata(std::string bytes, const std::string& what) {
  CleanMetadata out;
  if (IsBlank(bytes)) return out;
  LS_RETURN_IF_ERROR(ForFirstRecord(std::move(bytes), what, [&](const AvroValue& r) -> Status {
    auto m = CleanMetadataFromAvro(r);
    if (!m.ok()) return m.status().WithContext(what);
    out = std::move(*m);
    return Status::OK();
  }));
  return out;
}

}  // namespace lakeshare::hudi
