#include "server/errors.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "common/json_writer.h"

namespace lakeshare {

namespace {
constexpr std::string_view kHiddenMessage = "internal error";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), 0 if there is none.
size_t Utf8SequenceLength(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  size_t n = b0 >= 0xC2 && b0 <= 0xDF   ? 2
             : b0 >= 0xE0 && b0 <= 0xEF ? 3
             : b0 >= 0xF0 && b0 <= 0xF4 ? 4
                                        : 0;
  if (n == 0 || s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  unsigned char b1 = byte(1);
  if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F) || (b0 == 0xF0 && b1 < 0x90) ||
      (b0 == 0xF4 && b1 > 0x8F)) {
    return 0;
  }
  return n;
}

// Messages may quote the request (a name, a parameter): bytes that are not
// UTF-8 become U+FFFD, so the error body is always valid JSON text.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    size_t n = Utf8SequenceLength(s);
    if (n == 0) {
      out += kReplacement;
      s.remove_prefix(1);
      continue;
    }
    out.append(s.substr(0, n));
    s.remove_prefix(n);
  }
  return out;
}
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
    case StatusCode::kAlreadyExists:
      return {409, "RESOURCE_ALREADY_EXISTS"};
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
    case 501:
      return {501, kUnsupportedOperation};  // a transfer coding the server lacks
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
  w.BeginObject()
      .Key("errorCode")
      .String(error_code)
      .Key("message")
      .String(ValidUtf8(message))
      .EndObject();
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

HttpResponse TooManyRequestsResponse(std::string_view message, int64_t retry_after_seconds) {
  ErrorMapping m = MapStatusCode(StatusCode::kTooManyRequests);
  HttpResponse r = ErrorResponse(m.http_status, m.error_code, message);
  r.SetHeader("Retry-After", std::to_string(std::max<int64_t>(1, retry_after_seconds)));
  return r;
}

HttpResponse OAuthErrorResponse(const Status& status) {
  int http_status = 400;
  std::string_view error = "invalid_request";
  std::string_view message = status.message();
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kTooLarge:
      break;
    case StatusCode::kUnauthenticated:
      http_status = 401;
      error = "invalid_client";
      break;
    case StatusCode::kPermissionDenied:
      error = "invalid_grant";
      break;
    case StatusCode::kUnsupported:
      error = "unsupported_grant_type";
      break;
    case StatusCode::kTooManyRequests:
      // RFC 6749 has no code for it; RFC 8628 §3.5's "slow_down" says it.
      http_status = 429;
      error = "slow_down";
      break;
    default: {
      ErrorMapping m = MapStatusCode(status.code());
      http_status = m.http_status;
      error = http_status == 503 ? "temporarily_unavailable" : "server_error";
      if (!m.sends_message) {
        spdlog::error("internal error: {}", status.ToString());
        message = kHiddenMessage;
      }
    }
  }
  HttpResponse r;
  r.status = http_status;
  r.SetHeader("Content-Type", "application/json");
  r.SetHeader("Cache-Control", "no-store");
  JsonWriter w(&r.body);
  w.BeginObject()
      .Key("error")
      .String(error)
      .Key("error_description")
      .String(ValidUtf8(message))
      .EndObject();
  if (http_status == 401) r.SetHeader("WWW-Authenticate", "Basic realm=\"lakeshare\"");
  return r;
}

HttpResponse TransportErrorResponse(int http_status, std::string_view message) {
  ErrorMapping m = MapTransportStatus(http_status);
  return ErrorResponse(m.http_status, m.error_code, m.sends_message ? message : kHiddenMessage);
}

HttpResponse OAuthTooManyRequestsResponse(std::string_view message, int64_t retry_after_seconds) {
  HttpResponse r = OAuthErrorResponse(Status::TooManyRequests(std::string(message)));
  r.SetHeader("Retry-After", std::to_string(std::max<int64_t>(1, retry_after_seconds)));
  return r;
}

}  // namespace lakeshare
