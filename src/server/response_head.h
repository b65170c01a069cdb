// The head of an HTTP/1.1 response as the server writes it: status line,
// the handler's headers (invalid ones dropped, framing and connection
// headers owned by the server), and how the body is framed: Content-Length,
// chunked, or until close (a streamed body to an HTTP/1.0 client). Internal
// to server/. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/http.h"

namespace lakeshare {

enum class BodyFraming { kNone, kContentLength, kChunked, kUntilClose };

// What the connection knows of the request being answered.
struct ResponseContext {
  bool head_request = false;  // HEAD: headers as for GET, no body
  bool http10 = false;
  bool keep_alive = true;  // the client wants the connection kept
  bool stopping = false;   // the server is shutting down: close after this response
};

struct ResponseHead {
  std::string text;  // status line and headers, ending in an empty line
  BodyFraming framing = BodyFraming::kNone;
  uint64_t content_length = 0;  // kContentLength only
  bool close = false;           // close the connection after the body
  bool send_body = false;       // false for HEAD, 204 and 304
};

// `response.status` must be 200..999. Reads (but does not take) the body or
// stream; a stream's Length() that throws counts as unknown.
ResponseHead BuildResponseHead(const HttpResponse& response, const ResponseContext& context);

// Header names are RFC 9110 tokens; values must not contain CR, LF or NUL
// (a handler could otherwise inject headers).
bool IsValidHeaderName(std::string_view name);
bool IsValidHeaderValue(std::string_view value);
// Whether a Connection header value lists "close".
bool HasCloseToken(std::string_view value);

// Decimal (or other base) digits of `value`, appended.
void AppendUnsigned(std::string* out, uint64_t value, int base = 10);

}  // namespace lakeshare
