#include "server/http_server.h"
#include "testing/status_matchers.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace lakeshare {
namespace {

using namespace std::chrono_literals;

// ---- A small blocking HTTP/1.1 client on raw sockets, so tests control every
// byte sent (garbage, slow headers, pipelining) and see framing exactly. ----

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool chunked = false;
  bool complete = false;  // the body ended as its framing says (not truncated)

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  bool HasHeader(const std::string& name) const { return headers.count(name) > 0; }
};

class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    SetTimeout(10s);  // no test may hang on a broken server
  }
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }

  void SetTimeout(std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = timeout.count() / 1000;
    tv.tv_usec = (timeout.count() % 1000) * 1000;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Appends whatever arrives next to the buffer; false on EOF, error or timeout.
  bool Fill() {
    char tmp[64 * 1024];
    ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  // Reads one response (an interim 1xx one too). nullopt if the connection
  // ends before a complete header.
  std::optional<Response> Read(bool head_request = false) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    Response r;
    std::istringstream lines(buf_.substr(0, end));
    buf_.erase(0, end + 4);
    std::string line;
    std::getline(lines, line);
    if (line.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
    r.status = std::stoi(line.substr(9, 3));
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[name] = value;
    }
    if (head_request || r.status / 100 == 1 || r.status == 204 || r.status == 304) {
      r.complete = true;
      return r;
    }
    if (r.Header("transfer-encoding") == "chunked") {
      r.chunked = true;
      while (true) {
        size_t eol;
        while ((eol = buf_.find("\r\n")) == std::string::npos) {
          if (!Fill()) return r;  // truncated
        }
        size_t size = std::stoul(buf_.substr(0, eol), nullptr, 16);
        if (size == 0) {
          while (buf_.size() < eol + 4) {
            if (!Fill()) return r;
          }
          buf_.erase(0, eol + 4);  // "0\r\n\r\n" (no trailers)
          r.complete = true;
          return r;
        }
        while (buf_.size() < eol + 2 + size + 2) {
          if (!Fill()) return r;
        }
        r.body.append(buf_, eol + 2, size);
        buf_.erase(0, eol + 2 + size + 2);
      }
    }
    if (r.HasHeader("content-length")) {
      size_t length = std::stoul(r.Header("content-length"));
      while (buf_.size() < length) {
        if (!Fill()) break;
      }
      size_t take = std::min(length, buf_.size());
      r.body = buf_.substr(0, take);
      buf_.erase(0, take);
      r.complete = take == length;
      return r;
    }
    while (Fill()) {
    }
    r.body = std::move(buf_);
    buf_.clear();
    r.complete = true;  // delimited by close
    return r;
  }

  // True if the server closes the connection within `timeout` (bytes that
  // arrive meanwhile are kept).
  bool WaitClosed(std::chrono::milliseconds timeout) {
    SetTimeout(timeout);
    while (true) {
      char tmp[4096];
      ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
      if (n > 0) {
        buf_.append(tmp, static_cast<size_t>(n));
        continue;
      }
      return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    }
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  const std::string& buffered() const { return buf_; }

 private:
  int fd_ = -1;
  std::string buf_;
};

std::string GetRequest(const std::string& target, const std::string& extra_headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra_headers + "\r\n";
}

std::string PostRequest(const std::string& target, const std::string& body) {
  return "POST " + target +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

// One request on a fresh connection.
std::optional<Response> Fetch(uint16_t port, const std::string& request, bool head = false) {
  Client client(port);
  if (!client.connected() || !client.Send(request)) return std::nullopt;
  return client.Read(head);
}

// ---- Test handlers ----

char PatternByte(uint64_t i) { return static_cast<char>('a' + (i * 7 + i / 4093) % 26); }

std::string Pattern(uint64_t offset, size_t n) {
  std::string out(n, '\0');
  for (size_t j = 0; j < n; ++j) out[j] = PatternByte(offset + j);
  return out;
}

// Produces `total` pattern bytes in `piece`-sized parts (forever if total is 0).
class PatternStream : public BodyStream {
 public:
  struct Spec {
    uint64_t total = 0;
    size_t piece = 64 * 1024;
    bool with_length = false;
    int fail_after_pieces = -1;  // Next fails on this call (0-based)
    std::chrono::milliseconds delay{0};
    bool empty_pieces = false;  // every other call produces nothing
    std::atomic<int>* destroyed = nullptr;
    std::atomic<uint64_t>* produced = nullptr;  // bytes handed to the server
  };
  explicit PatternStream(Spec spec) : spec_(spec) {}
  ~PatternStream() override {
    if (spec_.destroyed) spec_.destroyed->fetch_add(1);
  }

  Result<bool> Next(std::string* out, size_t size_hint) override {
    int call = calls_++;
    if (call == spec_.fail_after_pieces) return Status::IOError("storage went away");
    if (spec_.delay.count() > 0) std::this_thread::sleep_for(spec_.delay);
    if (spec_.empty_pieces && call % 2 == 0) return true;
    size_t n = spec_.piece;
    if (spec_.total > 0) n = static_cast<size_t>(std::min<uint64_t>(n, spec_.total - produced_));
    out->append(Pattern(produced_, n));
    produced_ += n;
    if (spec_.produced) spec_.produced->fetch_add(n);
    return spec_.total == 0 || produced_ < spec_.total;
  }

  std::optional<uint64_t> Length() const override {
    if (spec_.with_length) return spec_.total;
    return std::nullopt;
  }

 private:
  Spec spec_;
  int calls_ = 0;
  uint64_t produced_ = 0;
};

// Shared state that tests reach into from handlers.
struct Hooks {
  std::atomic<int> destroyed{0};
  std::atomic<uint64_t> produced{0};
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> blocked{0};
  std::promise<void> first_piece_sent;
};

// Routes:
//   /echo         lines describing the request
//   /stream       ?total=&piece=&length=1&fail=&delay_ms=&empty=1
//   /block        waits until hooks.release
//   /throw        throws
//   /status       ?code=
//   /badheader    a header value with CRLF in it
HttpResponse TestHandler(Hooks* hooks, HttpRequest& req) {
  HttpResponse resp;
  if (req.path == "/echo") {
    std::string& b = resp.body;
    b += "method=" + req.method + "\n";
    b += "target=" + req.target + "\n";
    b += "path=" + req.path + "\n";
    for (auto& [k, v] : req.query) b += "q:" + k + "=" + v + "\n";
    for (auto& [k, v] : req.headers) b += "h:" + k + "=" + v + "\n";
    b += "remote=" + req.remote_address + "\n";
    const std::string* custom = req.Header("X-CUSTOM-header");
    b += "custom=" + (custom ? *custom : std::string("<none>")) + "\n";
    b += "body=" + req.body;
    resp.SetHeader("Content-Type", "text/plain");
    return resp;
  }
  auto query_int = [&](const char* name, uint64_t fallback) -> uint64_t {
    const std::string* v = req.Query(name);
    return v ? std::stoull(*v) : fallback;
  };
  if (req.path == "/stream") {
    PatternStream::Spec spec;
    spec.total = query_int("total", 0);
    spec.piece = static_cast<size_t>(query_int("piece", 64 * 1024));
    spec.with_length = req.Query("length") != nullptr;
    spec.fail_after_pieces = static_cast<int>(query_int("fail", static_cast<uint64_t>(-1)));
    spec.delay = std::chrono::milliseconds(query_int("delay_ms", 0));
    spec.empty_pieces = req.Query("empty") != nullptr;
    spec.destroyed = &hooks->destroyed;
    spec.produced = &hooks->produced;
    resp.SetHeader("Content-Type", "application/x-ndjson");
    resp.stream = std::make_unique<PatternStream>(spec);
    return resp;
  }
  if (req.path == "/block") {
    hooks->blocked++;
    std::unique_lock<std::mutex> lock(hooks->mu);
    hooks->cv.wait(lock, [&] { return hooks->release; });
    resp.body = "unblocked";
    return resp;
  }
  if (req.path == "/throw") throw std::runtime_error("handler bug");
  if (req.path == "/status") {
    resp.status = static_cast<int>(query_int("code", 200));
    resp.body = "ignored for 204";
    return resp;
  }
  if (req.path == "/badheader") {
    resp.SetHeader("X-Injected", "a\r\nSet-Cookie: evil=1");
    resp.SetHeader("X-Fine", "ok");
    resp.SetHeader("Content-Length", "99999");  // the server frames the body itself
    resp.body = "hi";
    return resp;
  }
  resp.status = 404;
  resp.body = "not found";
  return resp;
}

ServerOptions TestOptions() {
  ServerOptions o;
  o.io_threads = 2;
  o.worker_threads = 4;
  o.access_log = false;
  o.max_body_bytes = 1024;
  o.idle_timeout = 10s;
  o.read_timeout = 10s;
  o.shutdown_grace = 10s;
  return o;
}

// An HttpServer running on its own thread for the lifetime of the object.
class TestServer {
 public:
  explicit TestServer(ServerOptions options = TestOptions()) {
    server_ = std::make_unique<HttpServer>(
        std::move(options), [this](HttpRequest& req) { return TestHandler(&hooks, req); });
    Status st = server_->Start();
    EXPECT_OK(st);
    thread_ = std::thread([this] {
      server_->Run();
      run_returned_ = true;
    });
  }
  ~TestServer() {
    Release();
    Stop();
  }

  uint16_t port() const { return server_->port(); }
  HttpServer& server() { return *server_; }

  void Stop() {
    server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  void Release() {
    std::lock_guard<std::mutex> lock(hooks.mu);
    hooks.release = true;
    hooks.cv.notify_all();
  }
  bool run_returned() const { return run_returned_; }

  Hooks hooks;

 private:
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::atomic<bool> run_returned_{false};
};

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return cond();
}

// ---- Basic requests ----

TEST(HttpServerTest, GetAndPostWithBody) {
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

TEST(HttpServerTest, KeepAliveTwoRequestsOnOneConnection) {
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

TEST(HttpServerTest, PipelinedRequestsAnsweredInOrder) {
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

TEST(HttpServerTest, ConnectionCloseHonoured) {
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/echo", "Connection: close\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c.WaitClosed(3s));
}

TEST(HttpServerTest, Http10WithAndWithoutKeepAlive) {
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

TEST(HttpServerTest, QueryDecodingAndRawTarget) {
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

TEST(HttpServerTest, PathStaysPercentEncoded) {
  TestServer s;
  auto r = Fetch(s.port(), GetRequest("/echo%2Fx"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);  // "/echo%2Fx" is not "/echo/x" or "/echo"
}

TEST(HttpServerTest, HeaderNamesLowerCased) {
  TestServer s;
  auto r = Fetch(s.port(),
                 GetRequest("/echo", "X-Custom-Header: Some Value\r\nAUTHORIZATION: Bearer t\r\n"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("h:x-custom-header=Some Value\n"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("h:authorization=Bearer t\n"), std::string::npos);
  EXPECT_NE(r->body.find("h:host=test\n"), std::string::npos);
  EXPECT_NE(r->body.find("custom=Some Value\n"), std::string::npos);
}

TEST(HttpServerTest, InvalidResponseHeadersDropped) {
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

TEST(HttpServerTest, NoContentHasNoBodyAndKeepsConnection) {
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

// ---- Limits and malformed input ----

TEST(HttpServerTest, ContentLengthTooLargeIs413) {
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

TEST(HttpServerTest, ChunkedBodyCountedAgainstLimit) {
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

TEST(HttpServerTest, ExpectContinue) {
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

TEST(HttpServerTest, MalformedRequestLineIs400AndServerContinues) {
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

TEST(HttpServerTest, BinaryGarbageNeverCrashes) {
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

TEST(HttpServerTest, BadTargetsAre400) {
  TestServer s;
  for (const char* target : {"/echo?a=%zz", "/echo?a=%4", "http://example.com/echo", "/bad%2"}) {
    auto r = Fetch(s.port(), GetRequest(target));
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
    EXPECT_EQ(r->Header("content-type"), "application/json");
  }
}

TEST(HttpServerTest, HeaderBombIs431) {
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

TEST(HttpServerTest, CustomErrorRenderer) {
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

TEST(HttpServerTest, HandlerExceptionIs500) {
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

// ---- HEAD ----

TEST(HttpServerTest, HeadSendsHeadersOnly) {
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

// ---- Streamed bodies ----

TEST(HttpServerTest, Streamed20MBArrivesIntactAndChunked) {
  TestServer s;
  constexpr uint64_t kTotal = 20ull << 20;
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/stream?total=" + std::to_string(kTotal))));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->chunked);
  EXPECT_TRUE(r->complete);
  EXPECT_FALSE(r->HasHeader("content-length"));
  EXPECT_EQ(r->Header("content-type"), "application/x-ndjson");
  ASSERT_EQ(r->body.size(), kTotal);
  EXPECT_TRUE(r->body == Pattern(0, kTotal));
  EXPECT_TRUE(WaitFor([&] { return s.hooks.destroyed == 1; }, 5s));
  // Keep-alive continues after a chunked body.
  ASSERT_TRUE(c.Send(GetRequest("/echo")));
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(HttpServerTest, StreamSkipsEmptyPieces) {
  TestServer s;
  auto r = Fetch(s.port(), GetRequest("/stream?total=50000&piece=3000&empty=1"));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->body, Pattern(0, 50000));
}

TEST(HttpServerTest, StreamWithLengthUsesContentLength) {
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/stream?total=300000&piece=10000&length=1")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->chunked);
  EXPECT_EQ(r->Header("content-length"), "300000");
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->body, Pattern(0, 300000));
  ASSERT_TRUE(c.Send(GetRequest("/echo")));
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(HttpServerTest, StreamErrorTruncatesResponse) {
  TestServer s;
  {
    Client c(s.port());
    ASSERT_TRUE(c.Send(GetRequest("/stream?total=1000000&piece=1000&fail=3")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);  // the error came after the headers
    EXPECT_TRUE(r->chunked);
    EXPECT_FALSE(r->complete);  // no terminating chunk
    EXPECT_EQ(r->body, Pattern(0, 3000));
  }
  {
    Client c(s.port());
    ASSERT_TRUE(c.Send(GetRequest("/stream?total=100000&piece=1000&fail=5&length=1")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->complete);  // fewer bytes than Content-Length, then EOF
    EXPECT_EQ(r->body, Pattern(0, 5000));
  }
  EXPECT_TRUE(WaitFor([&] { return s.hooks.destroyed == 2; }, 5s));
}

TEST(HttpServerTest, ClientDisconnectMidStream) {
  TestServer s;
  {
    Client c(s.port());
    ASSERT_TRUE(c.Send(GetRequest("/stream")));  // endless
    size_t got = 0;
    while (got < 2'000'000) {
      ASSERT_TRUE(c.Fill());
      got = c.buffered().size();
    }
  }  // closes mid-stream
  EXPECT_TRUE(WaitFor([&] { return s.hooks.destroyed == 1; }, 10s));
  auto ok = Fetch(s.port(), GetRequest("/echo"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(HttpServerTest, SlowReaderDoesNotMakeServerBuffer) {
  // Backpressure: while the client does not read, the endless producer must
  // stop once the socket buffers are full instead of piling up memory.
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/stream?piece=65536")));  // endless
  ASSERT_TRUE(c.Fill());
  std::this_thread::sleep_for(300ms);
  uint64_t stalled = s.hooks.produced;
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(s.hooks.produced, stalled);  // no progress without a reader
  EXPECT_LT(stalled, 64u << 20);         // only what kernel buffers hold
  // Reading resumes the stream; other clients are served meanwhile.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(c.Fill());
  auto ok = Fetch(s.port(), GetRequest("/echo"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  c.Close();
  EXPECT_TRUE(WaitFor([&] { return s.hooks.destroyed == 1; }, 10s));
}

// ---- Timeouts ----

TEST(HttpServerTest, IdleTimeoutClosesConnection) {
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

TEST(HttpServerTest, SlowRequestGets408) {
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

// ---- Concurrency ----

TEST(HttpServerTest, ConcurrentClients) {
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

TEST(HttpServerTest, BlockingHandlerDoesNotStopOthers) {
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

// ---- Lifecycle ----

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

// ---- Access log ----

TEST(HttpServerTest, AccessLogLineHasNoQueryOrSecrets) {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  {
    ServerOptions o = TestOptions();
    o.access_log = true;
    TestServer s(o);
    auto r = Fetch(s.port(), GetRequest("/echo?secret=querytoken",
                                        "Authorization: Bearer sekrit\r\nUser-Agent: ua/1.0\r\n"));
    ASSERT_TRUE(r);
  }
  spdlog::set_default_logger(previous);
  std::string log = out.str();
  EXPECT_NE(log.find("127.0.0.1 \"GET /echo\" 200 "), std::string::npos) << log;
  EXPECT_NE(log.find("\"ua/1.0\""), std::string::npos) << log;
  EXPECT_EQ(log.find("querytoken"), std::string::npos) << log;
  EXPECT_EQ(log.find("sekrit"), std::string::npos) << log;
}

}  // namespace
}  // namespace lakeshare
