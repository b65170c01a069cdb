#include "cli/serve_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

namespace lakeshare {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ServeMetricsTest, RoutesAreTheProtocolsPatterns) {
  ServeMetrics m("/delta-sharing", nullptr);
  EXPECT_EQ(m.RouteOf("/delta-sharing/shares"), "shares");
  EXPECT_EQ(m.RouteOf("/delta-sharing/shares/sales/schemas"), "shares/{share}/schemas");
  EXPECT_EQ(m.RouteOf("/delta-sharing/shares/a/schemas/b/tables/c/query"),
            "shares/{share}/schemas/{schema}/tables/{table}/query");
  EXPECT_EQ(m.RouteOf("/delta-sharing/files/abc"), "files");
  EXPECT_EQ(m.RouteOf("/api/v1/shares"), "admin");
  EXPECT_EQ(m.RouteOf("/healthz"), "healthz");
  EXPECT_EQ(m.RouteOf("/metrics"), "metrics");
  EXPECT_EQ(m.RouteOf("/delta-sharing/nope/x"), "other");
  EXPECT_EQ(m.RouteOf("/delta-sharingX/shares"), "other");
  EXPECT_EQ(m.RouteOf(""), "other");
  ServeMetrics root("", nullptr);
  EXPECT_EQ(root.RouteOf("/shares/s/schemas/d/tables"), "shares/{share}/schemas/{schema}/tables");
}

TEST(ServeMetricsTest, CountsRequestsConnectionsAndFileLines) {
  ServeMetrics m("/delta-sharing", nullptr);
  m.OnConnectionOpened();
  m.OnConnectionOpened();
  m.OnConnectionClosed();
  m.OnRequest(
      RequestRecord{"GET", "/delta-sharing/shares", 200, 42, std::chrono::milliseconds(3), true});
  m.OnRequest(RequestRecord{"BREW", "/random/path", 404, 10, std::chrono::seconds(2), true});
  m.OnTlsHandshakeFailed();
  SharingAuditEvent event;
  event.action = "queryTable";
  event.num_files = 7;
  m.Record(event);
  std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("lakeshare_http_requests_total{route=\"shares\",method=\"GET\","
                              "status=\"200\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lakeshare_http_requests_total{route=\"other\",method=\"OTHER\","
                              "status=\"404\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("BREW")));
  EXPECT_THAT(text, Not(HasSubstr("/random")));
  EXPECT_THAT(text, HasSubstr("lakeshare_http_request_duration_seconds_bucket{route=\"shares\","
                              "method=\"GET\",le=\"0.005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lakeshare_http_response_bytes_total{route=\"shares\"} 42\n"));
  EXPECT_THAT(text, HasSubstr("lakeshare_http_open_connections 1\n"));
  EXPECT_THAT(text, HasSubstr("lakeshare_tls_handshake_failures_total 1\n"));
  EXPECT_THAT(text, HasSubstr("lakeshare_file_lines_sent_total{action=\"query\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("lakeshare_build_info{version=\""));
  EXPECT_THAT(text, HasSubstr("# TYPE lakeshare_snapshot_cache_hits_total counter\n"));
}

class RecordingSink : public SharingAuditSink {
 public:
  void Record(SharingAuditEvent event) override { events.push_back(std::move(event)); }
  std::vector<SharingAuditEvent> events;
};

TEST(ServeMetricsTest, PassesAuditEventsOn) {
  auto sink = std::make_shared<RecordingSink>();
  ServeMetrics m("/delta-sharing", sink);
  SharingAuditEvent event;
  event.action = "tableChanges";
  event.num_files = 3;
  event.recipient = "alice";
  m.Record(event);
  ASSERT_EQ(sink->events.size(), 1u);
  EXPECT_EQ(sink->events[0].recipient, "alice");
  EXPECT_THAT(m.Render(), HasSubstr("lakeshare_file_lines_sent_total{action=\"changes\"} 3\n"));
}

}  // namespace
}  // namespace lakeshare
