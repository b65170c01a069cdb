#include "server/request_head.h"

#include <gtest/gtest.h>

#include "server/http_test_util.h"

namespace lakeshare {
namespace {

using namespace ::lakeshare::testing;  // NOLINT(google-build-using-namespace): test helpers
namespace http = boost::beast::http;

http::request_header<> Head(unsigned version,
                            const std::vector<std::pair<std::string, std::string>>& fields) {
  http::request_header<> head;
  head.version(version);
  head.method(http::verb::post);
  head.target("/");
  for (const auto& [name, value] : fields) head.insert(name, value);
  return head;
}

int RefusalStatus(const http::request_header<>& head) {
  std::optional<HeadRefusal> refusal = CheckRequestHead(head);
  return refusal ? refusal->status : 0;
}

TEST(RequestHeadTest, TransferCodings) {
  EXPECT_EQ(RefusalStatus(Head(11, {{"Host", "h"}, {"Transfer-Encoding", "chunked"}})), 0);
  EXPECT_EQ(RefusalStatus(Head(11, {{"Host", "h"}, {"Transfer-Encoding", "CHUNKED"}})), 0);
  EXPECT_EQ(RefusalStatus(Head(11, {{"Host", "h"}, {"Transfer-Encoding", "xchunked"}})), 400);
  EXPECT_EQ(RefusalStatus(Head(11, {{"Host", "h"}, {"Transfer-Encoding", "gzip"}})), 400);
  EXPECT_EQ(RefusalStatus(Head(11, {{"Host", "h"}, {"Transfer-Encoding", "chunked, identity"}})),
            400);
  EXPECT_EQ(RefusalStatus(Head(11, {{"Host", "h"}, {"Transfer-Encoding", " , "}})), 400);
  EXPECT_EQ(RefusalStatus(Head(11, {{"Host", "h"}, {"Transfer-Encoding", "gzip, chunked"}})), 501);
  EXPECT_EQ(
      RefusalStatus(Head(
          11, {{"Host", "h"}, {"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}})),
      501);
  EXPECT_EQ(RefusalStatus(Head(
                11, {{"Host", "h"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}})),
            400);
  EXPECT_EQ(RefusalStatus(Head(10, {{"Transfer-Encoding", "chunked"}})), 400);
}

TEST(RequestHeadTest, Host) {
  EXPECT_EQ(RefusalStatus(Head(11, {})), 400);
  EXPECT_EQ(RefusalStatus(Head(10, {})), 0);  // HTTP/1.0 needs none
  EXPECT_EQ(RefusalStatus(Head(11, {{"Host", ""}})), 0);
  EXPECT_EQ(RefusalStatus(Head(11, {{"Host", "a.example:8080"}})), 0);
  EXPECT_EQ(RefusalStatus(Head(11, {{"Host", "a"}, {"Host", "b"}})), 400);
  EXPECT_EQ(RefusalStatus(Head(11, {{"Host", "evil.example/x?"}})), 400);
  EXPECT_EQ(RefusalStatus(Head(10, {{"Host", "user@evil"}})), 400);
}

TEST(RequestHeadTest, RepeatedFieldsJoined) {
  http::fields fields;
  fields.insert("X-Forwarded-For", "203.0.113.9");
  fields.insert("Accept", "a");
  fields.insert("x-forwarded-for", "10.0.0.1");
  fields.insert("Cookie", "a=1");
  fields.insert("Cookie", "b=2");
  std::vector<std::pair<std::string, std::string>> want = {
      {"x-forwarded-for", "203.0.113.9, 10.0.0.1"}, {"accept", "a"}, {"cookie", "a=1; b=2"}};
  EXPECT_EQ(JoinedHeaders(fields), want);
}

// ---- The same rules on the wire, against the real server ----

// A request whose body is a second request: the body must never be parsed
// as one (it would reach the handler without the first request's checks).
void ExpectNoSmuggling(uint16_t port, const std::string& coding, int status) {
  SCOPED_TRACE(coding);
  Client c(port);
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: " + coding +
                     "\r\n\r\nGET /echo?smuggled=1 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c.WaitClosed(5s));
  EXPECT_EQ(c.buffered().find("smuggled"), std::string::npos) << c.buffered();
}

TEST(RequestHeadTest, UnknownTransferCodingIsRefusedAndClosed) {
  TestServer s;
  ExpectNoSmuggling(s.port(), "xchunked", 400);
  ExpectNoSmuggling(s.port(), "gzip", 400);
  ExpectNoSmuggling(s.port(), "chunked, identity", 400);
  ExpectNoSmuggling(s.port(), "gzip, chunked", 501);
  auto ok = Fetch(s.port(), GetRequest("/echo"));  // the server carries on
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(RequestHeadTest, Http11WithoutHostIs400) {
  TestServer s;
  auto r = Fetch(s.port(), "GET /echo HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("Host"), std::string::npos) << r->body;
  auto bad = Fetch(s.port(), "GET /echo HTTP/1.1\r\nHost: evil.example/x?\r\n\r\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto old = Fetch(s.port(), "GET /echo HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 200);
}

TEST(RequestHeadTest, RepeatedHeaderLinesReachTheHandlerJoined) {
  TestServer s;
  auto r = Fetch(s.port(), GetRequest("/echo",
                                      "X-Forwarded-For: 203.0.113.9\r\n"
                                      "X-Forwarded-For: 10.0.0.1\r\n"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("h:x-forwarded-for=203.0.113.9, 10.0.0.1\n"), std::string::npos)
      << r->body;
}

TEST(RequestHeadTest, TrailersNeverBecomeHeaders) {
  TestServer s;
  auto r = Fetch(s.port(),
                 "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "2\r\nhi\r\n0\r\nX-Forwarded-For: 10.9.9.9\r\nX-Custom-Header: trailer\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("body=hi"), std::string::npos);
  EXPECT_EQ(r->body.find("10.9.9.9"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("custom=<none>"), std::string::npos) << r->body;
}

}  // namespace
}  // namespace lakeshare
