// Splits an HTTP request target into its path and decoded query parameters.
// Pure functions, thread-safe; no Beast here so the rules are testable alone.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lakeshare {

struct RequestTarget {
  std::string path;  // up to the '?', still percent-encoded (escapes validated)
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in request order
};

// Accepts only origin-form ("/path?query"). Query components are split on '&'
// (empty ones skipped) and at the first '='; '+' means a space and %XX escapes
// are decoded, as HTML forms and Python's requests encode them.
// kInvalidArgument for any other form or a malformed %-escape.
Result<RequestTarget> ParseRequestTarget(std::string_view target);

// Decodes one application/x-www-form-urlencoded component ('+' → ' ', %XX).
// kInvalidArgument on a malformed escape.
Result<std::string> DecodeQueryComponent(std::string_view text);

// Whether a Host header value is a host with an optional port, safe to put
// into a URL: a registered name (letters, digits, '-', '.', '_', '~'), an
// IPv4 address or a bracketed IPv6 literal, then ":" and up to 5 digits.
// Empty is valid (RFC 9112 §3.2: no authority). Nothing else: no '/', '?',
// '@', '%', whitespace or other bytes that would change a URL built from it.
bool IsValidHostHeader(std::string_view host);

}  // namespace lakeshare
