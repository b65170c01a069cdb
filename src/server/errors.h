// The one place where failures become protocol errors: an HTTP status plus
// the JSON body {"errorCode": "...", "message": "..."} (Content-Type
// application/json; a 401 also carries WWW-Authenticate). Handlers' Status
// errors (ErrorResponse(Status)) and the transport's own refusals
// (TransportErrorResponse, HttpServer's default ErrorRenderer) both go
// through here. Stateless and thread-safe; internal errors are logged here
// and never sent.
#pragma once

#include <cstdint>
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
inline constexpr std::string_view kMethodNotAllowed = "METHOD_NOT_ALLOWED";

// One row of the mapping table.
struct ErrorMapping {
  int http_status = 500;
  std::string_view error_code;
  bool sends_message = true;  // false: the message is replaced by "internal error"
};

// The row for a Status code. kOk (a caller's bug) maps as kInternal does.
ErrorMapping MapStatusCode(StatusCode code);
// The row for a transport refusal: 400 (malformed request or target), 408
// (request not read in time), 413 (body too large), 431 (header too large),
// 500 (handler failed), 503 (shutting down); other statuses get a generic row.
ErrorMapping MapTransportStatus(int http_status);

// A non-OK Status as the protocol's error.
HttpResponse ErrorResponse(const Status& status);
// HttpServer's default ErrorRenderer.
HttpResponse TransportErrorResponse(int http_status, std::string_view message);
// A kTooManyRequests refusal (429 TOO_MANY_REQUESTS) with `Retry-After`:
// whole seconds, at least 1 (the Delta Sharing clients wait and retry).
HttpResponse TooManyRequestsResponse(std::string_view message, int64_t retry_after_seconds);
// An error the Status codes cannot express (405 with Allow, 416, a bare
// MALFORMED_REQUEST): the same body shape.
HttpResponse ErrorResponse(int http_status, std::string_view error_code, std::string_view message);

// A non-OK Status of the OAuth token endpoint in RFC 6749 §5.2's shape,
// {"error": "...", "error_description": "..."}: kUnauthenticated is 401
// invalid_client (with WWW-Authenticate: Basic), kPermissionDenied 400
// invalid_grant, kUnsupported 400 unsupported_grant_type, kInvalidArgument
// and kTooLarge 400 invalid_request, kTooManyRequests 429 slow_down; the rest keep MapStatusCode's
// HTTP status as server_error / temporarily_unavailable.
HttpResponse OAuthErrorResponse(const Status& status);
// A token request over its rate: 429 {"error": "slow_down", ...} with
// `Retry-After` (whole seconds, at least 1).
HttpResponse OAuthTooManyRequestsResponse(std::string_view message, int64_t retry_after_seconds);

}  // namespace lakeshare
