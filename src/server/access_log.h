// The access log of the HTTP server: one spdlog info line per request, and
// the escaping that keeps client-controlled text in any log line harmless.
// Internal to server/. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace lakeshare {

// Client-controlled text for a log line: quote-safe, no control bytes,
// bounded length ("-" when empty).
std::string LogSafe(std::string_view text);

// What the access log records of a request: no query string, no header but
// the User-Agent.
struct AccessLogEntry {
  std::string_view remote;
  std::string_view method;
  std::string_view path;
  int status = 0;
  uint64_t body_bytes = 0;
  std::chrono::steady_clock::duration duration{};
  std::string_view user_agent;
  bool complete = true;  // false: the response was cut short ("aborted")
};

// remote "METHOD path" status body-bytes duration "user-agent" [aborted]
std::string FormatAccessLine(const AccessLogEntry& entry);
void LogAccess(const AccessLogEntry& entry);

}  // namespace lakeshare
