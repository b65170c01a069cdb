#include "cli/serve_metrics.h"

#include <array>
#include <chrono>
#include <vector>

#include "common/strings.h"
#include "console/console_handler.h"
#include "protocol/sharing_routes.h"
#include "table/snapshot_cache.h"
#include "table/snapshot_cache_stats.h"

namespace lakeshare {

namespace {

std::string MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",    "HEAD",  "POST",   "PUT",
                                                             "DELETE", "PATCH", "OPTIONS"};
  for (std::string_view known : kKnown) {
    if (method == known) return std::string(known);
  }
  return "OTHER";  // any token is a method: keep the label set bounded
}

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

}  // namespace

ServeMetrics::ServeMetrics(std::string endpoint, std::shared_ptr<SharingAuditSink> next)
    : endpoint_(std::move(endpoint)),
      next_(std::move(next)),
      requests_(registry_.AddCounter("lakeshare_http_requests_total",
                                     "HTTP requests answered, by route, method and status.",
                                     {"route", "method", "status"})),
      latency_(registry_.AddHistogram("lakeshare_http_request_duration_seconds",
                                      "From the request's first byte to its response's last.",
                                      LatencyBuckets(), {"route", "method"})),
      bytes_(registry_.AddCounter("lakeshare_http_response_bytes_total",
                                  "Response body bytes written, by route.", {"route"})),
      file_lines_(registry_.AddCounter("lakeshare_file_lines_sent_total",
                                       "File lines sent in query and changes answers.",
                                       {"action"})),
      open_connections_(
          registry_.AddGauge("lakeshare_http_open_connections", "Client connections open now.")
              .With({})),
      tls_failures_(registry_
                        .AddCounter("lakeshare_tls_handshake_failures_total",
                                    "TLS handshakes that failed or timed out.")
                        .With({})),
      response_time_limits_(registry_
                                .AddCounter("lakeshare_http_response_time_limit_total",
                                            "Responses cut off at maxResponseSeconds.")
                                .With({})) {
  registry_.AddGauge("lakeshare_build_info", "Always 1; the version is a label.", {"version"})
      .With({LAKESHARE_VERSION})
      .Set(1);
  auto cache = [](uint64_t SnapshotCacheStats::*field) {
    return [field] { return static_cast<double>(ProcessSnapshotCacheStats().*field); };
  };
  registry_.AddCallback("lakeshare_snapshot_cache_hits_total",
                        "Snapshot lookups that found a cached snapshot.", MetricType::kCounter,
                        cache(&SnapshotCacheStats::hits));
  registry_.AddCallback("lakeshare_snapshot_cache_misses_total",
                        "Snapshot lookups that found none.", MetricType::kCounter,
                        cache(&SnapshotCacheStats::misses));
  registry_.AddCallback("lakeshare_snapshot_cache_loads_total", "Snapshots loaded into the cache.",
                        MetricType::kCounter, cache(&SnapshotCacheStats::loads));
  registry_.AddCallback("lakeshare_snapshot_cache_evictions_total",
                        "Snapshots evicted by the cache's bound.", MetricType::kCounter,
                        cache(&SnapshotCacheStats::evictions));
  registry_.AddCallback("lakeshare_snapshot_cache_bytes",
                        "Estimated bytes the cached snapshots hold.", MetricType::kGauge,
                        [] { return static_cast<double>(SnapshotCache::Global().bytes()); });
  registry_.AddCallback("lakeshare_snapshot_cache_entries", "Snapshots cached.", MetricType::kGauge,
                        [] { return static_cast<double>(SnapshotCache::Global().size()); });
  registry_.AddCallback("lakeshare_snapshot_cache_capacity_bytes",
                        "The cache's bound (snapshotCacheBytes).", MetricType::kGauge,
                        [] { return static_cast<double>(SnapshotCache::Global().capacity()); });
}

std::string ServeMetrics::RouteOf(std::string_view path) const {
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    return std::string(path.substr(1));
  }
  if (path.rfind("/api/v1/", 0) == 0) return "admin";
  if (ConsoleHandler::Serves(path)) return "console";
  if (path.size() > endpoint_.size() && path.compare(0, endpoint_.size(), endpoint_) == 0 &&
      path[endpoint_.size()] == '/') {
    std::string_view rest = path.substr(endpoint_.size() + 1);
    if (rest.rfind("files/", 0) == 0) return "files";
    if (std::optional<RouteMatch> match = MatchSharingRoute(Segments(rest))) {
      if (!match->routes.empty()) return std::string(match->routes.front()->pattern);
    }
  }
  return "other";
}

void ServeMetrics::OnRequest(const RequestRecord& record) {
  std::string route = RouteOf(record.path);
  std::string method = MethodLabel(record.method);
  int status = record.status >= 100 && record.status <= 999 ? record.status : 0;
  requests_.With({route, method, std::to_string(status)}).Increment();
  latency_.With({route, method}).Observe(std::chrono::duration<double>(record.duration).count());
  bytes_.With({route}).Increment(record.body_bytes);
}

void ServeMetrics::Record(SharingAuditEvent event) {
  if (event.num_files && *event.num_files > 0) {
    file_lines_.With({event.action == "tableChanges" ? "changes" : "query"})
        .Increment(static_cast<uint64_t>(*event.num_files));
  }
  if (next_) next_->Record(std::move(event));
}

}  // namespace lakeshare
