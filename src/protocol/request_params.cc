#include "protocol/request_params.h"

#include <cctype>
#include <charconv>

namespace lakeshare {
namespace {

Status Invalid(std::string_view name, std::string_view value) {
  return Status::InvalidArgument("invalid '" + std::string(name) + "': '" + std::string(value) +
                                 "'");
}

}  // namespace

Result<int64_t> ParseInt64Param(std::string_view value, std::string_view name, int64_t min) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || v < min) {
    return Invalid(name, value);
  }
  return v;
}

Result<bool> ParseBoolParam(std::string_view value, std::string_view name) {
  std::string v = AsciiLower(value);
  if (v == "true") return true;
  if (v == "false") return false;
  return Invalid(name, value);
}

Result<std::optional<int64_t>> Int64Param(const HttpRequest& r, std::string_view name,
                                          int64_t min) {
  const std::string* v = r.Query(name);
  if (v == nullptr) return std::optional<int64_t>();
  LS_ASSIGN_OR_RETURN(int64_t n, ParseInt64Param(*v, name, min));
  return std::optional<int64_t>(n);
}

Result<std::optional<bool>> BoolParam(const HttpRequest& r, std::string_view name) {
  const std::string* v = r.Query(name);
  if (v == nullptr) return std::optional<bool>();
  LS_ASSIGN_OR_RETURN(bool b, ParseBoolParam(*v, name));
  return std::optional<bool>(b);
}

std::optional<std::string> StringParam(const HttpRequest& r, std::string_view name) {
  const std::string* v = r.Query(name);
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace lakeshare
