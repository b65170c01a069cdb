#include "server/http_connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "common/request_id.h"
#include "common/strings.h"
#include "server/access_log.h"
#include "server/request_head.h"

namespace lakeshare {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Every TLS connection opens with a handshake record (content type 22).
constexpr unsigned char kTlsHandshakeRecord = 0x16;
// A TLS connection's first read after the handshake (one TLS record).
constexpr size_t kTlsFirstRead = 16 * 1024;
}  // namespace

HttpConnection::HttpConnection(HttpConnectionHost* host, tcp::socket socket, uint64_t id)
    : host_(host),
      limits_(host->limits()),
      socket_(std::move(socket)),
      tls_context_(host->tls_context()),
      io_(socket_),
      executor_(socket_.get_executor()),
      timer_(executor_),
      id_(id) {
  // Paired with OnConnectionClosed in the destructor.
  if (ServerObserver* observer = host_->observer()) observer->OnConnectionOpened();
  buffer_.max_size(limits_.read_buffer_bytes);
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

HttpConnection::~HttpConnection() {
  if (ServerObserver* observer = host_->observer()) observer->OnConnectionClosed();
  host_->Unregister(id_);
}

void HttpConnection::Start() {
  net::post(executor_, [self = shared_from_this()] {
    if (!self->tls_context_) {
      self->WaitForRequest();
      return;
    }
    // The whole handshake, from the first byte on, has the read timeout.
    self->phase_ = Phase::kHandshake;
    self->SetDeadline(self->limits_.read_timeout);
    self->socket_.async_wait(tcp::socket::wait_read,
                             [self](error_code ec) { self->OnFirstBytes(ec); });
  });
}

// ---- TLS ----

void HttpConnection::OnFirstBytes(error_code ec) {
  if (closed_) return;
  if (ec || timed_out_) {
    Close();
    return;
  }
  unsigned char first = 0;
  size_t n = socket_.receive(net::buffer(&first, 1), tcp::socket::message_peek, ec);
  if (ec || n == 0) {
    Close();
    return;
  }
  if (first != kTlsHandshakeRecord) {
    // Most likely plain HTTP: say so in plain HTTP rather than answer with
    // TLS bytes the client would show as garbage.
    start_ = Clock::now();
    SendError(400, "this server speaks HTTPS only: use an https:// URL");
    return;
  }
  io_.StartTls(*tls_context_)
      .async_handshake(net::ssl::stream_base::server,
                       [self = shared_from_this()](error_code ec) { self->OnHandshake(ec); });
}

void HttpConnection::OnHandshake(error_code ec) {
  if (closed_) return;
  if (ec || timed_out_) {
    // Old protocol versions, unknown ciphers, scanners: common and harmless.
    spdlog::debug("http: TLS handshake with {} failed: {}", LogSafe(remote_),
                  timed_out_ ? std::string("timed out") : ec.message());
    if (ServerObserver* observer = host_->observer()) observer->OnTlsHandshakeFailed();
    Close();
    return;
  }
  WaitForRequest();
}

void HttpConnection::OnServerStopping() {
  if (closed_) return;
  if (phase_ == Phase::kHandshake || phase_ == Phase::kReadingHeader ||
      phase_ == Phase::kReadingBody) {
    SetDeadline(limits_.shutdown_read_timeout);
    return;
  }
  if (phase_ != Phase::kIdle) return;
  // Bytes already waiting mean a request raced with the shutdown: serve it
  // (with "Connection: close") rather than drop it.
  error_code ec;
  if (socket_.available(ec) > 0 && !ec) return;
  Close();
}

void HttpConnection::ForceClose() {
  if (closed_) return;
  spdlog::warn("http: closing connection from {} at the end of the shutdown grace period",
               LogSafe(remote_));
  Close();
}

// ---- Reading a request ----

void HttpConnection::WaitForRequest() {
  if (closed_) return;
  phase_ = Phase::kIdle;
  if (buffer_.size() > 0) {  // a pipelined request is already here: serve it
    ReadHeader();
    return;
  }
  if (host_->stopping()) {
    Close();
    return;
  }
  SetDeadline(limits_.idle_timeout);
  if (io_.tls() != nullptr) {
    // Decrypted bytes may already wait inside the TLS stream, where a wait
    // for socket readability would not see them: read instead.
    size_t n = std::min(kTlsFirstRead, limits_.read_buffer_bytes);
    io_.async_read_some(buffer_.prepare(n), [self = shared_from_this()](error_code ec, size_t n) {
      self->OnFirstRead(ec, n);
    });
    return;
  }
  // Waiting for readability (rather than reading) keeps the idle timeout
  // separate from the read timeout, which starts with the first byte.
  socket_.async_wait(tcp::socket::wait_read,
                     [self = shared_from_this()](error_code ec) { self->OnReadable(ec); });
}

void HttpConnection::OnReadable(error_code ec) {
  if (closed_) return;
  if (ec || timed_out_) {  // idle timeout: close silently, there is nothing to answer
    Close();
    return;
  }
  ReadHeader();
}

void HttpConnection::OnFirstRead(error_code ec, size_t n) {
  if (closed_) return;
  if (ec || timed_out_ || n == 0) {
    Close();
    return;
  }
  buffer_.commit(n);
  ReadHeader();
}

void HttpConnection::ReadHeader() {
  phase_ = Phase::kReadingHeader;
  start_ = Clock::now();
  method_.clear();
  path_.clear();
  user_agent_.clear();
  request_id_.clear();
  head_context_.reset();
  head_ = false;
  http10_ = false;
  keep_alive_ = false;
  status_ = 0;
  body_bytes_ = 0;
  log_pending_ = false;
  headers_.clear();
  body_reservation_.Release();
  parser_.emplace();
  limits_.ConfigureParser(&*parser_);
  SetDeadline(limits_.read_timeout);
  http::async_read_header(
      io_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, size_t) { self->OnHeader(ec); });
}

void HttpConnection::OnHeader(error_code ec) {
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
  {
    auto it = req.find("x-request-id");
    std::string client_id = it == req.end() ? std::string() : std::string(it->value());
    request_id_ = RequestIdFrom(it == req.end() ? nullptr : &client_id);
  }
  // Framing, Host and the target are checked before the body is read, so a
  // bad request costs no upload and a smuggled body is never parsed.
  if (std::optional<HeadRefusal> refusal = CheckRequestHead(req)) {
    SendError(refusal->status, refusal->message);
    return;
  }
  Result<RequestTarget> target = ParseRequestTarget(req.target());
  if (!target.ok()) {
    SendError(400, target.status().message());
    return;
  }
  target_ = std::move(*target);
  headers_ = JoinedHeaders(req.base());  // before the body: trailers never become headers
  if (parser_->is_done()) {
    Dispatch();
    return;
  }
  if (host_->has_head_check()) {
    CheckHead();
    return;
  }
  StartBody();
}

// Credentials are checked from the head: a client without them cannot make
// the server read (or hold) a body.
void HttpConnection::CheckHead() {
  phase_ = Phase::kHandling;
  HttpRequest head;
  head.method = method_;
  head.target = std::string(parser_->get().target());
  head.path = target_.path;
  head.query = target_.query;
  head.headers = headers_;
  head.remote_address = remote_;
  head.scheme = tls_context_ ? "https" : "http";
  net::post(host_->workers(), [self = shared_from_this(), head = std::move(head),
                               work = net::make_work_guard(host_->ioc())]() mutable {
    std::optional<HttpResponse> refusal = self->host_->CheckHead(head);
    net::any_io_executor executor = self->executor_;
    net::post(executor, [self = std::move(self), refusal = std::move(refusal),
                         found = std::move(head.head_context)]() mutable {
      if (self->closed_) return;
      self->head_context_ = std::move(found);
      if (self->timed_out_) {
        self->SendError(408, "timed out reading the request");
      } else if (refusal) {
        self->log_pending_ = true;
        self->keep_alive_ = false;  // the body stays unread: close after the answer
        self->ClearDeadline();
        self->SendResponse(std::move(*refusal));
      } else {
        self->StartBody();
      }
    });
  });
}

void HttpConnection::StartBody() {
  phase_ = Phase::kReadingBody;
  http::request<http::string_body>& req = parser_->get();
  boost::optional<uint64_t> length = parser_->content_length();
  if (!host_->body_budget().TryReserve(length ? *length : limits_.max_body_bytes,
                                       &body_reservation_)) {
    SendError(503, "too many request bodies in flight; retry later");
    return;
  }
  if (!http10_ && beast::iequals(req[http::field::expect], "100-continue")) {
    // A declared Content-Length above the limit was already refused by the
    // parser (body_limit → 413), so the client never sends that body.
    net::async_write(
        io_, net::buffer(kContinue.data(), kContinue.size()),
        [self = shared_from_this()](error_code ec, size_t) { self->OnContinueWritten(ec); });
    return;
  }
  ReadBody();
}

void HttpConnection::OnContinueWritten(error_code ec) {
  if (closed_) return;
  if (ec || timed_out_) {
    Close();
    return;
  }
  ReadBody();
}

void HttpConnection::ReadBody() {
  phase_ = Phase::kReadingBody;
  http::async_read(io_, buffer_, *parser_,
                   [self = shared_from_this()](error_code ec, size_t) { self->OnBody(ec); });
}

void HttpConnection::OnBody(error_code ec) {
  if (closed_) return;
  if (ec || timed_out_) {
    OnReadError(ec);
    return;
  }
  Dispatch();
}

// Method and path for the access log, also for requests that fail later.
void HttpConnection::NoteRequestLine() {
  if (!parser_) return;
  const auto& req = parser_->get();
  method_ = std::string(req.method_string());
  std::string_view target = req.target();
  path_ = std::string(target.substr(0, target.find('?')));
}

void HttpConnection::OnReadError(error_code ec) {
  if (timed_out_) {
    SendError(408, "timed out reading the request");
  } else if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
    Close();  // the client went away; nobody to answer
  } else if (ec == http::error::header_limit ||
             (ec == http::error::buffer_overflow && phase_ == Phase::kReadingHeader)) {
    SendError(431, "request header fields too large");
  } else if (ec == http::error::buffer_overflow) {
    SendError(431, "chunk extensions or trailer fields too large");
  } else if (ec == http::error::body_limit) {
    NoteRequestLine();
    SendError(413, limits_.BodyTooLargeMessage());
  } else if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
    SendError(400, "malformed HTTP request: " + ec.message());
  } else {
    Close();  // socket error
  }
}

// ---- Handling ----

void HttpConnection::Dispatch() {
  phase_ = Phase::kHandling;
  ClearDeadline();  // handlers may take long; they are not timed
  http::request<http::string_body> msg = parser_->release();
  parser_.reset();
  log_pending_ = true;
  if (host_->forced()) {
    SendError(503, "server is shutting down");
    return;
  }
  HttpRequest request;
  request.method = method_;
  request.target = std::string(msg.target());
  request.path = std::move(target_.path);
  request.query = std::move(target_.query);
  request.headers = std::move(headers_);
  request.body = std::move(msg.body());
  request.remote_address = remote_;
  request.scheme = tls_context_ ? "https" : "http";
  request.request_id = request_id_;
  request.head_context = std::move(head_context_);

  // The body's reservation ends with the handler (and the request with it).
  net::post(host_->workers(), [self = shared_from_this(), request = std::move(request),
                               reservation = std::move(body_reservation_),
                               work = net::make_work_guard(host_->ioc())]() mutable {
    HttpResponse response;
    {
      ScopedRequestId scope(request.request_id);
      response = self->host_->CallHandler(request);
    }
    request = HttpRequest();
    reservation.Release();
    net::any_io_executor executor = self->executor_;
    net::post(executor, [self = std::move(self), response = std::move(response)]() mutable {
      self->SendResponse(std::move(response));
    });
  });
}

void HttpConnection::SendError(int status, std::string_view message) {
  if (closed_) return;
  log_pending_ = true;
  keep_alive_ = false;  // the connection state is unknown: answer and close
  body_reservation_.Release();
  ClearDeadline();
  SendResponse(host_->RenderError(status, message));
}

// ---- Writing the response ----

void HttpConnection::SendResponse(HttpResponse response) {
  if (closed_) return;  // the client left (or shutdown force-closed it) meanwhile
  phase_ = Phase::kWriting;
  // Errors sent before the header was read get an id too.
  if (request_id_.empty()) request_id_ = NewRequestId();
  ScopedRequestId scope(request_id_);
  response.SetHeader("X-Request-Id", request_id_);
  if (response.status < 200 || response.status > 999) {
    spdlog::error("http: handler returned invalid status {} for {} {}", response.status,
                  LogSafe(method_), LogSafe(path_));
    response = host_->RenderError(500, "internal error");
    if (response.status < 200 || response.status > 999) response.status = 500;
  }
  status_ = response.status;
  response_deadline_.reset();
  if (limits_.max_response_time > Clock::duration::zero()) {
    response_deadline_ = Clock::now() + limits_.max_response_time;
  }
  ResponseHead head =
      BuildResponseHead(response, ResponseContext{head_, http10_, keep_alive_, host_->stopping()});
  header_ = std::move(head.text);
  framing_ = head.framing;
  close_after_ = head.close;
  header_sent_ = false;
  body_offset_ = 0;

  if (head.send_body && response.stream) {
    stream_ = std::move(response.stream);
    framer_.emplace(head.framing, head.content_length);
    SetWriteDeadline(header_.size());
    net::async_write(io_, net::buffer(header_), [self = shared_from_this()](error_code ec, size_t) {
      self->OnStreamHeaderWritten(ec);
    });
    return;
  }
  // HEAD gets the headers a GET would get, and no body.
  body_ = head.send_body ? std::move(response.body) : std::string();
  WriteFixed();
}

void HttpConnection::WriteFixed() {
  size_t slice = std::min(limits_.write_slice, body_.size() - body_offset_);
  std::array<net::const_buffer, 2> buffers = {
      header_sent_ ? net::const_buffer() : net::buffer(header_),
      net::buffer(body_.data() + body_offset_, slice)};
  SetWriteDeadline(slice + (header_sent_ ? 0 : header_.size()));
  net::async_write(io_, buffers, [self = shared_from_this(), slice](error_code ec, size_t) {
    self->OnFixedWritten(ec, slice);
  });
}

void HttpConnection::OnFixedWritten(error_code ec, size_t slice) {
  if (closed_) return;
  if (ec || timed_out_) {
    if (timed_out_) NoteResponseTimeLimit();
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

void HttpConnection::OnStreamHeaderWritten(error_code ec) {
  if (closed_) return;
  if (ec || timed_out_) {
    if (timed_out_) NoteResponseTimeLimit();
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
void HttpConnection::ProduceNextPiece() {
  producing_ = true;
  std::string piece = std::move(spare_);
  piece.clear();
  net::post(host_->workers(),
            [self = shared_from_this(), stream = std::move(stream_), piece = std::move(piece),
             request_id = request_id_, work = net::make_work_guard(host_->ioc())]() mutable {
              Result<bool> more = [&] {
                ScopedRequestId scope(request_id);
                return ProducePiece(stream.get(), &piece, self->limits_.piece_hint, self->aborted_);
              }();
              net::any_io_executor executor = self->executor_;
              net::post(executor, [self = std::move(self), stream = std::move(stream),
                                   piece = std::move(piece), more = std::move(more)]() mutable {
                self->OnPiece(std::move(stream), std::move(piece), std::move(more));
              });
            });
}

void HttpConnection::OnPiece(std::unique_ptr<BodyStream> stream, std::string piece,
                             Result<bool> more) {
  producing_ = false;
  if (closed_) return;  // `stream` is destroyed on return
  ScopedRequestId scope(request_id_);
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

void HttpConnection::WritePiece(std::string piece, bool last) {
  piece_ = std::move(piece);
  const size_t n = piece_.size();
  Result<StreamFramer::Buffers> buffers = framer_->Frame(piece_, last);
  if (!buffers.ok()) {
    spdlog::error("http: response stream for {} {}: {}", LogSafe(method_), LogSafe(path_),
                  buffers.status().message());
    Close();
    return;
  }
  writing_ = true;
  SetWriteDeadline(n);
  net::async_write(io_, *buffers, [self = shared_from_this(), last, n](error_code ec, size_t) {
    self->OnPieceWritten(ec, last, n);
  });
  if (!last && !producing_) ProduceNextPiece();
}

void HttpConnection::OnPieceWritten(error_code ec, bool last, size_t n) {
  writing_ = false;
  if (closed_) return;
  if (ec || timed_out_) {
    if (timed_out_) NoteResponseTimeLimit();
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
  if (framing_ == BodyFraming::kUntilClose) close_after_ = true;
  FinishResponse();
}

void HttpConnection::FinishResponse() {
  LogAccess(/*complete=*/true);
  // Idle connections should not pin large buffers.
  body_ = std::string();
  piece_ = std::string();
  spare_ = std::string();
  pending_ = std::string();
  framer_.reset();
  if (buffer_.capacity() > limits_.kept_buffer_bytes) buffer_.shrink_to_fit();
  if (close_after_) {
    LingeringClose();
    return;
  }
  WaitForRequest();
}

void HttpConnection::LingeringClose() {
  phase_ = Phase::kLingering;
  // Also on TLS: a FIN without close_notify (the response is framed, so a
  // client knows it is complete), then the client's bytes are drained raw.
  // Waiting for its close_notify instead would reset a client still sending
  // a body (an early 413), and it would never see the answer.
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    Close();
    return;
  }
  buffer_.consume(buffer_.size());
  SetDeadline(limits_.linger_time);
  Drain();
}

void HttpConnection::Drain() {
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
void HttpConnection::Close() {
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
  body_reservation_.Release();
}

// ---- Timeouts ----

void HttpConnection::SetDeadline(Clock::duration timeout) {
  timed_out_ = false;
  uint64_t generation = ++timer_generation_;
  timer_.expires_after(timeout);
  timer_.async_wait([weak = weak_from_this(), generation](error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->OnDeadline(generation);
  });
}

void HttpConnection::SetWriteDeadline(size_t bytes) {
  Clock::duration timeout = limits_.WriteTimeout(bytes);
  if (response_deadline_) {
    timeout = std::clamp(*response_deadline_ - Clock::now(), Clock::duration::zero(), timeout);
  }
  SetDeadline(timeout);
}

void HttpConnection::NoteResponseTimeLimit() {
  if (!response_deadline_ || Clock::now() < *response_deadline_) return;
  response_deadline_.reset();  // once per response
  ScopedRequestId scope(request_id_);
  spdlog::warn(
      "http: closing the response to {} {} from {} after {} s (maxResponseSeconds), {} "
      "bytes sent",
      LogSafe(method_), LogSafe(path_), LogSafe(remote_),
      std::chrono::duration_cast<std::chrono::seconds>(limits_.max_response_time).count(),
      body_bytes_);
  if (ServerObserver* observer = host_->observer()) observer->OnResponseTimeLimit();
}

void HttpConnection::ClearDeadline() {
  timed_out_ = false;
  ++timer_generation_;
  timer_.cancel();  // a pending wait would keep the io_context (and Run) alive
}

void HttpConnection::OnDeadline(uint64_t generation) {
  if (closed_ || generation != timer_generation_) return;
  timed_out_ = true;  // the pending operation's handler sees this flag
  error_code ec;
  socket_.cancel(ec);
}

void HttpConnection::LogAccess(bool complete) {
  if (!log_pending_) return;
  log_pending_ = false;
  if (ServerObserver* observer = host_->observer()) {
    observer->OnRequest(
        RequestRecord{method_, path_, status_, body_bytes_, Clock::now() - start_, complete});
  }
  if (!host_->access_log()) return;
  ScopedRequestId scope(request_id_);
  lakeshare::LogAccess(AccessLogEntry{remote_, method_, path_, status_, body_bytes_,
                                      Clock::now() - start_, user_agent_, complete});
}

}  // namespace lakeshare
