#include "server/errors.h"

#include <spdlog/spdlog.h>

#include "common/json_writer.h"

namespace lakeshare {

namespace {
constexpr std::string_view kHiddenMessage = "internal error";
}  // namespace

ErrorMapping MapStatusCode(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return {400, kInvalidParameterValue};
    case StatusCode::kNotFound:
      return {404, kResourceDoesNotExist};
    case StatusCode::kUnauthenticated:
      return {401, "UNAUTHENTICATED"};
    case StatusCode::kPermissionDenied:
      return {403, "PERMISSION_DENIED"};
    case StatusCode::kUnsupported:
      return {400, kUnsupportedOperation};
    case StatusCode::kTooLarge:
      return {413, "REQUEST_TOO_LARGE"};
    case StatusCode::kTooManyRequests:
      return {429, "TOO_MANY_REQUESTS"};
    case StatusCode::kCorruption:
      // A 4xx on purpose: the table will not get better by retrying, and
      // clients retry 5xx for minutes.
      return {400, "INVALID_TABLE_METADATA"};
    case StatusCode::kIOError:
      return {502, "STORAGE_ERROR"};
    case StatusCode::kUnavailable:
      return {503, "TEMPORARILY_UNAVAILABLE"};
  }
  return {500, kInternalError, false};
}

ErrorMapping MapTransportStatus(int http_status) {
  switch (http_status) {
    case 400:
      return {400, kMalformedRequest};
    case 413:
      return MapStatusCode(StatusCode::kTooLarge);
    case 503:
      return MapStatusCode(StatusCode::kUnavailable);
    default:
      if (http_status >= 500) return {http_status, kInternalError, false};
      return {http_status, "BAD_REQUEST"};  // 408, 431 and any other refusal
  }
}

HttpResponse ErrorResponse(int http_status, std::string_view error_code, std::string_view message) {
  HttpResponse r;
  r.status = http_status;
  r.SetHeader("Content-Type", "application/json");
  JsonWriter w(&r.body);
  w.BeginObject().Key("errorCode").String(error_code).Key("message").String(message).EndObject();
  if (http_status == 401) r.SetHeader("WWW-Authenticate", "Bearer realm=\"lakeshare\"");
  return r;
}

HttpResponse ErrorResponse(const Status& status) {
  ErrorMapping m = MapStatusCode(status.code());
  if (!m.sends_message) {
    spdlog::error("internal error: {}", status.ToString());
    return ErrorResponse(m.http_status, m.error_code, kHiddenMessage);
  }
  return ErrorResponse(m.http_status, m.error_code, status.message());
}

HttpResponse TransportErrorResponse(int http_status, std::string_view message) {
  ErrorMapping m = MapTransportStatus(http_status);
  return ErrorResponse(m.http_status, m.error_code, m.sends_message ? message : kHiddenMessage);
}

}  // namespace lakeshare
