// libFuzzer target: the bytes a client sends on one connection, parsed as
// HttpConnection parses them (http_connection.cc), without a socket: Beast's
// request parser with the limits of connection_limits.h reading through a
// read buffer of the same bound, then CheckRequestHead, ParseRequestTarget
// and JoinedHeaders before the body, then the body (Content-Length or
// chunked, with extensions and trailers), then the next pipelined request
// from what is left in the buffer. The first input byte chooses how the
// bytes arrive (all at once, or in short reads) so incremental parsing is
// covered too. Any crash, exception, sanitizer report or leak is a bug;
// refused requests are expected.
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/system/system_error.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "server/connection_limits.h"
#include "server/http.h"
#include "server/request_head.h"
#include "server/request_target.h"
#include "server/server_options.h"

namespace {

namespace http = boost::beast::http;
using error_code = boost::system::error_code;
using Parser = http::request_parser<http::string_body>;

// A SyncReadStream over the input: each read returns the next slice, whose
// length comes from a small generator seeded by the input's first byte
// (seed 0: everything that is left).
class SlicedStream {
 public:
  SlicedStream(std::string_view data, uint8_t seed) : data_(data), state_(seed) {}

  template <typename MutableBuffers>
  size_t read_some(const MutableBuffers& buffers, error_code& ec) {
    if (pos_ == data_.size()) {
      ec = boost::asio::error::eof;
      return 0;
    }
    size_t left = data_.size() - pos_;
    size_t want = state_ == 0 ? left : std::min(left, NextSlice());
    size_t n = boost::asio::buffer_copy(buffers, boost::asio::buffer(data_.data() + pos_, want));
    pos_ += n;
    ec = {};
    return n;
  }

  template <typename MutableBuffers>
  size_t read_some(const MutableBuffers& buffers) {
    error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  size_t NextSlice() {
    state_ = state_ * 1103515245u + 12345u;
    return 1 + (state_ >> 16) % 97;
  }

  std::string_view data_;
  size_t pos_ = 0;
  uint32_t state_;
};

// Limits small enough that fuzz inputs reach them (431, 413, the read
// buffer's bound on chunk extensions and trailers).
lakeshare::ConnectionLimits FuzzLimits() {
  lakeshare::ServerOptions options;
  options.max_header_bytes = 1024;
  options.max_body_bytes = 512;
  return lakeshare::ConnectionLimits::FromOptions(options);
}

// One request as the connection hands it to the handler, looked at as
// handlers look at it.
void UseRequest(Parser& parser, lakeshare::RequestTarget target,
                std::vector<std::pair<std::string, std::string>> headers) {
  http::request<http::string_body> msg = parser.release();
  lakeshare::HttpRequest request;
  request.method = std::string(msg.method_string());
  request.target = std::string(msg.target());
  request.path = std::move(target.path);
  request.query = std::move(target.query);
  request.headers = std::move(headers);
  request.body = std::move(msg.body());
  (void)request.Header("authorization");
  (void)request.Header("range");
  (void)request.Query("pageToken");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const lakeshare::ConnectionLimits limits = FuzzLimits();
  SlicedStream stream(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), data[0]);
  boost::beast::flat_buffer buffer;
  buffer.max_size(limits.read_buffer_bytes);
  // A connection serves requests until one fails or asks to close; the cap
  // only bounds a run on a long input of tiny requests.
  for (int requests = 0; requests < 64; ++requests) {
    std::optional<Parser> parser;
    parser.emplace();
    limits.ConfigureParser(&*parser);
    error_code ec;
    http::read_header(stream, buffer, *parser, ec);
    if (ec) return 0;  // the connection answers 4xx or closes
    http::request<http::string_body>& req = parser->get();
    const bool keep_alive = req.keep_alive();
    if (lakeshare::CheckRequestHead(req)) return 0;
    lakeshare::Result<lakeshare::RequestTarget> target =
        lakeshare::ParseRequestTarget(req.target());
    if (!target.ok()) return 0;
    std::vector<std::pair<std::string, std::string>> headers = lakeshare::JoinedHeaders(req.base());
    if (!parser->is_done()) {
      http::read(stream, buffer, *parser, ec);
      if (ec) return 0;
    }
    // A body is never longer than the limit, however it was framed.
    if (parser->get().body().size() > limits.max_body_bytes) std::abort();
    UseRequest(*parser, std::move(*target), std::move(headers));
    if (!keep_alive) return 0;
    // As between a connection's requests: a large buffer shrinks, and what
    // was read past this request stays in it as the next one's start.
    if (buffer.capacity() > limits.kept_buffer_bytes) buffer.shrink_to_fit();
  }
  return 0;
}
