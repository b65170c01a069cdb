#include "server/connection_limits.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace lakeshare {
namespace {
constexpr auto kShutdownReadTimeout = std::chrono::seconds(2);
}  // namespace

ConnectionLimits ConnectionLimits::FromOptions(const ServerOptions& options) {
  ConnectionLimits limits;
  limits.max_header_bytes = options.max_header_bytes;
  limits.max_body_bytes = options.max_body_bytes;
  limits.idle_timeout = options.idle_timeout;
  limits.read_timeout = options.read_timeout;
  limits.write_timeout = options.write_timeout;
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

}  // namespace lakeshare
