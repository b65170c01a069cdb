// ServeMetrics: what `lakeshare serve` reports on /metrics (Prometheus text,
// metrics/metrics_registry.h): requests by route, method and status, their
// latency and response bytes, open connections, failed TLS handshakes, file
// lines sent by /query and /changes, the snapshot cache's figures, build
// info (and what the caller adds through registry()). It observes the HTTP server (ServerObserver)
// and the sharing service's audit events (SharingAuditSink, forwarded to `next` when set).
//
// Routes are the protocol's path patterns ("shares/{share}/schemas"), so the
// number of series is bounded whatever paths clients send. Thread-safe; the
// per-request cost is a route match plus relaxed atomic increments.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "metrics/metrics_registry.h"
#include "protocol/sharing_audit.h"
#include "server/server_options.h"

namespace lakeshare {

class ServeMetrics : public ServerObserver, public SharingAuditSink {
 public:
  // `endpoint`: the sharing prefix ("/delta-sharing", or "" for the root).
  ServeMetrics(std::string endpoint, std::shared_ptr<SharingAuditSink> next);

  // The route label of a request path (without its query string).
  std::string RouteOf(std::string_view path) const;

  std::string Render() const { return registry_.Render(); }
  // For figures read at scrape time (e.g. the audit writer's).
  MetricsRegistry& registry() { return registry_; }

  // ServerObserver.
  void OnRequest(const RequestRecord& record) override;
  void OnConnectionOpened() override { open_connections_.Add(1); }
  void OnConnectionClosed() override { open_connections_.Add(-1); }
  void OnTlsHandshakeFailed() override { tls_failures_.Increment(); }
  void OnResponseTimeLimit() override { response_time_limits_.Increment(); }

  // SharingAuditSink.
  void Record(SharingAuditEvent event) override;

 private:
  const std::string endpoint_;
  const std::shared_ptr<SharingAuditSink> next_;
  MetricsRegistry registry_;
  MetricFamily<Counter>& requests_;
  MetricFamily<Histogram>& latency_;
  MetricFamily<Counter>& bytes_;
  MetricFamily<Counter>& file_lines_;
  Gauge& open_connections_;
  Counter& tls_failures_;
  Counter& response_time_limits_;
};

}  // namespace lakeshare
