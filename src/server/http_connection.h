// One TCP connection of the HTTP server, as a state machine: on a TLS
// listener, tell TLS from plain HTTP (which gets a 400 saying to use https)
// and do the handshake (read timeout), then wait for a
// request (idle timeout), read its header, let the head check refuse it
// before its body is read (then answer and close), read the body (read
// timeout, the parser's limits of connection_limits.h), hand it to the
// worker pool, write
// the response — a fixed body in slices, or a BodyStream piece by piece
// (body_streaming.h), each write bounded by the minimum send rate and the
// whole response by the maximum response time — and either wait for the next
// request or close (lingering, so the client reads the response before the FIN).
//
// Threading: every member is touched only on the connection's strand (the
// socket's executor), except `aborted_` (read by the worker producing a
// stream piece) and what worker lambdas own by value. Lifetime: shared_ptr
// held by pending operations and worker tasks; timers hold only weak
// references, so the connection dies with its last socket operation.
// Internal to server/. Implemented in http_connection.cc (accepting, TLS,
// reading a request, handing it to the workers) and
// http_connection_response.cc (writing the response, closing, deadlines).
#pragma once

#include <any>
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/body_budget.h"
#include "server/body_streaming.h"
#include "server/connection_limits.h"
#include "server/connection_stream.h"
#include "server/http.h"
#include "server/request_target.h"
#include "server/response_head.h"

namespace lakeshare {

// What a connection needs from the server that accepted it (HttpServer's
// listener). Implementations are thread-safe.
class HttpConnectionHost {
 public:
  virtual ~HttpConnectionHost() = default;
  virtual const ConnectionLimits& limits() const = 0;
  virtual bool access_log() const = 0;
  virtual bool stopping() const = 0;  // Stop() was called
  virtual bool forced() const = 0;    // the shutdown grace period is over
  virtual boost::asio::io_context& ioc() = 0;
  virtual boost::asio::thread_pool& workers() = 0;
  // Bounds the request bodies held across connections before handling.
  virtual BodyBudget& body_budget() = 0;
  // The TLS context for a new connection; null on a plain-HTTP listener.
  virtual std::shared_ptr<boost::asio::ssl::context> tls_context() = 0;
  virtual ServerObserver* observer() = 0;  // may be null
  // Runs the handler (worker thread); never throws.
  virtual HttpResponse CallHandler(HttpRequest& request) = 0;
  // ServerOptions::head_check (worker thread); never throws. has_head_check:
  // whether there is one (else bodies are read without asking).
  virtual bool has_head_check() const = 0;
  virtual std::optional<HttpResponse> CheckHead(HttpRequest& head) = 0;
  // The transport's own error responses (server/errors.h by default).
  virtual HttpResponse RenderError(int status, std::string_view message) = 0;
  // The connection with this id is gone (called from its destructor).
  virtual void Unregister(uint64_t id) = 0;
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(HttpConnectionHost* host, boost::asio::ip::tcp::socket socket, uint64_t id);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  const boost::asio::any_io_executor& executor() const { return executor_; }

  // Starts serving (on the connection's strand).
  void Start();
  // Graceful stop (strand): an idle keep-alive connection is closed; a busy
  // one finishes its request (answered with "Connection: close"); one still
  // receiving a request gets a short deadline for the rest of it.
  void OnServerStopping();
  // The end of the grace period (strand): closes at once.
  void ForceClose();

 private:
  using error_code = boost::system::error_code;
  using Clock = std::chrono::steady_clock;
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  enum class Phase {
    kHandshake,
    kIdle,
    kReadingHeader,
    kReadingBody,
    kHandling,
    kWriting,
    kLingering
  };

  // TLS.
  void OnFirstBytes(error_code ec);
  void OnHandshake(error_code ec);

  // Reading a request.
  void WaitForRequest();
  void OnFirstRead(error_code ec, size_t n);
  void OnReadable(error_code ec);
  void ReadHeader();
  void OnHeader(error_code ec);
  void OnContinueWritten(error_code ec);
  void CheckHead();
  void StartBody();
  void ReadBody();
  void OnBody(error_code ec);
  void NoteRequestLine();
  void OnReadError(error_code ec);

  // Handling.
  void Dispatch();
  void SendError(int status, std::string_view message);

  // Writing the response.
  void SendResponse(HttpResponse response);
  void WriteFixed();
  void OnFixedWritten(error_code ec, size_t slice);
  void OnStreamHeaderWritten(error_code ec);
  void ProduceNextPiece();
  void OnPiece(std::unique_ptr<BodyStream> stream, std::string piece, Result<bool> more);
  void WritePiece(std::string piece, bool last);
  void OnPieceWritten(error_code ec, bool last, size_t n);
  void FinishResponse();
  void LingeringClose();
  void Drain();
  void Close();

  // Timeouts: one timer per connection; re-arming cancels the previous wait,
  // and the generation check ignores a wait that completed just before that.
  void SetDeadline(Clock::duration timeout);
  // A write of `bytes` to the client: its own timeout, within the response's.
  void SetWriteDeadline(size_t bytes);
  // After a write timed out: whether it was the response's time that ran
  // out (then logged and counted).
  void NoteResponseTimeLimit();
  void ClearDeadline();
  void OnDeadline(uint64_t generation);

  void LogAccess(bool complete);

  HttpConnectionHost* const host_;
  const ConnectionLimits& limits_;
  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // null: plain HTTP
  ConnectionStream io_;  // socket_, or TLS over it once the handshake begins
  const boost::asio::any_io_executor executor_;  // the connection's strand
  boost::asio::steady_timer timer_;
  const uint64_t id_;
  std::string remote_;

  Phase phase_ = Phase::kIdle;
  bool closed_ = false;
  std::atomic<bool> aborted_{false};  // mirrors closed_ for worker threads
  uint64_t timer_generation_ = 0;
  bool timed_out_ = false;

  // Request being read.
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  RequestTarget target_;
  std::vector<std::pair<std::string, std::string>> headers_;  // the head's, trailers excluded
  BodyBudget::Reservation body_reservation_;  // what the body being read may grow to
  std::string method_, path_, user_agent_;    // for the access log
  std::string request_id_;                    // for the log, the response and the handler
  std::any head_context_;                     // the head check's, for the handler
  bool head_ = false;
  bool http10_ = false;
  bool keep_alive_ = false;
  bool log_pending_ = false;
  Clock::time_point start_;

  // Response being written.
  int status_ = 0;
  uint64_t body_bytes_ = 0;
  std::optional<Clock::time_point> response_deadline_;  // unset: no bound
  bool close_after_ = false;
  std::string header_;
  bool header_sent_ = false;
  std::string body_;
  size_t body_offset_ = 0;
  std::optional<StreamFramer> framer_;
  BodyFraming framing_ = BodyFraming::kNone;
  std::unique_ptr<BodyStream> stream_;  // null while a worker is producing a piece
  bool producing_ = false;              // a worker is producing the next piece
  bool writing_ = false;                // piece_ is being written
  std::string piece_;                   // being written
  std::string spare_;                   // a written piece's buffer, reused
  std::string pending_;                 // produced while piece_ was being written
  bool has_pending_ = false;
  bool pending_last_ = false;
};

}  // namespace lakeshare
