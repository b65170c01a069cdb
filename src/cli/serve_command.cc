#include "cli/serve_command.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "admin/admin_service.h"
#include "auth/federation.h"
#include "catalog/audit_writer.h"
#include "catalog/catalog_schema.h"
#include "catalog/iceberg_catalog_sync.h"
#include "catalog/sql_catalog.h"
#include "catalog/sql_catalog_admin.h"
#include "catalog/sql_catalog_import.h"
#include "catalog/sql_login_failures.h"
#include "catalog/yaml_catalog.h"
#include "cli/health_endpoints.h"
#include "cli/huge_page_malloc.h"
#include "cli/live_sharing.h"
#include "cli/log_format.h"
#include "cli/serve_metrics.h"
#include "common/crypto.h"
#include "console/console_assets.h"
#include "console/console_handler.h"
#include "protocol/builtin_table_formats.h"
#include "protocol/file_id_digests.h"
#include "protocol/oauth_token_endpoint.h"
#include "protocol/rate_limiter.h"
#include "protocol/sharing_service.h"
#include "server/client_address.h"
#include "server/errors.h"
#include "server/http_server.h"
#include "storage/http_client.h"
#include "storage/local_url_signer.h"
#include "storage/object_store_metrics.h"
#include "storage/storage_registry.h"
#include "table/content_cache.h"
#include "table/snapshot_cache.h"

namespace lakeshare {

namespace {

// The catalog database's pool and latency on /metrics. The registry must
// outlive the database's use (it does: the audit writer, the last user, is
// stopped before serving returns; the database holding the registry's owner
// would make a cycle through the audit sink).
void RegisterDatabaseMetrics(MetricsRegistry& registry, db::Database& database) {
  // Most statements take well under a millisecond: finer buckets than HTTP's.
  const std::vector<double> buckets = {0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                       0.05,   0.1,    0.25,  0.5,    1,     2.5,  10};
  db::DatabaseMetrics m;
  m.seconds = &registry
                   .AddHistogram("lakeshare_db_query_duration_seconds",
                                 "Catalog database calls (a statement or a transaction, retries "
                                 "included).",
                                 buckets)
                   .With({});
  m.pool_wait_seconds =
      &registry
           .AddHistogram("lakeshare_db_pool_wait_seconds",
                         "Waiting for a pooled catalog database connection (or opening one).",
                         buckets)
           .With({});
  m.errors =
      &registry.AddCounter("lakeshare_db_errors_total", "Catalog database calls that failed.")
           .With({});
  database.SetMetrics(m);
  auto pool = [&database](int db::Database::PoolStats::*field) {
    return [&database, field] { return static_cast<double>(database.pool_stats().*field); };
  };
  registry.AddCallback("lakeshare_db_pool_connections_open",
                       "Catalog database connections open (in use or idle).", MetricType::kGauge,
                       pool(&db::Database::PoolStats::open));
  registry.AddCallback("lakeshare_db_pool_connections_idle",
                       "Catalog database connections open and idle.", MetricType::kGauge,
                       pool(&db::Database::PoolStats::idle));
  registry.AddCallback("lakeshare_db_pool_connections_max", "The pool's size.", MetricType::kGauge,
                       pool(&db::Database::PoolStats::max));
  registry.AddCallback(
      "lakeshare_db_retries_total", "Catalog database transactions run again after a conflict.",
      MetricType::kCounter, [&database] { return static_cast<double>(database.retry_count()); });
}

// Client addresses whose token-endpoint rate is tracked at once; past it,
// new addresses share one bucket (protocol/rate_limiter.h).
constexpr size_t kMaxTokenRateAddresses = 16384;

// Fetches identity providers' JWKS documents: short timeouts, one retry (a
// request waits on a fetch only when no keys are known).
std::shared_ptr<HttpClient> IdentityProviderClient() {
  HttpClientOptions o;
  o.connect_timeout_ms = 3000;
  o.request_timeout_ms = 10000;
  o.stall_timeout_ms = 5000;
  o.max_attempts = 2;
  o.max_backoff_ms = 500;
  o.max_pooled_handles = 4;
  return std::make_shared<HttpClient>(o);
}

// Sharing requests into the catalog database's audit log, through the
// background writer (never blocking a request).
class DatabaseAuditSink : public SharingAuditSink {
 public:
  explicit DatabaseAuditSink(std::shared_ptr<AuditWriter> writer) : writer_(std::move(writer)) {}

  void Record(SharingAuditEvent ev) override {
    AuditEntry e;
    e.time_ms = ev.time_ms;
    e.actor_kind = ev.recipient.empty() ? "anonymous" : "recipient";
    if (!ev.recipient.empty()) e.actor_name = std::move(ev.recipient);
    e.action = std::move(ev.action);
    if (!ev.object.empty()) e.object = std::move(ev.object);
    bool aborted = ev.detail.rfind("aborted", 0) == 0;
    e.outcome = aborted                                ? "aborted"
                : ev.status < 400                      ? "ok"
                : ev.status == 401 || ev.status == 403 ? "denied"
                                                       : "error";
    e.detail = std::to_string(ev.status) + (ev.detail.empty() ? "" : " " + ev.detail);
    if (!ev.origin.empty()) *e.detail += " (via " + ev.origin + ")";
    e.num_files = ev.num_files;
    if (!ev.remote_address.empty()) e.remote_address = std::move(ev.remote_address);
    if (!ev.request_id.empty()) e.request_id = std::move(ev.request_id);
    writer_->Submit(std::move(e));
  }

 private:
  std::shared_ptr<AuditWriter> writer_;
};

}  // namespace

Status ConfigureHudiMergeCache(const ServerConfig& config, StorageRegistry& storage) {
  ContentCacheOptions options;
  options.dir = config.hudi_merge_cache;
  if (options.dir.find("://") != std::string::npos) {
    auto normalized = storage.NormalizeLocation(options.dir);
    if (!normalized.ok()) return normalized.status().WithContext("hudi.mergeCache");
    options.dir = *normalized;
    auto backend = storage.ForLocation(options.dir);
    if (!backend.ok()) return backend.status().WithContext("hudi.mergeCache");
    options.storage = backend->storage;
  }
  options.capacity_bytes = config.hudi_merge_cache_bytes;
  options.min_age_ms = std::max<int64_t>(60, config.presigned_url_timeout_seconds) * 1000;
  LS_ASSIGN_OR_RETURN(auto cache, ContentCache::Open(options));
  ContentCache::SetDefault(std::move(cache));
  return Status::OK();
}

namespace {

// How soon a change to the catalog database's Iceberg catalog connections
// made by another replica applies here.
constexpr std::chrono::seconds kIcebergCatalogRefresh{5};

// The settings a reload applies outside the sharing service.
void ApplyProcessSettings(const ServerConfig& config) {
  ConfigureLogging(ParseLogFormat(config.log_format).value_or(LogFormat::kText),
                   ParseLogLevel(config.log_level).value_or(spdlog::level::info));
  SnapshotCache::Global().SetCapacity(config.snapshot_cache_bytes);
  FileIdDigests::Global().SetCapacity(FileIdDigests::CapacityFor(config.snapshot_cache_bytes));
}

}  // namespace

Status RunServer(const ServerConfig& config, const ListeningCallback& on_listening,
                 const ConfigLoader& reload) {
  ApplyProcessSettings(config);
  SnapshotCache::LogLoads(true);
  for (const std::string& warning : config.warnings) spdlog::warn("{}", warning);
  if (!config.from_environment.empty()) {
    std::string names;
    for (const std::string& name : config.from_environment) {
      names += (names.empty() ? "" : ", ") + name;
    }
    spdlog::info("config: set from the environment: {}", names);
  }
  std::string key;
  if (config.url_signing_key) {
    key = *config.url_signing_key;
  } else {
    LS_ASSIGN_OR_RETURN(key, LoadOrCreateSigningKey(config.url_signing_key_file));
  }
  // Independent keys for independent uses of the one secret.
  auto storage = std::make_shared<StorageRegistry>(HmacSha256(key, "local-file-urls"),
                                                   config.storage, CloudEnvironment::FromProcess());
  LS_RETURN_IF_ERROR(storage->Validate());
  LS_RETURN_IF_ERROR(ConfigureHudiMergeCache(config, *storage));
  for (const std::string& line : storage->Describe()) spdlog::info("storage: {}", line);
  spdlog::info("memory: {}", HugePageMallocState());
  HttpClientOptions catalog_http;
  catalog_http.request_timeout_ms = 30000;  // a catalog answers small JSON documents
  auto iceberg_catalogs =
      std::make_shared<CatalogConnections>(config.iceberg_catalogs, CloudEnvironment::FromProcess(),
                                           std::make_shared<HttpClient>(catalog_http));
  LS_RETURN_IF_ERROR(iceberg_catalogs->Validate());
  storage->SetLocationMap(config.iceberg_location_map);
  if (config.presigned_url_timeout_seconds > 7 * 24 * 3600) {
    spdlog::warn(
        "preSignedUrlTimeoutSeconds is {} s, but S3 and GCS pre-signed URLs cannot "
        "live longer than 7 days: theirs are capped at 604800 s",
        config.presigned_url_timeout_seconds);
  }
  LS_RETURN_IF_ERROR(ValidateAddressRanges(config.trusted_proxies, "config: trustedProxies"));
  std::shared_ptr<Catalog> catalog;
  std::shared_ptr<CatalogAdmin> catalog_admin;  // the admin API exists with a database only
  std::shared_ptr<AuditWriter> audit_writer;    // so does the audit log
  std::shared_ptr<db::Database> database;       // for /readyz
  if (config.catalog_url) {
    LS_ASSIGN_OR_RETURN(database, OpenCatalogDatabase(*config.catalog_url));
    catalog = std::make_shared<SqlCatalog>(database, SqlCatalogOptions{config.allow_anonymous});
    catalog_admin = std::make_shared<CatalogAdmin>(database);
    AuditWriterOptions audit_options;
    audit_options.retention = std::chrono::hours(24 * config.audit_retention_days);
    audit_writer = std::make_shared<AuditWriter>(catalog_admin, audit_options);
  } else {
    catalog = std::make_shared<YamlCatalog>(config);
  }
  // The config's catalog logins and the catalog database's, kept current
  // (catalog/iceberg_catalog_sync.h): other replicas' changes within
  // kIcebergCatalogRefresh, this one's admin API's at once.
  auto iceberg_sync = std::make_shared<IcebergCatalogSync>(
      database, config.iceberg_catalogs, CloudEnvironment::FromProcess(),
      std::make_shared<HttpClient>(catalog_http), storage);
  LS_RETURN_IF_ERROR(iceberg_sync->Refresh());
  iceberg_sync->Start(kIcebergCatalogRefresh);

  SharingServiceOptions options;
  options.endpoint = config.endpoint;
  options.public_url = config.public_url;
  options.page_token_key = HmacSha256(key, "list-page-tokens");
  std::shared_ptr<SharingAuditSink> database_audit;
  if (audit_writer && config.audit_sharing_requests) {
    database_audit = std::make_shared<DatabaseAuditSink>(audit_writer);
  }
  // Counts the file lines of answers, and passes the events on to the audit log.
  auto metrics = std::make_shared<ServeMetrics>(config.endpoint, database_audit);
  storage->SetMetrics(std::make_shared<ObjectStoreMetrics>(metrics->registry(), metrics));
  if (database) RegisterDatabaseMetrics(metrics->registry(), *database);
  if (audit_writer) {
    using Stats = AuditWriter::Stats;
    auto audit = [audit_writer](auto field) {
      return [audit_writer, field] { return static_cast<double>(audit_writer->stats().*field); };
    };
    MetricsRegistry& registry = metrics->registry();
    registry.AddCallback("lakeshare_audit_written_total", "Audit log entries written.",
                         MetricType::kCounter, audit(&Stats::written));
    registry.AddCallback("lakeshare_audit_dropped_total",
                         "Audit log entries dropped (queue full, or lost at stop).",
                         MetricType::kCounter, audit(&Stats::dropped));
    registry.AddCallback("lakeshare_audit_failed_batches_total",
                         "Audit log batches the database refused.", MetricType::kCounter,
                         audit(&Stats::failed_batches));
    registry.AddCallback("lakeshare_audit_queue_depth", "Audit log entries waiting to be written.",
                         MetricType::kGauge, audit(&Stats::queued));
  }
  options.audit = config.metrics.enabled ? metrics : database_audit;
  {
    auto& limited = metrics->registry().AddCounter(
        "lakeshare_rate_limited_requests_total",
        "Requests refused with 429: over a recipient's request rate (recipient), over its "
        "concurrent /query and /changes (concurrency), over an address's token-endpoint rate "
        "(token_endpoint).",
        {"scope"});
    options.rate_limited = {&limited.With({"recipient"}), &limited.With({"concurrency"}),
                            &limited.With({"token_endpoint"})};
  }
  if (database) {
    OAuthTokenOptions oauth;
    oauth.access_token_ttl_seconds = config.oauth.access_token_ttl_seconds;
    oauth.max_assertion_lifetime_seconds = config.oauth.max_assertion_lifetime_seconds;
    options.oauth =
        std::make_shared<OAuthTokenEndpoint>(std::make_shared<OAuthClientStore>(database), oauth);
  }

  ServerOptions server_options;
  server_options.address = config.host == "localhost" ? "127.0.0.1" : config.host;
  server_options.port = static_cast<uint16_t>(config.port);
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  server_options.io_threads = config.io_threads > 0 ? config.io_threads : static_cast<int>(cores);
  server_options.worker_threads =
      config.worker_threads > 0 ? config.worker_threads : static_cast<int>(4 * cores + 4);
  server_options.shutdown_grace = std::chrono::seconds(config.shutdown_grace_seconds);
  server_options.max_body_bytes = static_cast<size_t>(config.max_request_body_bytes);
  server_options.max_connections = static_cast<size_t>(config.max_connections);
  server_options.max_pending_body_bytes =
      static_cast<uint64_t>(config.max_pending_request_body_bytes);
  server_options.min_send_rate = static_cast<uint64_t>(config.min_send_bytes_per_second);
  server_options.max_response_time = std::chrono::seconds(config.max_response_seconds);
  server_options.access_log = config.access_log;
  if (config.metrics.enabled) server_options.observer = metrics.get();
  if (config.ssl) {
    server_options.tls.enabled = true;
    server_options.tls.self_signed = config.ssl->self_signed;
    server_options.tls.certificate_file = config.ssl->certificate_file;
    server_options.tls.key_file = config.ssl->certificate_key_file;
    server_options.tls.key_password = config.ssl->certificate_password;
    if (config.host != "localhost" && config.host != "0.0.0.0" && config.host != "::") {
      server_options.tls.self_signed_host = config.host;
    }
  }
  // Signed local file URLs, activation links and the announced URL.
  const std::string scheme = config.ssl ? "https" : "http";
  // The service is made once the bound port is known (its default host);
  // no request is handled before Run(), so the handler never sees it unset.
  // SIGHUP makes a new one from the re-read configuration (live_sharing.h).
  const int worker_threads = server_options.worker_threads;
  // One limiter for the process: a reload changes its default, buckets stay.
  auto rate_limiter = std::make_shared<RateLimiter>(config.rate_limit);
  // So is the token endpoint's, by client address (a bounded table).
  auto token_limiter = std::make_shared<RateLimiter>(config.token_endpoint_rate_limit,
                                                     RateLimiter::Clock(), kMaxTokenRateAddresses);
  // Federation keeps its JWKS caches across reloads that leave it unchanged.
  auto federation = std::make_shared<std::shared_ptr<const Federation>>();
  auto make_service = [&options, &catalog, &storage, worker_threads, rate_limiter, token_limiter,
                       federation](const ServerConfig& cfg) -> std::shared_ptr<SharingService> {
    SharingServiceOptions o = options;
    rate_limiter->SetDefault(cfg.rate_limit);
    o.rate_limiter = rate_limiter;
    token_limiter->SetDefault(cfg.token_endpoint_rate_limit);
    o.token_rate_limiter = token_limiter;
    if (cfg.federation.empty()) {
      federation->reset();
    } else if (!*federation || (*federation)->issuers() != cfg.federation) {
      *federation = std::make_shared<Federation>(cfg.federation, IdentityProviderClient());
    }
    o.federation = *federation;
    o.presigned_url_timeout_seconds = cfg.presigned_url_timeout_seconds;
    // One recipient's costly answers leave the other half of the workers free.
    o.max_concurrent_answers_per_recipient = cfg.max_concurrent_queries_per_recipient > 0
                                                 ? cfg.max_concurrent_queries_per_recipient
                                                 : std::max(2, worker_threads / 2);
    // With a catalog database the shares are the database's; else the file's.
    std::shared_ptr<Catalog> c = cfg.catalog_url ? catalog : std::make_shared<YamlCatalog>(cfg);
    return std::make_shared<SharingService>(std::move(o), std::move(c), storage);
  };
  LiveSharing service(config, reload, make_service, ApplyProcessSettings);
  server_options.on_reload = [&service] { service.Reload(); };
  std::shared_ptr<AdminService> admin;
  const std::vector<std::string>& proxies = config.trusted_proxies;
  // The web console under /console/ (src/console): read-only with a YAML catalog.
  const ConsoleHandler console(ConsoleOptions::For(config.catalog_url, config.endpoint),
                               EmbeddedConsoleAssets());
  // /metrics on this listener unless it has its own.
  const bool metrics_here = config.metrics.enabled && !config.metrics.listen_host;
  HttpServer* running = nullptr;  // set once the server exists
  HealthEndpoints health(database, [&running] { return running && running->stopping(); });
  auto metrics_response = [&metrics] {
    HttpResponse r;
    r.SetHeader("Content-Type", std::string(kPrometheusContentType));
    r.SetHeader("Cache-Control", "no-store");
    r.body = metrics->Render();
    return r;
  };
  // A sharing request without a valid token, or an admin API request
  // without a valid session, is refused before its body is read.
  server_options.head_check = [&service, &admin,
                               &proxies](HttpRequest& head) -> std::optional<HttpResponse> {
    if (!proxies.empty()) {  // `head` is the check's copy: the handler converts its own
      head.remote_address =
          ClientAddress(head.remote_address, head.Header("x-forwarded-for"), proxies);
    }
    if (admin && head.path.rfind("/api/v1/", 0) == 0) return admin->CheckHead(head);
    return service.CheckHead(head);
  };
  HttpServer server(server_options, [&service, &admin, &proxies, &console, &health, metrics_here,
                                     &metrics_response](HttpRequest& request) {
    if (HealthEndpoints::Serves(request.path)) return health.Handle(request);
    if (metrics_here && request.path == "/metrics") return metrics_response();
    if (!proxies.empty()) {
      request.remote_address =
          ClientAddress(request.remote_address, request.Header("x-forwarded-for"), proxies);
    }
    if (ConsoleHandler::Serves(request.path)) return console.Handle(request);
    if (admin && request.path.rfind("/api/v1/", 0) == 0) return admin->Handle(request);
    return service.Handle(request);
  });
  running = &server;
  LS_RETURN_IF_ERROR(server.Start());
  // The metrics listener: plain HTTP, /metrics and the health endpoints only.
  std::optional<HttpServer> metrics_server;
  if (config.metrics.enabled && config.metrics.listen_host) {
    ServerOptions metrics_options;
    metrics_options.address = *config.metrics.listen_host;
    metrics_options.port = static_cast<uint16_t>(config.metrics.listen_port);
    metrics_options.io_threads = 1;
    metrics_options.worker_threads = 2;
    metrics_options.max_connections = 64;
    metrics_options.access_log = false;
    metrics_server.emplace(metrics_options, [&health, &metrics_response](HttpRequest& request) {
      if (HealthEndpoints::Serves(request.path)) return health.Handle(request);
      if (request.path == "/metrics") return metrics_response();
      return ErrorResponse(404, "ENDPOINT_NOT_FOUND", "this listener serves /metrics only");
    });
    LS_RETURN_IF_ERROR(metrics_server->Start());
    spdlog::info("metrics on http://{}:{}/metrics", metrics_options.address,
                 metrics_server->port());
  }
  std::thread metrics_thread;
  if (metrics_server) metrics_thread = std::thread([&metrics_server] { metrics_server->Run(); });
  std::string host_port = server_options.address + ":" + std::to_string(server.port());
  if (server_options.address.find(':') != std::string::npos) {
    host_port = "[" + server_options.address + "]:" + std::to_string(server.port());
  }
  options.default_host = host_port;
  service.Start();
  if (catalog_admin) {
    AdminServiceOptions admin_options;
    admin_options.public_endpoint_url =
        config.public_url ? *config.public_url : scheme + "://" + host_port;
    admin_options.sharing_prefix = config.endpoint;
    admin_options.csrf_key = HmacSha256(key, "admin-csrf-tokens");
    admin_options.denied_audit = audit_writer;
    admin_options.config_iceberg_catalogs = config.iceberg_catalogs;
    admin_options.iceberg_catalogs_changed = [iceberg_sync] { (void)iceberg_sync->Refresh(); };
    // The console's table checks read through the same storage settings.
    admin_options.tables = std::make_shared<TableInspector>(storage, BuiltinTableFormats());
    // Failed logins counted in the database: replicas share the counts.
    admin_options.login_throttle.store = std::make_shared<SqlLoginFailures>(database);
    admin = std::make_shared<AdminService>(catalog_admin, admin_options);
  }
  server.RunUntilSignal([&] {
    spdlog::info("lakeshare listening on {}://{}{}", scheme, host_port, config.endpoint);
    if (on_listening) on_listening(scheme + "://" + host_port + config.endpoint);
  });
  if (metrics_server) {
    metrics_server->Stop();
    metrics_thread.join();
  }
  // Requests are over: what the audit queue still holds goes to the database.
  if (audit_writer) audit_writer->Stop();
  spdlog::info("lakeshare stopped");
  return Status::OK();
}

Result<std::string> ImportConfigIntoDatabase(const ServerConfig& config, bool check) {
  if (!config.catalog_url) {
    return Status::InvalidArgument("the config has no 'catalogUrl' to import into");
  }
  if (check) {
    auto storage = std::make_shared<StorageRegistry>("unused: no URLs are signed", config.storage,
                                                     CloudEnvironment::FromProcess());
    // Hudi tables with log files are read through the merge cache, as served.
    LS_RETURN_IF_ERROR(ConfigureHudiMergeCache(config, *storage));
    storage->SetLocationMap(config.iceberg_location_map);  // as served
    // REST and Glue tables are read with the config's catalog logins, as served.
    auto catalogs = std::make_shared<CatalogConnections>(
        config.iceberg_catalogs, CloudEnvironment::FromProcess(), storage->http());
    LS_RETURN_IF_ERROR(catalogs->Validate());
    storage->SetCatalogConnections(catalogs);
    TableInspector inspector(storage, BuiltinTableFormats(), {.max_concurrent = 1});
    std::string problems;
    for (const ShareConfig& share : config.shares) {
      for (const SchemaConfig& schema : share.schemas) {
        for (const TableConfig& table : schema.tables) {
          auto read = inspector.Inspect(table.location, table.format, std::nullopt,
                                        SharedTableOptions(table.hudi_view, table.location_map));
          if (read.ok()) continue;
          problems += "\n  " + share.name + "." + schema.name + "." + table.name + ": " +
                      std::string(read.status().message());
        }
      }
    }
    if (!problems.empty()) {
      return Status::FailedPrecondition(
          "nothing imported: these tables cannot be read (--no-check imports them anyway):" +
          problems);
    }
  }
  LS_ASSIGN_OR_RETURN(auto database, OpenCatalogDatabase(*config.catalog_url));
  LS_ASSIGN_OR_RETURN(ImportSummary s, ImportServerConfig(*database, config));
  std::string out = "{\"sharesCreated\":" + std::to_string(s.shares_created) +
                    ",\"sharesUpdated\":" + std::to_string(s.shares_updated) +
                    ",\"tablesCreated\":" + std::to_string(s.tables_created) +
                    ",\"tablesUpdated\":" + std::to_string(s.tables_updated) +
                    ",\"recipientsCreated\":" + std::to_string(s.recipients_created) +
                    ",\"tokensAdded\":" + std::to_string(s.tokens_added) +
                    ",\"grantsAdded\":" + std::to_string(s.grants_added) +
                    ",\"icebergCatalogsCreated\":" + std::to_string(s.iceberg_catalogs_created) +
                    ",\"icebergCatalogsUpdated\":" + std::to_string(s.iceberg_catalogs_updated) +
                    ",\"changes\":" + std::to_string(s.changes()) + "}";
  return out;
}

Status CreateAdminUser(const ServerConfig& config, const std::string& name,
                       const std::string& password, bool viewer) {
  if (!config.catalog_url) {
    return Status::InvalidArgument("admin users live in the catalog database: set 'catalogUrl'");
  }
  if (password.size() < 12) {
    return Status::InvalidArgument("the password must have at least 12 characters");
  }
  LS_ASSIGN_OR_RETURN(auto database, OpenCatalogDatabase(*config.catalog_url));
  CatalogAdmin admin(database);
  return admin.CreateAdminUser(name, password, viewer ? AdminRole::kViewer : AdminRole::kAdmin)
      .status();
}

}  // namespace lakeshare
