#include "hudi/hudi_timeline.h"

#include <algorithm>
#include <boost/json.hpp>

#include "hudi/hudi_instant.h"
#include "hudi/hudi_log_format.h"
#include "parquet/parquet_reader.h"
#include "parquet/record_view.h"
#include "storage/random_access_file.h"

namespace lakeshare::hudi {
namespace {

std::string NameOf(const std::string& path) { return BaseName(path); }

bool IsMissing(const Status& s) { return s.code() == StatusCode::kNotFound; }

Result<std::string> ReadBounded(Storage& storage, const std::string& path, int64_t size,
                                int64_t max_bytes, int64_t* total, int64_t max_total) {
  if (size > max_bytes) {
    return Status::TooLarge("archived timeline file " + NameOf(path) + " is larger than " +
                            std::to_string(max_bytes) + " bytes");
  }
  *total += size;
  if (*total > max_total) {
    return Status::TooLarge("the archived timeline is larger than " + std::to_string(max_total) +
                            " bytes");
  }
  return storage.Read(path);
}

// Table version 6: .hoodie/archived/.commits_.archive.N_<token> log files.
Status ReadLegacyArchive(Storage& storage, const std::vector<FileInfo>& files,
                         const ArchiveLimits& limits, ArchivedTimeline* out) {
  int64_t total = 0;
  std::vector<FileInfo> archives;
  for (const FileInfo& f : files) {
    if (NameOf(f.path).rfind(".commits_.archive.", 0) == 0) archives.push_back(f);
  }
  // Archive files are numbered in the order they were written.
  auto number = [](const std::string& name) -> int64_t {
    size_t start = std::string(".commits_.archive.").size();
    int64_t n = 0;
    for (size_t i = start; i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]));
         ++i) {
      n = n * 10 + (name[i] - '0');
    }
    return n;
  };
  std::sort(archives.begin(), archives.end(), [&](const FileInfo& a, const FileInfo& b) {
    return number(NameOf(a.path)) < number(NameOf(b.path));
  });
  for (const FileInfo& f : archives) {
    out->present = true;
    const std::string what = "archived timeline file " + NameOf(f.path);
    LS_ASSIGN_OR_RETURN(std::string bytes,
                        ReadBounded(storage, f.path, f.size, limits.max_file_bytes, &total,
                                    limits.max_total_bytes));
    auto blocks = ParseLogBlocks(bytes);
    if (!blocks.ok()) return blocks.status().WithContext(what);
    for (const LogBlock& b : *blocks) {
      if (b.type == LogBlockType::kCorrupt) continue;  // a writer that died mid-block
      if (b.type != LogBlockType::kAvroData) {
        return Status::Unsupported(what + ": log blocks of type " +
                                   std::to_string(static_cast<int>(b.type)) +
                                   " are not supported in archives");
      }
      const std::string* schema = b.Header(LogHeader::kSchema);
      if (schema == nullptr) return Status::Corruption(what + ": an Avro block without a schema");
      auto records = AvroBlockRecords(b.content);
      if (!records.ok()) return records.status().WithContext(what);
      LS_RETURN_IF_ERROR(
          DecodeAvroRecords(*schema, *records, what, [&](const AvroValue& entry) -> Status {
            auto instant = ArchivedEntryFromAvro(entry);
            if (!instant.ok()) return instant.status().WithContext(what);
            if (*instant) out->completed.push_back(std::move(**instant));
            return Status::OK();
          }));
    }
  }
  return Status::OK();
}

// Table versions 8+: the LSM timeline (_version_, manifest_N, parquet files).
Status ReadLsmArchive(Storage& storage, const std::string& dir, const std::vector<FileInfo>& files,
                      const ArchiveLimits& limits, ArchivedTimeline* out) {
  int64_t latest = -1;
  for (const FileInfo& f : files) {
    std::string name = NameOf(f.path);
    if (name.rfind("manifest_", 0) != 0) continue;
    std::string digits = name.substr(9);
    if (digits.empty() ||
        !std::all_of(digits.begin(), digits.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
        digits.size() > 9) {
      continue;
    }
    latest = std::max<int64_t>(latest, std::stoll(digits));
  }
  if (auto version = storage.Read(storage.Join(dir, "_version_")); version.ok()) {
    std::string v = *version;
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
    if (!v.empty() && v.size() <= 9 && std::all_of(v.begin(), v.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      latest = std::stoll(v);
    }
  } else if (!IsMissing(version.status())) {
    return version.status();
  }
  if (latest < 0) return Status::OK();
  out->present = true;
  const std::string manifest_name = "manifest_" + std::to_string(latest);
  LS_ASSIGN_OR_RETURN(std::string manifest, storage.Read(storage.Join(dir, manifest_name)));
  boost::json::error_code ec;
  boost::json::value m = boost::json::parse(manifest, ec);
  if (ec || !m.is_object()) {
    return Status::Corruption("LSM timeline " + manifest_name + " is not a JSON object");
  }
  std::vector<std::string> names;
  if (auto it = m.as_object().find("files"); it != m.as_object().end() && it->value().is_array()) {
    for (const auto& f : it->value().as_array()) {
      if (!f.is_object()) continue;
      auto n = f.as_object().find("fileName");
      if (n == f.as_object().end() || !n->value().is_string()) continue;
      std::string name(n->value().as_string());
      if (name.find('/') != std::string::npos || name.find("..") != std::string::npos) {
        return Status::Corruption("LSM timeline " + manifest_name + " names a file outside it");
      }
      names.push_back(std::move(name));
    }
  }
  int64_t total = 0;
  for (const std::string& name : names) {
    const std::string path = storage.Join(dir, name);
    const std::string what = "LSM timeline file " + name;
    LS_ASSIGN_OR_RETURN(FileInfo info, storage.Head(path));
    LS_ASSIGN_OR_RETURN(std::string bytes,
                        ReadBounded(storage, path, info.size, limits.max_file_bytes, &total,
                                    limits.max_total_bytes));
    auto reader = parquet::ParquetReader::Open(std::make_shared<MemoryFile>(std::move(bytes)));
    if (!reader.ok()) return reader.status().WithContext(what);
    const parquet::Schema& schema = reader->schema();
    std::vector<std::string> columns = {"instantTime", "completionTime", "action", "metadata"};
    std::vector<std::string> present;
    for (const std::string& c : columns) {
      if (schema.FindPath({c}) != nullptr) present.push_back(c);
    }
    if (present.size() < 3 || schema.FindPath({"instantTime"}) == nullptr ||
        schema.FindPath({"action"}) == nullptr) {
      return Status::Corruption(what + " lacks instantTime/action columns");
    }
    LS_ASSIGN_OR_RETURN(std::vector<int> leaves, schema.Resolve(present));
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
      auto batch = reader->ReadRowGroup(rg, leaves);
      if (!batch.ok()) return batch.status().WithContext(what);
      auto tree = parquet::RecordTree::Make(std::move(*batch));
      if (!tree.ok()) return tree.status().WithContext(what);
      const auto* time = tree->Find("instantTime");
      const auto* completion = tree->Find("completionTime");
      const auto* action = tree->Find("action");
      const auto* metadata = tree->Find("metadata");
      for (int64_t row = 0; row < tree->num_rows(); ++row) {
        auto instant = LsmEntry(
            std::string(time->String(row)), completion ? std::string(completion->String(row)) : "",
            std::string(action->String(row)),
            metadata && metadata->IsValid(row) ? std::string(metadata->String(row)) : "");
        if (!instant.ok()) return instant.status().WithContext(what);
        if (*instant) out->completed.push_back(std::move(**instant));
      }
    }
  }
  return Status::OK();
}

Result<std::optional<TimelineInstant>> FromMetadata(TimelineInstant t, std::string metadata,
                                                    const std::string& what) {
  if (IsWriteAction(t.action)) {
    LS_ASSIGN_OR_RETURN(CommitMetadata m, ParseCommitMetadata(std::move(metadata), what));
    t.commit = std::make_shared<const CommitMetadata>(std::move(m));
  } else if (t.action == "rollback") {
    LS_ASSIGN_OR_RETURN(t.undone, ParseRollbackInstants(std::move(metadata), what));
  } else if (t.action == "restore") {
    LS_ASSIGN_OR_RETURN(t.undone, ParseRestoreInstants(std::move(metadata), what));
  } else if (t.action == "clean") {
    LS_ASSIGN_OR_RETURN(CleanMetadata m, ParseCleanMetadata(std::move(metadata), what));
    t.clean = std::make_shared<const CleanMetadata>(std::move(m));
  }
  return std::optional<TimelineInstant>(std::move(t));
}

}  // namespace

std::string TimelineFolder(const Storage& storage, const std::string& table_root,
                           const TableProperties& props) {
  std::string hoodie = storage.Join(table_root, ".hoodie");
  if (props.timeline_layout_version >= 2) return storage.Join(hoodie, props.timeline_path);
  return hoodie;
}

Result<ActiveTimeline> ListActiveTimeline(Storage& storage, const std::string& table_root,
                                          const TableProperties& props) {
  ActiveTimeline out;
  const std::string dir = TimelineFolder(storage, table_root, props);
  auto listing = storage.ListDirectory(dir);
  if (!listing.ok()) {
    if (IsMissing(listing.status())) return out;  // an empty table
    return listing.status();
  }
  for (const FileInfo& f : *listing) {
    auto instant = ParseInstantFileName(NameOf(f.path), props.timeline_layout_version);
    if (!instant) continue;
    if (instant->state != InstantState::kCompleted) {
      out.pending.push_back(instant->time);
      continue;
    }
    TimelineInstant t;
    t.time = instant->time;
    t.completion_time = instant->completion_time.value_or("");
    t.action = instant->action;
    t.path = f.path;
    t.size = f.size;
    out.completed.push_back(std::move(t));
  }
  return out;
}

Result<ArchivedTimeline> ReadArchivedTimeline(Storage& storage, const std::string& table_root,
                                              const TableProperties& props,
                                              const ArchiveLimits& limits) {
  ArchivedTimeline out;
  std::string dir;
  if (props.timeline_layout_version >= 2) {
    dir = storage.Join(TimelineFolder(storage, table_root, props), props.history_path);
  } else {
    dir = storage.Join(storage.Join(table_root, ".hoodie"), props.archive_path);
  }
  auto listing = storage.ListDirectory(dir);
  if (!listing.ok()) {
    if (IsMissing(listing.status())) return out;
    return listing.status();
  }
  if (props.timeline_layout_version >= 2) {
    LS_RETURN_IF_ERROR(ReadLsmArchive(storage, dir, *listing, limits, &out));
  } else {
    LS_RETURN_IF_ERROR(ReadLegacyArchive(storage, *listing, limits, &out));
  }
  return out;
}

Result<std::optional<TimelineInstant>> ArchivedEntryFromAvro(const AvroValue& entry) {
  TimelineInstant t;
  t.archived = true;
  t.time = StringField(entry, "commitTime");
  t.action = StringField(entry, "actionType");
  std::string state = StringField(entry, "actionState");
  if (!state.empty() && state != "COMPLETED") return std::optional<TimelineInstant>();
  if (!IsInstantTime(t.time)) return Status::Corruption("an archived instant without a time");
  if (IsWriteAction(t.action)) {
    const char* field =
        t.action == "replacecommit" ? "hoodieReplaceCommitMetadata" : "hoodieCommitMetadata";
    auto m = entry.Field(field);
    if (!m || m->IsNull()) m = entry.Field("hoodieCommitMetadata");
    CommitMetadata commit;
    if (m && !m->IsNull()) {
      LS_ASSIGN_OR_RETURN(commit, CommitMetadataFromAvro(*m));
    }
    t.commit = std::make_shared<const CommitMetadata>(std::move(commit));
  } else if (t.action == "rollback") {
    if (auto m = entry.Field("hoodieRollbackMetadata"); m && !m->IsNull()) {
      LS_ASSIGN_OR_RETURN(t.undone, RollbackInstantsFromAvro(*m));
    }
  } else if (t.action == "restore") {
    if (auto m = entry.Field("hoodieRestoreMetadata"); m && !m->IsNull()) {
      LS_ASSIGN_OR_RETURN(t.undone, StringArrayField(*m, "instantsToRollback"));
    }
  } else if (t.action == "clean") {
    if (auto m = entry.Field("hoodieCleanMetadata"); m && !m->IsNull()) {
      LS_ASSIGN_OR_RETURN(CleanMetadata c, CleanMetadataFromAvro(*m));
      t.clean = std::make_shared<const CleanMetadata>(std::move(c));
    }
  }
  return std::optional<TimelineInstant>(std::move(t));
}

Result<std::optional<TimelineInstant>> LsmEntry(std::string time, std::string completion,
                                                std::string action, std::string metadata) {
  TimelineInstant t;
  t.archived = true;
  t.time = std::move(time);
  t.completion_time = std::move(completion);
  t.action = std::move(action);
  if (!IsInstantTime(t.time) || (!t.completion_time.empty() && !IsInstantTime(t.completion_time))) {
    return Status::Corruption("an LSM timeline row with a malformed instant time");
  }
  return FromMetadata(std::move(t), std::move(metadata), "archived instant");
}

}  // namespace lakeshare::hudi
