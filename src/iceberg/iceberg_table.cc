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
#include "iceberg/glue_catalog.h"
#include "iceberg/iceberg_table_loaded.h"
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

std::string UuidFromDigest(const std::string& text) {
  std::string h = HexEncode(Sha256(text)).substr(0, 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

}  // namespace

IcebergTable::IcebergTable(std::string location, std::shared_ptr<Storage> storage,
                           IcebergTableOptions options)
    : location_(std::move(location)),
      storage_(std::move(storage)),
      options_(std::move(options)),
      rest_(IsRestLocation(location_)),
      cache_(options_.cache != nullptr ? *options_.cache : SnapshotCache::Global()),
      cache_id_(cache_.NewTableId()),
      http_(!rest_ || options_.http_get || options_.metadata_location ? nullptr
            : options_.http                                           ? options_.http
                            : std::make_shared<HttpClient>(iceberg::RestCatalogHttpOptions())),
      manifests_(options_.max_manifest_bytes, options_.max_parallel_reads) {}

IcebergTable::~IcebergTable() { cache_.EraseTable(cache_id_); }

bool IcebergTable::IsRestLocation(const std::string& location) {
  return iceberg::IsRestCatalogLocation(location) || iceberg::IsGlueLocation(location);
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

Result<std::string> IcebergTable::ResolveFilePath(std::string_view recorded_path) const {
  return std::string(recorded_path);
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
  std::string name = FileNameOf(path);
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
    std::string metadata_location;
    if (options_.metadata_location) {
      LS_ASSIGN_OR_RETURN(metadata_location, options_.metadata_location());
    } else {
      iceberg::HttpGetFn get = options_.http_get;
      if (!get) {
        get = [this](const std::string& url) { return iceberg::RestCatalogGet(*http_, url); };
      }
      LS_ASSIGN_OR_RETURN(metadata_location, iceberg::LoadTableMetadataLocation(location_, get));
    }
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
  // DV files a snapshot lists may have been evicted since it was built.
  if (options_.dv_cache) what += "|" + std::to_string(options_.dv_cache->evictions());
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
