// HttpServer: the HTTP/1.1 transport of lakeshare (Boost.Beast/Asio inside
// server/ only). It parses requests into HttpRequest, runs the HttpHandler on
// a worker pool (handlers may block on storage I/O), and writes HttpResponse
// back, streaming BodyStream bodies piece by piece with backpressure so a
// response is never held in memory whole.
//
// Files: http_server.cc (listener and lifecycle: connection cap, descriptor
// limit), http_connection.* (the per-connection state machine),
// tls_context.* (certificates, reload), connection_stream.h (plain or TLS),
// connection_limits.* (what a connection may spend: parser limits, read
// buffer, timeouts, minimum send rate), body_budget.* (request bodies held
// across connections), request_head.* (framing and Host checks, joined
// headers), response_head.* (status line, headers, framing),
// body_streaming.* (producing and framing stream pieces), log_throttle.*,
// access_log.*, and errors.h (every error body).
//
// Threading: sockets are driven by `io_threads` threads, each connection on its
// own strand; the handler and BodyStream::Next run on `worker_threads` other
// threads. Errors: Start() returns a Status; nothing else throws; per-connection
// failures (malformed input, timeouts, disconnects) close that connection only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "common/status.h"
#include "server/http.h"
#include "server/server_options.h"

namespace lakeshare {

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
  // Stop() was called (or a signal asked for it). Thread-safe.
  bool stopping() const;

  // Re-reads the TLS certificate and key (tls_context.h): new connections use
  // them, open ones keep theirs. On failure the old ones stay in use. OK and
  // nothing done on a plain-HTTP server. Thread-safe.
  Status ReloadTls();

  // Run() plus SIGINT/SIGTERM → Stop(); a second signal force-closes at once.
  // SIGHUP → ReloadTls(), then options.on_reload (it does not end the process).
  // `on_ready` runs once the signal handlers are installed (e.g. to announce
  // readiness: a signal sent after it always stops the server gracefully).
  void RunUntilSignal(const std::function<void()>& on_ready = {});

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lakeshare
