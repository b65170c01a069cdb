// Query-string parameters of the sharing endpoints, parsed with the
// protocol's error messages ("invalid 'maxResults': '-1'", kInvalidArgument).
// Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http.h"

namespace lakeshare {

// A decimal integer >= min.
Result<int64_t> ParseInt64Param(std::string_view value, std::string_view name, int64_t min);
// "true" or "false", in any case.
Result<bool> ParseBoolParam(std::string_view value, std::string_view name);

// The parameter `name` of the request, parsed; nullopt when absent.
Result<std::optional<int64_t>> Int64Param(const HttpRequest& r, std::string_view name, int64_t min);
Result<std::optional<bool>> BoolParam(const HttpRequest& r, std::string_view name);
std::optional<std::string> StringParam(const HttpRequest& r, std::string_view name);

// ASCII lower case: names and some header values are case-insensitive.
std::string AsciiLower(std::string_view s);

}  // namespace lakeshare
