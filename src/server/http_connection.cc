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

}  // namespace lakeshare
