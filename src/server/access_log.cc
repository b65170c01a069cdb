#include "server/access_log.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace lakeshare {

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

std::string FormatAccessLine(const AccessLogEntry& e) {
  double ms = std::chrono::duration<double, std::milli>(e.duration).count();
  return fmt::format("{} \"{} {}\" {} {} {:.1f}ms \"{}\"{}", e.remote.empty() ? "-" : e.remote,
                     LogSafe(e.method), LogSafe(e.path), e.status, e.body_bytes, ms,
                     LogSafe(e.user_agent), e.complete ? "" : " aborted");
}

void LogAccess(const AccessLogEntry& entry) { spdlog::info("{}", FormatAccessLine(entry)); }

}  // namespace lakeshare
