// The settings of the HTTP server (http_server.h): where it listens, how
// many threads it runs, and the limits it holds every client to. Plain data.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "server/errors.h"
#include "server/http.h"

namespace lakeshare {

// Builds a server-level error response: 400 malformed request or target,
// 408 request not read within read_timeout, 413 body too large, 431 header too
// large, 500 handler threw or returned an invalid status, 501 unsupported
// transfer coding, 503 request arrived after the shutdown grace period (or
// too many connections or pending request bodies). Called on I/O and worker threads, so it
// must be thread-safe, cheap and non-blocking. The server adds the framing
// headers and "Connection: close" itself.
using ErrorRenderer = std::function<HttpResponse(int status, std::string_view message)>;

// Looks at a request whose body is still to come (`head` holds everything
// but the body), on a worker thread, before a byte of the body is read: a
// response to send instead (a 401 for a request without valid credentials),
// after which the connection closes with the body unread; nullopt to read
// the body and hand the request to the handler, which gets what the check
// put in head.head_context (the rest of `head` is the check's scratch copy).
// Thread-safe; must not throw.
using HeadCheck = std::function<std::optional<HttpResponse>(HttpRequest& head)>;

// HTTPS on the listener (tls_context.h). Files are re-read by
// HttpServer::ReloadTls (SIGHUP); a self-signed certificate is made in memory
// at start. The password never leaves this struct (never logged).
struct TlsOptions {
  bool enabled = false;
  bool self_signed = false;
  std::string certificate_file;                // PEM, leaf first (a chain may follow)
  std::string key_file;                        // PEM private key, optionally encrypted
  std::string key_password;                    // for an encrypted key_file
  std::string self_signed_host = "localhost";  // subject and DNS name of a self-signed one
};

// What the server reports to an observer (metrics): called on io threads,
// so implementations are thread-safe and cheap (atomics, no I/O).
struct RequestRecord {
  std::string_view method;
  std::string_view path;  // without the query string
  int status = 0;
  uint64_t body_bytes = 0;  // response body bytes written
  std::chrono::steady_clock::duration duration{};
  bool complete = true;  // false: the connection closed before the response ended
};

class ServerObserver {
 public:
  virtual ~ServerObserver() = default;
  virtual void OnRequest(const RequestRecord& record) = 0;
  virtual void OnConnectionOpened() = 0;
  virtual void OnConnectionClosed() = 0;
  virtual void OnTlsHandshakeFailed() = 0;
  // A response was cut off at ServerOptions::max_response_time.
  virtual void OnResponseTimeLimit() {}
};

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
  // A client must take each response piece at this rate (bytes/s; a write of
  // n bytes may take 2 s + n / rate, never more than write_timeout), so a slow
  // reader cannot hold a response's buffers and descriptors for long. 0: off.
  uint64_t min_send_rate = 32 * 1024;
  // A response (header to last byte, producing included) may take this long
  // at most; then the connection is closed (the body stays truncated), so a
  // client reading at just the minimum rate cannot hold an answer (and its
  // recipient slot) for as long as the answer lasts. 0: no bound.
  std::chrono::seconds max_response_time{600};
  // Open connections at most; more are answered 503 and closed at once.
  // Start() also clamps it to half the descriptor limit (after raising the
  // soft limit to the hard one): a connection may hold a second descriptor.
  size_t max_connections = 10000;
  // Request body bytes that all connections together may hold before their
  // requests are handled (authenticated); a request that would exceed it gets
  // a 503 and the connection closes. 0: no bound.
  uint64_t max_pending_body_bytes = 64 * 1024 * 1024;
  // One spdlog info line per request: remote "METHOD path" status body-bytes
  // duration "user-agent" [aborted]. No query string, no other header values.
  bool access_log = true;
  TlsOptions tls;
  // Optional (not owned; must outlive the server).
  ServerObserver* observer = nullptr;
  // The default is the protocol's (server/errors.h).
  ErrorRenderer error_renderer = TransportErrorResponse;
  // Unset: every body is read before the handler runs.
  HeadCheck head_check;
  // Called on SIGHUP after the TLS certificate is reloaded (RunUntilSignal
  // only), on the server's strand: accepts wait for it, open connections do
  // not. It reports its own errors (the server keeps running either way).
  std::function<void()> on_reload;
};

}  // namespace lakeshare
