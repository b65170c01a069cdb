#include "server/http_connection.h"

#include <gtest/gtest.h>

#include "server/http_test_util.h"

namespace lakeshare {
namespace {

using namespace ::lakeshare::testing;  // NOLINT(google-build-using-namespace): test helpers

TEST(HttpConnectionTest, GetAndPostWithBody) {
  TestServer s;
  auto get = Fetch(s.port(), GetRequest("/echo"));
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_NE(get->body.find("method=GET\n"), std::string::npos);
  EXPECT_NE(get->body.find("path=/echo\n"), std::string::npos);
  EXPECT_NE(get->body.find("remote=127.0.0.1\n"), std::string::npos);
  EXPECT_EQ(get->Header("content-type"), "text/plain");
  EXPECT_EQ(get->Header("content-length"), std::to_string(get->body.size()));
  EXPECT_FALSE(get->HasHeader("server"));

  auto post = Fetch(s.port(), PostRequest("/echo", "hello world"));
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 200);
  EXPECT_NE(post->body.find("method=POST\n"), std::string::npos);
  EXPECT_NE(post->body.find("body=hello world"), std::string::npos);

  auto missing = Fetch(s.port(), GetRequest("/nope"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(HttpConnectionTest, KeepAliveTwoRequestsOnOneConnection) {
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/echo?n=1")));
  auto r1 = c.Read();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_FALSE(r1->HasHeader("connection"));
  ASSERT_TRUE(c.Send(PostRequest("/echo?n=2", "second")));
  auto r2 = c.Read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
  EXPECT_NE(r2->body.find("q:n=2"), std::string::npos);
  EXPECT_NE(r2->body.find("body=second"), std::string::npos);
}

TEST(HttpConnectionTest, PipelinedRequestsAnsweredInOrder) {
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(
      c.Send(GetRequest("/echo?n=1") + PostRequest("/echo?n=2", "x") + GetRequest("/echo?n=3")));
  for (int i = 1; i <= 3; ++i) {
    auto r = c.Read();
    ASSERT_TRUE(r) << i;
    EXPECT_NE(r->body.find("q:n=" + std::to_string(i) + "\n"), std::string::npos);
  }
}

TEST(HttpConnectionTest, ConnectionCloseHonoured) {
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/echo", "Connection: close\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c.WaitClosed(3s));
}

TEST(HttpConnectionTest, Http10WithAndWithoutKeepAlive) {
  TestServer s;
  {
    Client c(s.port());
    ASSERT_TRUE(c.Send("GET /echo HTTP/1.0\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(c.WaitClosed(3s));
  }
  {
    Client c(s.port());
    ASSERT_TRUE(c.Send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->Header("connection"), "keep-alive");
    ASSERT_TRUE(c.Send("GET /echo?again HTTP/1.0\r\n\r\n"));
    auto r2 = c.Read();
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->status, 200);
  }
  {
    // No chunked encoding for HTTP/1.0: the body runs until the close.
    Client c(s.port());
    ASSERT_TRUE(c.Send("GET /stream?total=100000&piece=7000 HTTP/1.0\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->chunked);
    EXPECT_FALSE(r->HasHeader("content-length"));
    EXPECT_EQ(r->body, Pattern(0, 100000));
  }
}

TEST(HttpConnectionTest, QueryDecodingAndRawTarget) {
  TestServer s;
  auto r = Fetch(s.port(), GetRequest("/echo?a=1+2&b=%2Fx%3D&c&a=3&ts=2023-01-01T00%3A00%3A00Z"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const std::string& b = r->body;
  EXPECT_NE(b.find("target=/echo?a=1+2&b=%2Fx%3D&c&a=3&ts=2023-01-01T00%3A00%3A00Z\n"),
            std::string::npos);
  EXPECT_NE(b.find("path=/echo\n"), std::string::npos);
  EXPECT_NE(b.find("q:a=1 2\nq:b=/x=\nq:c=\nq:a=3\nq:ts=2023-01-01T00:00:00Z\n"), std::string::npos)
      << b;
}

TEST(HttpConnectionTest, PathStaysPercentEncoded) {
  TestServer s;
  auto r = Fetch(s.port(), GetRequest("/echo%2Fx"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);  // "/echo%2Fx" is not "/echo/x" or "/echo"
}

TEST(HttpConnectionTest, HeaderNamesLowerCased) {
  TestServer s;
  auto r = Fetch(s.port(),
                 GetRequest("/echo", "X-Custom-Header: Some Value\r\nAUTHORIZATION: Bearer t\r\n"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("h:x-custom-header=Some Value\n"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("h:authorization=Bearer t\n"), std::string::npos);
  EXPECT_NE(r->body.find("h:host=test\n"), std::string::npos);
  EXPECT_NE(r->body.find("custom=Some Value\n"), std::string::npos);
}

TEST(HttpConnectionTest, ExpectContinue) {
  TestServer s;
  {
    Client c(s.port());
    ASSERT_TRUE(c.Send(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n"));
    auto interim = c.Read();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    ASSERT_TRUE(c.Send("payload"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->body.find("body=payload"), std::string::npos);
  }
  {
    // Too large: refused without a 100 Continue and without reading the body.
    Client c(s.port());
    ASSERT_TRUE(
        c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 999999\r\nExpect: "
               "100-continue\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_TRUE(c.WaitClosed(5s));
  }
}

TEST(HttpConnectionTest, MalformedRequestLineIs400AndServerContinues) {
  TestServer s;
  for (const char* bad : {"GARBAGE\r\n\r\n", "GET /x HTTP/9.9\r\n\r\n", "GET\r\n\r\n",
                          "GET /x HTTP/1.1\r\nBad Header\r\n\r\n"}) {
    Client c(s.port());
    ASSERT_TRUE(c.Send(bad));
    auto r = c.Read();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_NE(r->body.find("\"errorCode\":\"MALFORMED_REQUEST\""), std::string::npos);
    EXPECT_TRUE(c.WaitClosed(5s));
  }
  auto ok = Fetch(s.port(), GetRequest("/echo"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(HttpConnectionTest, BinaryGarbageNeverCrashes) {
  TestServer s;
  uint32_t seed = 12345;
  for (int i = 0; i < 20; ++i) {
    std::string junk;
    for (int j = 0; j < 2000; ++j) {
      seed = seed * 1103515245 + 12345;
      junk.push_back(static_cast<char>(seed >> 16));
    }
    Client c(s.port());
    c.Send(junk);
    c.WaitClosed(5s);  // a 400 or a plain close, never a hang
  }
  auto ok = Fetch(s.port(), GetRequest("/echo"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(HttpConnectionTest, BadTargetsAre400) {
  TestServer s;
  for (const char* target : {"/echo?a=%zz", "/echo?a=%4", "http://example.com/echo", "/bad%2"}) {
    auto r = Fetch(s.port(), GetRequest(target));
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
    EXPECT_EQ(r->Header("content-type"), "application/json");
  }
}

TEST(HttpConnectionTest, CustomErrorRenderer) {
  ServerOptions o = TestOptions();
  o.error_renderer = [](int status, std::string_view message) {
    HttpResponse r;
    r.status = status;
    r.SetHeader("Content-Type", "text/plain");
    r.body = "custom " + std::to_string(status) + ": " + std::string(message);
    return r;
  };
  TestServer s(o);
  auto r = Fetch(s.port(), "NOT A REQUEST\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body.rfind("custom 400: ", 0), 0u) << r->body;
}

TEST(HttpConnectionTest, HandlerExceptionIs500) {
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/throw")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(r->body.find("INTERNAL_ERROR"), std::string::npos);
  ASSERT_TRUE(c.Send(GetRequest("/echo")));  // the connection survives
  auto r2 = c.Read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
}

TEST(HttpConnectionTest, HeadSendsHeadersOnly) {
  TestServer s;
  auto get = Fetch(s.port(), GetRequest("/echo"));
  ASSERT_TRUE(get);
  Client c(s.port());
  ASSERT_TRUE(c.Send("HEAD /echo HTTP/1.1\r\nHost: test\r\n\r\n"));
  auto head = c.Read(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  // Same length as the GET body ("method=HEAD" vs "method=GET" differ by one).
  EXPECT_EQ(head->Header("content-length"), std::to_string(get->body.size() + 1));
  // A HEAD of a stream: framing headers, no body, the stream not run.
  ASSERT_TRUE(c.Send("HEAD /stream?total=1000 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head_stream = c.Read(true);
  ASSERT_TRUE(head_stream);
  EXPECT_EQ(head_stream->Header("transfer-encoding"), "chunked");
  // No body bytes were sent: the next response starts right away.
  ASSERT_TRUE(c.Send(GetRequest("/echo")));
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_NE(next->body.find("method=GET"), std::string::npos);
}

TEST(HttpConnectionTest, ConcurrentClients) {
  TestServer s;
  constexpr int kThreads = 50, kRequests = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Even threads reuse one connection, odd ones connect per request.
      std::unique_ptr<Client> c;
      for (int i = 0; i < kRequests; ++i) {
        if (!c || t % 2 == 1) c = std::make_unique<Client>(s.port());
        std::string tag = std::to_string(t) + "-" + std::to_string(i);
        if (!c->Send(PostRequest("/echo?tag=" + tag, tag))) continue;
        auto r = c->Read();
        if (r && r->status == 200 && r->body.find("q:tag=" + tag + "\n") != std::string::npos &&
            r->body.find("body=" + tag) != std::string::npos) {
          ok++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, kThreads * kRequests);
}

TEST(HttpConnectionTest, BlockingHandlerDoesNotStopOthers) {
  TestServer s;  // 4 workers
  Client blocked(s.port());
  ASSERT_TRUE(blocked.Send(GetRequest("/block")));
  ASSERT_TRUE(WaitFor([&] { return s.hooks.blocked == 1; }, 5s));
  for (int i = 0; i < 5; ++i) {
    auto r = Fetch(s.port(), GetRequest("/echo"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  s.Release();
  auto r = blocked.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "unblocked");
}

}  // namespace
}  // namespace lakeshare
