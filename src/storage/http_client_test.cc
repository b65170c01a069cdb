#include "storage/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "storage/object_store_metrics.h"
#include "testing/status_matchers.h"
#include "testing/test_http_server.h"

namespace lakeshare {
namespace {

using testing::TestHttpServer;

HttpClientOptions Fast() {
  HttpClientOptions o;
  o.initial_backoff_ms = 1;
  o.max_backoff_ms = 5;
  o.connect_timeout_ms = 2000;
  o.request_timeout_ms = 5000;
  return o;
}

HttpCall Get(const std::string& url) {
  HttpCall c;
  c.url = url;
  c.what = "test://object";
  return c;
}

TEST(HttpClientTest, ReusesOneConnection) {
  TestHttpServer server([](const auto& r) {
    TestHttpServer::Response resp;
    resp.body = "hello " + r.target;
    return resp;
  });
  HttpClient client(Fast());
  for (int i = 0; i < 10; ++i) {
    auto a = client.Send(Get(server.base_url() + "/x" + std::to_string(i)));
    ASSERT_OK(a);
    EXPECT_EQ(a->status, 200);
    EXPECT_EQ(a->body, "hello /x" + std::to_string(i));
    EXPECT_EQ(a->attempts, 1);
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(client.stats().requests, 10);
  EXPECT_EQ(client.stats().connections_opened, 1);
}

TEST(HttpClientTest, SendsMethodHeadersAndBody) {
  TestHttpServer server([](const auto& r) {
    TestHttpServer::Response resp;
    resp.headers.emplace_back("X-Echo", r.method + " " + r.headers.at("x-a") + " " + r.body);
    return resp;
  });
  HttpClient client(Fast());
  HttpCall c = Get(server.base_url() + "/p?q=1");
  c.method = "PUT";
  c.body = "payload";
  c.headers.emplace_back("X-A", "b");
  auto a = client.Send(c);
  ASSERT_OK(a);
  ASSERT_NE(a->Header("x-echo"), nullptr);
  EXPECT_EQ(*a->Header("x-echo"), "PUT b payload");
  EXPECT_EQ(server.received().at(0).target, "/p?q=1");
  c.method = "HEAD";
  c.body.clear();
  a = client.Send(c);
  ASSERT_OK(a);
  EXPECT_EQ(server.received().at(1).method, "HEAD");
}

TEST(HttpClientTest, RetriesThrottlingThenSucceeds) {
  for (int status : {503, 429, 500, 502, 504}) {
    std::atomic<int> n{0};
    TestHttpServer server([&](const auto&) {
      TestHttpServer::Response resp;
      if (n++ < 2) {
        resp.status = status;
        resp.body = "<Error><Code>SlowDown</Code></Error>";
      } else {
        resp.body = "ok";
      }
      return resp;
    });
    HttpClient client(Fast());
    auto a = client.Send(Get(server.base_url() + "/t"));
    ASSERT_OK(a);
    EXPECT_EQ(a->status, 200) << status;
    EXPECT_EQ(a->body, "ok");
    EXPECT_EQ(a->attempts, 3);
    EXPECT_EQ(client.stats().retries, 2);
  }
}

TEST(HttpClientTest, RetriesAreBounded) {
  TestHttpServer server([](const auto&) {
    TestHttpServer::Response resp;
    resp.status = 503;
    return resp;
  });
  HttpClientOptions o = Fast();
  o.max_attempts = 3;
  HttpClient client(o);
  auto a = client.Send(Get(server.base_url() + "/t"));
  ASSERT_OK(a);
  EXPECT_EQ(a->status, 503);
  EXPECT_EQ(a->attempts, 3);
  EXPECT_EQ(server.requests(), 3);
}

TEST(HttpClientTest, NeverRetriesOtherClientErrors) {
  for (int status : {400, 403, 404, 409, 416}) {
    TestHttpServer server([&](const auto&) {
      TestHttpServer::Response resp;
      resp.status = status;
      return resp;
    });
    HttpClient client(Fast());
    auto a = client.Send(Get(server.base_url() + "/t"));
    ASSERT_OK(a);
    EXPECT_EQ(a->status, status);
    EXPECT_EQ(server.requests(), 1) << status;
  }
}

TEST(HttpClientTest, RetriesDroppedConnections) {
  std::atomic<int> n{0};
  TestHttpServer server([&](const auto&) {
    TestHttpServer::Response resp;
    resp.drop = n++ == 0;
    resp.body = "second time";
    return resp;
  });
  HttpClient client(Fast());
  auto a = client.Send(Get(server.base_url() + "/t"));
  ASSERT_OK(a);
  EXPECT_EQ(a->body, "second time");
  EXPECT_EQ(a->attempts, 2);
}

TEST(HttpClientTest, TruncatedBodyIsAnIOErrorAfterRetries) {
  TestHttpServer server([](const auto&) {
    TestHttpServer::Response resp;
    resp.body = std::string(1000, 'x');
    resp.truncate_at = 300;
    return resp;
  });
  HttpClientOptions o = Fast();
  o.max_attempts = 2;
  HttpClient client(o);
  auto a = client.Send(Get(server.base_url() + "/t"));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kIOError);
  EXPECT_NE(a.status().message().find("truncated"), std::string::npos) << a.status();
  EXPECT_NE(a.status().message().find("test://object"), std::string::npos);
  EXPECT_EQ(server.requests(), 2);
}

TEST(HttpClientTest, SlowAnswerTimesOut) {
  TestHttpServer server([](const auto&) {
    TestHttpServer::Response resp;
    resp.delay_ms = 3000;
    return resp;
  });
  HttpClientOptions o = Fast();
  o.request_timeout_ms = 200;
  o.max_attempts = 2;
  HttpClient client(o);
  auto a = client.Send(Get(server.base_url() + "/t"));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kUnavailable) << a.status();
  EXPECT_NE(a.status().message().find("in time"), std::string::npos) << a.status();
  EXPECT_EQ(server.requests(), 2);
}

TEST(HttpClientTest, UnreachableStoreNamesTheLocationNotTheUrl) {
  int port;
  {
    TestHttpServer closed([](const auto&) { return TestHttpServer::Response{}; });
    port = closed.port();
  }
  HttpClientOptions o = Fast();
  o.max_attempts = 2;
  HttpClient client(o);
  auto a = client.Send(Get("http://127.0.0.1:" + std::to_string(port) + "/k?sig=SECRET-SIG"));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kUnavailable) << a.status();
  EXPECT_NE(a.status().message().find("test://object"), std::string::npos);
  EXPECT_EQ(a.status().message().find("SECRET"), std::string::npos);
  EXPECT_EQ(a.status().message().find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(client.stats().requests, 2);
}

TEST(HttpClientTest, RefusesBodiesOverTheLimit) {
  TestHttpServer server([](const auto&) {
    TestHttpServer::Response resp;
    resp.body = std::string(100000, 'y');
    return resp;
  });
  HttpClient client(Fast());
  HttpCall c = Get(server.base_url() + "/big");
  c.max_response_bytes = 1000;
  auto a = client.Send(c);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(server.requests(), 1);
}

TEST(HttpClientTest, ConcurrentRequestsShareThePool) {
  TestHttpServer server([](const auto& r) {
    TestHttpServer::Response resp;
    resp.body = r.target;
    return resp;
  });
  HttpClient client(Fast());
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        auto a = client.Send(Get(server.base_url() + path));
        if (a.ok() && a->body == path) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 200);
  EXPECT_LE(server.connections(), 8 + 1);
}

TEST(HttpClientTest, MakerIsAskedEveryAttempt) {
  std::atomic<int> n{0};
  TestHttpServer server([&](const auto& r) {
    TestHttpServer::Response resp;
    resp.status = n++ == 0 ? 503 : 200;
    resp.body = r.target;
    return resp;
  });
  HttpClient client(Fast());
  int made = 0;
  auto a = client.Send([&]() -> Result<HttpCall> {
    ++made;
    return Get(server.base_url() + "/attempt" + std::to_string(made));
  });
  ASSERT_OK(a);
  EXPECT_EQ(made, 2);
  EXPECT_EQ(a->body, "/attempt2");
}

}  // namespace
}  // namespace lakeshare

namespace lakeshare {
namespace {

TEST(HttpClientMetricsTest, CountsAttemptsRetriesAndFailuresPerCall) {
  std::atomic<int> n{0};
  testing::TestHttpServer server([&](const auto& r) {
    testing::TestHttpServer::Response resp;
    if (r.target == "/flaky" && n++ < 2) resp.status = 503;
    if (r.target == "/down") resp.status = 500;
    if (r.target == "/missing") resp.status = 404;
    return resp;
  });
  MetricsRegistry registry;
  ObjectStoreMetrics metrics(registry);
  HttpClientOptions o = Fast();
  o.max_attempts = 3;
  HttpClient client(o);
  auto send = [&](const std::string& path, const char* backend) {
    HttpCall c = Get(server.base_url() + path);
    c.metrics = metrics.For(backend);
    return client.Send(c);
  };
  ASSERT_OK(send("/flaky", "s3"));    // 3 attempts, 2 retries, succeeds
  ASSERT_OK(send("/down", "s3"));     // 3 attempts, 2 retries, fails in the end
  ASSERT_OK(send("/missing", "s3"));  // a 404 is an answer, not a store error
  ASSERT_OK(send("/ok", "azure"));
  const HttpClientMetrics* s3 = metrics.For("s3");
  EXPECT_EQ(s3->requests->value(), 7u);
  EXPECT_EQ(s3->retries->value(), 4u);
  EXPECT_EQ(s3->errors->value(), 1u);
  EXPECT_EQ(s3->seconds->count(), 7u);
  EXPECT_EQ(metrics.For("azure")->requests->value(), 1u);
  EXPECT_EQ(metrics.For("azure")->errors->value(), 0u);
  EXPECT_EQ(metrics.For("gcs")->requests->value(), 0u);
  // A store nobody listens on: one failure, whatever the attempts.
  HttpCall gone = Get("http://127.0.0.1:1/x");
  gone.metrics = metrics.For("gcs");
  EXPECT_FALSE(client.Send(gone).ok());
  EXPECT_EQ(metrics.For("gcs")->requests->value(), 3u);
  EXPECT_EQ(metrics.For("gcs")->errors->value(), 1u);
  // Rendered by backend.
  std::string text = registry.Render();
  EXPECT_NE(text.find("lakeshare_object_store_requests_total{backend=\"s3\"} 7"), std::string::npos)
      << text;
  EXPECT_NE(text.find("lakeshare_object_store_errors_total{backend=\"gcs\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace lakeshare
