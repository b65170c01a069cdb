#include "iceberg/iceberg_table.h"

#include <algorithm>
#include <charconv>
#include <future>
#include <set>
#include <unordered_map>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/json_writer.h"
#include "common/time_util.h"
#include "iceberg/rest_catalog.h"

namespace lakeshare {
namespace {

using namespace lakeshare::iceberg;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Basename(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string Dirname(const std::string& p) {
  size_t slash = p.find_last_of('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

// The comparable form of a recorded location: no file: scheme, s3a/s3n as
// s3, no "./" or repeated or trailing slashes.
std::string NormalizeRecorded(std::string_view p) {
  std::string scheme;
  size_t colon = p.find(':');
  if (colon != std::string_view::npos && p.find('/') > colon) {
    scheme = std::string(p.substr(0, colon));
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    p.remove_prefix(colon + 1);
    if (scheme == "file") {
      scheme.clear();
      if (p.substr(0, 2) == "//") p.remove_prefix(2);  // file://host/x or file:///x
    } else if (scheme == "s3a" || scheme == "s3n") {
      scheme = "s3";
    }
  }
  std::string out;
  if (!scheme.empty()) {
    out = scheme + ":";
    if (p.substr(0, 2) == "//") {
      out += "//";
      p.remove_prefix(2);
    }
  } else if (!p.empty() && p[0] == '/') {
    out = "/";
  }
  size_t start = 0;
  bool first = true;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    std::string_view seg = p.substr(start, end - start);
    if (!seg.empty() && seg != ".") {
      if (!first) out += '/';
      out.append(seg);
      first = false;
    }
    start = end + 1;
  }
  return out;
}

// The number in a metadata file name (v12.metadata.json, 00012-uuid...),
// nullopt for other names.
std::optional<int64_t> MetadataNumber(const std::string& name) {
  std::string stem;
  for (std::string_view suffix : {".gz.metadata.json", ".metadata.json.gz", ".metadata.json"}) {
    if (EndsWith(name, suffix)) {
      stem = name.substr(0, name.size() - suffix.size());
      break;
    }
  }
  if (stem.empty()) return std::nullopt;
  std::string_view digits = stem;
  if (digits[0] == 'v') {
    digits.remove_prefix(1);
  } else {
    size_t dash = digits.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    digits = digits.substr(0, dash);
  }
  int64_t n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || n < 0) {
    return std::nullopt;
  }
  return n;
}

std::string StemOf(const std::string& name) {
  for (std::string_view suffix : {".gz.metadata.json", ".metadata.json.gz", ".metadata.json"}) {
    if (EndsWith(name, suffix)) return name.substr(0, name.size() - suffix.size());
  }
  return name;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::string UuidFromDigest(const std::string& text) {
  std::string h = HexEncode(Sha256(text)).substr(0, 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

bool IsIdentity(const PartitionField& f) { return f.transform == "identity"; }

// --------------------------------------------------------- schema analysis

struct SchemaReport {
  std::vector<std::string> reader_features;
  std::optional<std::string> unreadable;
  std::set<int32_t> default_field_ids;  // fields with an initial default
};

void IndexFields(const std::vector<NestedField>& fields, const std::string& prefix,
                 std::map<int32_t, std::pair<std::string, const Type*>>* by_id,
                 std::map<std::string, int32_t>* by_path) {
  for (const NestedField& f : fields) {
    std::string path = prefix.empty() ? f.name : prefix + "." + f.name;
    (*by_id)[f.id] = {path, f.type.get()};
    if (by_path != nullptr) (*by_path)[path] = f.id;
    if (f.type->is_nested()) IndexFields(f.type->fields, path, by_id, by_path);
  }
}

void ScanTypes(const std::vector<NestedField>& fields, bool* ntz, bool* variant,
               std::set<int32_t>* defaults) {
  for (const NestedField& f : fields) {
    TypeId t = f.type->id;
    if (t == TypeId::kTimestamp || t == TypeId::kTimestampNs) *ntz = true;
    if (t == TypeId::kVariant) *variant = true;
    if (f.has_initial_default) defaults->insert(f.id);
    if (f.type->is_nested()) ScanTypes(f.type->fields, ntz, variant, defaults);
  }
}

SchemaReport AnalyzeSchema(const IcebergMetadata& m, const Schema& s) {
  SchemaReport r;
  bool ntz = false, variant = false, widening = false;
  ScanTypes(s.fields, &ntz, &variant, &r.default_field_ids);
  std::map<int32_t, std::pair<std::string, const Type*>> ids;
  std::map<std::string, int32_t> paths;
  IndexFields(s.fields, "", &ids, &paths);
  for (const Schema& other : m.schemas) {
    if (other.schema_id == s.schema_id || r.unreadable) continue;
    std::map<int32_t, std::pair<std::string, const Type*>> oids;
    std::map<std::string, int32_t> opaths;
    IndexFields(other.fields, "", &oids, &opaths);
    for (const auto& [id, entry] : ids) {
      auto it = oids.find(id);
      if (it != oids.end() && it->second.first != entry.first) {
        r.unreadable = "column '" + entry.first + "' was renamed (it is '" + it->second.first +
                       "' in schema " + std::to_string(other.schema_id) +
                       "), and readers that match parquet columns by name would read it wrongly";
        break;
      }
      if (it != oids.end() && !entry.second->is_nested() && !it->second.second->is_nested() &&
          TypeName(*entry.second) != TypeName(*it->second.second)) {
        widening = true;
      }
      auto p = opaths.find(entry.first);
      if (p != opaths.end() && p->second != id) {
        r.unreadable = "column '" + entry.first + "' was dropped and added again (field ids " +
                       std::to_string(p->second) + " and " + std::to_string(id) +
                       "), and readers that match parquet columns by name would read old values";
        break;
      }
    }
  }
  if (ntz) r.reader_features.push_back("timestampNtz");
  if (widening) r.reader_features.push_back("typeWidening");
  if (variant) r.reader_features.push_back("variantType");
  return r;
}

// ------------------------------------------------------------ stats JSON

template <typename V>
const V* FindById(const std::vector<std::pair<int32_t, V>>& v, int32_t id) {
  for (const auto& [k, val] : v) {
    if (k == id) return &val;
  }
  return nullptr;
}

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

// Appends the members of `fields` that have a value ("name":value,...);
// struct fields recurse. `emit(field, out)` appends a value or returns false
// (appending nothing). Returns whether anything was written; nothing is
// left behind otherwise.
template <typename Emit>
bool EmitStatsStruct(std::string* out, const std::vector<NestedField>& fields, const Emit& emit) {
  bool any = false;
  for (const NestedField& f : fields) {
    const bool is_struct = f.type->id == TypeId::kStruct;
    if (f.type->is_nested() && !is_struct) continue;
    const size_t mark = out->size();
    if (any) out->push_back(',');
    AppendJsonString(out, f.name);
    out->push_back(':');
    bool wrote = false;
    if (is_struct) {
      out->push_back('{');
      wrote = EmitStatsStruct(out, f.type->fields, emit);
      if (wrote) out->push_back('}');
    } else {
      wrote = emit(f, out);
    }
    if (!wrote) {
      out->resize(mark);
      continue;
    }
    any = true;
  }
  return any;
}

// The entry's stats JSON, appended to `out` (no temporaries: this runs for
// every file of every snapshot built).
void AppendStatsJson(std::string* out, const ManifestEntry& e, const Schema& schema) {
  out->append("{\"numRecords\":");
  AppendInt(out, e.record_count);
  auto section = [&](std::string_view key, const auto& emit) {
    const size_t mark = out->size();
    out->append(",\"");
    out->append(key);
    out->append("\":{");
    if (EmitStatsStruct(out, schema.fields, emit)) {
      out->push_back('}');
    } else {
      out->resize(mark);
    }
  };
  auto has_nan = [&](const NestedField& f) {
    const int64_t* n = FindById(e.nan_counts, f.id);
    return n != nullptr && *n > 0;
  };
  if (!e.lower_bounds.empty()) {
    section("minValues", [&](const NestedField& f, std::string* o) {
      const std::string* b = FindById(e.lower_bounds, f.id);
      return b != nullptr && !has_nan(f) && AppendBoundStatsJson(o, *f.type, *b);
    });
  }
  if (!e.upper_bounds.empty()) {
    section("maxValues", [&](const NestedField& f, std::string* o) {
      const std::string* b = FindById(e.upper_bounds, f.id);
      return b != nullptr && !has_nan(f) && AppendBoundStatsJson(o, *f.type, *b);
    });
  }
  if (!e.null_counts.empty()) {
    section("nullCount", [&](const NestedField& f, std::string* o) {
      const int64_t* n = FindById(e.null_counts, f.id);
      if (n == nullptr) return false;
      AppendInt(o, *n);
      return true;
    });
  }
  out->push_back('}');
}

// ------------------------------------------------------ file conversion

// Whether a relative path normalizes to itself (no empty or "." segments).
bool IsCleanRelative(std::string_view rest) {
  if (rest.empty() || rest.front() == '/' || rest.back() == '/') return false;
  if (rest == "." || rest.substr(0, 2) == "./" || rest.find("//") != std::string_view::npos ||
      rest.find("/./") != std::string_view::npos) {
    return false;
  }
  return !(rest.size() >= 2 && rest.substr(rest.size() - 2) == "/.");
}

// What a snapshot's files are converted with: schema, partition columns
// (top-level identity partitions common to every spec in use), re-basing.
struct FileContext {
  Result<std::string> Rebase(const std::string& recorded) const {
    // Fast path: the recorded root verbatim, then a path that is already
    // normal (what writers record): no normalization needed.
    if (!recorded_raw.empty() && recorded.size() > recorded_raw.size() + 1 &&
        recorded.compare(0, recorded_raw.size(), recorded_raw) == 0 &&
        recorded[recorded_raw.size()] == '/') {
      std::string_view rest = std::string_view(recorded).substr(recorded_raw.size() + 1);
      if (IsCleanRelative(rest)) {
        std::string out;
        out.reserve(configured_root.size() + 1 + rest.size());
        out.append(configured_root);
        out.push_back('/');
        out.append(rest);
        return out;
      }
    }
    std::string n = NormalizeRecorded(recorded);
    if (!recorded_norm.empty() && n.size() > recorded_norm.size() &&
        n.compare(0, recorded_norm.size(), recorded_norm) == 0 && n[recorded_norm.size()] == '/') {
      std::string out;
      out.reserve(configured_root.size() + n.size() - recorded_norm.size());
      out.append(configured_root);
      out.append(n, recorded_norm.size());
      return out;
    }
    return IcebergTable::Rebase(recorded, recorded_root, configured_root);
  }
  void Prepare() {
    recorded_norm = NormalizeRecorded(recorded_root);
    recorded_raw = recorded_root;
    while (recorded_raw.size() > 1 && recorded_raw.back() == '/') recorded_raw.pop_back();
    // The fast path compares text: only for roots that are already normal.
    if (recorded_raw.find('/') == std::string::npos ||
        NormalizeRecorded(recorded_raw) != recorded_raw) {
      recorded_raw.clear();
    }
    while (configured_root.size() > 1 && configured_root.back() == '/') configured_root.pop_back();
  }
  // Everything a manifest's conversion depends on besides the manifest.
  std::string Key() const {
    std::string k = std::to_string(schema->schema_id);
    for (const auto& [name, f] : partition_columns) k += "," + std::to_string(f->id) + "=" + name;
    return k + "|" + recorded_root + "|" + configured_root;
  }
  std::string recorded_norm, recorded_raw;
  const IcebergMetadata* meta = nullptr;
  const Schema* schema = nullptr;
  std::string recorded_root, configured_root;
  std::vector<std::pair<std::string, const NestedField*>> partition_columns;
  const std::map<int64_t, int64_t>* snapshot_ts = nullptr;
  // For files whose adding snapshot is unknown or expired: the oldest
  // snapshot's time (they were added no later), stable across versions.
  int64_t default_ts = 0;
};

// The time of the snapshot that added a manifest, as far as known.
int64_t ManifestTime(const FileContext& ctx, const ManifestFile& mf) {
  if (mf.added_snapshot_id) {
    auto it = ctx.snapshot_ts->find(*mf.added_snapshot_id);
    if (it != ctx.snapshot_ts->end()) return it->second;
  }
  return ctx.default_ts;
}

std::vector<std::pair<std::string, const NestedField*>> PartitionColumns(
    const IcebergMetadata& m, const Schema& schema, const std::set<int32_t>& spec_ids) {
  std::vector<std::pair<std::string, const NestedField*>> out;
  std::set<int32_t> ids = spec_ids;
  if (ids.empty()) ids.insert(m.default_spec_id);
  const PartitionSpec* first = m.SpecById(*ids.begin());
  if (first == nullptr) return out;
  for (const PartitionField& pf : first->fields) {
    if (!IsIdentity(pf)) continue;
    const NestedField* col = nullptr;
    for (const NestedField& f : schema.fields) {
      if (f.id == pf.source_id) col = &f;
    }
    if (col == nullptr || !IsExposablePartitionType(*col->type)) continue;
    bool everywhere = true;
    for (int32_t id : ids) {
      const PartitionSpec* spec = m.SpecById(id);
      bool found = false;
      if (spec != nullptr) {
        for (const PartitionField& f : spec->fields) {
          found = found || (IsIdentity(f) && f.source_id == pf.source_id);
        }
      }
      everywhere = everywhere && found;
    }
    bool duplicate = false;
    for (const auto& [name, f] : out) duplicate = duplicate || f == col;
    if (everywhere && !duplicate) out.emplace_back(col->name, col);
  }
  return out;
}

std::string LowerAscii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Status RejectNonParquet(const ManifestEntry& e) {
  if (e.file_format == "PARQUET" || LowerAscii(e.file_format) == "parquet") return Status::OK();
  return Status::Unsupported("data file '" + Basename(e.file_path) + "' is in " + e.file_format +
                             " format; only parquet data files can be shared");
}

}  // namespace

// The files of one manifest as snapshots list them, converted once for one
// FileContext and shared by every snapshot that lists the manifest.
struct iceberg::ConvertedManifest {
  // Live data files (ADDED and EXISTING entries), in file order, in chunks
  // of FileList::kChunkSize (the last one shorter).
  std::vector<FileList::Chunk> chunks;
  size_t files = 0;
  // Who added each file: runs of files with the same origin.
  struct Origin {
    std::optional<int64_t> snapshot_id;  // the entry's, else the manifest's
    bool added = false;                  // status ADDED (not EXISTING)
  };
  std::vector<Origin> origins;
  struct Run {
    size_t end = 0;  // files [previous run's end, end)
    uint32_t origin = 0;
  };
  std::vector<Run> runs;
  int64_t position_deletes = 0, equality_deletes = 0;  // live delete files listed
  // Snapshots (nullopt: unknown) whose entries here delete data files or
  // add delete files: their commits are not append-only.
  std::vector<std::optional<int64_t>> removing;

  const DataFile& file(size_t i) const {
    return chunks[i / FileList::kChunkSize][i % FileList::kChunkSize];
  }
  bool Removes(int64_t snapshot_id) const {
    return std::any_of(removing.begin(), removing.end(),
                       [&](const std::optional<int64_t>& s) { return !s || *s == snapshot_id; });
  }
};

namespace {

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
    if (deletes) {
      if (e.content == FileContent::kEqualityDeletes) {
        ++out_->equality_deletes;
      } else {
        ++out_->position_deletes;  // position delete files and v3 deletion vectors
      }
      return Status::OK();
    }
    if (spec_ == nullptr) return Status::Internal("a data file in a manifest read as deletes");
    LS_RETURN_IF_ERROR(RejectNonParquet(e));
    DataFile f;
    LS_ASSIGN_OR_RETURN(f.path, ctx_.Rebase(e.file_path));
    LS_RETURN_IF_ERROR(PartitionValuesOf(e, &f.partition_values));
    f.size = e.file_size;
    f.modification_time = manifest_ts_;
    if (e.snapshot_id && e.snapshot_id != manifest_snapshot_) {
      auto it = ctx_.snapshot_ts->find(*e.snapshot_id);
      if (it != ctx_.snapshot_ts->end()) f.modification_time = it->second;
    }
    f.data_change = true;
    stats_.clear();
    AppendStatsJson(&stats_, e, *ctx_.schema);
    f.stats.emplace(stats_.data(), stats_.size());  // exactly sized
    NoteOrigin(ConvertedManifest::Origin{sid, e.status == EntryStatus::kAdded});
    chunk_.push_back(std::move(f));
    ++out_->files;
    if (chunk_.size() == FileList::kChunkSize) {
      out_->chunks.push_back(std::move(chunk_));
      chunk_ = {};
      chunk_.reserve(FileList::kChunkSize);
    }
    return Status::OK();
  }

  std::shared_ptr<const ConvertedManifest> Finish() {
    if (!chunk_.empty()) {
      chunk_.shrink_to_fit();
      out_->chunks.push_back(std::move(chunk_));
    }
    return out_;
  }

 private:
  Status PartitionValuesOf(const ManifestEntry& e, PartitionValues* out) {
    if (partition_index_.empty()) return Status::OK();
    // The tuple's bytes find the values made for an earlier file.
    key_.clear();
    for (const std::optional<size_t>& index : partition_index_) {
      if (!index || *index >= e.partition.size()) {
        return Status::Corruption("data file '" + e.file_path + "' has no value for partition '" +
                                  spec_->fields[index.value_or(0)].name + "'");
      }
      const PartitionDatum& d = e.partition[*index];
      key_.push_back(static_cast<char>(d.kind));
      key_.append(reinterpret_cast<const char*>(&d.i), sizeof(d.i));
      key_.append(reinterpret_cast<const char*>(&d.d), sizeof(d.d));
      key_.push_back(d.b ? '1' : '0');
      AppendInt(&key_, static_cast<int64_t>(d.bytes.size()));
      key_.push_back(':');
      key_.append(d.bytes);
    }
    if (auto it = seen_.find(key_); it != seen_.end()) {
      *out = it->second;  // shares the entries
      return Status::OK();
    }
    PartitionValues values;
    for (size_t c = 0; c < partition_index_.size(); ++c) {
      const auto& [name, col] = ctx_.partition_columns[c];
      auto v = PartitionValueString(*col->type, e.partition[*partition_index_[c]]);
      if (!v.ok()) return v.status().WithContext("data file '" + e.file_path + "'");
      values[name] = std::move(*v);
    }
    seen_.emplace(key_, values);
    *out = std::move(values);
    return Status::OK();
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
  const bool delete_manifest_;
  std::shared_ptr<ConvertedManifest> out_;
  std::vector<std::optional<size_t>> partition_index_;  // per partition column
  std::unordered_map<std::string, PartitionValues> seen_;
  std::vector<DataFile> chunk_;
  std::string key_, stats_;
};

// The key a converted manifest is found again by.
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

// Runs one(i) for i in [0, n), `width` at a time (the calling thread takes
// a share), and returns the results in order or the first error.
template <typename T>
Result<std::vector<T>> RunParallel(size_t n, size_t width,
                                   const std::function<Result<T>(size_t)>& one) {
  std::vector<Result<T>> results(n, Status::Internal("not run"));
  width = std::max<size_t>(1, width);
  for (size_t start = 0; start < n; start += width) {
    size_t end = std::min(n, start + width);
    std::vector<std::future<void>> tasks;
    for (size_t i = start + 1; i < end; ++i) {
      tasks.push_back(std::async(std::launch::async, [&, i] { results[i] = one(i); }));
    }
    results[start] = one(start);
    for (auto& t : tasks) t.get();
  }
  std::vector<T> out;
  out.reserve(n);
  for (auto& r : results) {
    if (!r.ok()) return r.status();
    out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace

// --------------------------------------------------------------- Loaded

struct IcebergTable::Loaded {
  std::string metadata_path;
  std::optional<FileInfo> info;
  std::string root;  // where the table's files are (re-basing target)
  std::shared_ptr<Storage> storage;
  IcebergMetadata meta;
  std::vector<Version> timeline;  // main lineage, oldest first
  bool complete_history = false;  // the oldest snapshot has no parent: version 0 is "empty"
  std::map<int64_t, int64_t> snapshot_ts;
  std::string table_id;
};

IcebergTable::IcebergTable(std::string location, std::shared_ptr<Storage> storage,
                           IcebergTableOptions options)
    : location_(std::move(location)),
      storage_(std::move(storage)),
      options_(std::move(options)),
      rest_(IsRestLocation(location_)),
      cache_(options_.cache != nullptr ? *options_.cache : SnapshotCache::Global()),
      cache_id_(cache_.NewTableId()) {}

IcebergTable::~IcebergTable() { cache_.EraseTable(cache_id_); }

bool IcebergTable::IsRestLocation(const std::string& location) {
  return location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0;
}

bool IcebergTable::IsMetadataFileName(const std::string& name) {
  return EndsWith(name, ".metadata.json") || EndsWith(name, ".metadata.json.gz");
}

namespace {
// A configured location names a metadata file when it ends like one (any
// .json file: metadata files are not always named by convention).
bool IsConfiguredFile(const std::string& loc) {
  return EndsWith(loc, ".json") || EndsWith(loc, ".json.gz");
}
}  // namespace

std::string IcebergTable::TableFolderOf(const std::string& location) {
  std::string loc = location;
  while (loc.size() > 1 && loc.back() == '/') loc.pop_back();
  if (!IsConfiguredFile(loc)) return loc;
  std::string dir = Dirname(loc);
  if (Basename(dir) == "metadata") return Dirname(dir);
  return dir;
}

Result<std::string> IcebergTable::Rebase(const std::string& recorded,
                                         const std::string& recorded_root,
                                         const std::string& configured_root) {
  std::string root = configured_root;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::string n = NormalizeRecorded(recorded);
  std::string r = NormalizeRecorded(recorded_root);
  if (!r.empty() && (n == r || (n.size() > r.size() && n.compare(0, r.size(), r) == 0 &&
                                (n[r.size()] == '/' || r.back() == '/')))) {
    std::string rest = n.substr(r.size());
    if (!rest.empty() && rest[0] == '/') rest.erase(0, 1);
    return rest.empty() ? root : root + "/" + rest;
  }
  std::string c = NormalizeRecorded(root);
  if (n.size() > c.size() && n.compare(0, c.size(), c) == 0 && n[c.size()] == '/') {
    return root + n.substr(c.size());
  }
  return Status::Corruption("'" + recorded + "' lies outside the table location '" + recorded_root +
                            "' recorded in the metadata");
}

Result<std::string> IcebergTable::ResolveFilePath(const std::string& recorded_path) const {
  return recorded_path;
}

// ---------------------------------------------------------------- loading

Result<std::pair<std::string, std::optional<FileInfo>>> IcebergTable::LocateLocal() {
  std::string loc = location_;
  while (loc.size() > 1 && loc.back() == '/') loc.pop_back();
  if (IsConfiguredFile(loc)) {
    auto info = storage_->Head(loc);
    if (!info.ok()) {
      if (info.status().code() == StatusCode::kNotFound) {
        return Status::NotFound("the Iceberg metadata file '" + loc + "' does not exist");
      }
      return info.status();
    }
    return std::make_pair(loc, std::optional<FileInfo>(*info));
  }
  std::string dir = storage_->Join(loc, "metadata");
  auto listing = storage_->ListDirectory(dir);
  if (!listing.ok()) {
    if (listing.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no Iceberg table at '" + loc + "': it has no metadata folder");
    }
    return listing.status();
  }
  const FileInfo* best = nullptr;
  std::optional<int64_t> best_number;
  const FileInfo* hint_file = nullptr;
  std::optional<std::string> hint;
  std::vector<const FileInfo*> unnumbered;
  for (const FileInfo& f : *listing) {
    std::string name = Basename(f.path);
    if (name == "version-hint.text") {
      auto text = storage_->Read(f.path);
      if (text.ok() && text->size() < 4096) hint = Trim(*text);
      continue;
    }
    if (!IsMetadataFileName(name) && !EndsWith(name, ".gz.metadata.json")) continue;
    auto n = MetadataNumber(name);
    if (!n) {
      unnumbered.push_back(&f);
      continue;
    }
    if (!best_number || *n > *best_number) {
      best = &f;
      best_number = n;
    }
  }
  if (hint && !hint->empty()) {
    bool numeric = std::all_of(hint->begin(), hint->end(), ::isdigit);
    for (const FileInfo& f : *listing) {
      std::string name = Basename(f.path);
      if (!IsMetadataFileName(name)) continue;
      std::string stem = StemOf(name);
      if (stem == *hint || (numeric && stem == "v" + *hint)) hint_file = &f;
    }
  }
  // A hint that lags behind a newer numbered file loses to it (writers write
  // the metadata file first, then the hint).
  if (hint_file != nullptr) {
    auto n = MetadataNumber(Basename(hint_file->path));
    if (!best_number || (n && *n >= *best_number)) best = hint_file;
  }
  if (best == nullptr && unnumbered.size() == 1) best = unnumbered[0];
  if (best == nullptr) {
    if (!unnumbered.empty()) {
      return Status::NotFound("cannot tell which metadata file of the Iceberg table at '" + loc +
                              "' is current (no version hint, no numbered file); configure the "
                              "metadata file itself as the table location");
    }
    return Status::NotFound("no Iceberg metadata file in '" + dir + "'");
  }
  return std::make_pair(best->path, std::optional<FileInfo>(*best));
}

Result<std::shared_ptr<const IcebergTable::Loaded>> IcebergTable::LoadFile(
    const std::string& path, const std::optional<FileInfo>& info,
    std::shared_ptr<Storage> storage) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (loaded_ && loaded_->metadata_path == path &&
        (!info || (loaded_->info && loaded_->info->size == info->size &&
                   loaded_->info->modification_time_ms == info->modification_time_ms))) {
      return loaded_;
    }
  }
  std::string name = Basename(path);
  if (info && info->size > options_.max_metadata_bytes) {
    return Status::TooLarge("the Iceberg metadata file '" + name + "' is larger than " +
                            std::to_string(options_.max_metadata_bytes) + " bytes");
  }
  auto bytes = storage->Read(path);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("the Iceberg metadata file '" + name + "' does not exist");
    }
    return bytes.status();
  }
  MetadataLimits limits;
  limits.max_inflated_bytes = options_.max_metadata_bytes;
  auto meta = ParseMetadata(*bytes, limits);
  if (!meta.ok()) return meta.status().WithContext("Iceberg metadata file '" + name + "'");

  auto loaded = std::make_shared<Loaded>();
  loaded->metadata_path = path;
  loaded->info = info;
  loaded->storage = std::move(storage);
  loaded->meta = std::move(*meta);
  const IcebergMetadata& m = loaded->meta;
  if (rest_) {
    // The catalog tells where the files are: no re-basing, only the
    // canonical form of the recorded location.
    auto root = options_.resolve_location(m.location);
    loaded->root = root.ok() ? root->first : TableFolderOf(path);
  } else {
    loaded->root = TableFolderOf(location_);
  }
  loaded->table_id = m.table_uuid.empty() ? UuidFromDigest(m.location) : m.table_uuid;
  for (const SnapshotInfo& s : m.snapshots) loaded->snapshot_ts[s.snapshot_id] = s.timestamp_ms;

  std::vector<const SnapshotInfo*> lineage = MainLineage(m);
  bool by_sequence = !lineage.empty();
  for (const SnapshotInfo* s : lineage) by_sequence = by_sequence && s->sequence_number > 0;
  int64_t prev_ts = INT64_MIN, prev_version = 0;
  for (const SnapshotInfo* s : lineage) {
    Version v;
    v.snapshot_id = s->snapshot_id;
    v.timestamp_ms =
        prev_ts == INT64_MIN ? s->timestamp_ms : std::max(s->timestamp_ms, prev_ts + 1);
    prev_ts = v.timestamp_ms;
    if (by_sequence) {
      v.version = s->sequence_number;
      if (!loaded->timeline.empty() && v.version <= prev_version) {
        return Status::Corruption("Iceberg metadata file '" + name +
                                  "': sequence numbers do not increase along the main branch");
      }
    } else {
      v.version = v.timestamp_ms;
    }
    prev_version = v.version;
    loaded->timeline.push_back(v);
  }
  loaded->complete_history =
      !lineage.empty() && !lineage.front()->parent_id && loaded->timeline.front().version > 0;

  std::shared_ptr<const Loaded> out = loaded;
  std::lock_guard<std::mutex> lock(mu_);
  loaded_ = out;
  return out;
}

Result<std::shared_ptr<const IcebergTable::Loaded>> IcebergTable::Load() {
  if (rest_) {
    if (!options_.resolve_location) {
      return Status::Internal("REST catalog tables need a location resolver");
    }
    auto get = options_.http_get ? options_.http_get : iceberg::HttpGet;
    LS_ASSIGN_OR_RETURN(std::string metadata_location,
                        iceberg::LoadTableMetadataLocation(location_, get));
    LS_ASSIGN_OR_RETURN(auto resolved, options_.resolve_location(metadata_location));
    return LoadFile(resolved.first, std::nullopt, resolved.second);
  }
  LS_ASSIGN_OR_RETURN(auto located, LocateLocal());
  return LoadFile(located.first, located.second, storage_);
}

Result<std::string> IcebergTable::TableRootImpl() {
  if (!rest_) return TableFolderOf(location_);
  LS_ASSIGN_OR_RETURN(auto loaded, Load());
  return loaded->root;
}

// --------------------------------------------------------------- versions

Result<int64_t> IcebergTable::LatestVersionImpl() {
  LS_ASSIGN_OR_RETURN(auto loaded, Load());
  return loaded->timeline.empty() ? 0 : loaded->timeline.back().version;
}

Result<const IcebergTable::Version*> IcebergTable::Select(const Loaded& loaded,
                                                          int64_t version) const {
  const auto& t = loaded.timeline;
  int64_t earliest = loaded.complete_history ? 0 : t.front().version;
  if (version < earliest || version > t.back().version) {
    return Status::InvalidArgument("Cannot time travel Iceberg table to version " +
                                   std::to_string(version) + ". Available versions: [" +
                                   std::to_string(earliest) + ", " +
                                   std::to_string(t.back().version) + "].");
  }
  auto it = std::upper_bound(t.begin(), t.end(), version,
                             [](int64_t v, const Version& e) { return v < e.version; });
  if (it == t.begin()) return static_cast<const Version*>(nullptr);  // before the first snapshot
  return &*(it - 1);
}

Result<int64_t> IcebergTable::VersionAtTimestampImpl(int64_t timestamp_ms, TimestampBound bound) {
  LS_ASSIGN_OR_RETURN(auto loaded, Load());
  const auto& t = loaded->timeline;
  if (t.empty()) return int64_t{0};
  if (bound == TimestampBound::kAtOrBefore) {
    auto it = std::upper_bound(t.begin(), t.end(), timestamp_ms,
                               [](int64_t ts, const Version& e) { return ts < e.timestamp_ms; });
    if (it == t.begin()) {
      return Status::InvalidArgument("The provided timestamp (" +
                                     FormatIso8601Millis(timestamp_ms) +
                                     ") is before the earliest version available to this table (" +
                                     std::to_string(t.front().version) +
                                     "). Please use a timestamp greater than or equal "
                                     "to " +
                                     FormatIso8601Millis(t.front().timestamp_ms) + ".");
    }
    return (it - 1)->version;
  }
  auto it = std::lower_bound(t.begin(), t.end(), timestamp_ms,
                             [](const Version& e, int64_t ts) { return e.timestamp_ms < ts; });
  if (it == t.end()) {
    return Status::InvalidArgument("The provided timestamp (" + FormatIso8601Millis(timestamp_ms) +
                                   ") is after the latest version available to this table (" +
                                   std::to_string(t.back().version) +
                                   "). Please use a timestamp less than or equal to " +
                                   FormatIso8601Millis(t.back().timestamp_ms) + ".");
  }
  return it->version;
}

// -------------------------------------------------------------- snapshots

namespace {

TableMetadata MakeMetadata(const std::string& table_id, const IcebergMetadata& m,
                           const Schema& schema,
                           const std::vector<std::pair<std::string, const NestedField*>>& parts) {
  TableMetadata md;
  md.id = table_id;
  if (auto c = m.properties.find("comment"); c != m.properties.end()) md.description = c->second;
  md.format_provider = "parquet";
  md.schema_string = SparkSchemaString(schema);
  for (const auto& [name, f] : parts) md.partition_columns.push_back(name);
  // Append-only snapshot ranges have a change feed (added files as inserts).
  md.configuration["delta.enableChangeDataFeed"] = "true";
  return md;
}

TableProtocol MakeProtocol(const SchemaReport& report) {
  TableProtocol p;
  if (!report.reader_features.empty()) {
    p.min_reader_version = 3;
    p.min_writer_version = 7;
    p.reader_features = report.reader_features;
    p.writer_features = report.reader_features;
  }
  return p;
}

const Schema* SchemaFor(const IcebergMetadata& m, const SnapshotInfo* s) {
  if (s == nullptr || (m.current_snapshot_id && *m.current_snapshot_id == s->snapshot_id)) {
    return m.CurrentSchema();
  }
  if (s->schema_id) {
    if (const Schema* schema = m.SchemaById(*s->schema_id)) return schema;
  }
  return m.CurrentSchema();
}

}  // namespace

IcebergTable::SnapshotResult IcebergTable::EmptySnapshot(const Loaded& loaded) const {
  auto snap = std::make_shared<TableSnapshot>();
  const IcebergMetadata& m = loaded.meta;
  const Schema* schema = m.CurrentSchema();
  SchemaReport report = AnalyzeSchema(m, *schema);
  snap->version = 0;
  snap->timestamp_ms =
      loaded.timeline.empty() ? m.last_updated_ms : loaded.timeline.front().timestamp_ms - 1;
  snap->protocol = MakeProtocol(report);
  snap->metadata = MakeMetadata(loaded.table_id, m, *schema, PartitionColumns(m, *schema, {}));
  return std::shared_ptr<const TableSnapshot>(snap);
}

SnapshotCache::Tag IcebergTable::TagOf(const Loaded& loaded, const Version& v) const {
  const SnapshotInfo* info = loaded.meta.SnapshotById(v.snapshot_id);
  const Schema* schema = SchemaFor(loaded.meta, info);
  std::string what =
      loaded.root + "|" + loaded.meta.location + "|" + std::to_string(schema->schema_id) + "|" +
      std::to_string(loaded.meta.schemas.size()) + "|" + std::to_string(loaded.meta.specs.size()) +
      "|" + std::to_string(v.timestamp_ms) + "|" + loaded.table_id;
  return SnapshotCache::Tag{v.snapshot_id, static_cast<int64_t>(std::hash<std::string>{}(what))};
}

Result<std::shared_ptr<const TableSnapshot>> IcebergTable::SnapshotImpl(
    std::optional<int64_t> version) {
  LS_ASSIGN_OR_RETURN(auto loaded, Load());
  if (loaded->timeline.empty()) {
    if (version && *version != 0) {
      return Status::InvalidArgument("Cannot time travel Iceberg table to version " +
                                     std::to_string(*version) +
                                     ": the table has no snapshot yet (its only version is 0).");
    }
    return EmptySnapshot(*loaded);
  }
  const Version* v = &loaded->timeline.back();
  if (version) {
    LS_ASSIGN_OR_RETURN(v, Select(*loaded, *version));
    if (v == nullptr) return EmptySnapshot(*loaded);
  }
  const SnapshotCache::Tag tag = TagOf(*loaded, *v);
  // A cached snapshot stays valid while the current metadata still has its
  // version with the same snapshot, schema and location.
  auto valid = [&](int64_t cached_version, const SnapshotCache::Tag& t) {
    auto at = Select(*loaded, cached_version);
    return at.ok() && *at != nullptr && (*at)->version == cached_version &&
           TagOf(*loaded, **at) == t;
  };
  const std::string key =
      std::to_string(v->version) + "|" + std::to_string(tag.a) + "|" + std::to_string(tag.b);

  std::unique_lock<std::mutex> lock(mu_);
  std::shared_ptr<const TableSnapshot> cached = cache_.FindAtOrBefore(cache_id_, v->version, valid);
  if (cached && cached->version == v->version) return cached;
  if (auto it = in_flight_.find(key); it != in_flight_.end()) {
    std::shared_future<SnapshotResult> future = it->second;
    lock.unlock();
    return future.get();
  }
  // Build outside the lock; concurrent requests for it wait on the future.
  std::promise<SnapshotResult> promise;
  in_flight_[key] = promise.get_future().share();
  lock.unlock();
  SnapshotResult r = Status::Internal("Iceberg snapshot build did not run");
  try {
    r = Build(loaded, v);
  } catch (const std::exception& e) {
    r = Status::Internal(std::string("Iceberg table: unexpected exception: ") + e.what());
  }
  if (r.ok()) cache_.Insert(cache_id_, *r, tag);
  lock.lock();
  in_flight_.erase(key);
  lock.unlock();
  promise.set_value(r);
  return r;
}

Result<std::vector<ManifestFile>> IcebergTable::ManifestsOf(const Loaded& loaded,
                                                            const SnapshotInfo& s) {
  if (!s.manifest_list) {
    // v1 snapshots may list manifests directly; their spec comes from each
    // manifest's own metadata (read later), data content is implied.
    std::vector<ManifestFile> out;
    for (const std::string& p : s.manifests) {
      ManifestFile mf;
      mf.path = p;
      mf.spec_id = -1;
      mf.added_snapshot_id = std::nullopt;
      out.push_back(std::move(mf));
    }
    return out;
  }
  LS_ASSIGN_OR_RETURN(std::string path,
                      Rebase(*s.manifest_list, loaded.meta.location, loaded.root));
  std::string name = Basename(path);
  auto info = loaded.storage->Head(path);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("the manifest list '" + name + "' of snapshot " +
                              std::to_string(s.snapshot_id) + " does not exist");
    }
    return info.status();
  }
  if (info->size > options_.max_manifest_bytes) {
    return Status::TooLarge("the manifest list '" + name + "' is too large");
  }
  LS_ASSIGN_OR_RETURN(std::string bytes, loaded.storage->Read(path));
  return ReadManifestList(std::move(bytes), "manifest list '" + name + "'");
}

Result<std::string> IcebergTable::ReadManifestBytes(const Loaded& loaded, const std::string& path) {
  std::string name = Basename(path);
  auto info = loaded.storage->Head(path);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("the manifest '" + name + "' does not exist");
    }
    return info.status();
  }
  if (info->size > options_.max_manifest_bytes) {
    return Status::TooLarge("the manifest '" + name + "' is too large");
  }
  return loaded.storage->Read(path);
}

Result<IcebergTable::ConvertedPtr> IcebergTable::Converted(
    const std::string& key, const std::function<Result<ConvertedPtr>()>& make) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = converted_.find(key);
    if (it != converted_.end()) {
      if (ConvertedPtr p = it->second.lock()) return p;
    }
  }
  LS_ASSIGN_OR_RETURN(ConvertedPtr p, make());
  std::lock_guard<std::mutex> lock(mu_);
  converted_[key] = p;
  if (converted_.size() >= converted_sweep_at_) {
    for (auto it = converted_.begin(); it != converted_.end();) {
      it = it->second.expired() ? converted_.erase(it) : std::next(it);
    }
    converted_sweep_at_ = std::max<size_t>(64, 2 * converted_.size());
  }
  return p;
}

namespace {

// The manifests of one snapshot and how their files are converted.
struct SnapshotPlan {
  std::vector<ManifestFile> list;
  std::vector<const ManifestFile*> data, deletes;
  std::vector<std::string> data_paths, delete_paths;  // re-based
  std::vector<const PartitionSpec*> data_specs;       // parallel to data
  // Bytes of manifests whose spec had to be read from their header (v1
  // snapshots listing manifests directly), kept for their conversion.
  std::vector<std::optional<std::string>> prefetched;
  FileContext ctx;
  const Schema* schema = nullptr;
};

int64_t EarliestSnapshotTime(const IcebergMetadata& m, int64_t otherwise) {
  int64_t t = INT64_MAX;
  for (const SnapshotInfo& s : m.snapshots) t = std::min(t, s.timestamp_ms);
  return t == INT64_MAX ? otherwise : t;
}

}  // namespace

IcebergTable::SnapshotResult IcebergTable::Build(std::shared_ptr<const Loaded> loaded,
                                                 const Version* v) {
  const IcebergMetadata& m = loaded->meta;
  const SnapshotInfo* s = m.SnapshotById(v->snapshot_id);
  if (s == nullptr) return Status::Internal("snapshot vanished from its metadata");
  std::string context = "snapshot " + std::to_string(s->snapshot_id);
  SnapshotPlan plan;
  LS_ASSIGN_OR_RETURN(plan.list, ManifestsOf(*loaded, *s));
  for (const ManifestFile& mf : plan.list) {
    LS_ASSIGN_OR_RETURN(std::string path, Rebase(mf.path, m.location, loaded->root));
    if (mf.content == ManifestContent::kDeletes) {
      // Counts in the list tell a delete manifest without live entries.
      bool empty =
          mf.added_files && mf.existing_files && *mf.added_files == 0 && *mf.existing_files == 0;
      if (!empty) {
        plan.deletes.push_back(&mf);
        plan.delete_paths.push_back(std::move(path));
      }
    } else {
      plan.data.push_back(&mf);
      plan.data_paths.push_back(std::move(path));
    }
  }
  // Partition specs: from the list, else from each manifest's header.
  plan.prefetched.resize(plan.data.size());
  std::set<int32_t> spec_ids;
  for (size_t i = 0; i < plan.data.size(); ++i) {
    const ManifestFile& mf = *plan.data[i];
    int32_t id = mf.spec_id;
    if (id < 0) {
      LS_ASSIGN_OR_RETURN(std::string bytes, ReadManifestBytes(*loaded, plan.data_paths[i]));
      LS_ASSIGN_OR_RETURN(std::optional<int32_t> header,
                          ManifestSpecId(bytes, "manifest '" + Basename(plan.data_paths[i]) + "'"));
      id = header.value_or(m.default_spec_id);
      plan.prefetched[i] = std::move(bytes);
    }
    const PartitionSpec* spec = m.SpecById(id);
    if (spec == nullptr) {
      return Status::Corruption(context + ": manifest '" + Basename(mf.path) +
                                "' uses partition spec " + std::to_string(id) +
                                ", which the metadata does not define");
    }
    plan.data_specs.push_back(spec);
    spec_ids.insert(spec->spec_id);
  }
  plan.schema = SchemaFor(m, s);
  SchemaReport report = AnalyzeSchema(m, *plan.schema);
  FileContext& ctx = plan.ctx;
  ctx.meta = &m;
  ctx.schema = plan.schema;
  ctx.recorded_root = m.location;
  ctx.configured_root = loaded->root;
  ctx.partition_columns = PartitionColumns(m, *plan.schema, spec_ids);
  ctx.snapshot_ts = &loaded->snapshot_ts;
  ctx.default_ts = EarliestSnapshotTime(m, v->timestamp_ms);
  ctx.Prepare();

  auto convert = [&](size_t i, bool deletes) -> Result<ConvertedPtr> {
    const ManifestFile& mf = deletes ? *plan.deletes[i] : *plan.data[i];
    const std::string& path = deletes ? plan.delete_paths[i] : plan.data_paths[i];
    const PartitionSpec* spec = deletes ? nullptr : plan.data_specs[i];
    return Converted(ConversionKey(path, mf, spec, ctx, deletes), [&]() -> Result<ConvertedPtr> {
      std::string bytes;
      if (!deletes && plan.prefetched[i]) {
        bytes = std::move(*plan.prefetched[i]);
      } else {
        LS_ASSIGN_OR_RETURN(bytes, ReadManifestBytes(*loaded, path));
      }
      return ConvertManifest(std::move(bytes), "manifest '" + Basename(path) + "'", ctx, spec, mf,
                             deletes);
    });
  };
  auto data_files = RunParallel<ConvertedPtr>(plan.data.size(), options_.max_parallel_reads,
                                              [&](size_t i) { return convert(i, false); });
  if (!data_files.ok()) return data_files.status().WithContext(context);
  auto delete_files = RunParallel<ConvertedPtr>(plan.deletes.size(), options_.max_parallel_reads,
                                                [&](size_t i) { return convert(i, true); });
  if (!delete_files.ok()) return delete_files.status().WithContext(context);

  // Snapshots whose schema has every column with an initial default: files
  // they added need no default filled in.
  std::set<int64_t> complete_snapshots;
  if (!report.default_field_ids.empty()) {
    for (const SnapshotInfo& other : m.snapshots) {
      const Schema* os = other.schema_id ? m.SchemaById(*other.schema_id) : nullptr;
      if (os == nullptr) continue;
      std::map<int32_t, std::pair<std::string, const Type*>> ids;
      IndexFields(os->fields, "", &ids, nullptr);
      bool all = std::all_of(report.default_field_ids.begin(), report.default_field_ids.end(),
                             [&](int32_t id) { return ids.count(id) != 0; });
      if (all) complete_snapshots.insert(other.snapshot_id);
    }
  }

  auto snap = std::make_shared<TableSnapshot>();
  snap->version = v->version;
  snap->timestamp_ms = v->timestamp_ms;
  snap->protocol = MakeProtocol(report);
  snap->metadata = MakeMetadata(loaded->table_id, m, *plan.schema, ctx.partition_columns);
  std::optional<std::string> unreadable = report.unreadable;
  int64_t position_deletes = 0, equality_deletes = 0;
  std::vector<FileList::ChunkPtr> chunks;
  for (const ConvertedPtr& cm : *data_files) {
    // Chunk pointers that keep the whole converted manifest alive (so it is
    // found again while this snapshot exists).
    for (const FileList::Chunk& chunk : cm->chunks) chunks.emplace_back(cm, &chunk);
    position_deletes += cm->position_deletes;
    equality_deletes += cm->equality_deletes;
    if (unreadable || report.default_field_ids.empty()) continue;
    size_t start = 0;
    for (const ConvertedManifest::Run& run : cm->runs) {
      const std::optional<int64_t>& origin = cm->origins[run.origin].snapshot_id;
      if (!origin || complete_snapshots.count(*origin) == 0) {
        unreadable = "data file '" + Basename(cm->file(start).path) +
                     "' predates a column with an initial default, which readers of the file "
                     "would see as null";
        break;
      }
      start = run.end;
    }
  }
  for (const ConvertedPtr& cm : *delete_files) {
    position_deletes += cm->position_deletes;
    equality_deletes += cm->equality_deletes;
  }
  if (position_deletes > 0 || equality_deletes > 0) {
    std::string kinds;
    if (position_deletes > 0) kinds = std::to_string(position_deletes) + " position delete";
    if (equality_deletes > 0) {
      kinds +=
          (kinds.empty() ? "" : " and ") + std::to_string(equality_deletes) + " equality delete";
    }
    unreadable = "Iceberg snapshot " + std::to_string(s->snapshot_id) + " (version " +
                 std::to_string(v->version) + ") has " + kinds +
                 " file(s); its data files alone would return deleted rows, so it cannot be "
                 "shared until the table is compacted (rewrite_data_files / "
                 "rewrite_position_delete_files)";
  }
  snap->unreadable_reason = unreadable;
  snap->files = FileList::FromChunks(std::move(chunks));
  return std::shared_ptr<const TableSnapshot>(snap);
}

// ---------------------------------------------------------------- changes

Result<std::vector<CommitChanges>> IcebergTable::ChangesImpl(int64_t start_version,
                                                             int64_t end_version) {
  LS_ASSIGN_OR_RETURN(auto loaded, Load());
  const IcebergMetadata& m = loaded->meta;
  const auto& t = loaded->timeline;
  std::string range =
      "versions " + std::to_string(start_version) + " to " + std::to_string(end_version);
  if (start_version > end_version) {
    return Status::InvalidArgument(range + ": the start version is after the end version");
  }
  int64_t latest = t.empty() ? 0 : t.back().version;
  int64_t earliest = t.empty() || loaded->complete_history ? 0 : t.front().version;
  if (start_version < earliest || end_version > latest) {
    return Status::InvalidArgument(range + ": the table has versions [" + std::to_string(earliest) +
                                   ", " + std::to_string(latest) + "]");
  }
  std::vector<CommitChanges> out;
  std::optional<int32_t> prev_schema;
  if (auto first = Select(*loaded, start_version); first.ok() && *first != nullptr) {
    prev_schema = SchemaFor(m, m.SnapshotById((*first)->snapshot_id))->schema_id;
  }
  for (const Version& v : t) {
    if (v.version < start_version || v.version > end_version) continue;
    const SnapshotInfo* s = m.SnapshotById(v.snapshot_id);
    std::string context = "Iceberg snapshot " + std::to_string(v.snapshot_id) + " (version " +
                          std::to_string(v.version) + ", operation '" + s->operation + "')";
    CommitChanges c;
    c.version = v.version;
    c.timestamp_ms = v.timestamp_ms;
    c.operation = s->operation;
    LS_ASSIGN_OR_RETURN(std::vector<ManifestFile> list, ManifestsOf(*loaded, *s));
    // The conversion is the one snapshots of this version use (same
    // partition columns, so converted manifests are shared).
    std::set<int32_t> spec_ids;
    std::vector<const ManifestFile*> added;
    std::vector<std::string> paths;
    std::vector<const PartitionSpec*> specs;
    std::vector<std::optional<std::string>> prefetched;
    for (const ManifestFile& mf : list) {
      const bool deletes = mf.content == ManifestContent::kDeletes;
      const bool mine = !mf.added_snapshot_id || *mf.added_snapshot_id == s->snapshot_id;
      if (deletes && !mine) continue;
      LS_ASSIGN_OR_RETURN(std::string path, Rebase(mf.path, m.location, loaded->root));
      const PartitionSpec* spec = nullptr;
      std::optional<std::string> bytes;
      if (!deletes) {
        int32_t id = mf.spec_id;
        if (id < 0) {
          LS_ASSIGN_OR_RETURN(bytes, ReadManifestBytes(*loaded, path));
          LS_ASSIGN_OR_RETURN(std::optional<int32_t> header,
                              ManifestSpecId(*bytes, "manifest '" + Basename(path) + "'"));
          id = header.value_or(m.default_spec_id);
        }
        spec = m.SpecById(id);
        if (spec == nullptr) return Status::Corruption(context + ": unknown partition spec");
        spec_ids.insert(spec->spec_id);
      }
      if (!mine) continue;
      added.push_back(&mf);
      paths.push_back(std::move(path));
      specs.push_back(spec);
      prefetched.push_back(std::move(bytes));
    }
    const Schema* schema = SchemaFor(m, s);
    FileContext ctx;
    ctx.meta = &m;
    ctx.schema = schema;
    ctx.recorded_root = m.location;
    ctx.configured_root = loaded->root;
    ctx.partition_columns = PartitionColumns(m, *schema, spec_ids);
    ctx.snapshot_ts = &loaded->snapshot_ts;
    ctx.default_ts = EarliestSnapshotTime(m, v.timestamp_ms);
    ctx.Prepare();
    // A rewrite (compaction) keeps the rows: nothing to read or emit.
    if (s->operation != "replace") {
      auto convert = [&](size_t i) -> Result<ConvertedPtr> {
        const ManifestFile& mf = *added[i];
        const bool deletes = mf.content == ManifestContent::kDeletes;
        return Converted(
            ConversionKey(paths[i], mf, specs[i], ctx, deletes), [&]() -> Result<ConvertedPtr> {
              std::string bytes;
              if (prefetched[i]) {
                bytes = std::move(*prefetched[i]);
              } else {
                LS_ASSIGN_OR_RETURN(bytes, ReadManifestBytes(*loaded, paths[i]));
              }
              return ConvertManifest(std::move(bytes), "manifest '" + Basename(paths[i]) + "'", ctx,
                                     specs[i], mf, deletes);
            });
      };
      auto converted =
          RunParallel<ConvertedPtr>(added.size(), options_.max_parallel_reads, convert);
      if (!converted.ok()) return converted.status().WithContext(context);
      for (const ConvertedPtr& cm : *converted) {
        if (cm->Removes(s->snapshot_id)) {
          return Status::Unsupported(context +
                                     " removes or deletes rows; /changes and streaming serve only "
                                     "append-only snapshot ranges of Iceberg tables");
        }
        size_t start = 0;
        for (const ConvertedManifest::Run& run : cm->runs) {
          const ConvertedManifest::Origin& o = cm->origins[run.origin];
          if (o.added && (!o.snapshot_id || *o.snapshot_id == s->snapshot_id)) {
            for (size_t i = start; i < run.end; ++i) {
              FileChange ch;
              ch.type = ChangeType::kAdd;
              ch.file = cm->file(i);
              c.changes.push_back(std::move(ch));
            }
          }
          start = run.end;
        }
      }
    }
    if (!prev_schema || *prev_schema != schema->schema_id) {
      c.metadata = MakeMetadata(loaded->table_id, m, *schema, ctx.partition_columns);
      c.protocol = MakeProtocol(AnalyzeSchema(m, *schema));
    }
    prev_schema = schema->schema_id;
    std::sort(c.changes.begin(), c.changes.end(),
              [](const FileChange& a, const FileChange& b) { return a.file.path < b.file.path; });
    out.push_back(std::move(c));
  }
  return out;
}

// ------------------------------------------------- exception boundary

namespace {
// Nothing here throws by design; a std::bad_alloc or a failed thread start
// still must not leave the module as an exception.
template <typename F>
auto Guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("Iceberg table: unexpected exception: ") + e.what());
  }
}
}  // namespace

Result<std::string> IcebergTable::TableRoot() {
  return Guarded([&] { return TableRootImpl(); });
}
Result<int64_t> IcebergTable::LatestVersion() {
  return Guarded([&] { return LatestVersionImpl(); });
}
Result<int64_t> IcebergTable::VersionAtTimestamp(int64_t timestamp_ms, TimestampBound bound) {
  return Guarded([&] { return VersionAtTimestampImpl(timestamp_ms, bound); });
}
Result<std::shared_ptr<const TableSnapshot>> IcebergTable::Snapshot(
    std::optional<int64_t> version) {
  return Guarded([&] { return SnapshotImpl(version); });
}
Result<std::vector<CommitChanges>> IcebergTable::Changes(int64_t start_version,
                                                         int64_t end_version) {
  return Guarded([&] { return ChangesImpl(start_version, end_version); });
}

}  // namespace lakeshare
