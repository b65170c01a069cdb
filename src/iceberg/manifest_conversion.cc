#include "iceberg/manifest_conversion.h"

#include <charconv>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/strings.h"
#include "iceberg/entry_stats.h"
#include "iceberg/shared_schema.h"
#include "iceberg/table_location.h"

namespace lakeshare::iceberg {
namespace {

std::string Basename(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

bool IsIdentity(const PartitionField& f) { return f.transform == "identity"; }

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

// The time of the snapshot that added a manifest, as far as known.
int64_t ManifestTime(const FileContext& ctx, const ManifestFile& mf) {
  if (mf.added_snapshot_id) {
    auto it = ctx.snapshot_ts->find(*mf.added_snapshot_id);
    if (it != ctx.snapshot_ts->end()) return it->second;
  }
  return ctx.default_ts;
}

Status RejectNonParquet(const ManifestEntry& e) {
  if (e.file_format == "PARQUET" || EqualsIgnoreCase(e.file_format, "parquet")) {
    return Status::OK();
  }
  return Status::Unsupported("data file '" + Basename(e.file_path) + "' is in " + e.file_format +
                             " format; only parquet data files can be shared");
}

// Converts one manifest's entries (see ConvertedManifest): per entry one
// DataFile whose strings are allocated at their exact size and whose
// partition values are shared with every file of the same tuple.
class ManifestConverter {
 public:
  // `spec` may be null for delete manifests (no files are converted).
  ManifestConverter(const FileContext& ctx, const PartitionSpec* spec, const ManifestFile& mf,
                    bool delete_manifest)
      : ctx_(ctx),
        spec_(spec),
        manifest_snapshot_(mf.added_snapshot_id),
        manifest_ts_(ManifestTime(ctx, mf)),
        manifest_sequence_(mf.sequence_number),
        manifest_spec_(mf.spec_id),
        delete_manifest_(delete_manifest),
        out_(std::make_shared<ConvertedManifest>()) {
    if (spec_ == nullptr) return;
    for (const auto& [name, col] : ctx_.partition_columns) {
      std::optional<size_t> index;
      for (size_t i = 0; i < spec_->fields.size(); ++i) {
        if (IsIdentity(spec_->fields[i]) && spec_->fields[i].source_id == col->id) index = i;
      }
      partition_index_.push_back(index);
    }
    filled_.resize(partition_index_.size());
    chunk_.reserve(FileList::kChunkSize);
  }

  Status Add(const ManifestEntry& e) {
    const std::optional<int64_t> sid = e.snapshot_id ? e.snapshot_id : manifest_snapshot_;
    const bool deletes = delete_manifest_ || e.content != FileContent::kData;
    if (e.status == EntryStatus::kDeleted || (e.status == EntryStatus::kAdded && deletes)) {
      if (std::find(out_->removing.begin(), out_->removing.end(), sid) == out_->removing.end()) {
        out_->removing.push_back(sid);
      }
    }
    if (e.status == EntryStatus::kDeleted) return Status::OK();
    const int64_t sequence = e.sequence_number.value_or(manifest_sequence_);
    if (deletes) {
      if (e.content == FileContent::kEqualityDeletes) {
        ++out_->equality_deletes;
      } else {
        ++out_->position_deletes;  // position delete files and v3 deletion vectors
      }
      DeleteFileRef d;
      d.content = e.content;
      LS_ASSIGN_OR_RETURN(d.path, ctx_.Rebase(e.file_path));
      d.file_format = e.file_format;
      d.data_sequence = sequence;
      const PartitionSpec* spec = ctx_.meta->SpecById(manifest_spec_);
      d.unpartitioned = spec == nullptr || spec->fields.empty();
      PartitionKey(manifest_spec_, e, &d.partition);
      d.referenced_data_file = e.referenced_data_file;
      d.content_offset = e.content_offset;
      d.content_size = e.content_size;
      d.record_count = e.record_count;
      d.file_size = e.file_size;
      d.equality_ids = e.equality_ids;
      out_->delete_files.push_back(std::move(d));
      return Status::OK();
    }
    if (spec_ == nullptr) return Status::Internal("a data file in a manifest read as deletes");
    LS_RETURN_IF_ERROR(RejectNonParquet(e));
    DataFile f;
    LS_ASSIGN_OR_RETURN(f.path, ctx_.Rebase(e.file_path));
    LS_RETURN_IF_ERROR(PartitionValuesOf(e, sid, &f.partition_values));
    f.size = e.file_size;
    f.modification_time = manifest_ts_;
    if (e.snapshot_id && e.snapshot_id != manifest_snapshot_) {
      auto it = ctx_.snapshot_ts->find(*e.snapshot_id);
      if (it != ctx_.snapshot_ts->end()) f.modification_time = it->second;
    }
    f.data_change = true;
    stats_.clear();
    AppendStatsJson(&stats_, e, *ctx_.schema);
    f.stats.emplace(stats_);
    out_->data_sequence.push_back(sequence);
    PartitionKey(spec_->spec_id, e, &part_);
    auto [part, fresh] = part_ids_.try_emplace(part_, out_->partitions.size());
    if (fresh) out_->partitions.push_back(part_);
    out_->partition_of.push_back(part->second);
    NoteOrigin(ConvertedManifest::Origin{sid, e.status == EntryStatus::kAdded});
    chunk_.push_back(std::move(f));
    ++out_->files;
    if (chunk_.size() == FileList::kChunkSize) {
      out_->chunks.emplace_back(std::move(chunk_));
      chunk_ = {};
      chunk_.reserve(FileList::kChunkSize);
    }
    return Status::OK();
  }

  std::shared_ptr<const ConvertedManifest> Finish() {
    if (!chunk_.empty()) {
      chunk_.shrink_to_fit();
      out_->chunks.emplace_back(std::move(chunk_));
    }
    return out_;
  }

 private:
  // Whether the file, added by snapshot `sid`, was written with a schema
  // without field `id` (false when that is unknown).
  bool WrittenWithout(const std::optional<int64_t>& sid, int32_t id) {
    if (!sid) return false;
    auto [it, fresh] = written_without_.try_emplace({*sid, id}, false);
    if (fresh) {
      const SnapshotInfo* s = ctx_.meta->SnapshotById(*sid);
      const Schema* schema = s && s->schema_id ? ctx_.meta->SchemaById(*s->schema_id) : nullptr;
      it->second = schema != nullptr && AllFieldIds(*schema).count(id) == 0;
    }
    return it->second;
  }

  Status PartitionValuesOf(const ManifestEntry& e, const std::optional<int64_t>& sid,
                           PartitionValues* out) {
    if (partition_index_.empty()) return Status::OK();
    // Each column's datum: the tuple's, or (a spec without that identity
    // field) the file's single value by its bounds.
    data_.resize(partition_index_.size());
    for (size_t c = 0; c < partition_index_.size(); ++c) {
      const std::optional<size_t>& index = partition_index_[c];
      if (index) {
        if (*index >= e.partition.size()) {
          return Status::Corruption("data file '" + e.file_path + "' has no value for partition '" +
                                    spec_->fields[*index].name + "'");
        }
        data_[c] = &e.partition[*index];
        continue;
      }
      const auto& [name, col] = ctx_.partition_columns[c];
      std::optional<PartitionDatum> single;
      if (auto d = ctx_.defaults.find(col->id);
          d != ctx_.defaults.end() && WrittenWithout(sid, col->id)) {
        single = d->second;  // a file from before the column: its initial default
      } else {
        single = SingleValue(e, *col);
      }
      if (!single) {
        if (!out_->unfilled) {
          out_->unfilled = "partition column '" + name + "' has no single value in data file '" +
                           Basename(e.file_path) + "' (partition spec " +
                           std::to_string(spec_->spec_id) +
                           " lacks it, and the file's bounds differ)";
        }
        single = PartitionDatum{};  // null; the snapshot is not served with this column
      }
      filled_[c] = std::move(*single);
      data_[c] = &filled_[c];
    }
    // The values' bytes find the values made for an earlier file.
    key_.clear();
    for (const PartitionDatum* d : data_) {
      key_.push_back(static_cast<char>(d->kind));
      key_.append(reinterpret_cast<const char*>(&d->i), sizeof(d->i));
      key_.append(reinterpret_cast<const char*>(&d->d), sizeof(d->d));
      key_.push_back(d->b ? '1' : '0');
      AppendInt(&key_, static_cast<int64_t>(d->bytes.size()));
      key_.push_back(':');
      key_.append(d->bytes);
    }
    if (auto it = seen_.find(key_); it != seen_.end()) {
      *out = it->second;  // shares the entries
      return Status::OK();
    }
    PartitionValues values;
    for (size_t c = 0; c < partition_index_.size(); ++c) {
      const auto& [name, col] = ctx_.partition_columns[c];
      auto v = PartitionValueString(*col->type, *data_[c]);
      if (!v.ok()) return v.status().WithContext("data file '" + e.file_path + "'");
      values[name] = std::move(*v);
    }
    seen_.emplace(key_, values);
    *out = std::move(values);
    return Status::OK();
  }

  // The one value column `col` has in the file by its metrics: every row
  // null (null count = record count), or no null, no NaN and lower bound =
  // upper bound (a truncated bound never equals its upper one). nullopt
  // otherwise.
  static std::optional<PartitionDatum> SingleValue(const ManifestEntry& e, const NestedField& col) {
    auto find = [&](const auto& list) -> decltype(&list[0].second) {
      for (const auto& [id, v] : list) {
        if (id == col.id) return &v;
      }
      return nullptr;
    };
    const int64_t* nulls = find(e.null_counts);
    if (nulls == nullptr) return std::nullopt;
    // NaNs are outside the bounds: a float column with any is not single.
    if (const int64_t* nans = find(e.nan_counts); nans != nullptr && *nans != 0) {
      return std::nullopt;
    }
    if (*nulls == e.record_count) return PartitionDatum{};
    const std::string* lower = find(e.lower_bounds);
    const std::string* upper = find(e.upper_bounds);
    if (*nulls != 0 || lower == nullptr || upper == nullptr || *lower != *upper) {
      return std::nullopt;
    }
    return BoundToPartitionDatum(*col.type, *lower);
  }

  // The spec id and every value of the entry's partition tuple, as bytes.
  static void PartitionKey(int32_t spec_id, const ManifestEntry& e, std::string* key) {
    key->clear();
    AppendInt(key, spec_id);
    for (const PartitionDatum& d : e.partition) {
      key->push_back('|');
      key->push_back(static_cast<char>(d.kind));
      key->append(reinterpret_cast<const char*>(&d.i), sizeof(d.i));
      key->append(reinterpret_cast<const char*>(&d.d), sizeof(d.d));
      key->push_back(d.b ? '1' : '0');
      AppendInt(key, static_cast<int64_t>(d.bytes.size()));
      key->push_back(':');
      key->append(d.bytes);
    }
  }

  void NoteOrigin(const ConvertedManifest::Origin& o) {
    uint32_t index = 0;
    while (index < out_->origins.size() && (out_->origins[index].snapshot_id != o.snapshot_id ||
                                            out_->origins[index].added != o.added)) {
      ++index;
    }
    if (index == out_->origins.size()) out_->origins.push_back(o);
    if (out_->runs.empty() || out_->runs.back().origin != index) {
      out_->runs.push_back({out_->files + 1, index});
    } else {
      out_->runs.back().end = out_->files + 1;
    }
  }

  const FileContext& ctx_;
  const PartitionSpec* spec_;
  const std::optional<int64_t> manifest_snapshot_;
  const int64_t manifest_ts_;
  const int64_t manifest_sequence_;
  const int32_t manifest_spec_;
  const bool delete_manifest_;
  std::shared_ptr<ConvertedManifest> out_;
  std::vector<std::optional<size_t>> partition_index_;  // per partition column
  std::vector<const PartitionDatum*> data_;             // per partition column
  std::vector<PartitionDatum> filled_;                  // values from bounds
  std::unordered_map<std::string, PartitionValues> seen_;
  std::vector<DataFile> chunk_;
  std::string key_, stats_, part_;
  std::unordered_map<std::string, uint32_t> part_ids_;           // index in out_->partitions
  std::map<std::pair<int64_t, int32_t>, bool> written_without_;  // WrittenWithout's answers
};

}  // namespace

Result<std::string> FileContext::Rebase(const std::string& recorded) const {
  // Fast path: the recorded root verbatim, then a path that is already
  // normal (what writers record): no normalization needed.
  if (!recorded_raw.empty() && recorded.size() > recorded_raw.size() + 1 &&
      recorded.compare(0, recorded_raw.size(), recorded_raw) == 0 &&
      recorded[recorded_raw.size()] == '/') {
    std::string_view rest = std::string_view(recorded).substr(recorded_raw.size() + 1);
    if (IsCleanRelativePath(rest)) {
      std::string out;
      out.reserve(configured_root.size() + 1 + rest.size());
      out.append(configured_root);
      out.push_back('/');
      out.append(rest);
      return out;
    }
  }
  std::string n = NormalizeRecordedLocation(recorded);
  if (!recorded_norm.empty() && n.size() > recorded_norm.size() &&
      n.compare(0, recorded_norm.size(), recorded_norm) == 0 && n[recorded_norm.size()] == '/') {
    std::string out;
    out.reserve(configured_root.size() + n.size() - recorded_norm.size());
    out.append(configured_root);
    out.append(n, recorded_norm.size());
    return out;
  }
  return RebaseLocation(recorded, recorded_root, configured_root, location_map);
}

void FileContext::Prepare() {
  recorded_norm = NormalizeRecordedLocation(recorded_root);
  recorded_raw = recorded_root;
  while (recorded_raw.size() > 1 && recorded_raw.back() == '/') recorded_raw.pop_back();
  // The fast path compares text: only for roots that are already normal.
  if (recorded_raw.find('/') == std::string::npos ||
      NormalizeRecordedLocation(recorded_raw) != recorded_raw) {
    recorded_raw.clear();
  }
  while (configured_root.size() > 1 && configured_root.back() == '/') configured_root.pop_back();
}

std::string FileContext::Key() const {
  std::string k = std::to_string(schema->schema_id);
  for (const auto& [name, f] : partition_columns) k += "," + std::to_string(f->id) + "=" + name;
  for (const auto& [id, d] : defaults) k += ",d" + std::to_string(id);
  if (!naming_key.empty()) k += "|n" + naming_key;
  k += "|" + recorded_root + "|" + configured_root;
  if (location_map != nullptr) {
    for (const LocationMapping& m : *location_map) k += "|" + m.from + ">" + m.to;
  }
  return k;
}

int64_t EarliestSnapshotTime(const IcebergMetadata& m, int64_t otherwise) {
  int64_t t = INT64_MAX;
  for (const SnapshotInfo& s : m.snapshots) t = std::min(t, s.timestamp_ms);
  return t == INT64_MAX ? otherwise : t;
}

// The conversion context of the files of snapshot version `v` (schema,
// partition columns of the specs in use, re-basing onto `root`).
FileContext MakeFileContext(const IcebergMetadata& m, const Schema* schema,
                            const std::set<int32_t>& spec_ids, const std::string& root,
                            const std::map<int64_t, int64_t>& snapshot_ts, int64_t version_ts,
                            const LocationMap* location_map, bool partial_partitions) {
  FileContext ctx;
  ctx.location_map = location_map != nullptr && !location_map->empty() ? location_map : nullptr;
  ctx.meta = &m;
  ctx.schema = schema;
  ctx.recorded_root = m.location;
  ctx.configured_root = root;
  ctx.partition_columns = PartitionColumns(m, *schema, spec_ids, partial_partitions);
  ctx.snapshot_ts = &snapshot_ts;
  ctx.default_ts = EarliestSnapshotTime(m, version_ts);
  ctx.Prepare();
  return ctx;
}

std::optional<std::string> FirstUnfilled(
    const std::vector<std::shared_ptr<const ConvertedManifest>>& converted) {
  for (const auto& cm : converted) {
    if (cm->unfilled) return cm->unfilled;
  }
  return std::nullopt;
}

bool FilesMayLackPartitionColumns(const IcebergMetadata& m) {
  auto prop = m.properties.find("write.data.partition-columns");
  return prop != m.properties.end() && prop->second == "false";
}

std::string ConversionKey(const std::string& path, const ManifestFile& mf,
                          const PartitionSpec* spec, const FileContext& ctx, bool deletes) {
  return path + "|" + std::to_string(mf.length) + "|" + (deletes ? "d" : "f") +
         std::to_string(spec != nullptr ? spec->spec_id : -1) + "|" +
         std::to_string(mf.added_snapshot_id.value_or(-1)) + "|" +
         std::to_string(ManifestTime(ctx, mf)) + "|" + ctx.Key();
}

Result<std::shared_ptr<const ConvertedManifest>> ConvertManifest(
    std::string bytes, const std::string& what, const FileContext& ctx, const PartitionSpec* spec,
    const ManifestFile& mf, bool deletes) {
  ManifestConverter converter(ctx, spec, mf, deletes);
  LS_RETURN_IF_ERROR(
      ForEachManifestEntry(std::move(bytes), what, /*with_metrics=*/!deletes,
                           [&](const ManifestEntry& e) { return converter.Add(e); }));
  return converter.Finish();
}

}  // namespace lakeshare::iceberg
