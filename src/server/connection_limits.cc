#include "server/connection_limits.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace lakeshare {
namespace {
constexpr auto kShutdownReadTimeout = std::chrono::seconds(2);
// Room for a chunk-size line or trailer section beside a pipelined request.
constexpr size_t kReadBufferSlack = 8 * 1024;
constexpr size_t kMaxReadBuffer = 60 * 1024;  // below Beast's 64 KiB field maximum
constexpr auto kLongestResponseBound = std::chrono::hours(24 * 365 * 10);
}  // namespace

ConnectionLimits ConnectionLimits::FromOptions(const ServerOptions& options) {
  ConnectionLimits limits;
  limits.max_header_bytes = options.max_header_bytes;
  limits.max_body_bytes = options.max_body_bytes;
  limits.idle_timeout = options.idle_timeout;
  limits.read_timeout = options.read_timeout;
  limits.write_timeout = options.write_timeout;
  limits.read_buffer_bytes = std::min(options.max_header_bytes + kReadBufferSlack, kMaxReadBuffer);
  limits.min_send_rate = options.min_send_rate;
  // Clamped so that now + the bound cannot overflow the clock (about 292 years of ns).
  limits.max_response_time =
      std::min<std::chrono::seconds>(options.max_response_time, kLongestResponseBound);
  limits.shutdown_read_timeout =
      std::min<std::chrono::steady_clock::duration>(options.read_timeout, kShutdownReadTimeout);
  return limits;
}

void ConnectionLimits::ConfigureParser(
    boost::beast::http::request_parser<boost::beast::http::string_body>* parser) const {
  parser->header_limit(static_cast<uint32_t>(
      std::min<size_t>(max_header_bytes, std::numeric_limits<uint32_t>::max())));
  parser->body_limit(static_cast<uint64_t>(max_body_bytes));
}

std::string ConnectionLimits::BodyTooLargeMessage() const {
  return "request body larger than " + std::to_string(max_body_bytes) + " bytes";
}

std::chrono::steady_clock::duration ConnectionLimits::WriteTimeout(size_t bytes) const {
  if (min_send_rate == 0) return write_timeout;
  auto at_rate =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(
          static_cast<double>(bytes) / static_cast<double>(min_send_rate)));
  return std::min(write_timeout, send_grace + at_rate);
}

}  // namespace lakeshare
