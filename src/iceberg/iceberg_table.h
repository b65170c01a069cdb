// IcebergTable: the TableFormat of an Apache Iceberg table (format v1-v3),
// read from its metadata JSON, manifest lists and manifests through Storage.
//
// Where the table is (see README.md in this folder for every rule):
//  - a table folder: the current metadata is metadata/version-hint.text's
//    file, or a newer numbered one (vN.metadata.json, NNNNN-uuid.metadata.json,
//    gzip variants) if the hint lags; without a hint the highest number;
//  - a metadata file (*.metadata.json[.gz]): exactly that snapshot history;
//  - an Iceberg REST catalog table URL (http[s]://.../v1/{prefix}/namespaces/
//    {ns}/tables/{t}): its metadata-location, asked again on every call;
//  - an AWS Glue table (glue://<catalog>/<db>/<table>): its
//    metadata_location, likewise (options.metadata_location asks).
// Locations recorded in the metadata are re-based: the recorded table
// `location` is replaced by the configured table folder, so a table copied
// between buckets or folders resolves (REST tables are not re-based).
//
// Versions: the sequence number of each snapshot of the main branch when
// every one has a sequence number (v2+); otherwise (v1 snapshots present)
// the snapshot's commit timestamp in ms, made strictly increasing. Both are
// stable when old snapshots expire. A version between two snapshots reads as
// the older one; a table without snapshots has version 0, empty.
//
// Errors: kNotFound when no metadata is found; kCorruption naming the file
// for malformed metadata, manifest lists or manifests; kInvalidArgument for
// versions/timestamps out of range; kUnsupported for /changes over
// snapshots that overwrite or delete.
//
// Row-level deletes: position delete files, v3 deletion vectors and
// equality deletes (resolved into positions, equality_deletes.h) become one
// Delta deletion vector per data file (snapshot_deletes.h; the
// deletionVectors reader feature); snapshots with non-parquet delete files
// come back with `unreadable_reason` set (the protocol layer refuses them).
//
// Files: a snapshot lists the live data files of its manifests in manifest
// list order, each manifest's in file order (deterministic per version).
// The files of one manifest are converted once (paths re-based, stats JSON,
// partition values shared) into chunks that every snapshot listing that
// manifest shares, so versions that differ by a few manifests share the
// rest of their memory.
//
// Thread-safe: one instance serves concurrent requests. Snapshots live in a
// SnapshotCache (the process-wide one unless options say otherwise, bounded
// by bytes, shared with Delta tables); converted manifests are found again
// by path while any snapshot still holds them (Iceberg never rewrites a
// manifest in place), and hold no memory of their own beyond that. The last
// parsed metadata file is kept; concurrent requests for the same uncached
// snapshot share one build.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "iceberg/iceberg_metadata.h"
#include "iceberg/manifest.h"
#include "iceberg/manifest_store.h"
#include "iceberg/table_location.h"
#include "storage/http_client.h"
#include "storage/storage.h"
#include "table/content_cache.h"
#include "table/snapshot_cache.h"
#include "table/table_format.h"

namespace lakeshare {

struct IcebergTableOptions {
  // Where snapshots are cached (nullptr: SnapshotCache::Global()); must
  // outlive the table.
  SnapshotCache* cache = nullptr;
  int64_t max_metadata_bytes = int64_t{256} << 20;
  int64_t max_manifest_bytes = int64_t{512} << 20;
  size_t max_parallel_reads = 4;
  // REST catalog tables: GET a URL (default: through `http`), and the
  // canonical location and storage of a location the catalog names.
  std::function<Result<std::string>(const std::string& url)> http_get;
  // The HTTP client of catalog requests (nullptr: the table makes its own,
  // with iceberg::RestCatalogHttpOptions()); share one to share connections.
  std::shared_ptr<HttpClient> http;
  std::function<Result<std::pair<std::string, std::shared_ptr<Storage>>>(const std::string&)>
      resolve_location;
  // Recorded location prefixes outside the table folder and the real
  // locations they stand for (table_location.h): files there are read
  // through `storage` (give a storage that reaches them) and listed at the
  // mapped location.
  iceberg::LocationMap location_map;
  // Catalog tables whose catalog is not a REST URL (glue://): asked on
  // every call for the current metadata file's location instead.
  std::function<Result<std::string>()> metadata_location;
  // Row-level deletes (snapshot_deletes.h): where deletion-vector files go
  // (nullptr: every DV inline), the largest inline DV bitmap, and the most
  // deleted positions one snapshot may apply (kTooLarge beyond).
  std::shared_ptr<ContentCache> dv_cache;
  size_t max_inline_dv_bytes = 1024;
  int64_t max_delete_positions = 100'000'000;
  // Equality deletes (equality_deletes.h): the most memory their keys may
  // take, the most key-column bytes read and the longest time taken to
  // resolve them, per snapshot.
  int64_t max_equality_key_bytes = int64_t{512} << 20;
  int64_t max_equality_scan_bytes = int64_t{16} << 30;
  int64_t max_equality_scan_ms = 120'000;
  // Name-mapped tables with renamed columns (name_mapping.h): the most data
  // files whose footers one snapshot build reads, and the longest time it
  // takes (a 400 beyond either).
  size_t max_name_mapping_footers = 20'000;
  int64_t max_name_mapping_ms = 120'000;
};

class IcebergTable final : public TableFormat {
 public:
  // `location`: a table folder or metadata file as `storage` understands it,
  // or a catalog table (REST URL or glue://; then `storage` may be null and
  // options.resolve_location is required, and for glue:// also
  // options.metadata_location). Does no I/O.
  IcebergTable(std::string location, std::shared_ptr<Storage> storage,
               IcebergTableOptions options = {});
  ~IcebergTable() override;

  Result<int64_t> LatestVersion() override;
  Result<std::shared_ptr<const TableSnapshot>> Snapshot(std::optional<int64_t> version) override;
  Result<int64_t> VersionAtTimestamp(int64_t timestamp_ms, TimestampBound bound) override;
  // Data file paths are already full storage locations: returned unchanged.
  Result<std::string> ResolveFilePath(std::string_view recorded_path) const override;
  // Append-only ranges: every snapshot's added data files as kAdd; replace
  // (compaction) snapshots change nothing; overwrite/delete snapshots and
  // delete files are kUnsupported.
  Result<std::vector<CommitChanges>> Changes(int64_t start_version, int64_t end_version) override;

  // The table folder files must lie in (for a REST table: the current
  // metadata's location, canonical); may do I/O for REST tables.
  Result<std::string> TableRoot();

  // The rule of location re-basing (exposed for tests): `recorded` under
  // `recorded_root` becomes the same relative path under `configured_root`;
  // paths already under `configured_root` are kept; others are kCorruption.
  static Result<std::string> Rebase(const std::string& recorded, const std::string& recorded_root,
                                    const std::string& configured_root);
  // The table folder of a configured location (the folder itself, or the
  // folder above metadata/ for a metadata file).
  static std::string TableFolderOf(const std::string& location);
  static bool IsMetadataFileName(const std::string& name);
  // A catalog table location: a REST catalog table URL or glue://...
  static bool IsRestLocation(const std::string& location);

  struct Version {
    int64_t version = 0;
    int64_t timestamp_ms = 0;  // adjusted to increase strictly
    int64_t snapshot_id = 0;
  };

 private:
  struct Loaded;  // one parsed metadata file and its timeline
  using SnapshotResult = Result<std::shared_ptr<const TableSnapshot>>;

  Result<int64_t> LatestVersionImpl();
  Result<std::shared_ptr<const TableSnapshot>> SnapshotImpl(std::optional<int64_t> version);
  Result<int64_t> VersionAtTimestampImpl(int64_t timestamp_ms, TimestampBound bound);
  Result<std::vector<CommitChanges>> ChangesImpl(int64_t start_version, int64_t end_version);
  Result<std::string> TableRootImpl();
  Result<std::shared_ptr<const Loaded>> Load();
  Result<std::shared_ptr<const Loaded>> LoadFile(const std::string& path,
                                                 const std::optional<FileInfo>& info,
                                                 std::shared_ptr<Storage> storage);
  Result<const Version*> Select(const Loaded& loaded, int64_t version) const;
  SnapshotResult Build(std::shared_ptr<const Loaded> loaded, const Version* v);
  SnapshotResult EmptySnapshot(const Loaded& loaded) const;
  // What validates a cached snapshot of `v` against the current metadata.
  SnapshotCache::Tag TagOf(const Loaded& loaded, const Version& v) const;
  using ConvertedPtr = iceberg::ManifestStore::ConvertedPtr;

  const std::string location_;
  const std::shared_ptr<Storage> storage_;
  const IcebergTableOptions options_;
  const bool rest_;

  SnapshotCache& cache_;
  const uint64_t cache_id_;

  const std::shared_ptr<HttpClient> http_;  // REST tables without options.http_get
  iceberg::ManifestStore manifests_;

  std::mutex mu_;
  std::shared_ptr<const Loaded> loaded_;  // guarded by mu_: the last metadata read
  std::map<std::string, std::shared_future<SnapshotResult>> in_flight_;  // guarded by mu_
};

}  // namespace lakeshare
