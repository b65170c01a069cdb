// Keeps the storage registry's Iceberg catalog connections
// (StorageRegistry::SetCatalogConnections) equal to the config file's
// `icebergCatalogs:` plus the catalog database's (iceberg_catalog_store.h),
// so that a connection added, changed or removed through the admin API of
// any replica applies without a restart.
//
// Refresh() reads the database (one small query) and, when the merged list
// differs from the one in use, installs a new CatalogConnections; entries
// that did not change keep their authenticator (and its cached OAuth2
// token). The config's entries come first and win: a database entry with a
// config entry's name or REST uri (the admin API refuses those, but another
// replica's config may differ) is left out, and so is one that fails the
// config's checks; each is logged once (name and reason, never a secret).
// Start() refreshes every `interval` on a thread of its own (what other
// replicas changed); the admin API of this process calls Refresh() after
// each write (what it changed itself, at once).
//
// Thread-safe. A database that cannot be read keeps the connections in use
// (logged once per outage); Refresh returns its error.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "db/database.h"
#include "storage/cloud_config.h"
#include "storage/http_client.h"
#include "storage/storage_registry.h"

namespace lakeshare {

class IcebergCatalogSync {
 public:
  // `db` may be null (no catalog database: the config's entries only).
  IcebergCatalogSync(std::shared_ptr<db::Database> db,
                     std::vector<CatalogConnectionConfig> config_entries, CloudEnvironment env,
                     std::shared_ptr<HttpClient> http, std::shared_ptr<StorageRegistry> registry);
  ~IcebergCatalogSync();
  IcebergCatalogSync(const IcebergCatalogSync&) = delete;
  IcebergCatalogSync& operator=(const IcebergCatalogSync&) = delete;

  Status Refresh();
  void Start(std::chrono::milliseconds interval);
  // The merged entries in use (secrets included: never log them).
  std::vector<CatalogConnectionConfig> entries() const;

 private:
  void Loop(std::chrono::milliseconds interval);

  const std::shared_ptr<db::Database> db_;
  const std::vector<CatalogConnectionConfig> config_entries_;
  const CloudEnvironment env_;
  const std::shared_ptr<HttpClient> http_;
  const std::shared_ptr<StorageRegistry> registry_;

  mutable std::mutex mu_;  // one refresh at a time; guards what follows
  std::vector<CatalogConnectionConfig> merged_;
  std::shared_ptr<const CatalogConnections> current_;
  std::set<std::string> warned_;  // "name|reason" already logged
  bool read_failing_ = false;     // the last read of the database failed

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread thread_;
};

}  // namespace lakeshare
