#include "config/config_reload.h"

#include <map>
#include <optional>
#include <sstream>

namespace lakeshare {
namespace {

std::string Show(const std::string& v) { return v.empty() ? "(none)" : v; }
std::string Show(int64_t v) { return std::to_string(v); }
std::string Show(int v) { return std::to_string(v); }
std::string Show(bool v) { return v ? "true" : "false"; }
std::string Show(const std::optional<std::string>& v) { return v ? Show(*v) : "(none)"; }
std::string Show(const RateLimit& v) {
  if (v.unlimited()) return "unlimited";
  std::ostringstream out;
  out << v.per_second << "/s burst " << v.burst;
  return out.str();
}
std::string Show(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out + "]";
}

// A share's whole definition, to tell whether it changed.
std::string Fingerprint(const ShareConfig& s) {
  std::ostringstream out;
  out << Show(s.id) << '|' << Show(s.display_name) << '|' << Show(s.comment);
  for (const SchemaConfig& schema : s.schemas) {
    out << "|schema " << schema.name;
    for (const TableConfig& t : schema.tables) {
      out << "|table " << t.name << ' ' << t.location << ' ' << Show(t.id) << ' ' << t.format << ' '
          << t.history_shared << ' ' << t.start_version << ' ' << t.hudi_view;
      for (const auto& [from, to] : t.location_map) out << ' ' << from << '>' << to;
    }
  }
  return out.str();
}

std::string Fingerprint(const RecipientConfig& r) {
  return r.token_hash + '|' + Show(r.shares) + '|' +
         (r.expiration_ms ? std::to_string(*r.expiration_ms) : std::string("-")) + '|' +
         (r.rate_limit ? Show(*r.rate_limit) : std::string("-"));
}

template <typename T>
void DiffNamed(const std::vector<T>& before, const std::vector<T>& after, const std::string& what,
               std::vector<std::string>* out) {
  std::map<std::string, std::string> old_items, new_items;
  for (const T& item : before) old_items[item.name] = Fingerprint(item);
  for (const T& item : after) new_items[item.name] = Fingerprint(item);
  for (const auto& [name, print] : new_items) {
    auto it = old_items.find(name);
    if (it == old_items.end()) {
      out->push_back(what + " '" + name + "' added");
    } else if (it->second != print) {
      out->push_back(what + " '" + name + "' changed");
    }
  }
  for (const auto& [name, print] : old_items) {
    if (new_items.count(name) == 0) out->push_back(what + " '" + name + "' removed");
  }
}

class Planner {
 public:
  Planner(const ServerConfig& running, const ServerConfig& loaded)
      : running_(running), loaded_(loaded) {
    plan_.effective = running;
  }

  // A setting that takes effect now.
  template <typename T>
  void Apply(const char* key, T ServerConfig::*field) {
    if (running_.*field == loaded_.*field) return;
    plan_.applied.push_back(std::string(key) + ": " + Show(running_.*field) + " -> " +
                            Show(loaded_.*field));
    plan_.effective.*field = loaded_.*field;
  }
  // A setting the running server keeps until restarted.
  template <typename T>
  void Restart(const char* key, T ServerConfig::*field, bool secret = false) {
    if (running_.*field == loaded_.*field) return;
    Restart(key, secret ? std::string("changed")
                        : Show(running_.*field) + " -> " + Show(loaded_.*field));
  }
  void Restart(const std::string& key, const std::string& what) {
    plan_.need_restart.push_back(key + ": " + what + " (needs a restart)");
  }

  ConfigReload Take() { return std::move(plan_); }

 private:
  const ServerConfig& running_;
  const ServerConfig& loaded_;
  ConfigReload plan_;
};

bool SameSsl(const std::optional<SslConfig>& a, const std::optional<SslConfig>& b) {
  if (!a || !b) return !a && !b;
  return a->self_signed == b->self_signed && a->certificate_file == b->certificate_file &&
         a->certificate_key_file == b->certificate_key_file &&
         a->certificate_password == b->certificate_password;
}

bool SameStorage(const std::vector<StorageLocationConfig>& a,
                 const std::vector<StorageLocationConfig>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const StorageLocationConfig& x = a[i];
    const StorageLocationConfig& y = b[i];
    if (x.location != y.location || x.type != y.type || x.region != y.region ||
        x.endpoint != y.endpoint || x.path_style != y.path_style ||
        x.access_key_id != y.access_key_id || x.secret_access_key != y.secret_access_key ||
        x.session_token != y.session_token || x.account_name != y.account_name ||
        x.account_key != y.account_key || x.sas_token != y.sas_token ||
        x.connection_string != y.connection_string || x.tenant_id != y.tenant_id ||
        x.client_id != y.client_id || x.client_secret != y.client_secret ||
        x.authority_url != y.authority_url || x.service_account_file != y.service_account_file ||
        x.hmac_access_id != y.hmac_access_id || x.hmac_secret != y.hmac_secret ||
        x.connect_timeout_ms != y.connect_timeout_ms ||
        x.request_timeout_ms != y.request_timeout_ms || x.max_retries != y.max_retries) {
      return false;
    }
  }
  return true;
}

}  // namespace

ConfigReload PlanConfigReload(const ServerConfig& running, const ServerConfig& loaded) {
  Planner p(running, loaded);
  p.Apply("preSignedUrlTimeoutSeconds", &ServerConfig::presigned_url_timeout_seconds);
  p.Apply("maxConcurrentQueriesPerRecipient", &ServerConfig::max_concurrent_queries_per_recipient);
  p.Apply("rateLimit", &ServerConfig::rate_limit);
  p.Apply("tokenEndpointRateLimit", &ServerConfig::token_endpoint_rate_limit);
  p.Apply("logFormat", &ServerConfig::log_format);
  p.Apply("logLevel", &ServerConfig::log_level);
  p.Apply("snapshotCacheBytes", &ServerConfig::snapshot_cache_bytes);

  p.Restart("host", &ServerConfig::host);
  p.Restart("port", &ServerConfig::port);
  p.Restart("endpoint", &ServerConfig::endpoint);
  p.Restart("publicUrl", &ServerConfig::public_url);
  p.Restart("urlSigningKey", &ServerConfig::url_signing_key, /*secret=*/true);
  p.Restart("urlSigningKeyFile", &ServerConfig::url_signing_key_file);
  p.Restart("maxRequestBodyBytes", &ServerConfig::max_request_body_bytes);
  p.Restart("maxConnections", &ServerConfig::max_connections);
  p.Restart("maxPendingRequestBodyBytes", &ServerConfig::max_pending_request_body_bytes);
  p.Restart("minSendBytesPerSecond", &ServerConfig::min_send_bytes_per_second);
  p.Restart("maxResponseSeconds", &ServerConfig::max_response_seconds);
  p.Restart("hudi.mergeCache", &ServerConfig::hudi_merge_cache);
  p.Restart("hudi.mergeCacheBytes", &ServerConfig::hudi_merge_cache_bytes);
  p.Restart("ioThreads", &ServerConfig::io_threads);
  p.Restart("workerThreads", &ServerConfig::worker_threads);
  p.Restart("accessLog", &ServerConfig::access_log);
  p.Restart("shutdownGraceSeconds", &ServerConfig::shutdown_grace_seconds);
  p.Restart("catalogUrl", &ServerConfig::catalog_url, /*secret=*/true);  // may hold a password
  p.Restart("trustedProxies", &ServerConfig::trusted_proxies);
  p.Restart("auditRetentionDays", &ServerConfig::audit_retention_days);
  p.Restart("auditSharingRequests", &ServerConfig::audit_sharing_requests);
  if (!SameSsl(running.ssl, loaded.ssl)) p.Restart("ssl", "changed");
  if (running.metrics.enabled != loaded.metrics.enabled ||
      running.metrics.listen_host != loaded.metrics.listen_host ||
      running.metrics.listen_port != loaded.metrics.listen_port) {
    p.Restart("metrics", "changed");
  }
  if (!SameStorage(running.storage, loaded.storage)) p.Restart("storage", "changed");
  if (running.iceberg_location_map != loaded.iceberg_location_map) {
    p.Restart("icebergLocationMap", "changed");
  }
  if (running.iceberg_catalogs != loaded.iceberg_catalogs) {
    p.Restart("icebergCatalogs", "changed");
  }

  ConfigReload plan = p.Take();
  if (running.federation != loaded.federation) {
    std::vector<std::string> before, after;
    for (const FederationIssuerConfig& f : running.federation) before.push_back(f.issuer);
    for (const FederationIssuerConfig& f : loaded.federation) after.push_back(f.issuer);
    plan.applied.push_back("federation: issuers " + Show(before) + " -> " + Show(after) +
                           (before == after ? " (settings changed)" : ""));
    plan.effective.federation = loaded.federation;
  }
  // With a catalog database, the shares and recipients are the database's:
  // the file's are only for import-config.
  if (!running.catalog_url) {
    DiffNamed(running.shares, loaded.shares, "share", &plan.applied);
    DiffNamed(running.recipients, loaded.recipients, "recipient", &plan.applied);
    if (running.allow_anonymous != loaded.allow_anonymous) {
      plan.applied.push_back("allowAnonymous: " + Show(running.allow_anonymous) + " -> " +
                             Show(loaded.allow_anonymous));
    }
    plan.effective.shares = loaded.shares;
    plan.effective.recipients = loaded.recipients;
    plan.effective.allow_anonymous = loaded.allow_anonymous;
  }
  plan.effective.warnings = loaded.warnings;
  plan.effective.from_environment = loaded.from_environment;
  return plan;
}

}  // namespace lakeshare
