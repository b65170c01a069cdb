// The server's YAML configuration: a superset of the reference Delta Sharing
// server's file (version, shares → schemas → tables, authorization.bearerToken,
// host, port, endpoint, preSignedUrlTimeoutSeconds) plus lakeshare's own keys
// (recipients, table format, publicUrl, signing key, limits, ssl, metrics).
// An unknown key is an error naming it and the nearest known key (a misspelt
// setting must not be silently dropped); the reference server's keys that
// lakeshare does not use are accepted with a warning (`warnings`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/federation.h"
#include "common/status.h"
#include "common/token_bucket.h"
#include "config/config_env.h"
#include "storage/cloud_config.h"

namespace lakeshare {

struct TableConfig {
  std::string name;
  std::string location;  // absolute (relative paths are resolved against the config folder)
  std::optional<std::string> id;
  std::string format = "delta";
  bool history_shared = false;
  int64_t start_version = 0;
  // Hudi tables: "snapshot" (default: log files applied) or "read_optimized"
  // (base files only).
  std::string hudi_view = "snapshot";
  // Iceberg tables: recorded location prefixes -> real locations
  // (`locationMap:`), over the global `icebergLocationMap:`.
  std::vector<std::pair<std::string, std::string>> location_map;
};

struct SchemaConfig {
  std::string name;
  std::vector<TableConfig> tables;
};

struct ShareConfig {
  std::string name;
  std::optional<std::string> id;
  std::optional<std::string> display_name;
  std::optional<std::string> comment;
  std::vector<SchemaConfig> schemas;
};

struct RecipientConfig {
  std::string name;
  std::string token_hash;                // "sha256:<hex>"
  std::vector<std::string> shares;       // share names; "*" = all
  std::optional<int64_t> expiration_ms;  // token expiry
  std::optional<RateLimit> rate_limit;   // its own, replacing the default
};

// `ssl:` as the reference server spells it: HTTPS on the one listener.
struct SslConfig {
  bool self_signed = false;
  std::string certificate_file;      // absolute (resolved against the config folder)
  std::string certificate_key_file;  // absolute
  std::string certificate_password;  // secret: never log it
};

// `metrics:` — where /metrics is served: on the main listener (default), or
// on its own listener (`listen: host:port`), then only there.
struct MetricsConfig {
  bool enabled = true;
  std::optional<std::string> listen_host;
  int listen_port = 0;
};

// `oauth:` — the OAuth token endpoint of a catalog database
// (protocol/oauth_token_endpoint.h).
struct OAuthConfig {
  int64_t access_token_ttl_seconds = 3600;
  int64_t max_assertion_lifetime_seconds = 300;
};

struct ServerConfig {
  std::string config_path;  // absolute path of the file this came from ("" if parsed from text)
  std::string host = "localhost";
  int port = 80;
  std::string endpoint = "/delta-sharing";  // normalized: leading '/', no trailing '/'
  int64_t presigned_url_timeout_seconds = 3600;
  std::optional<std::string> public_url;       // base of server-signed file URLs (no trailing '/')
  std::optional<std::string> url_signing_key;  // literal secret
  std::string url_signing_key_file;            // default: beside the config
  int64_t max_request_body_bytes = 1 << 20;
  // What clients together may make the HTTP server hold (server_options.h).
  int64_t max_connections = 10000;
  int64_t max_pending_request_body_bytes = int64_t{64} << 20;  // 0: no bound
  int64_t min_send_bytes_per_second = 32 * 1024;               // 0: off
  int64_t max_response_seconds = 600;                          // 0: no bound
  // Bound of the process-wide snapshot cache (estimated bytes; 0 disables it).
  int64_t snapshot_cache_bytes = int64_t{1} << 30;
  // `hudi:` — where merged Hudi file slices are written (a local folder;
  // default: hudi-merge-cache beside the config) and its bound in bytes.
  std::string hudi_merge_cache;
  int64_t hudi_merge_cache_bytes = int64_t{10} << 30;
  int io_threads = 0;      // 0 = automatic
  int worker_threads = 0;  // 0 = automatic
  // /query and /changes answers one recipient may have in progress at once;
  // more get a 429. 0 = automatic: half the worker threads (at least 2).
  int max_concurrent_queries_per_recipient = 0;
  // `rateLimit:` — each recipient's default request rate (token bucket,
  // protocol/rate_limiter.h); requestsPerSecond 0 = unlimited. A recipient's
  // own (YAML `rateLimit:` or the catalog database's) replaces it.
  RateLimit rate_limit;
  // `tokenEndpointRateLimit:` — requests to {endpoint}/oauth/token per
  // client address (IPv6: per /64); requestsPerSecond 0 = unlimited.
  RateLimit token_endpoint_rate_limit{5, 20};
  bool access_log = true;
  std::string log_format = "text";  // text | json (cli/log_format.h)
  std::string log_level = "info";   // trace, debug, info, warn, error, critical, off
  // SIGTERM/SIGINT: in-flight requests get this long before connections are
  // closed (then the audit queue is flushed). Below Kubernetes'
  // terminationGracePeriodSeconds (30 s by default) so a pod drains.
  int64_t shutdown_grace_seconds = 25;
  bool allow_anonymous = false;
  // When set, shares, recipients and tokens live in this database
  // ("sqlite:<path>" or "postgresql://...") instead of this file.
  std::optional<std::string> catalog_url;
  // Peers (addresses or CIDR ranges) whose X-Forwarded-For header names the
  // client's address (for IP allow-lists and the audit log); empty: none.
  std::vector<std::string> trusted_proxies;
  // With a catalog database: record every sharing request in its audit log.
  bool audit_sharing_requests = true;
  // With a catalog database: audit entries older than this many days are
  // deleted in the background; 0 keeps them forever.
  int64_t audit_retention_days = 365;

  std::optional<SslConfig> ssl;       // set: the listener speaks HTTPS only
  std::vector<std::string> warnings;  // for the log: keys accepted but ignored
  // Names of the LAKESHARE_* variables that set keys (config_env.h); never values.
  std::vector<std::string> from_environment;
  MetricsConfig metrics;
  OAuthConfig oauth;
  // `federation:` — identity providers whose JWTs are bearer tokens
  // (config/federation_config.h).
  std::vector<FederationIssuerConfig> federation;

  std::vector<ShareConfig> shares;
  std::vector<RecipientConfig> recipients;  // incl. the one made from authorization.bearerToken
  // Credentials and endpoints of cloud storage locations (`storage:`). Holds
  // secrets: never log it.
  std::vector<StorageLocationConfig> storage;
  // `icebergCatalogs:` — Iceberg catalog services and how to log in to them
  // (storage/catalog_connections.h). Holds secrets: never log it.
  std::vector<CatalogConnectionConfig> iceberg_catalogs;
  // `icebergLocationMap:` — recorded location prefixes of Iceberg tables and
  // the real locations they stand for, for every Iceberg table.
  std::vector<std::pair<std::string, std::string>> iceberg_location_map;
};

// Parses YAML text, with the settings of `env` over it (config_env.h).
// `base_dir` resolves relative table locations and the default key file.
// Errors are kInvalidArgument naming the key and line.
Result<ServerConfig> ParseServerConfig(const std::string& yaml_text, const std::string& base_dir,
                                       const ConfigEnvironment& env = {});
// Reads and parses a file (kNotFound if it does not exist), with the
// process's LAKESHARE_* variables over it.
Result<ServerConfig> LoadServerConfig(const std::string& path);

}  // namespace lakeshare
