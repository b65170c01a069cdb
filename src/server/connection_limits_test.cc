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

namespace http = boost::beast::http;

// Feeds `bytes` to a parser configured by `limits`; the parser's verdict.
boost::system::error_code Parse(const ConnectionLimits& limits, const std::string& bytes) {
  http::request_parser<http::string_body> parser;
  limits.ConfigureParser(&parser);
  boost::system::error_code ec;
  size_t offset = 0;
  while (!ec && !parser.is_done() && offset < bytes.size()) {
    size_t used =
        parser.put(boost::asio::buffer(bytes.data() + offset, bytes.size() - offset), ec);
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

}  // namespace
}  // namespace lakeshare
