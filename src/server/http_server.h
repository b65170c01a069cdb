// HttpServer: the HTTP/1.1 transport of lakeshare (Boost.Beast/Asio inside
// http_server.cc only). It parses requests into HttpRequest, runs the
// HttpHandler on a worker pool (handlers may block on storage I/O), and writes
// HttpResponse back, streaming BodyStream bodies piece by piece with
// backpressure so a response is never held in memory whole.
//
// Threading: sockets are driven by `io_threads` threads, each connection on its
// own strand; the handler and BodyStream::Next run on `worker_threads` other
// threads. Errors: Start() returns a Status; nothing else throws; per-connection
// failures (malformed input, timeouts, disconnects) close that connection only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http.h"

namespace lakeshare {

// Builds a server-level error response: 400 malformed request or target,
// 408 request not read within read_timeout, 413 body too large, 431 header too
// large, 500 handler threw or returned an invalid status, 503 request arrived
// after the shutdown grace period. Called on I/O and worker threads, so it
// must be thread-safe, cheap and non-blocking. The server adds the framing
// headers and "Connection: close" itself.
using ErrorRenderer = std::function<HttpResponse(int status, std::string_view message)>;

// The default ErrorRenderer: `{"errorCode":"...","message":"..."}` with
// Content-Type application/json (errorCode e.g. "MALFORMED_REQUEST").
HttpResponse DefaultErrorResponse(int status, std::string_view message);

struct ServerOptions {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal to listen on
  uint16_t port = 0;                  // 0 = pick a free port (see HttpServer::port())
  int io_threads = 2;
  int worker_threads = 16;                  // concurrent handlers / stream pieces in production
  size_t max_header_bytes = 16 * 1024;      // request line + headers; more → 431
  size_t max_body_bytes = 1024 * 1024;      // decoded body (also chunked); more → 413
  std::chrono::seconds idle_timeout{60};    // keep-alive wait for a request's first byte
  std::chrono::seconds read_timeout{30};    // from first byte to complete body; → 408
  std::chrono::seconds write_timeout{60};   // per write of one piece (≤ ~64 KiB) to the client
  std::chrono::seconds shutdown_grace{30};  // Stop(): in-flight work gets this long
  // One spdlog info line per request: remote "METHOD path" status body-bytes
  // duration "user-agent" [aborted]. No query string, no other header values.
  bool access_log = true;
  ErrorRenderer error_renderer = DefaultErrorResponse;
};

class HttpServer {
 public:
  // `handler` is called concurrently from worker threads; it must be
  // thread-safe. Exceptions it throws become 500 responses.
  HttpServer(ServerOptions options, HttpHandler handler);
  // Requires that Run() is not executing (call Stop() and wait for Run() to
  // return first). Waits for handlers still running on the worker pool.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. kUnavailable if the address is in use,
  // kInvalidArgument for a bad address, kFailedPrecondition if called twice.
  Status Start();
  // The bound port (the real one when options.port was 0); 0 before Start().
  uint16_t port() const;

  // Serves until Stop() completes: blocks the calling thread, which becomes
  // one of the io threads. Returns at once if Start() failed or was not
  // called. A server runs (and stops) only once.
  void Run();

  // Graceful stop, callable from any thread (including handlers) any number of
  // times: stops accepting, closes idle keep-alive connections, lets in-flight
  // requests and streams finish (their responses carry `Connection: close`),
  // force-closes what is left after shutdown_grace, then Run() returns.
  // Not async-signal-safe: for POSIX signals use RunUntilSignal().
  void Stop();

  // Run() plus SIGINT/SIGTERM → Stop(); a second signal force-closes at once.
  // `on_ready` runs once the signal handlers are installed (e.g. to announce
  // readiness: a signal sent after it always stops the server gracefully).
  void RunUntilSignal(const std::function<void()>& on_ready = {});

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lakeshare
