// What one connection may make the server spend, in one place: the request
// parser's limits (header and body bytes), the timeouts of each phase, and
// the buffer sizes of reading and writing. HttpConnection applies them;
// options come from ServerOptions. Internal to server/. Pure data and
// functions, thread-safe.
#pragma once

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <string>

#include "server/server_options.h"

namespace lakeshare {

struct ConnectionLimits {
  // The parser's limits: a larger header is a 431, a larger body a 413.
  size_t max_header_bytes = 0;
  size_t max_body_bytes = 0;

  std::chrono::steady_clock::duration idle_timeout{};   // waiting for a request's first byte
  std::chrono::steady_clock::duration read_timeout{};   // first byte to complete body
  std::chrono::steady_clock::duration write_timeout{};  // per write to the client
  // During shutdown a request still arriving gets only this long: a stalled
  // client must not hold the stop.
  std::chrono::steady_clock::duration shutdown_read_timeout{};
  // After a response with "Connection: close" the server keeps reading (and
  // discarding) this long: closing with unread input makes the kernel send
  // a RST, which can destroy the response before the client has read it.
  std::chrono::steady_clock::duration linger_time = std::chrono::seconds(2);

  // The read buffer's maximum. A request header is bounded by
  // max_header_bytes, but a chunk-size line (its extensions) and the trailer
  // section must also fit whole in the buffer before the parser can consume
  // them: this bound is what stops a chunk extension or trailer that never
  // ends. It stays below 64 KiB, the longest field Beast can store (a longer
  // trailer field would throw inside the parser).
  size_t read_buffer_bytes = 0;
  // See ServerOptions::min_send_rate; send_grace is the fixed part of a write's deadline.
  uint64_t min_send_rate = 0;
  std::chrono::steady_clock::duration send_grace = std::chrono::seconds(2);
  // ServerOptions::max_response_time; zero: no bound.
  std::chrono::steady_clock::duration max_response_time{};

  size_t piece_hint = 256 * 1024;        // size hint for BodyStream::Next
  size_t write_slice = 256 * 1024;       // fixed bodies go out in slices (write_timeout each)
  size_t kept_buffer_bytes = 64 * 1024;  // larger read buffers are freed between requests

  static ConnectionLimits FromOptions(const ServerOptions& options);

  // A fresh parser for the next request, with the limits above.
  void ConfigureParser(
      boost::beast::http::request_parser<boost::beast::http::string_body>* parser) const;
  // The message of the 413.
  std::string BodyTooLargeMessage() const;
  // How long a write of `bytes` to the client may take.
  std::chrono::steady_clock::duration WriteTimeout(size_t bytes) const;
};

}  // namespace lakeshare
