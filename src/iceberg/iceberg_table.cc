#include "iceberg/iceberg_table.h"

#include <algorithm>
#include <charconv>
#include <future>
#include <set>
#include <unordered_map>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/json_writer.h"
#include "common/thread_pool.h"
#include "common/time_util.h"
#include "iceberg/manifest_conversion.h"
#include "iceberg/rest_catalog.h"
#include "iceberg/shared_schema.h"
#include "iceberg/table_location.h"

namespace lakeshare {
namespace {

using iceberg::ConvertedManifest;
using iceberg::FileContext;
using iceberg::IcebergMetadata;
using iceberg::ManifestContent;
using iceberg::ManifestFile;
using iceberg::PartitionSpec;
using iceberg::Schema;
using iceberg::SchemaReport;
using iceberg::SnapshotInfo;

std::string Basename(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string UuidFromDigest(const std::string& text) {
  std::string h = HexEncode(Sha256(text)).substr(0, 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
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
      cache_id_(cache_.NewTableId()),
      http_(!rest_ || options_.http_get ? nullptr
            : options_.http             ? options_.http
                            : std::make_shared<HttpClient>(iceberg::RestCatalogHttpOptions())),
      manifests_(options_.max_manifest_bytes, options_.max_parallel_reads) {}

IcebergTable::~IcebergTable() { cache_.EraseTable(cache_id_); }

bool IcebergTable::IsRestLocation(const std::string& location) {
  return iceberg::IsRestCatalogLocation(location);
}

bool IcebergTable::IsMetadataFileName(const std::string& name) {
  return iceberg::IsMetadataFileName(name);
}

std::string IcebergTable::TableFolderOf(const std::string& location) {
  return iceberg::TableFolderOf(location);
}

Result<std::string> IcebergTable::Rebase(const std::string& recorded,
                                         const std::string& recorded_root,
                                         const std::string& configured_root) {
  return iceberg::RebaseLocation(recorded, recorded_root, configured_root);
}

Result<std::string> IcebergTable::ResolveFilePath(const std::string& recorded_path) const {
  return recorded_path;
}

// ---------------------------------------------------------------- loading

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
  iceberg::MetadataLimits limits;
  limits.max_inflated_bytes = options_.max_metadata_bytes;
  auto meta = iceberg::ParseMetadata(*bytes, limits);
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

  std::vector<const SnapshotInfo*> lineage = iceberg::MainLineage(m);
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
    iceberg::HttpGetFn get = options_.http_get;
    if (!get) get = [this](const std::string& url) { return iceberg::RestCatalogGet(*http_, url); };
    LS_ASSIGN_OR_RETURN(std::string metadata_location,
                        iceberg::LoadTableMetadataLocation(location_, get));
    LS_ASSIGN_OR_RETURN(auto resolved, options_.resolve_location(metadata_location));
    return LoadFile(resolved.first, std::nullopt, resolved.second);
  }
  LS_ASSIGN_OR_RETURN(iceberg::MetadataFileRef located,
                      iceberg::LocateCurrentMetadata(*storage_, location_));
  return LoadFile(located.path, located.info, storage_);
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

IcebergTable::SnapshotResult IcebergTable::EmptySnapshot(const Loaded& loaded) const {
  auto snap = std::make_shared<TableSnapshot>();
  const IcebergMetadata& m = loaded.meta;
  const Schema* schema = m.CurrentSchema();
  SchemaReport report = iceberg::AnalyzeSchema(m, *schema);
  snap->version = 0;
  snap->timestamp_ms =
      loaded.timeline.empty() ? m.last_updated_ms : loaded.timeline.front().timestamp_ms - 1;
  snap->protocol = iceberg::MakeProtocol(report);
  snap->metadata =
      iceberg::MakeMetadata(loaded.table_id, m, *schema, iceberg::PartitionColumns(m, *schema, {}));
  return std::shared_ptr<const TableSnapshot>(snap);
}

SnapshotCache::Tag IcebergTable::TagOf(const Loaded& loaded, const Version& v) const {
  const SnapshotInfo* info = loaded.meta.SnapshotById(v.snapshot_id);
  const Schema* schema = iceberg::SchemaFor(loaded.meta, info);
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

namespace {

// The conversion context of the files of snapshot version `v` (schema,
// partition columns of the specs in use, re-basing onto `root`).
FileContext MakeFileContext(const IcebergMetadata& m, const Schema* schema,
                            const std::set<int32_t>& spec_ids, const std::string& root,
                            const std::map<int64_t, int64_t>& snapshot_ts, int64_t version_ts) {
  FileContext ctx;
  ctx.meta = &m;
  ctx.schema = schema;
  ctx.recorded_root = m.location;
  ctx.configured_root = root;
  ctx.partition_columns = iceberg::PartitionColumns(m, *schema, spec_ids);
  ctx.snapshot_ts = &snapshot_ts;
  ctx.default_ts = iceberg::EarliestSnapshotTime(m, version_ts);
  ctx.Prepare();
  return ctx;
}

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

}  // namespace

IcebergTable::SnapshotResult IcebergTable::Build(std::shared_ptr<const Loaded> loaded,
                                                 const Version* v) {
  const IcebergMetadata& m = loaded->meta;
  const SnapshotInfo* s = m.SnapshotById(v->snapshot_id);
  if (s == nullptr) return Status::Internal("snapshot vanished from its metadata");
  std::string context = "snapshot " + std::to_string(s->snapshot_id);
  SnapshotPlan plan;
  LS_ASSIGN_OR_RETURN(plan.list,
                      manifests_.ManifestsOf(*loaded->storage, m.location, loaded->root, *s));
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
      LS_ASSIGN_OR_RETURN(std::string bytes,
                          manifests_.ReadManifest(*loaded->storage, plan.data_paths[i]));
      LS_ASSIGN_OR_RETURN(
          std::optional<int32_t> header,
          iceberg::ManifestSpecId(bytes, "manifest '" + Basename(plan.data_paths[i]) + "'"));
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
  plan.schema = iceberg::SchemaFor(m, s);
  SchemaReport report = iceberg::AnalyzeSchema(m, *plan.schema);
  plan.ctx =
      MakeFileContext(m, plan.schema, spec_ids, loaded->root, loaded->snapshot_ts, v->timestamp_ms);
  const FileContext& ctx = plan.ctx;
  auto convert = [&](size_t i, bool deletes) -> Result<ConvertedPtr> {
    if (deletes) {
      return manifests_.Convert(*loaded->storage, plan.delete_paths[i], *plan.deletes[i], nullptr,
                                ctx, true, nullptr);
    }
    return manifests_.Convert(*loaded->storage, plan.data_paths[i], *plan.data[i],
                              plan.data_specs[i], ctx, false, &plan.prefetched[i]);
  };
  auto data_files =
      manifests_.ConvertAll(plan.data.size(), [&](size_t i) { return convert(i, false); });
  if (!data_files.ok()) return data_files.status().WithContext(context);
  auto delete_files =
      manifests_.ConvertAll(plan.deletes.size(), [&](size_t i) { return convert(i, true); });
  if (!delete_files.ok()) return delete_files.status().WithContext(context);

  // Snapshots whose schema has every column with an initial default: files
  // they added need no default filled in.
  std::set<int64_t> complete_snapshots;
  if (!report.default_field_ids.empty()) {
    for (const SnapshotInfo& other : m.snapshots) {
      const Schema* os = other.schema_id ? m.SchemaById(*other.schema_id) : nullptr;
      if (os == nullptr) continue;
      const std::set<int32_t> ids = iceberg::AllFieldIds(*os);
      bool all = std::all_of(report.default_field_ids.begin(), report.default_field_ids.end(),
                             [&](int32_t id) { return ids.count(id) != 0; });
      if (all) complete_snapshots.insert(other.snapshot_id);
    }
  }

  auto snap = std::make_shared<TableSnapshot>();
  snap->version = v->version;
  snap->timestamp_ms = v->timestamp_ms;
  snap->protocol = iceberg::MakeProtocol(report);
  snap->metadata = iceberg::MakeMetadata(loaded->table_id, m, *plan.schema, ctx.partition_columns);
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
    prev_schema = iceberg::SchemaFor(m, m.SnapshotById((*first)->snapshot_id))->schema_id;
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
    LS_ASSIGN_OR_RETURN(std::vector<ManifestFile> list,
                        manifests_.ManifestsOf(*loaded->storage, m.location, loaded->root, *s));
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
          LS_ASSIGN_OR_RETURN(bytes, manifests_.ReadManifest(*loaded->storage, path));
          LS_ASSIGN_OR_RETURN(std::optional<int32_t> header,
                              iceberg::ManifestSpecId(*bytes, "manifest '" + Basename(path) + "'"));
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
    const Schema* schema = iceberg::SchemaFor(m, s);
    const FileContext ctx =
        MakeFileContext(m, schema, spec_ids, loaded->root, loaded->snapshot_ts, v.timestamp_ms);
    // A rewrite (compaction) keeps the rows: nothing to read or emit.
    if (s->operation != "replace") {
      auto converted = manifests_.ConvertAll(added.size(), [&](size_t i) -> Result<ConvertedPtr> {
        const bool deletes = added[i]->content == ManifestContent::kDeletes;
        return manifests_.Convert(*loaded->storage, paths[i], *added[i], specs[i], ctx, deletes,
                                  &prefetched[i]);
      });
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
      c.metadata = iceberg::MakeMetadata(loaded->table_id, m, *schema, ctx.partition_columns);
      c.protocol = iceberg::MakeProtocol(iceberg::AnalyzeSchema(m, *schema));
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
