#include "catalog/iceberg_catalog_sync.h"

#include <spdlog/spdlog.h>

#include "catalog/catalog_schema.h"
#include "catalog/iceberg_catalog_store.h"
#include "storage/catalog_connections.h"

namespace lakeshare {

namespace {

std::string WithoutTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

IcebergCatalogSync::IcebergCatalogSync(std::shared_ptr<db::Database> db,
                                       std::vector<CatalogConnectionConfig> config_entries,
                                       CloudEnvironment env, std::shared_ptr<HttpClient> http,
                                       std::shared_ptr<StorageRegistry> registry)
    : db_(std::move(db)),
      config_entries_(std::move(config_entries)),
      env_(std::move(env)),
      http_(std::move(http)),
      registry_(std::move(registry)) {}

IcebergCatalogSync::~IcebergCatalogSync() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status IcebergCatalogSync::Refresh() {
  std::vector<IcebergCatalogRecord> stored;
  if (db_) {
    // The store's own rules need no config here: clashes are sorted out below.
    auto listed = IcebergCatalogStore(db_, {}, env_).List();
    std::lock_guard<std::mutex> lock(mu_);
    if (!listed.ok()) {
      if (!read_failing_) {  // once per outage, not every interval
        spdlog::warn(
            "icebergCatalogs: the catalog database's connections could not be read ({}); "
            "the ones in use stay",
            listed.status().ToString());
      }
      read_failing_ = true;
      return listed.status();
    }
    if (read_failing_) spdlog::info("icebergCatalogs: the catalog database can be read again");
    read_failing_ = false;
    stored = std::move(*listed);
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CatalogConnectionConfig> merged = config_entries_;
  std::set<std::string> names, uris;
  for (const CatalogConnectionConfig& c : config_entries_) {
    names.insert(NameKey(c.name));
    if (c.type == "rest") uris.insert(WithoutTrailingSlash(c.uri));
  }
  for (IcebergCatalogRecord& r : stored) {
    const CatalogConnectionConfig& c = r.config;
    std::string reason;
    if (names.count(NameKey(c.name)) != 0) {
      reason = "the config file has an entry of that name, which wins";
    } else if (c.type == "rest" && uris.count(WithoutTrailingSlash(c.uri)) != 0) {
      reason = "another entry has the uri " + WithoutTrailingSlash(c.uri);
    } else if (Status st = CatalogConnections({c}, env_, nullptr).Validate(); !st.ok()) {
      reason = st.message();
    }
    if (!reason.empty()) {
      if (warned_.insert(c.name + "|" + reason).second) {
        spdlog::warn("icebergCatalogs: the catalog database's entry '{}' is not used: {}", c.name,
                     reason);
      }
      continue;
    }
    names.insert(NameKey(c.name));
    if (c.type == "rest") uris.insert(WithoutTrailingSlash(c.uri));
    merged.push_back(std::move(r.config));
  }
  if (current_ && merged == merged_) return Status::OK();
  auto next = std::make_shared<CatalogConnections>(merged, env_, http_, current_.get());
  if (current_ || !merged.empty()) {
    std::vector<std::string> lines = next->Describe();
    spdlog::info("icebergCatalogs: {} connection(s) in use now", lines.size());
    for (const std::string& line : lines) spdlog::info("icebergCatalogs: {}", line);
  }
  registry_->SetCatalogConnections(next);
  current_ = std::move(next);
  merged_ = std::move(merged);
  return Status::OK();
}

void IcebergCatalogSync::Start(std::chrono::milliseconds interval) {
  if (!db_ || thread_.joinable()) return;
  thread_ = std::thread([this, interval] { Loop(interval); });
}

std::vector<CatalogConnectionConfig> IcebergCatalogSync::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return merged_;
}

void IcebergCatalogSync::Loop(std::chrono::milliseconds interval) {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    (void)Refresh();  // logged inside
    lock.lock();
  }
}

}  // namespace lakeshare
