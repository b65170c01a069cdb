// Test support for the HTTP server's tests (not a library: included by the
// server/*_test.cc files only): a blocking HTTP/1.1 client on raw sockets, so
// tests control every byte sent and see framing exactly; a streaming test
// body; a test handler with a few routes; and a server on its own thread.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <any>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "server/http_server.h"
#include "testing/status_matchers.h"

namespace lakeshare::testing {

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

inline std::string GetRequest(const std::string& target, const std::string& extra_headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra_headers + "\r\n";
}

inline std::string PostRequest(const std::string& target, const std::string& body) {
  return "POST " + target +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

// One request on a fresh connection.
inline std::optional<Response> Fetch(uint16_t port, const std::string& request, bool head = false) {
  Client client(port);
  if (!client.connected() || !client.Send(request)) return std::nullopt;
  return client.Read(head);
}

// ---- Test handlers ----

inline char PatternByte(uint64_t i) { return static_cast<char>('a' + (i * 7 + i / 4093) % 26); }

inline std::string Pattern(uint64_t offset, size_t n) {
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
inline HttpResponse TestHandler(Hooks* hooks, HttpRequest& req) {
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
    if (const auto* found = std::any_cast<std::string>(&req.head_context)) {
      b += "head_context=" + *found + "\n";
    }
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

inline ServerOptions TestOptions() {
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

inline bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return cond();
}

}  // namespace lakeshare::testing
