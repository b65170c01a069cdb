// The settings of the HTTP server (http_server.h): where it listens, how
// many threads it runs, and the limits it holds every client to. Plain data.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "server/errors.h"
#include "server/http.h"

namespace lakeshare {

// Builds a server-level error response: 400 malformed request or target,
// 408 request not read within read_timeout, 413 body too large, 431 header too
// large, 500 handler threw or returned an invalid status, 503 request arrived
// after the shutdown grace period. Called on I/O and worker threads, so it
// must be thread-safe, cheap and non-blocking. The server adds the framing
// headers and "Connection: close" itself.
using ErrorRenderer = std::function<HttpResponse(int status, std::string_view message)>;

struct ServerOptions {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal to listen on
  uint16_t port = 0;                  // 0 = pick a free port (see HttpServer::port())
  int io_threads = 2;
  int worker_threads = 16;  // concurrent handlers / stream pieces in production
  // Per-connection limits (connection_limits.h turns them into the parser's).
  size_t max_header_bytes = 16 * 1024;      // request line + headers; more → 431
  size_t max_body_bytes = 1024 * 1024;      // decoded body (also chunked); more → 413
  std::chrono::seconds idle_timeout{60};    // keep-alive wait for a request's first byte
  std::chrono::seconds read_timeout{30};    // from first byte to complete body; → 408
  std::chrono::seconds write_timeout{60};   // per write of one piece (≤ ~256 KiB) to the client
  std::chrono::seconds shutdown_grace{30};  // Stop(): in-flight work gets this long
  // One spdlog info line per request: remote "METHOD path" status body-bytes
  // duration "user-agent" [aborted]. No query string, no other header values.
  bool access_log = true;
  // The default is the protocol's (server/errors.h).
  ErrorRenderer error_renderer = TransportErrorResponse;
};

}  // namespace lakeshare
