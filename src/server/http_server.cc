#include "server/http_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/json_writer.h"
#include "server/request_target.h"

namespace lakeshare {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kPieceHint = 128 * 1024;   // size hint for BodyStream::Next
constexpr size_t kWriteSlice = 256 * 1024;  // fixed bodies go out in slices (write_timeout each)
constexpr size_t kKeptBufferBytes = 64 * 1024;  // larger read buffers are freed between requests
// After a response with "Connection: close" we stop sending but keep reading
// (and discarding) for a while: closing with unread input makes the kernel send
// a RST, which can destroy the response before the client has read it.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr auto kShutdownTick = std::chrono::milliseconds(20);
// If connections still exist this long after being force-closed (a handler
// that never returns), the io loop is stopped so Run() cannot hang.
constexpr auto kHardStopDelay = std::chrono::seconds(5);
// During shutdown, a request still arriving gets this long to finish arriving
// (not the full read timeout): a stalled client must not hold the stop.
constexpr auto kShutdownReadTimeout = std::chrono::seconds(2);
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

std::string_view ErrorCodeName(int status) {
  switch (status) {
    case 400:
      return "MALFORMED_REQUEST";
    case 408:
      return "REQUEST_TIMEOUT";
    case 413:
      return "REQUEST_TOO_LARGE";
    case 431:
      return "REQUEST_HEADER_FIELDS_TOO_LARGE";
    case 503:
      return "SERVICE_UNAVAILABLE";
    default:
      return status >= 500 ? "INTERNAL_ERROR" : "INVALID_REQUEST";
  }
}

bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsValidHeaderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

// CR/LF/NUL in a handler-supplied value would let it inject headers.
bool IsValidHeaderValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool HasCloseToken(std::string_view value) {
  // Connection is a comma-separated token list; "close" anywhere counts.
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view token = value.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (beast::iequals(token, "close")) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Client-controlled text in the access log: quote-safe, no control bytes,
// bounded length.
std::string LogSafe(std::string_view text) {
  constexpr size_t kMax = 256;
  if (text.empty()) return "-";
  std::string out;
  for (unsigned char c : text.substr(0, kMax)) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMax) out += "...";
  return out;
}

void AppendUnsigned(std::string* out, uint64_t value, int base = 10) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value, base);
  out->append(digits, end);
}

}  // namespace

HttpResponse DefaultErrorResponse(int status, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  std::string& body = response.body;
  body = "{\"errorCode\":";
  AppendJsonString(&body, ErrorCodeName(status));
  body += ",\"message\":";
  AppendJsonString(&body, message);
  body += "}";
  return response;
}

// Named (not anonymous) so HttpServer::Impl can hold pointers to it; the
// distinct namespace keeps it from clashing with other translation units.
namespace http_server_internal {
class Connection;
}  // namespace http_server_internal
using http_server_internal::Connection;

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, HttpHandler handler);
  ~Impl() { Teardown(); }

  Status Start();
  uint16_t port() const { return port_.load(); }
  void Run();
  void Stop();
  void RunUntilSignal(const std::function<void()>& on_ready);

  // For connections.
  const ServerOptions& options() const { return options_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  bool forced() const { return forced_.load(std::memory_order_acquire); }
  net::io_context& ioc() { return *ioc_; }
  net::thread_pool& workers() { return *workers_; }
  HttpResponse CallHandler(HttpRequest& request);
  HttpResponse RenderError(int status, std::string_view message);
  void Unregister(uint64_t id);

 private:
  void Teardown();
  void RunIoThread();
  void DoAccept();
  void OnAccept(error_code ec, tcp::socket socket);
  void BeginShutdown();
  void ShutdownTick();
  void WaitForSignal();
  size_t ConnectionCount();
  template <typename Fn>
  void PostToConnections(Fn fn);

  const ServerOptions options_;
  const HttpHandler handler_;

  std::mutex lifecycle_mu_;  // Start / Stop / Run transitions
  bool started_ = false;
  bool ran_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> forced_{false};
  std::atomic<uint16_t> port_{0};

  // Created by Start(). Members bound to the io_context (and strands, which
  // refer to its services) are destroyed before it in Teardown().
  std::unique_ptr<net::io_context> ioc_;
  std::optional<net::thread_pool> workers_;
  // Serializes the acceptor, the timers, the signal set and shutdown state.
  std::optional<net::strand<net::io_context::executor_type>> strand_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::steady_timer> accept_timer_;
  std::optional<net::steady_timer> shutdown_timer_;
  std::optional<net::signal_set> signals_;
  Clock::time_point grace_deadline_;  // strand only
  bool shutdown_complete_ = false;    // strand only
  uint64_t next_connection_id_ = 0;   // strand only

  std::mutex connections_mu_;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections_;
};

namespace http_server_internal {

// One TCP connection: reads requests one at a time, hands each to the worker
// pool and writes the response. Every member is touched only on the
// connection's strand (the socket's executor), except `aborted_` (read by the
// worker producing a stream piece) and what worker lambdas own by value.
// Lifetime: shared_ptr held by pending operations and worker tasks; timers
// hold only weak references, so the connection dies with its last socket op.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer::Impl* server, tcp::socket socket, uint64_t id)
      : server_(server),
        options_(server->options()),
        socket_(std::move(socket)),
        executor_(socket_.get_executor()),
        timer_(executor_),
        id_(id) {
    error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    tcp::endpoint remote = socket_.remote_endpoint(ec);
    if (!ec) {
      try {
        remote_ = remote.address().to_string();
      } catch (const std::exception&) {
        remote_.clear();
      }
    }
  }

  ~Connection() { server_->Unregister(id_); }

  const net::any_io_executor& executor() const { return executor_; }

  void Start() {
    net::post(executor_, [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // Graceful stop: an idle keep-alive connection is closed; a busy one
  // finishes its request (answered with "Connection: close"); one still
  // receiving a request gets a short deadline for the rest of it.
  void OnServerStopping() {
    if (closed_) return;
    if (phase_ == Phase::kReadingHeader || phase_ == Phase::kReadingBody) {
      SetDeadline(std::min<Clock::duration>(options_.read_timeout, kShutdownReadTimeout));
      return;
    }
    if (phase_ != Phase::kIdle) return;
    // Bytes already waiting mean a request raced with the shutdown: serve it
    // (with "Connection: close") rather than drop it.
    error_code ec;
    if (socket_.available(ec) > 0 && !ec) return;
    Close();
  }

  void ForceClose() {
    if (closed_) return;
    spdlog::warn("http: closing connection from {} at the end of the shutdown grace period",
                 LogSafe(remote_));
    Close();
  }

 private:
  enum class Phase { kIdle, kReadingHeader, kReadingBody, kHandling, kWriting, kLingering };
  enum class Framing { kNone, kContentLength, kChunked, kUntilClose };

  // ---- Reading a request ----

  void WaitForRequest() {
    if (closed_) return;
    phase_ = Phase::kIdle;
    if (buffer_.size() > 0) {  // a pipelined request is already here: serve it
      ReadHeader();
      return;
    }
    if (server_->stopping()) {
      Close();
      return;
    }
    // Waiting for readability (rather than reading) keeps the idle timeout
    // separate from the read timeout, which starts with the first byte.
    SetDeadline(options_.idle_timeout);
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](error_code ec) { self->OnReadable(ec); });
  }

  void OnReadable(error_code ec) {
    if (closed_) return;
    if (ec || timed_out_) {  // idle timeout: close silently, there is nothing to answer
      Close();
      return;
    }
    ReadHeader();
  }

  void ReadHeader() {
    phase_ = Phase::kReadingHeader;
    start_ = Clock::now();
    method_.clear();
    path_.clear();
    user_agent_.clear();
    head_ = false;
    http10_ = false;
    keep_alive_ = false;
    status_ = 0;
    body_bytes_ = 0;
    log_pending_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(options_.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(static_cast<uint64_t>(options_.max_body_bytes));
    SetDeadline(options_.read_timeout);
    http::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(error_code ec) {
    if (closed_) return;
    if (ec || timed_out_) {
      OnReadError(ec);
      return;
    }
    http::request<http::string_body>& req = parser_->get();
    NoteRequestLine();
    head_ = req.method() == http::verb::head;
    http10_ = req.version() < 11;
    keep_alive_ = req.keep_alive();
    user_agent_ = std::string(req[http::field::user_agent]);
    // Validate the target before reading the body, so a bad one costs no upload.
    Result<RequestTarget> target = ParseRequestTarget(req.target());
    if (!target.ok()) {
      SendError(400, target.status().message());
      return;
    }
    target_ = std::move(*target);
    if (parser_->is_done()) {
      Dispatch();
      return;
    }
    if (!http10_ && beast::iequals(req[http::field::expect], "100-continue")) {
      // A declared Content-Length above the limit was already refused by the
      // parser (body_limit → 413), so the client never sends that body.
      net::async_write(
          socket_, net::buffer(kContinue.data(), kContinue.size()),
          [self = shared_from_this()](error_code ec, size_t) { self->OnContinueWritten(ec); });
      return;
    }
    ReadBody();
  }

  void OnContinueWritten(error_code ec) {
    if (closed_) return;
    if (ec || timed_out_) {
      Close();
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    phase_ = Phase::kReadingBody;
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(error_code ec) {
    if (closed_) return;
    if (ec || timed_out_) {
      OnReadError(ec);
      return;
    }
    Dispatch();
  }

  // Method and path for the access log, also for requests that fail later.
  void NoteRequestLine() {
    if (!parser_) return;
    const auto& req = parser_->get();
    method_ = std::string(req.method_string());
    std::string_view target = req.target();
    path_ = std::string(target.substr(0, target.find('?')));
  }

  void OnReadError(error_code ec) {
    if (timed_out_) {
      SendError(408, "timed out reading the request");
    } else if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
      Close();  // the client went away; nobody to answer
    } else if (ec == http::error::header_limit) {
      SendError(431, "request header fields too large");
    } else if (ec == http::error::body_limit) {
      NoteRequestLine();
      SendError(413,
                "request body larger than " + std::to_string(options_.max_body_bytes) + " bytes");
    } else if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      SendError(400, "malformed HTTP request: " + ec.message());
    } else {
      Close();  // socket error
    }
  }

  // ---- Handling ----

  void Dispatch() {
    phase_ = Phase::kHandling;
    ClearDeadline();  // handlers may take long; they are not timed
    http::request<http::string_body> msg = parser_->release();
    parser_.reset();
    log_pending_ = true;
    if (server_->forced()) {
      SendError(503, "server is shutting down");
      return;
    }
    HttpRequest request;
    request.method = method_;
    request.target = std::string(msg.target());
    request.path = std::move(target_.path);
    request.query = std::move(target_.query);
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(msg.body());
    request.remote_address = remote_;

    net::post(server_->workers(), [self = shared_from_this(), request = std::move(request),
                                   work = net::make_work_guard(server_->ioc())]() mutable {
      HttpResponse response = self->server_->CallHandler(request);
      net::any_io_executor executor = self->executor_;
      net::post(executor, [self = std::move(self), response = std::move(response)]() mutable {
        self->SendResponse(std::move(response));
      });
    });
  }

  void SendError(int status, std::string_view message) {
    if (closed_) return;
    log_pending_ = true;
    keep_alive_ = false;  // the connection state is unknown: answer and close
    ClearDeadline();
    SendResponse(server_->RenderError(status, message));
  }

  // ---- Writing the response ----

  void SendResponse(HttpResponse response) {
    if (closed_) return;  // the client left (or shutdown force-closed it) meanwhile
    phase_ = Phase::kWriting;
    if (response.status < 200 || response.status > 999) {
      spdlog::error("http: handler returned invalid status {} for {} {}", response.status,
                    LogSafe(method_), LogSafe(path_));
      response = server_->RenderError(500, "internal error");
      if (response.status < 200 || response.status > 999) response.status = 500;
    }
    status_ = response.status;
    const bool body_allowed = status_ != 204 && status_ != 304;
    bool close = !keep_alive_ || server_->stopping();

    framing_ = Framing::kNone;
    content_length_ = 0;
    if (body_allowed && response.stream) {
      std::optional<uint64_t> length;
      try {
        length = response.stream->Length();
      } catch (...) {
        length.reset();
      }
      if (length) {
        framing_ = Framing::kContentLength;
        content_length_ = *length;
      } else if (http10_) {
        framing_ = Framing::kUntilClose;  // HTTP/1.0 has no chunked encoding
        close = true;
      } else {
        framing_ = Framing::kChunked;
      }
    } else if (body_allowed) {
      framing_ = Framing::kContentLength;
      content_length_ = response.body.size();
    }

    header_.clear();
    header_ += "HTTP/1.1 ";
    AppendUnsigned(&header_, static_cast<uint64_t>(status_));
    header_ += ' ';
    http::status known = http::int_to_status(static_cast<unsigned>(status_));
    if (known != http::status::unknown) header_ += http::obsolete_reason(known);
    header_ += kCrlf;
    for (const auto& [name, value] : response.headers) {
      if (!IsValidHeaderName(name) || !IsValidHeaderValue(value)) {
        spdlog::warn("http: dropping invalid response header '{}'", LogSafe(name));
        continue;
      }
      // The server owns message framing and connection management.
      if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding")) {
        continue;
      }
      if (beast::iequals(name, "connection")) {
        close = close || HasCloseToken(value);
        continue;
      }
      header_ += name;
      header_ += ": ";
      header_ += value;
      header_ += kCrlf;
    }
    if (framing_ == Framing::kContentLength) {
      header_ += "Content-Length: ";
      AppendUnsigned(&header_, content_length_);
      header_ += kCrlf;
    } else if (framing_ == Framing::kChunked) {
      header_ += "Transfer-Encoding: chunked\r\n";
    }
    if (close) {
      header_ += "Connection: close\r\n";
    } else if (http10_) {
      header_ += "Connection: keep-alive\r\n";
    }
    header_ += kCrlf;
    close_after_ = close;
    header_sent_ = false;
    body_offset_ = 0;

    if (!head_ && body_allowed && response.stream) {
      stream_ = std::move(response.stream);
      SetDeadline(options_.write_timeout);
      net::async_write(
          socket_, net::buffer(header_),
          [self = shared_from_this()](error_code ec, size_t) { self->OnStreamHeaderWritten(ec); });
      return;
    }
    // HEAD gets the headers a GET would get, and no body.
    body_ = (head_ || !body_allowed) ? std::string() : std::move(response.body);
    WriteFixed();
  }

  void WriteFixed() {
    size_t slice = std::min(kWriteSlice, body_.size() - body_offset_);
    std::array<net::const_buffer, 2> buffers = {
        header_sent_ ? net::const_buffer() : net::buffer(header_),
        net::buffer(body_.data() + body_offset_, slice)};
    SetDeadline(options_.write_timeout);
    net::async_write(socket_, buffers, [self = shared_from_this(), slice](error_code ec, size_t) {
      self->OnFixedWritten(ec, slice);
    });
  }

  void OnFixedWritten(error_code ec, size_t slice) {
    if (closed_) return;
    if (ec || timed_out_) {
      Close();
      return;
    }
    header_sent_ = true;
    body_offset_ += slice;
    body_bytes_ += slice;
    if (body_offset_ < body_.size()) {
      WriteFixed();
      return;
    }
    FinishResponse();
  }

  void OnStreamHeaderWritten(error_code ec) {
    if (closed_) return;
    if (ec || timed_out_) {
      Close();
      return;
    }
    ClearDeadline();  // producing (storage reads) is not the client's fault
    ProduceNextPiece();
  }

  // Pipelining with backpressure: the next piece is produced on a worker
  // while the previous one is being written (producer and socket run on
  // different cores), and no further piece is produced until that one is
  // written: at most two pieces per connection are in memory.
  void ProduceNextPiece() {
    producing_ = true;
    std::string piece = std::move(spare_);
    piece.clear();
    net::post(server_->workers(),
              [self = shared_from_this(), stream = std::move(stream_), piece = std::move(piece),
               work = net::make_work_guard(server_->ioc())]() mutable {
                Result<bool> more = self->Produce(stream.get(), &piece);
                net::any_io_executor executor = self->executor_;
                net::post(executor, [self = std::move(self), stream = std::move(stream),
                                     piece = std::move(piece), more = std::move(more)]() mutable {
                  self->OnPiece(std::move(stream), std::move(piece), std::move(more));
                });
              });
  }

  // Worker thread. Loops past empty pieces: an empty chunk would end the body.
  Result<bool> Produce(BodyStream* stream, std::string* piece) {
    try {
      while (true) {
        if (aborted_.load(std::memory_order_relaxed))
          return Status::Unavailable("connection closed");
        Result<bool> more = stream->Next(piece, kPieceHint);
        if (!more.ok() || !*more || !piece->empty()) return more;
      }
    } catch (const std::exception& e) {
      return Status::Internal(std::string("BodyStream::Next threw: ") + e.what());
    } catch (...) {
      return Status::Internal("BodyStream::Next threw");
    }
  }

  void OnPiece(std::unique_ptr<BodyStream> stream, std::string piece, Result<bool> more) {
    producing_ = false;
    if (closed_) return;  // `stream` is destroyed on return
    if (!more.ok()) {
      spdlog::warn("http: response stream for {} {} failed after {} bytes: {}", LogSafe(method_),
                   LogSafe(path_), body_bytes_, more.status().ToString());
      Close();  // no terminating chunk: the client sees a truncated body
      return;
    }
    const bool last = !*more;
    if (last) {
      stream.reset();  // release the producer's resources before the final write
    } else {
      stream_ = std::move(stream);
    }
    if (writing_) {
      pending_ = std::move(piece);
      pending_last_ = last;
      has_pending_ = true;
      return;  // OnPieceWritten writes it and resumes production
    }
    WritePiece(std::move(piece), last);
  }

  void WritePiece(std::string piece, bool last) {
    piece_ = std::move(piece);
    const size_t n = piece_.size();
    std::array<net::const_buffer, 4> buffers;  // unused entries stay empty
    if (framing_ == Framing::kChunked) {
      if (n > 0) {
        chunk_prefix_.clear();
        AppendUnsigned(&chunk_prefix_, n, 16);
        chunk_prefix_ += kCrlf;
        buffers[0] = net::buffer(chunk_prefix_);
        buffers[1] = net::buffer(piece_);
        buffers[2] = net::buffer(kCrlf.data(), kCrlf.size());
      }
      if (last) buffers[3] = net::buffer(kLastChunk.data(), kLastChunk.size());
    } else {
      if (framing_ == Framing::kContentLength &&
          (body_bytes_ + n > content_length_ || (last && body_bytes_ + n != content_length_))) {
        spdlog::error("http: response stream for {} {} does not match its Length() {}",
                      LogSafe(method_), LogSafe(path_), content_length_);
        Close();
        return;
      }
      buffers[1] = net::buffer(piece_);
    }
    writing_ = true;
    SetDeadline(options_.write_timeout);
    net::async_write(socket_, buffers, [self = shared_from_this(), last, n](error_code ec, size_t) {
      self->OnPieceWritten(ec, last, n);
    });
    if (!last && !producing_) ProduceNextPiece();
  }

  void OnPieceWritten(error_code ec, bool last, size_t n) {
    writing_ = false;
    if (closed_) return;
    if (ec || timed_out_) {
      Close();  // slow or vanished client; the stream is destroyed with us
      return;
    }
    body_bytes_ += n;
    spare_ = std::move(piece_);  // its buffer serves the next production
    if (!last) {
      if (has_pending_) {
        has_pending_ = false;
        WritePiece(std::move(pending_), pending_last_);
      } else {
        ClearDeadline();  // waiting for the producer, not for the client
      }
      return;
    }
    if (framing_ == Framing::kUntilClose) close_after_ = true;
    FinishResponse();
  }

  void FinishResponse() {
    LogAccess(/*complete=*/true);
    // Idle connections should not pin large buffers.
    body_ = std::string();
    piece_ = std::string();
    spare_ = std::string();
    pending_ = std::string();
    if (buffer_.capacity() > kKeptBufferBytes) buffer_.shrink_to_fit();
    if (close_after_) {
      LingeringClose();
      return;
    }
    WaitForRequest();
  }

  void LingeringClose() {
    phase_ = Phase::kLingering;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      Close();
      return;
    }
    buffer_.consume(buffer_.size());
    SetDeadline(kLingerTime);
    Drain();
  }

  void Drain() {
    socket_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](error_code ec, size_t) {
                              if (self->closed_) return;
                              if (ec || self->timed_out_) {
                                self->Close();
                                return;
                              }
                              self->Drain();
                            });
  }

  // Closes at once. A response in progress stays truncated.
  void Close() {
    if (closed_) return;
    closed_ = true;
    aborted_.store(true, std::memory_order_relaxed);
    LogAccess(/*complete=*/false);
    error_code ec;
    socket_.close(ec);
    ++timer_generation_;
    timer_.cancel();
    stream_.reset();
    parser_.reset();
  }

  // ---- Timeouts ----

  // One timer per connection; re-arming cancels the previous wait, and the
  // generation check ignores a wait that completed just before that.
  void SetDeadline(Clock::duration timeout) {
    timed_out_ = false;
    uint64_t generation = ++timer_generation_;
    timer_.expires_after(timeout);
    timer_.async_wait([weak = weak_from_this(), generation](error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->OnDeadline(generation);
    });
  }

  void ClearDeadline() {
    timed_out_ = false;
    ++timer_generation_;
    timer_.cancel();  // a pending wait would keep the io_context (and Run) alive
  }

  void OnDeadline(uint64_t generation) {
    if (closed_ || generation != timer_generation_) return;
    timed_out_ = true;  // the pending operation's handler sees this flag
    error_code ec;
    socket_.cancel(ec);
  }

  void LogAccess(bool complete) {
    if (!log_pending_) return;
    log_pending_ = false;
    if (!options_.access_log) return;
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
    spdlog::info("{} \"{} {}\" {} {} {:.1f}ms \"{}\"{}", remote_.empty() ? "-" : remote_,
                 LogSafe(method_), LogSafe(path_), status_, body_bytes_, ms, LogSafe(user_agent_),
                 complete ? "" : " aborted");
  }

  HttpServer::Impl* const server_;
  const ServerOptions& options_;
  tcp::socket socket_;
  const net::any_io_executor executor_;  // the connection's strand
  net::steady_timer timer_;
  const uint64_t id_;
  std::string remote_;

  Phase phase_ = Phase::kIdle;
  bool closed_ = false;
  std::atomic<bool> aborted_{false};  // mirrors closed_ for worker threads
  uint64_t timer_generation_ = 0;
  bool timed_out_ = false;

  // Request being read.
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  RequestTarget target_;
  std::string method_, path_, user_agent_;  // for the access log
  bool head_ = false;
  bool http10_ = false;
  bool keep_alive_ = false;
  bool log_pending_ = false;
  Clock::time_point start_;

  // Response being written.
  int status_ = 0;
  uint64_t body_bytes_ = 0;
  Framing framing_ = Framing::kNone;
  uint64_t content_length_ = 0;
  bool close_after_ = false;
  std::string header_;
  bool header_sent_ = false;
  std::string body_;
  size_t body_offset_ = 0;
  std::unique_ptr<BodyStream> stream_;  // null while a worker is producing a piece
  bool producing_ = false;              // a worker is producing the next piece
  bool writing_ = false;                // piece_ is being written
  std::string piece_;                   // being written
  std::string spare_;                   // a written piece's buffer, reused
  std::string pending_;                 // produced while piece_ was being written
  bool has_pending_ = false;
  bool pending_last_ = false;
  std::string chunk_prefix_;
};

}  // namespace http_server_internal

// ---- HttpServer::Impl ----

HttpServer::Impl::Impl(ServerOptions options, HttpHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

void HttpServer::Impl::Teardown() {
  // Worker tasks post to the io_context, so they finish first. If Run() never
  // ran or has returned, anything they post is merely queued.
  if (workers_) workers_->join();
  signals_.reset();
  shutdown_timer_.reset();
  accept_timer_.reset();
  acceptor_.reset();
  strand_.reset();
  ioc_.reset();  // destroys queued handlers, and with them the connections
  workers_.reset();
}

Status HttpServer::Impl::Start() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (started_) return Status::FailedPrecondition("server already started");
  if (stopping_) return Status::FailedPrecondition("server was stopped");
  error_code ec;
  net::ip::address address = net::ip::make_address(options_.address, ec);
  if (ec) {
    return Status::InvalidArgument("invalid listen address '" + options_.address +
                                   "': " + ec.message());
  }
  tcp::endpoint endpoint(address, options_.port);
  std::string where = options_.address + ":" + std::to_string(options_.port);
  try {
    ioc_ = std::make_unique<net::io_context>(std::max(1, options_.io_threads));
    strand_.emplace(net::make_strand(*ioc_));
    acceptor_.emplace(*strand_);
    accept_timer_.emplace(*strand_);
    shutdown_timer_.emplace(*strand_);
    Status status;
    acceptor_->open(endpoint.protocol(), ec);
    // SO_REUSEADDR lets a restart bind despite TIME_WAIT sockets; Linux still
    // refuses a port that another socket is listening on.
    if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (!ec) port_ = acceptor_->local_endpoint(ec).port();
    if (ec) {
      if (ec == net::error::address_in_use) {
        status = Status::Unavailable("cannot listen on " + where + ": address already in use");
      } else if (ec == net::error::access_denied) {
        status = Status::PermissionDenied("cannot listen on " + where + ": " + ec.message());
      } else {
        status = Status::IOError("cannot listen on " + where + ": " + ec.message());
      }
      Teardown();
      port_ = 0;
      return status;
    }
    workers_.emplace(static_cast<size_t>(std::max(1, options_.worker_threads)));
  } catch (const std::exception& e) {
    Teardown();
    port_ = 0;
    return Status::Internal("cannot start HTTP server on " + where + ": " + e.what());
  }
  started_ = true;
  spdlog::info("http: listening on {}:{} ({} io threads, {} workers)", options_.address,
               port_.load(), std::max(1, options_.io_threads),
               std::max(1, options_.worker_threads));
  DoAccept();  // no io thread runs yet, so this is already serialized
  return Status::OK();
}

void HttpServer::Impl::RunIoThread() {
  // An exception escaping a completion handler ends run(); log and continue
  // so that one bad connection cannot take the server down.
  while (true) {
    try {
      ioc_->run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http: unexpected exception in io thread: {}", e.what());
    } catch (...) {
      spdlog::error("http: unexpected exception in io thread");
    }
  }
}

void HttpServer::Impl::Run() {
  {
    std::lock_guard<std::mutex> lock(lifecycle_mu_);
    if (!started_ || ran_) return;
    ran_ = true;
  }
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.io_threads; ++i) {
    try {
      threads.emplace_back([this] { RunIoThread(); });
    } catch (const std::exception& e) {
      spdlog::error("http: cannot start io thread: {}", e.what());
      break;
    }
  }
  RunIoThread();
  for (std::thread& t : threads) t.join();
  spdlog::info("http: server stopped");
}

void HttpServer::Impl::Stop() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (stopping_.exchange(true)) return;
  if (!started_) return;
  try {
    net::post(*strand_, [this] { BeginShutdown(); });
  } catch (const std::exception& e) {
    spdlog::error("http: cannot schedule shutdown: {}", e.what());
  }
}

void HttpServer::Impl::RunUntilSignal(const std::function<void()>& on_ready) {
  {
    std::lock_guard<std::mutex> lock(lifecycle_mu_);
    if (!started_ || ran_) return;
    try {
      signals_.emplace(*strand_);
      error_code ec;
      signals_->add(SIGINT, ec);
      if (!ec) signals_->add(SIGTERM, ec);
      if (ec) spdlog::warn("http: cannot install signal handlers: {}", ec.message());
      net::post(*strand_, [this] { WaitForSignal(); });
    } catch (const std::exception& e) {
      spdlog::warn("http: cannot install signal handlers: {}", e.what());
      signals_.reset();
    }
  }
  // The handlers are in place: a signal from now on stops gracefully.
  if (on_ready) on_ready();
  Run();
}

void HttpServer::Impl::WaitForSignal() {
  if (shutdown_complete_ || !signals_) return;
  signals_->async_wait([this](error_code ec, int signo) {
    if (ec) return;
    if (!stopping()) {
      spdlog::info("http: signal {} received, shutting down gracefully", signo);
      Stop();
    } else {
      spdlog::warn("http: signal {} received again, closing all connections now", signo);
      grace_deadline_ = Clock::now();  // the next shutdown tick force-closes
    }
    WaitForSignal();
  });
}

void HttpServer::Impl::DoAccept() {
  acceptor_->async_accept(net::make_strand(*ioc_), [this](error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping()) return;  // `socket` closes itself
  if (ec) {
    // E.g. EMFILE: retry after a pause instead of spinning.
    spdlog::warn("http: accept failed: {}", ec.message());
    accept_timer_->expires_after(kAcceptRetryDelay);
    accept_timer_->async_wait([this](error_code wait_ec) {
      if (!wait_ec && !stopping()) DoAccept();
    });
    return;
  }
  try {
    uint64_t id = next_connection_id_++;
    auto connection = std::make_shared<Connection>(this, std::move(socket), id);
    {
      std::lock_guard<std::mutex> lock(connections_mu_);
      connections_.emplace(id, connection);
    }
    connection->Start();
  } catch (const std::exception& e) {
    spdlog::error("http: cannot set up connection: {}", e.what());
  }
  DoAccept();
}

void HttpServer::Impl::Unregister(uint64_t id) {
  std::lock_guard<std::mutex> lock(connections_mu_);
  connections_.erase(id);
}

size_t HttpServer::Impl::ConnectionCount() {
  std::lock_guard<std::mutex> lock(connections_mu_);
  return connections_.size();
}

template <typename Fn>
void HttpServer::Impl::PostToConnections(Fn fn) {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard<std::mutex> lock(connections_mu_);
    live.reserve(connections_.size());
    for (auto& [id, weak] : connections_) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  for (auto& connection : live) {
    net::post(connection->executor(), [connection, fn] { fn(*connection); });
  }
}

void HttpServer::Impl::BeginShutdown() {
  size_t live = ConnectionCount();
  spdlog::info("http: stopping; {} open connection(s), grace {} s", live,
               options_.shutdown_grace.count());
  error_code ec;
  acceptor_->close(ec);
  accept_timer_->cancel();
  grace_deadline_ = Clock::now() + options_.shutdown_grace;
  PostToConnections([](Connection& c) { c.OnServerStopping(); });
  ShutdownTick();
}

// Polls until every connection is gone; simpler and more robust than having
// connection destructors signal back into a server that may be tearing down.
void HttpServer::Impl::ShutdownTick() {
  size_t live = ConnectionCount();
  if (live == 0) {
    shutdown_complete_ = true;
    error_code ec;
    if (signals_) signals_->cancel(ec);
    return;  // nothing left holds work: the io threads' run() return
  }
  Clock::time_point now = Clock::now();
  if (!forced() && now >= grace_deadline_) {
    spdlog::warn("http: shutdown grace period over; closing {} connection(s)", live);
    forced_ = true;
    grace_deadline_ = now;
    PostToConnections([](Connection& c) { c.ForceClose(); });
  } else if (forced() && now >= grace_deadline_ + kHardStopDelay) {
    spdlog::error("http: {} connection(s) still busy after being closed; stopping the io loop",
                  live);
    ioc_->stop();
    return;
  }
  shutdown_timer_->expires_after(kShutdownTick);
  shutdown_timer_->async_wait([this](error_code ec) {
    if (!ec) ShutdownTick();
  });
}

HttpResponse HttpServer::Impl::CallHandler(HttpRequest& request) {
  try {
    return handler_(request);
  } catch (const std::exception& e) {
    spdlog::error("http: handler failed for {} {}: {}", LogSafe(request.method),
                  LogSafe(request.path), e.what());
  } catch (...) {
    spdlog::error("http: handler failed for {} {}", LogSafe(request.method), LogSafe(request.path));
  }
  return RenderError(500, "internal error");
}

HttpResponse HttpServer::Impl::RenderError(int status, std::string_view message) {
  if (options_.error_renderer) {
    try {
      return options_.error_renderer(status, message);
    } catch (...) {
      spdlog::error("http: error renderer failed for status {}", status);
    }
  }
  return DefaultErrorResponse(status, message);
}

// ---- HttpServer ----

HttpServer::HttpServer(ServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }
void HttpServer::RunUntilSignal(const std::function<void()>& on_ready) {
  impl_->RunUntilSignal(on_ready);
}

}  // namespace lakeshare
