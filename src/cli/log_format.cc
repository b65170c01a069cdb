#include "cli/log_format.h"

#include <spdlog/pattern_formatter.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "common/json_writer.h"
#include "common/request_id.h"

namespace lakeshare {
namespace {

// %*: "[request-id] " while a request is handled, nothing otherwise.
class RequestIdFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& /*msg*/, const std::tm& /*tm*/,
              spdlog::memory_buf_t& dest) override {
    std::string_view id = CurrentRequestId();
    if (id.empty()) return;
    dest.push_back('[');
    dest.append(id.data(), id.data() + id.size());
    constexpr std::string_view kClose = "] ";
    dest.append(kClose.data(), kClose.data() + kClose.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<RequestIdFlag>();
  }
};

class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    line.reserve(96 + msg.payload.size());
    line += "{\"time\":\"";
    AppendUtcTime(msg.time, &line);
    line += "\",\"level\":";
    spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    AppendJsonString(&line, std::string_view(level.data(), level.size()));
    std::string_view id = CurrentRequestId();
    if (!id.empty()) {
      line += ",\"requestId\":";
      AppendJsonString(&line, id);
    }
    line += ",\"message\":";
    AppendJsonString(&line, std::string_view(msg.payload.data(), msg.payload.size()));
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }

 private:
  // RFC 3339 in UTC with milliseconds: what log collectors parse without help.
  static void AppendUtcTime(std::chrono::system_clock::time_point t, std::string* out) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    out->append(buf, n);
    char frac[8];
    std::snprintf(frac, sizeof(frac), ".%03dZ", static_cast<int>(ms % 1000));
    out->append(frac);
  }
};

}  // namespace

std::optional<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return std::nullopt;
}

std::optional<spdlog::level::level_enum> ParseLogLevel(std::string_view name) {
  static constexpr std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
      {"off", spdlog::level::off}};
  for (const auto& [n, level] : kLevels) {
    if (n == name) return level;
  }
  return std::nullopt;
}

std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format) {
  if (format == LogFormat::kJson) return std::make_unique<JsonFormatter>();
  auto text = std::make_unique<spdlog::pattern_formatter>();
  text->add_flag<RequestIdFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %*%v");
  return text;
}

void ConfigureLogging(LogFormat format, spdlog::level::level_enum level) {
  spdlog::set_formatter(MakeLogFormatter(format));
  spdlog::set_level(level);
}

}  // namespace lakeshare
