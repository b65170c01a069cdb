#include "server/http_server.h"

#include <gtest/gtest.h>

#include <csignal>

#include "server/http_test_util.h"

namespace lakeshare {
namespace {

using namespace ::lakeshare::testing;  // NOLINT(google-build-using-namespace): test helpers

TEST(HttpServerTest, PortInUseIsAnError) {
  TestServer s;
  ServerOptions o = TestOptions();
  o.port = s.port();
  HttpServer second(o, [](HttpRequest&) { return HttpResponse(); });
  Status st = second.Start();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st;
  second.Run();  // returns at once
}

TEST(HttpServerTest, BadAddressIsAnError) {
  ServerOptions o = TestOptions();
  o.address = "not-an-ip";
  HttpServer server(o, [](HttpRequest&) { return HttpResponse(); });
  EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
}

TEST(HttpServerTest, StopClosesIdleConnectionsPromptly) {
  TestServer s;
  Client idle(s.port());
  ASSERT_TRUE(idle.Send(GetRequest("/echo")));
  ASSERT_TRUE(idle.Read());
  auto start = std::chrono::steady_clock::now();
  s.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(idle.WaitClosed(1s));
  EXPECT_FALSE(Client(s.port()).connected());  // no longer accepting
}

TEST(HttpServerTest, StopLetsSlowStreamFinish) {
  TestServer s;
  Client c(s.port());
  // 10 pieces of 10 kB, 100 ms apart: about 1 s.
  ASSERT_TRUE(c.Send(GetRequest("/stream?total=100000&piece=10000&delay_ms=100")));
  ASSERT_TRUE(c.Fill());  // headers (and maybe the first piece) arrived
  std::thread stopper([&] { s.Stop(); });
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->body, Pattern(0, 100000));
  stopper.join();
  EXPECT_TRUE(s.run_returned());
  EXPECT_EQ(s.hooks.destroyed, 1);
}

TEST(HttpServerTest, RequestsDuringShutdownGetConnectionClose) {
  TestServer s;
  Client blocked(s.port());
  ASSERT_TRUE(blocked.Send(GetRequest("/block")));
  ASSERT_TRUE(WaitFor([&] { return s.hooks.blocked == 1; }, 5s));
  Client half(s.port());  // in the middle of sending its request line
  ASSERT_TRUE(half.Send("GET /echo?late=1 HTTP/1.1\r\n"));
  std::this_thread::sleep_for(100ms);
  std::thread stopper([&] { s.Stop(); });
  std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(half.Send("Host: t\r\n\r\n"));
  auto late = half.Read();
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 200);
  EXPECT_NE(late->body.find("q:late=1"), std::string::npos);
  EXPECT_EQ(late->Header("connection"), "close");
  EXPECT_TRUE(half.WaitClosed(3s));
  s.Release();
  auto r = blocked.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(blocked.WaitClosed(3s));
  stopper.join();
}

// After a response with "Connection: close" no further pipelined request may
// be processed (RFC 9112 §9.6); the client retries it elsewhere.

TEST(HttpServerTest, PipelinedRequestAfterShutdownCloseIsNotProcessed) {
  TestServer s;
  Client c(s.port());
  // The first request blocks; the second waits, already sent, in the buffer.
  ASSERT_TRUE(c.Send(GetRequest("/block") + GetRequest("/echo?second=1")));
  ASSERT_TRUE(WaitFor([&] { return s.hooks.blocked == 1; }, 5s));
  std::thread stopper([&] { s.Stop(); });
  std::this_thread::sleep_for(100ms);
  s.Release();
  auto first = c.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->Header("connection"), "close");
  EXPECT_FALSE(c.Read());  // closed without an answer to /echo?second=1
  stopper.join();
}

TEST(HttpServerTest, ShutdownGraceForceClosesStreams) {
  ServerOptions o = TestOptions();
  o.shutdown_grace = 1s;
  TestServer s(o);
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/stream?piece=1000&delay_ms=20")));  // endless
  ASSERT_TRUE(c.Fill());
  auto start = std::chrono::steady_clock::now();
  s.Stop();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 5s);
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->complete);
  EXPECT_EQ(s.hooks.destroyed, 1);
}

TEST(HttpServerTest, StopBeforeRunAndDestroyWithoutRun) {
  {
    HttpServer server(TestOptions(), [](HttpRequest&) { return HttpResponse(); });
    ASSERT_OK(server.Start());
    server.Stop();
    server.Run();  // processes the stop and returns
  }
  {
    HttpServer server(TestOptions(), [](HttpRequest&) { return HttpResponse(); });
    ASSERT_OK(server.Start());
    EXPECT_NE(server.port(), 0);
  }  // destroyed without running
}

TEST(HttpServerTest, RunUntilSignalStopsOnSigterm) {
  HttpServer server(TestOptions(), [](HttpRequest&) { return HttpResponse(); });
  ASSERT_OK(server.Start());
  std::atomic<bool> returned{false};
  std::thread runner([&] {
    server.RunUntilSignal();
    returned = true;
  });
  // Once a request is served, Run() has begun and the signal set is installed.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = Fetch(server.port(), GetRequest("/"));
        return r && r->status == 200;
      },
      5s));
  std::raise(SIGTERM);
  EXPECT_TRUE(WaitFor([&] { return returned.load(); }, 5s));
  if (!returned) server.Stop();
  runner.join();
}

}  // namespace
}  // namespace lakeshare
