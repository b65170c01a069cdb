#include "server/connection_limits.h"

#include <gtest/gtest.h>

#include "server/http_test_util.h"

namespace lakeshare {
namespace {

using namespace ::lakeshare::testing;  // NOLINT(google-build-using-namespace): test helpers

TEST(ConnectionLimitsTest, ContentLengthTooLargeIs413) {
  TestServer s;  // max_body_bytes = 1024
  Client c(s.port());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" +
                     std::string(5000, 'x')));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_NE(r->body.find("\"errorCode\":\"REQUEST_TOO_LARGE\""), std::string::npos) << r->body;
  EXPECT_TRUE(c.WaitClosed(5s));

  auto ok = Fetch(s.port(), PostRequest("/echo", std::string(1024, 'y')));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(ConnectionLimitsTest, ChunkedBodyCountedAgainstLimit) {
  TestServer s;  // max_body_bytes = 1024
  {
    // 3 chunks of 400 bytes = 1200 decoded bytes, each chunk below the limit.
    std::string req = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) req += "190\r\n" + std::string(400, 'z') + "\r\n";
    req += "0\r\n\r\n";
    auto r = Fetch(s.port(), req);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  {
    std::string req = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    req += "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    auto r = Fetch(s.port(), req);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->body.find("body=hello world"), std::string::npos);
  }
}

TEST(ConnectionLimitsTest, HeaderBombIs431) {
  TestServer s;  // max_header_bytes = 16 KiB
  std::string headers;
  for (int i = 0; i < 1000; ++i)
    headers += "X-H" + std::to_string(i) + ": " + std::string(30, 'v') + "\r\n";
  Client c(s.port());
  c.Send(GetRequest("/echo", headers));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.WaitClosed(5s));
}

TEST(ConnectionLimitsTest, IdleTimeoutClosesConnection) {
  ServerOptions o = TestOptions();
  o.idle_timeout = 1s;
  TestServer s(o);
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/echo")));
  ASSERT_TRUE(c.Read());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitClosed(5s));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 800ms);
  EXPECT_TRUE(c.buffered().empty());  // closed silently, no 408

  Client silent(s.port());  // connects and never sends
  EXPECT_TRUE(silent.WaitClosed(5s));
}

TEST(ConnectionLimitsTest, SlowRequestGets408) {
  ServerOptions o = TestOptions();
  o.read_timeout = 1s;
  TestServer s(o);
  Client c(s.port());
  ASSERT_TRUE(c.Send("GET /echo HTTP/1.1\r\nHost: t\r\n"));  // header never finished
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.WaitClosed(5s));

  Client body(s.port());
  ASSERT_TRUE(body.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  auto r2 = body.Read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 408);
}

// Sends `bytes` in slices until the server stops taking them (it answered and
// closed); a send error is expected then.
void SendUntilRefused(Client* c, const std::string& bytes) {
  for (size_t at = 0; at < bytes.size(); at += 4096) {
    if (!c->Send(std::string_view(bytes).substr(at, 4096))) return;
  }
}

TEST(ConnectionLimitsTest, EndlessChunkExtensionIs431) {
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2;e="));
  SendUntilRefused(&c, std::string(1 << 20, 'e'));  // the chunk-size line never ends
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(r->Header("connection"), "close");
}

TEST(ConnectionLimitsTest, EndlessTrailerSectionIs431) {
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
             "2\r\nhi\r\n0\r\n"));
  std::string trailers;
  for (int i = 0; i < 20000; ++i) trailers += "X-T" + std::to_string(i) + ": v\r\n";
  SendUntilRefused(&c, trailers);
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
}

// A trailer field over 64 KiB made Beast throw inside the io loop: no
// response at all. Now it is refused like a header too large.
TEST(ConnectionLimitsTest, HugeTrailerFieldIs431NotAnException) {
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
             "2\r\nhi\r\n0\r\nX-Big: "));
  SendUntilRefused(&c, std::string(70 * 1024, 'b') + "\r\n\r\n");
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  auto ok = Fetch(s.port(), GetRequest("/echo"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(ConnectionLimitsTest, PipelinedRequestsStillFitTheReadBuffer) {
  TestServer s;
  Client c(s.port());
  std::string burst;
  for (int i = 0; i < 200; ++i) burst += GetRequest("/echo?n=" + std::to_string(i));
  ASSERT_TRUE(c.Send(burst));
  for (int i = 0; i < 200; ++i) {
    auto r = c.Read();
    ASSERT_TRUE(r) << i;
    ASSERT_EQ(r->status, 200);
    ASSERT_NE(r->body.find("q:n=" + std::to_string(i) + "\n"), std::string::npos);
  }
}

TEST(ConnectionLimitsTest, SlowReaderIsCutOffAtTheMinimumRate) {
  ServerOptions o = TestOptions();
  o.min_send_rate = 1024 * 1024;  // write_timeout stays 60 s
  TestServer s(o);
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/stream")));  // endless; the client never reads
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitFor([&] { return s.hooks.destroyed.load() == 1; }, 20s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
}

class ResponseTimeLimitCounter : public ServerObserver {
 public:
  void OnRequest(const RequestRecord&) override {}
  void OnConnectionOpened() override {}
  void OnConnectionClosed() override {}
  void OnTlsHandshakeFailed() override {}
  void OnResponseTimeLimit() override { ++cut; }
  std::atomic<int> cut{0};
};

// A client that keeps up with the minimum rate still cannot hold an answer
// longer than max_response_time.
TEST(ConnectionLimitsTest, ResponseIsCutOffAtTheMaximumResponseTime) {
  ResponseTimeLimitCounter observer;
  ServerOptions o = TestOptions();
  o.max_response_time = 2s;
  o.observer = &observer;
  TestServer s(o);
  Client c(s.port());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.Send(GetRequest("/stream?piece=1024&delay_ms=20")));  // endless, slow
  EXPECT_TRUE(c.WaitClosed(15s));  // reads all it gets, as fast as it comes
  EXPECT_GE(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(WaitFor([&] { return s.hooks.destroyed.load() == 1; }, 10s));
  EXPECT_EQ(observer.cut.load(), 1);
  // A short answer on a keep-alive connection is not affected afterwards.
  auto ok = Fetch(s.port(), GetRequest("/stream?total=4096"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(observer.cut.load(), 1);
}

TEST(ConnectionLimitsTest, WriteTimeoutFollowsTheMinimumRate) {
  ServerOptions o;
  o.write_timeout = std::chrono::seconds(60);
  o.min_send_rate = 1000;
  ConnectionLimits limits = ConnectionLimits::FromOptions(o);
  EXPECT_EQ(limits.WriteTimeout(0), std::chrono::seconds(2));
  EXPECT_EQ(limits.WriteTimeout(10000), std::chrono::seconds(12));
  EXPECT_EQ(limits.WriteTimeout(1000000), std::chrono::seconds(60));
  o.min_send_rate = 0;
  EXPECT_EQ(ConnectionLimits::FromOptions(o).WriteTimeout(1000000), std::chrono::seconds(60));
}

TEST(ConnectionLimitsTest, ConnectionsOverTheCapGet503) {
  ServerOptions o = TestOptions();
  o.max_connections = 2;
  TestServer s(o);
  Client a(s.port()), b(s.port());
  ASSERT_TRUE(a.Send(GetRequest("/echo")));
  ASSERT_TRUE(a.Read());
  ASSERT_TRUE(b.Send(GetRequest("/echo")));
  ASSERT_TRUE(b.Read());
  Client third(s.port());
  auto r = third.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->Header("retry-after"), "1");
  EXPECT_TRUE(third.WaitClosed(2s));
  a.Close();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto ok = Fetch(s.port(), GetRequest("/echo"));
        return ok && ok->status == 200;
      },
      5s));
}

TEST(ConnectionLimitsTest, BodiesInFlightAreBoundedAcrossConnections) {
  ServerOptions o = TestOptions();  // max_body_bytes = 1024
  o.max_pending_body_bytes = 1500;
  TestServer s(o);
  Client holder(s.port());  // declares 1000 bytes and sends only some
  ASSERT_TRUE(holder.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\nabc"));
  std::this_thread::sleep_for(200ms);
  auto refused = Fetch(s.port(), PostRequest("/echo", std::string(1000, 'x')));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  auto small = Fetch(s.port(), PostRequest("/echo", std::string(400, 'x')));
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200);
  ASSERT_TRUE(holder.Send(std::string(997, 'y')));
  auto done = holder.Read();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  ASSERT_TRUE(WaitFor(
      [&] {
        auto ok = Fetch(s.port(), PostRequest("/echo", std::string(1000, 'x')));
        return ok && ok->status == 200;
      },
      5s));
}

namespace http = boost::beast::http;

// Feeds `bytes` to a parser configured by `limits`; the parser's verdict.
boost::system::error_code Parse(const ConnectionLimits& limits, const std::string& bytes) {
  http::request_parser<http::string_body> parser;
  limits.ConfigureParser(&parser);
  boost::system::error_code ec;
  size_t offset = 0;
  while (!ec && !parser.is_done() && offset < bytes.size()) {
    size_t used = parser.put(boost::asio::buffer(bytes.data() + offset, bytes.size() - offset), ec);
    if (used == 0 && !ec) break;  // needs more input than there is
    offset += used;
  }
  return ec;
}

TEST(ConnectionLimitsTest, FromOptions) {
  ServerOptions o;
  o.max_header_bytes = 100;
  o.max_body_bytes = 10;
  o.read_timeout = std::chrono::seconds(30);
  ConnectionLimits limits = ConnectionLimits::FromOptions(o);
  EXPECT_EQ(limits.max_header_bytes, 100u);
  EXPECT_EQ(limits.max_body_bytes, 10u);
  EXPECT_EQ(limits.read_timeout, std::chrono::seconds(30));
  EXPECT_EQ(limits.shutdown_read_timeout, std::chrono::seconds(2));
  o.read_timeout = std::chrono::seconds(1);
  EXPECT_EQ(ConnectionLimits::FromOptions(o).shutdown_read_timeout, std::chrono::seconds(1));
  EXPECT_EQ(limits.BodyTooLargeMessage(), "request body larger than 10 bytes");
}

TEST(ConnectionLimitsTest, ParserRefusesWhatExceedsTheLimits) {
  ServerOptions o;
  o.max_header_bytes = 100;
  o.max_body_bytes = 10;
  ConnectionLimits limits = ConnectionLimits::FromOptions(o);
  EXPECT_FALSE(Parse(limits, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789"));
  EXPECT_EQ(Parse(limits, "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n01234567890"),
            http::error::body_limit);
  EXPECT_EQ(Parse(limits,
                  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "6\r\n012345\r\n6\r\n012345\r\n0\r\n\r\n"),
            http::error::body_limit);
  EXPECT_EQ(Parse(limits, "GET / HTTP/1.1\r\nX-Big: " + std::string(200, 'x') + "\r\n\r\n"),
            http::error::header_limit);
}

TEST(ConnectionLimitsTest, HeadCheckRefusesBeforeTheBodyIsRead) {
  ServerOptions o = TestOptions();
  std::atomic<int> checked{0};
  o.head_check = [&checked](HttpRequest& head) -> std::optional<HttpResponse> {
    ++checked;
    EXPECT_EQ(head.body, "");
    if (const std::string* auth = head.Header("authorization")) {
      head.head_context = "checked " + *auth;  // handed to the handler
      return std::nullopt;
    }
    HttpResponse r;
    r.status = 401;
    r.SetHeader("Content-Type", "application/json");
    r.body = "{\"errorCode\":\"UNAUTHENTICATED\",\"message\":\"no token\"}";
    return r;
  };
  TestServer s(o);
  {
    // The body never comes: the answer must not wait for it (read_timeout: 10 s).
    Client c(s.port());
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_TRUE(c.WaitClosed(5s));
  }
  {
    // 100-continue: refused before the client is told to send the body.
    Client c(s.port());
    ASSERT_TRUE(c.Send(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  auto ok = Fetch(s.port(),
                  "POST /echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer x\r\n"
                  "Content-Length: 5\r\n\r\nhello");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_NE(ok->body.find("body=hello"), std::string::npos) << ok->body;
  EXPECT_NE(ok->body.find("head_context=checked Bearer x\n"), std::string::npos) << ok->body;
  // A request without a body is not checked here (the handler does it).
  auto get = Fetch(s.port(), "GET /echo HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(checked.load(), 3);
}

}  // namespace
}  // namespace lakeshare
