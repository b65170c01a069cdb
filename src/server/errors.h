// The one place where Status codes become protocol errors: HTTP status plus
// the JSON body {"errorCode": "...", "message": "..."}.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http.h"

namespace lakeshare {

// Error codes of the reference server, reused so clients see familiar ones.
inline constexpr std::string_view kInvalidParameterValue = "INVALID_PARAMETER_VALUE";
inline constexpr std::string_view kMalformedRequest = "MALFORMED_REQUEST";
inline constexpr std::string_view kResourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST";
inline constexpr std::string_view kUnsupportedOperation = "UNSUPPORTED_OPERATION";
inline constexpr std::string_view kInternalError = "INTERNAL_ERROR";

HttpResponse ErrorResponse(int http_status, std::string_view error_code, std::string_view message);
// Maps a non-OK Status. Internal errors get a generic message (the details
// are logged, never sent).
HttpResponse ErrorResponse(const Status& status);

}  // namespace lakeshare
