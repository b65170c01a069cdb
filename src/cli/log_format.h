// How the process logs: spdlog on stderr, one line per message, as text
// (`logFormat: text`, the default) or as one JSON object per line
// (`logFormat: json`), at the configured level (`logLevel`). Both formats
// carry the id of the request being handled (common/request_id.h) when the
// line was written for one. ConfigureLogging may be called again (SIGHUP) to
// change the format or level; spdlog makes that safe while other threads log.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string_view>

namespace lakeshare {

enum class LogFormat { kText, kJson };

// "text" or "json"; nullopt otherwise.
std::optional<LogFormat> ParseLogFormat(std::string_view name);
// trace, debug, info, warn, error, critical, off; nullopt otherwise.
std::optional<spdlog::level::level_enum> ParseLogLevel(std::string_view name);

// text: 2026-01-02T03:04:05.678+0000 info [request-id] message
// json: {"time":"2026-01-02T03:04:05.678Z","level":"info","requestId":"…","message":"…"}
std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format);

// Applies the format and level to the default logger (created by main()).
void ConfigureLogging(LogFormat format, spdlog::level::level_enum level);

}  // namespace lakeshare
