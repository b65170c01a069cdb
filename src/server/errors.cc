#include "server/errors.h"

#include <spdlog/spdlog.h>

#include "common/json_writer.h"

namespace lakeshare {

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
  const std::string& m = status.message();
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return ErrorResponse(400, kInvalidParameterValue, m);
    case StatusCode::kNotFound:
      return ErrorResponse(404, kResourceDoesNotExist, m);
    case StatusCode::kUnauthenticated:
      return ErrorResponse(401, "UNAUTHENTICATED", m);
    case StatusCode::kPermissionDenied:
      return ErrorResponse(403, "PERMISSION_DENIED", m);
    case StatusCode::kUnsupported:
      return ErrorResponse(400, kUnsupportedOperation, m);
    case StatusCode::kTooLarge:
      return ErrorResponse(413, "REQUEST_TOO_LARGE", m);
    case StatusCode::kTooManyRequests:
      return ErrorResponse(429, "TOO_MANY_REQUESTS", m);
    case StatusCode::kCorruption:
      // A 4xx on purpose: the table will not get better by retrying, and
      // clients retry 5xx for minutes.
      return ErrorResponse(400, "INVALID_TABLE_METADATA", m);
    case StatusCode::kIOError:
      return ErrorResponse(502, "STORAGE_ERROR", m);
    case StatusCode::kUnavailable:
      return ErrorResponse(503, "TEMPORARILY_UNAVAILABLE", m);
  }
  spdlog::error("internal error: {}", status.ToString());
  return ErrorResponse(500, kInternalError, "internal error");
}

}  // namespace lakeshare
