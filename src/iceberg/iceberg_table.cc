#include "iceberg/iceberg_table.h"

#include <algorithm>
#include <charconv>
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

// Emits `fields` that have a value in `lookup` as JSON members; struct
// fields recurse. Returns whether anything was written.
template <typename Lookup>
bool EmitStatsStruct(std::string* out, const std::vector<NestedField>& fields, Lookup& lookup) {
  bool any = false;
  for (const NestedField& f : fields) {
    std::string value;
    if (f.type->id == TypeId::kStruct) {
      std::string inner;
      if (!EmitStatsStruct(&inner, f.type->fields, lookup)) continue;
      value = "{" + inner + "}";
    } else if (f.type->is_nested()) {
      continue;
    } else {
      std::optional<std::string> v = lookup(f);
      if (!v) continue;
      value = std::move(*v);
    }
    if (any) out->push_back(',');
    AppendJsonString(out, f.name);
    out->push_back(':');
    out->append(value);
    any = true;
  }
  return any;
}

template <typename V>
const V* FindById(const std::vector<std::pair<int32_t, V>>& v, int32_t id) {
  for (const auto& [k, val] : v) {
    if (k == id) return &val;
  }
  return nullptr;
}

std::string StatsJson(const ManifestEntry& e, const Schema& schema) {
  std::string out = "{\"numRecords\":" + std::to_string(e.record_count);
  auto section = [&](const char* key, auto lookup) {
    std::string inner;
    if (EmitStatsStruct(&inner, schema.fields, lookup)) {
      out += ",\"";
      out += key;
      out += "\":{" + inner + "}";
    }
  };
  auto has_nan = [&](const NestedField& f) {
    const int64_t* n = FindById(e.nan_counts, f.id);
    return n != nullptr && *n > 0;
  };
  section("minValues", [&](const NestedField& f) -> std::optional<std::string> {
    const std::string* b = FindById(e.lower_bounds, f.id);
    if (b == nullptr || has_nan(f)) return std::nullopt;
    return BoundToStatsJson(*f.type, *b);
  });
  section("maxValues", [&](const NestedField& f) -> std::optional<std::string> {
    const std::string* b = FindById(e.upper_bounds, f.id);
    if (b == nullptr || has_nan(f)) return std::nullopt;
    return BoundToStatsJson(*f.type, *b);
  });
  section("nullCount", [&](const NestedField& f) -> std::optional<std::string> {
    const int64_t* n = FindById(e.null_counts, f.id);
    if (n == nullptr) return std::nullopt;
    return std::to_string(*n);
  });
  out += "}";
  return out;
}

// ------------------------------------------------------ file conversion

// What a snapshot's files are converted with: schema, partition columns
// (top-level identity partitions common to every spec in use), re-basing.
struct FileContext {
  // Re-bases with the normalized roots computed once per snapshot.
  Result<std::string> Rebase(const std::string& recorded) const {
    std::string n = NormalizeRecorded(recorded);
    if (!recorded_norm.empty() && n.size() > recorded_norm.size() &&
        n.compare(0, recorded_norm.size(), recorded_norm) == 0 && n[recorded_norm.size()] == '/') {
      return configured_root + n.substr(recorded_norm.size());
    }
    return IcebergTable::Rebase(recorded, recorded_root, configured_root);
  }
  void Prepare() {
    recorded_norm = NormalizeRecorded(recorded_root);
    while (configured_root.size() > 1 && configured_root.back() == '/') configured_root.pop_back();
  }
  std::string recorded_norm;
  const IcebergMetadata* meta = nullptr;
  const Schema* schema = nullptr;
  std::string recorded_root, configured_root;
  std::vector<std::pair<std::string, const NestedField*>> partition_columns;
  const std::map<int64_t, int64_t>* snapshot_ts = nullptr;
  int64_t default_ts = 0;
};

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

Result<DataFile> ConvertEntry(const FileContext& ctx, const ManifestEntry& e,
                              const PartitionSpec& spec) {
  DataFile f;
  LS_ASSIGN_OR_RETURN(f.path, ctx.Rebase(e.file_path));
  for (const auto& [name, col] : ctx.partition_columns) {
    std::optional<size_t> index;
    for (size_t i = 0; i < spec.fields.size(); ++i) {
      if (IsIdentity(spec.fields[i]) && spec.fields[i].source_id == col->id) index = i;
    }
    if (!index || *index >= e.partition.size()) {
      return Status::Corruption("data file '" + e.file_path + "' has no value for partition '" +
                                spec.fields[index.value_or(0)].name + "'");
    }
    auto v = PartitionValueString(*col->type, e.partition[*index]);
    if (!v.ok()) return v.status().WithContext("data file '" + e.file_path + "'");
    f.partition_values[name] = std::move(*v);
  }
  f.size = e.file_size;
  f.modification_time = ctx.default_ts;
  if (e.snapshot_id) {
    auto it = ctx.snapshot_ts->find(*e.snapshot_id);
    if (it != ctx.snapshot_ts->end()) f.modification_time = it->second;
  }
  f.data_change = true;
  f.stats = StatsJson(e, *ctx.schema);
  return f;
}

std::string LowerAscii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Status RejectNonParquet(const ManifestEntry& e) {
  if (LowerAscii(e.file_format) == "parquet") return Status::OK();
  return Status::Unsupported("data file '" + Basename(e.file_path) + "' is in " + e.file_format +
                             " format; only parquet data files can be shared");
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
      rest_(IsRestLocation(location_)) {}

IcebergTable::~IcebergTable() = default;

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
  const SnapshotInfo* info = loaded->meta.SnapshotById(v->snapshot_id);
  const Schema* schema = SchemaFor(loaded->meta, info);
  std::string key = loaded->root + "|" + std::to_string(v->snapshot_id) + "|" +
                    std::to_string(schema->schema_id) + "|" +
                    std::to_string(loaded->meta.schemas.size()) + "|" + std::to_string(v->version);

  std::unique_lock<std::mutex> lock(mu_);
  for (auto it = snapshots_.begin(); it != snapshots_.end(); ++it) {
    if (it->key == key) {
      snapshots_.splice(snapshots_.begin(), snapshots_, it);
      return snapshots_.front().snapshot;
    }
  }
  if (auto it = in_flight_.find(key); it != in_flight_.end()) {
    std::shared_future<SnapshotResult> future = it->second;
    lock.unlock();
    return future.get();
  }
  // Build outside the lock; concurrent requests for it wait on the future.
  std::promise<SnapshotResult> promise;
  in_flight_[key] = promise.get_future().share();
  lock.unlock();
  SnapshotResult r = Build(loaded, v);
  lock.lock();
  in_flight_.erase(key);
  if (r.ok() && options_.max_cached_snapshots > 0) {
    snapshots_.push_front({key, *r});
    while (snapshots_.size() > options_.max_cached_snapshots) snapshots_.pop_back();
  }
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

Result<std::shared_ptr<const Manifest>> IcebergTable::ReadManifestCached(const Loaded& loaded,
                                                                         const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = manifests_.find(path);
    if (it != manifests_.end()) {
      manifest_lru_.splice(manifest_lru_.begin(), manifest_lru_, it->second.lru);
      return it->second.manifest;
    }
  }
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
  LS_ASSIGN_OR_RETURN(std::string bytes, loaded.storage->Read(path));
  LS_ASSIGN_OR_RETURN(Manifest m, ReadManifest(std::move(bytes), "manifest '" + name + "'", true));
  auto shared = std::make_shared<const Manifest>(std::move(m));
  size_t bytes_used = ManifestMemoryUsage(*shared);
  std::lock_guard<std::mutex> lock(mu_);
  if (manifests_.count(path) == 0 && bytes_used <= options_.manifest_cache_bytes) {
    manifest_lru_.push_front(path);
    manifests_[path] = {shared, bytes_used, manifest_lru_.begin()};
    manifest_bytes_ += bytes_used;
    while (manifest_bytes_ > options_.manifest_cache_bytes && !manifest_lru_.empty()) {
      auto victim = manifests_.find(manifest_lru_.back());
      manifest_bytes_ -= victim->second.bytes;
      manifests_.erase(victim);
      manifest_lru_.pop_back();
    }
  }
  return std::shared_ptr<const Manifest>(shared);
}

Result<std::vector<std::shared_ptr<const Manifest>>> IcebergTable::ReadManifests(
    const Loaded& loaded, const std::vector<const ManifestFile*>& files) {
  std::vector<Result<std::shared_ptr<const Manifest>>> results(files.size(),
                                                               Status::Internal("not read"));
  std::vector<std::string> paths(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    LS_ASSIGN_OR_RETURN(paths[i], Rebase(files[i]->path, loaded.meta.location, loaded.root));
  }
  size_t width = std::max<size_t>(1, options_.max_parallel_reads);
  for (size_t start = 0; start < files.size(); start += width) {
    size_t end = std::min(files.size(), start + width);
    std::vector<std::future<void>> tasks;
    for (size_t i = start + 1; i < end; ++i) {
      tasks.push_back(std::async(std::launch::async,
                                 [&, i] { results[i] = ReadManifestCached(loaded, paths[i]); }));
    }
    results[start] = ReadManifestCached(loaded, paths[start]);
    for (auto& t : tasks) t.get();
  }
  std::vector<std::shared_ptr<const Manifest>> out;
  for (auto& r : results) {
    if (!r.ok()) return r.status();
    out.push_back(std::move(*r));
  }
  return out;
}

IcebergTable::SnapshotResult IcebergTable::Build(std::shared_ptr<const Loaded> loaded,
                                                 const Version* v) {
  const IcebergMetadata& m = loaded->meta;
  const SnapshotInfo* s = m.SnapshotById(v->snapshot_id);
  if (s == nullptr) return Status::Internal("snapshot vanished from its metadata");
  std::string context = "snapshot " + std::to_string(s->snapshot_id);
  LS_ASSIGN_OR_RETURN(std::vector<ManifestFile> list, ManifestsOf(*loaded, *s));
  std::vector<const ManifestFile*> data, deletes;
  for (const ManifestFile& mf : list) {
    if (mf.content == ManifestContent::kDeletes) {
      // Counts in the list tell a delete manifest without live entries.
      bool empty =
          mf.added_files && mf.existing_files && *mf.added_files == 0 && *mf.existing_files == 0;
      if (!empty) deletes.push_back(&mf);
    } else {
      data.push_back(&mf);
    }
  }
  LS_ASSIGN_OR_RETURN(auto data_manifests, ReadManifests(*loaded, data));
  LS_ASSIGN_OR_RETURN(auto delete_manifests, ReadManifests(*loaded, deletes));

  auto spec_of = [&](const ManifestFile& mf, const Manifest& man) -> Result<const PartitionSpec*> {
    int32_t id = mf.spec_id >= 0 ? mf.spec_id : man.spec_id.value_or(m.default_spec_id);
    const PartitionSpec* spec = m.SpecById(id);
    if (spec == nullptr) {
      return Status::Corruption(context + ": manifest '" + Basename(mf.path) +
                                "' uses partition spec " + std::to_string(id) +
                                ", which the metadata does not define");
    }
    return spec;
  };

  const Schema* schema = SchemaFor(m, s);
  SchemaReport report = AnalyzeSchema(m, *schema);
  std::set<int32_t> spec_ids;
  for (size_t i = 0; i < data.size(); ++i) {
    LS_ASSIGN_OR_RETURN(const PartitionSpec* spec, spec_of(*data[i], *data_manifests[i]));
    spec_ids.insert(spec->spec_id);
  }
  FileContext ctx;
  ctx.meta = &m;
  ctx.schema = schema;
  ctx.recorded_root = m.location;
  ctx.configured_root = loaded->root;
  ctx.partition_columns = PartitionColumns(m, *schema, spec_ids);
  ctx.snapshot_ts = &loaded->snapshot_ts;
  ctx.default_ts = v->timestamp_ms;
  ctx.Prepare();

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
  snap->metadata = MakeMetadata(loaded->table_id, m, *schema, ctx.partition_columns);
  std::optional<std::string> unreadable = report.unreadable;
  size_t total = 0;
  for (const auto& man : data_manifests) total += man->entries.size();
  std::vector<DataFile> files;  // sorted below, then the snapshot's FileList
  files.reserve(total);
  int64_t position_deletes = 0, equality_deletes = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    LS_ASSIGN_OR_RETURN(const PartitionSpec* spec, spec_of(*data[i], *data_manifests[i]));
    for (const ManifestEntry& e : data_manifests[i]->entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      if (e.content == FileContent::kPositionDeletes) {
        ++position_deletes;
        continue;
      }
      if (e.content == FileContent::kEqualityDeletes) {
        ++equality_deletes;
        continue;
      }
      Status format = RejectNonParquet(e);
      if (!format.ok()) return format;
      auto f = ConvertEntry(ctx, e, *spec);
      if (!f.ok()) return f.status().WithContext(context);
      if (!unreadable && !report.default_field_ids.empty() &&
          (!e.snapshot_id || complete_snapshots.count(*e.snapshot_id) == 0)) {
        unreadable = "data file '" + Basename(e.file_path) +
                     "' predates a column with an initial default, which readers of the file "
                     "would see as null";
      }
      files.push_back(std::move(*f));
    }
  }
  for (const auto& man : delete_manifests) {
    for (const ManifestEntry& e : man->entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      if (e.content == FileContent::kEqualityDeletes) {
        ++equality_deletes;
      } else {
        ++position_deletes;  // position delete files and v3 deletion vectors
      }
    }
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
  std::sort(files.begin(), files.end(),
            [](const DataFile& a, const DataFile& b) { return a.path < b.path; });
  snap->files = std::move(files);
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
    std::vector<const ManifestFile*> added;
    for (const ManifestFile& mf : list) {
      if (!mf.added_snapshot_id || *mf.added_snapshot_id == s->snapshot_id) added.push_back(&mf);
    }
    LS_ASSIGN_OR_RETURN(auto manifests, ReadManifests(*loaded, added));
    const Schema* schema = SchemaFor(m, s);
    std::set<int32_t> spec_ids;
    for (const ManifestFile& mf : list) {
      if (mf.content == ManifestContent::kData && mf.spec_id >= 0) spec_ids.insert(mf.spec_id);
    }
    FileContext ctx;
    ctx.meta = &m;
    ctx.schema = schema;
    ctx.recorded_root = m.location;
    ctx.configured_root = loaded->root;
    ctx.partition_columns = PartitionColumns(m, *schema, spec_ids);
    ctx.snapshot_ts = &loaded->snapshot_ts;
    ctx.default_ts = v.timestamp_ms;
    ctx.Prepare();
    bool replace = s->operation == "replace";
    for (size_t i = 0; i < added.size(); ++i) {
      const ManifestFile& mf = *added[i];
      int32_t spec_id = mf.spec_id >= 0 ? mf.spec_id : manifests[i]->spec_id.value_or(0);
      const PartitionSpec* spec = m.SpecById(spec_id);
      if (spec == nullptr) return Status::Corruption(context + ": unknown partition spec");
      for (const ManifestEntry& e : manifests[i]->entries) {
        bool mine = !e.snapshot_id || *e.snapshot_id == s->snapshot_id;
        if (!mine || e.status == EntryStatus::kExisting) continue;
        if (replace) continue;  // a rewrite: the rows stay the same
        if (e.status == EntryStatus::kDeleted || e.content != FileContent::kData ||
            mf.content == ManifestContent::kDeletes) {
          return Status::Unsupported(context +
                                     " removes or deletes rows; /changes and streaming serve only "
                                     "append-only snapshot ranges of Iceberg tables");
        }
        LS_RETURN_IF_ERROR(RejectNonParquet(e));
        auto f = ConvertEntry(ctx, e, *spec);
        if (!f.ok()) return f.status().WithContext(context);
        FileChange ch;
        ch.type = ChangeType::kAdd;
        ch.file = std::move(*f);
        c.changes.push_back(std::move(ch));
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
