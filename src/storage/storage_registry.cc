#include "storage/storage_registry.h"

#include "common/strings.h"
#include "storage/azure_store.h"
#include "storage/cloud_backends.h"
#include "storage/local_storage.h"
#include "storage/local_url_signer.h"
#include "storage/s3_store.h"

namespace lakeshare {
namespace {

std::string StripSlashes(std::string key) {
  while (!key.empty() && key.back() == '/') key.pop_back();
  return key;
}

// An entry's location: "s3://bucket/prefix", or just "s3://" for every bucket.
Result<ObjectLocation> ParseEntryLocation(const StorageLocationConfig& e) {
  std::string scheme = SchemeOf(e.location);
  if (!scheme.empty() && e.location.size() == scheme.size() + 3 &&
      e.location.compare(scheme.size(), 3, "://") == 0) {
    ObjectLocation all;
    all.scheme = scheme;
    all.type = CloudTypeOfScheme(scheme);
    if (all.type == CloudType::kNone) {
      return Status::InvalidArgument("storage entry '" + e.location + "': unknown scheme");
    }
    return all;
  }
  auto where = ParseObjectLocation(e.location);
  if (!where.ok()) return where.status().WithContext("storage entry '" + e.location + "'");
  where->key = StripSlashes(where->key);
  if (where->type == CloudType::kAzure && where->account.empty()) {
    // An az:// entry names no account: its settings do (the connection
    // string's AccountName unless accountName is given).
    where->account = e.account_name;
    if (where->account.empty() && !e.connection_string.empty()) {
      AzureStoreSettings s;
      if (ApplyAzureConnectionString(e.connection_string, &s).ok()) where->account = s.account;
    }
  }
  return where;
}

// Whether an entry applies to `where` (same cloud, bucket, key prefix and,
// on Azure, account). An az:// location names no account, so only entries
// whose location names none either (az://, or a whole scheme) serve it.
bool EntryApplies(const ObjectLocation& e, bool names_account, const ObjectLocation& where,
                  const std::string& key) {
  if (e.type != where.type) return false;
  if (!e.bucket.empty() && e.bucket != where.bucket) return false;
  if (where.type == CloudType::kAzure) {
    if (where.account.empty()) {
      if (names_account) return false;
    } else if (!e.account.empty() && !EqualsIgnoreCase(e.account, where.account)) {
      return false;
    }
  }
  return e.key.empty() || key == e.key || key.rfind(e.key + "/", 0) == 0;
}

CloudType EntryType(const StorageLocationConfig& e, const ObjectLocation& where) {
  if (e.type == "s3") return CloudType::kS3;
  if (e.type == "azure") return CloudType::kAzure;
  if (e.type == "gcs") return CloudType::kGcs;
  return where.type;
}

}  // namespace

StorageRegistry::StorageRegistry(std::string local_signing_key,
                                 std::vector<StorageLocationConfig> locations, CloudEnvironment env)
    : local_signer_(std::make_shared<LocalUrlSigner>(std::move(local_signing_key))),
      locations_(std::move(locations)),
      env_(std::move(env)),
      http_(std::make_shared<HttpClient>()) {
  local_.storage = std::make_shared<LocalStorage>();
  local_.signer = local_signer_;
  for (const auto& e : locations_) {
    auto where = ParseEntryLocation(e);
    ObjectLocation w = where.ok() ? *where : ObjectLocation{};
    w.type = where.ok() ? EntryType(e, *where) : CloudType::kNone;
    names_account_.push_back(where.ok() && !where->host.empty());
    parsed_.push_back(std::move(w));
  }
}

Status StorageRegistry::Validate() const {
  for (size_t i = 0; i < locations_.size(); ++i) {
    const auto& e = locations_[i];
    LS_RETURN_IF_ERROR(ParseEntryLocation(e).status());
    if (!e.type.empty() && e.type != "s3" && e.type != "azure" && e.type != "gcs") {
      return Status::InvalidArgument("storage entry '" + e.location + "': unknown type '" + e.type +
                                     "' (use s3, azure or gcs)");
    }
    auto built = Build(parsed_[i].type, static_cast<int>(i));
    if (!built.ok()) {
      return Status::InvalidArgument("storage entry '" + e.location +
                                     "': " + built.status().message());
    }
  }
  // Two entries that would serve one location with the same precedence:
  // refused, rather than one of them chosen silently (it may be another
  // store's or account's).
  for (size_t i = 0; i < parsed_.size(); ++i) {
    for (size_t j = i + 1; j < parsed_.size(); ++j) {
      const ObjectLocation& a = parsed_[i];
      const ObjectLocation& b = parsed_[j];
      if (a.type != b.type || a.bucket != b.bucket || a.key != b.key) continue;
      if (a.type == CloudType::kAzure && !a.account.empty() && !b.account.empty() &&
          !EqualsIgnoreCase(a.account, b.account)) {
        continue;  // different accounts: no location is served by both
      }
      return Status::InvalidArgument("storage entries '" + locations_[i].location + "' and '" +
                                     locations_[j].location +
                                     "' both apply to the same locations; keep one, or make "
                                     "their locations (or Azure accounts) differ");
    }
  }
  return Status::OK();
}

int StorageRegistry::MatchEntry(const ObjectLocation& where) const {
  int best = -1;
  size_t best_len = 0;
  bool best_account = false;
  std::string key = StripSlashes(where.key);
  for (size_t i = 0; i < parsed_.size(); ++i) {
    const ObjectLocation& e = parsed_[i];
    if (!EntryApplies(e, names_account_[i], where, key)) continue;
    size_t len = e.bucket.empty() ? 0 : e.bucket.size() + 1 + e.key.size();
    // Of two as specific, the one known to be the location's account.
    bool account = !e.account.empty() && !where.account.empty();
    if (best < 0 || len > best_len || (len == best_len && account && !best_account)) {
      best = static_cast<int>(i);
      best_len = len;
      best_account = account;
    }
  }
  return best;
}

Result<StorageBackend> StorageRegistry::Build(CloudType type, int entry) const {
  const StorageLocationConfig* e = entry >= 0 ? &locations_[static_cast<size_t>(entry)] : nullptr;
  std::string what = e ? "storage location '" + e->location + "'"
                       : std::string("the default ") + CloudTypeName(type) + " storage";
  std::shared_ptr<HttpClient> http = http_;
  if (e && (e->connect_timeout_ms || e->request_timeout_ms || e->max_retries)) {
    http = std::make_shared<HttpClient>(HttpOptionsFor(e));
  }
  // Each store both reads and signs.
  auto backend = [](auto store) { return StorageBackend{store, store}; };
  switch (type) {
    case CloudType::kS3: {
      LS_ASSIGN_OR_RETURN(S3StoreSettings s, ResolveS3Settings(e, env_, what));
      if (metrics_) s.metrics = metrics_->For("s3");
      return backend(std::make_shared<S3Store>(std::move(s), http));
    }
    case CloudType::kGcs: {
      LS_ASSIGN_OR_RETURN(S3StoreSettings s, ResolveGcsSettings(e, env_, what));
      if (metrics_) s.metrics = metrics_->For("gcs");
      return backend(std::make_shared<S3Store>(std::move(s), http));
    }
    case CloudType::kAzure: {
      LS_ASSIGN_OR_RETURN(AzureStoreSettings s, ResolveAzureSettings(e, env_, what));
      if (metrics_) s.metrics = metrics_->For("azure");
      return backend(std::make_shared<AzureStore>(std::move(s), http));
    }
    case CloudType::kNone:
      break;
  }
  return Status::Unsupported("no storage backend for this location");
}

Result<std::string> StorageRegistry::NormalizeLocation(const std::string& location) const {
  std::string scheme = SchemeOf(location);
  if (scheme.empty() || scheme == "file") {
    LS_ASSIGN_OR_RETURN(std::string path, LocalPathFromLocation(location));
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path;
  }
  if (CloudTypeOfScheme(scheme) == CloudType::kNone) {
    return Status::Unsupported("storage scheme '" + scheme + "' of location '" + location +
                               "' is not supported (use a local path, s3://, abfss://, "
                               "wasbs://, az:// or gs://)");
  }
  LS_ASSIGN_OR_RETURN(ObjectLocation where, ParseObjectLocation(location));
  return where.root + StripSlashes(where.key);
}

Result<StorageBackend> StorageRegistry::ForLocation(const std::string& location) const {
  LS_ASSIGN_OR_RETURN(std::string normalized, NormalizeLocation(location));
  std::string scheme = SchemeOf(normalized);
  if (scheme.empty() || scheme == "file") return local_;
  LS_ASSIGN_OR_RETURN(ObjectLocation where, ParseObjectLocation(normalized));
  int entry = MatchEntry(where);
  std::pair<int, int> key{static_cast<int>(where.type), entry};
  std::lock_guard<std::mutex> lock(mu_);
  auto it = backends_.find(key);
  if (it != backends_.end()) return it->second;
  auto built = Build(where.type, entry);
  if (!built.ok()) {
    // A server-side misconfiguration: a 5xx for the client, not its fault.
    return Status(built.status().code() == StatusCode::kUnsupported ? StatusCode::kUnsupported
                                                                    : StatusCode::kIOError,
                  built.status().message());
  }
  backends_.emplace(key, *built);
  return *built;
}

void StorageRegistry::SetMetrics(std::shared_ptr<const ObjectStoreMetrics> metrics) {
  std::lock_guard<std::mutex> lock(mu_);
  metrics_ = std::move(metrics);
  backends_.clear();
}

std::vector<std::string> StorageRegistry::Describe() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < locations_.size(); ++i) {
    const auto& e = locations_[i];
    std::string line = e.location + " (" + CloudTypeName(parsed_[i].type);
    if (!e.endpoint.empty()) line += ", endpoint " + e.endpoint;
    if (!e.region.empty()) line += ", region " + e.region;
    line += ", credentials: " + DescribeCredentials(parsed_[i].type, &e, env_) + ")";
    out.push_back(std::move(line));
  }
  return out;
}

void StorageRegistry::SetCatalogConnections(std::shared_ptr<const CatalogConnections> catalogs) {
  std::lock_guard<std::mutex> lock(mu_);
  catalogs_ = std::move(catalogs);
}

std::shared_ptr<const CatalogConnections> StorageRegistry::catalog_connections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return catalogs_;
}

void StorageRegistry::SetLocationMap(LocationMap map) {
  std::lock_guard<std::mutex> lock(mu_);
  location_map_ = std::move(map);
}

StorageRegistry::LocationMap StorageRegistry::location_map() const {
  std::lock_guard<std::mutex> lock(mu_);
  return location_map_;
}

}  // namespace lakeshare
