#include "server/response_head.h"

#include <gtest/gtest.h>

#include "server/http_test_util.h"

namespace lakeshare {
namespace {

using namespace ::lakeshare::testing;  // NOLINT(google-build-using-namespace): test helpers

TEST(ResponseHeadTest, InvalidResponseHeadersDropped) {
  TestServer s;
  auto r = Fetch(s.port(), GetRequest("/badheader"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->HasHeader("x-injected"));
  EXPECT_FALSE(r->HasHeader("set-cookie"));
  EXPECT_EQ(r->Header("x-fine"), "ok");
  EXPECT_EQ(r->Header("content-length"), "2");
  EXPECT_EQ(r->body, "hi");
}

TEST(ResponseHeadTest, NoContentHasNoBodyAndKeepsConnection) {
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/status?code=204")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->HasHeader("content-length"));
  ASSERT_TRUE(c.Send(GetRequest("/echo")));
  auto r2 = c.Read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
}

// A stream of known or unknown length (the head only asks its Length()).
class LengthStream : public BodyStream {
 public:
  explicit LengthStream(std::optional<uint64_t> length) : length_(length) {}
  Result<bool> Next(std::string*, size_t) override { return false; }
  std::optional<uint64_t> Length() const override { return length_; }

 private:
  std::optional<uint64_t> length_;
};

HttpResponse Fixed(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.SetHeader("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

TEST(ResponseHeadTest, FixedBodyHasContentLength) {
  ResponseHead head = BuildResponseHead(Fixed(200, "hello"), ResponseContext{});
  EXPECT_EQ(head.text, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(head.framing, BodyFraming::kContentLength);
  EXPECT_EQ(head.content_length, 5u);
  EXPECT_FALSE(head.close);
  EXPECT_TRUE(head.send_body);
}

TEST(ResponseHeadTest, StreamsAreChunkedUnlessTheirLengthIsKnown) {
  HttpResponse chunked;
  chunked.stream = std::make_unique<LengthStream>(std::nullopt);
  ResponseHead head = BuildResponseHead(chunked, ResponseContext{});
  EXPECT_EQ(head.framing, BodyFraming::kChunked);
  EXPECT_NE(head.text.find("Transfer-Encoding: chunked\r\n"), std::string::npos);

  HttpResponse sized;
  sized.stream = std::make_unique<LengthStream>(42);
  head = BuildResponseHead(sized, ResponseContext{});
  EXPECT_EQ(head.framing, BodyFraming::kContentLength);
  EXPECT_NE(head.text.find("Content-Length: 42\r\n"), std::string::npos);

  // HTTP/1.0 has no chunked encoding: the body ends with the connection.
  head = BuildResponseHead(chunked, ResponseContext{.http10 = true});
  EXPECT_EQ(head.framing, BodyFraming::kUntilClose);
  EXPECT_TRUE(head.close);
  EXPECT_NE(head.text.find("Connection: close\r\n"), std::string::npos);
}

TEST(ResponseHeadTest, ServerOwnsFramingAndConnectionHeaders) {
  HttpResponse r = Fixed(200, "hi");
  r.SetHeader("Content-Length", "99999");
  r.SetHeader("Transfer-Encoding", "gzip");
  r.SetHeader("Connection", "keep-alive, Close");
  r.SetHeader("X-Bad", "a\r\nSet-Cookie: x=1");
  r.SetHeader("Bad Name", "v");
  ResponseHead head = BuildResponseHead(r, ResponseContext{});
  EXPECT_EQ(head.text,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_TRUE(head.close);
}

TEST(ResponseHeadTest, HeadNoContentHttp10AndStopping) {
  ResponseHead head = BuildResponseHead(Fixed(200, "body"), ResponseContext{.head_request = true});
  EXPECT_FALSE(head.send_body);
  EXPECT_NE(head.text.find("Content-Length: 4\r\n"), std::string::npos);  // as for GET

  head = BuildResponseHead(Fixed(204, "ignored"), ResponseContext{});
  EXPECT_FALSE(head.send_body);
  EXPECT_EQ(head.framing, BodyFraming::kNone);
  EXPECT_EQ(head.text.find("Content-Length"), std::string::npos);

  head = BuildResponseHead(Fixed(200, ""), ResponseContext{.http10 = true});
  EXPECT_NE(head.text.find("Connection: keep-alive\r\n"), std::string::npos);

  head = BuildResponseHead(Fixed(200, ""), ResponseContext{.stopping = true});
  EXPECT_TRUE(head.close);

  head = BuildResponseHead(Fixed(299, ""), ResponseContext{});
  EXPECT_EQ(head.text.rfind("HTTP/1.1 299 \r\n", 0), 0u);  // no reason phrase for unknown codes
}

TEST(ResponseHeadTest, HeaderHelpers) {
  EXPECT_TRUE(IsValidHeaderName("X-Custom_1"));
  EXPECT_FALSE(IsValidHeaderName(""));
  EXPECT_FALSE(IsValidHeaderName("a:b"));
  EXPECT_TRUE(IsValidHeaderValue("any text; really"));
  EXPECT_FALSE(IsValidHeaderValue(std::string_view("a\0b", 3)));
  EXPECT_TRUE(HasCloseToken(" keep-alive ,\tclose"));
  EXPECT_FALSE(HasCloseToken("closed, keep-alive"));
  std::string out;
  AppendUnsigned(&out, 255, 16);
  AppendUnsigned(&out, 10);
  EXPECT_EQ(out, "ff10");
}

}  // namespace
}  // namespace lakeshare
