// Picks the storage backend and URL signer for a table location by its
// scheme: local paths (served by this server), S3 and S3-compatible stores
// (s3://, s3a://, s3n://), Azure Blob / ADLS Gen2 (abfss://, abfs://,
// wasbs://, wasb://, az://) and Google Cloud Storage (gs://).
//
// Each cloud location gets the settings of the `storage:` config entry with
// the longest matching prefix, completed by the cloud's standard environment
// variables (which alone serve locations no entry covers). An entry applies
// only to its own cloud and bucket (container) and, on Azure, its own
// account: the one its location names, else its accountName, else its
// connection string's; an az:// location (which names none) is served only
// by entries whose location names none either. Entries that would serve
// the same locations equally (same bucket and prefix: S3/GCS entries for
// two endpoints, Azure entries of one account) are a configuration error
// (Validate), never a silent choice. Backends are made
// on first use and shared (one per entry), as is the HTTP connection pool.
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/catalog_connections.h"
#include "storage/cloud_config.h"
#include "storage/http_client.h"
#include "storage/object_location.h"
#include "storage/object_store_metrics.h"
#include "storage/storage.h"

namespace lakeshare {

class StorageRegistry {
 public:
  // `local_signing_key` signs URLs of local files. `locations` are the
  // config's storage entries; `env` the environment to fall back on.
  explicit StorageRegistry(std::string local_signing_key,
                           std::vector<StorageLocationConfig> locations = {},
                           CloudEnvironment env = {});

  // Checks every configured entry can make a backend (keys readable,
  // required settings present) and no two are ambiguous. kInvalidArgument
  // naming the entries' locations.
  Status Validate() const;

  // kUnsupported for schemes without a backend; kInvalidArgument for a
  // malformed location; kIOError when a location's settings are unusable
  // (a server misconfiguration; named by location, never by secret).
  Result<StorageBackend> ForLocation(const std::string& location) const;
  // The canonical form of a location for its backend (a local location
  // becomes an absolute path; a cloud location loses trailing '/').
  Result<std::string> NormalizeLocation(const std::string& location) const;

  // One line per configured entry for the startup log: location, type,
  // endpoint and where credentials come from. Never a secret.
  std::vector<std::string> Describe() const;

  const std::shared_ptr<class LocalUrlSigner>& local_signer() const { return local_signer_; }
  const std::shared_ptr<HttpClient>& http() const { return http_; }
  // Counts the cloud backends' requests from now on (backends are made
  // again; ones already handed out do not count).
  void SetMetrics(std::shared_ptr<const ObjectStoreMetrics> metrics);

  // The catalog services (`icebergCatalogs:`) table formats ask where a
  // table is, with their credentials; set once before serving (null: none).
  void SetCatalogConnections(std::shared_ptr<const CatalogConnections> catalogs);
  std::shared_ptr<const CatalogConnections> catalog_connections() const;
  // Recorded location prefixes of table metadata and the real locations they
  // stand for (`icebergLocationMap:`, for every table that maps locations);
  // set once before serving.
  using LocationMap = std::vector<std::pair<std::string, std::string>>;
  void SetLocationMap(LocationMap map);
  LocationMap location_map() const;

 private:
  // The index in locations_ of the entry serving `where`, or -1.
  int MatchEntry(const ObjectLocation& where) const;
  Result<StorageBackend> Build(CloudType type, int entry) const;

  StorageBackend local_;
  std::shared_ptr<LocalUrlSigner> local_signer_;
  std::vector<StorageLocationConfig> locations_;
  std::vector<ObjectLocation> parsed_;  // of locations_, same order (Azure: with the account)
  std::vector<bool> names_account_;     // the entry's location names its account (abfss://c@a…)
  CloudEnvironment env_;
  std::shared_ptr<HttpClient> http_;
  mutable std::mutex mu_;
  mutable std::map<std::pair<int, int>, StorageBackend> backends_;  // (type, entry)
  std::shared_ptr<const ObjectStoreMetrics> metrics_;               // guarded by mu_
  std::shared_ptr<const CatalogConnections> catalogs_;              // guarded by mu_
  LocationMap location_map_;                                        // guarded by mu_
};

}  // namespace lakeshare
