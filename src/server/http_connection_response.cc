// HttpConnection (http_connection.h), continued: writing the response —
// a fixed body in slices or a BodyStream piece by piece — closing, the
// deadlines, and the access log.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "common/request_id.h"
#include "server/access_log.h"
#include "server/http_connection.h"

namespace lakeshare {

namespace net = boost::asio;
using tcp = net::ip::tcp;

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
