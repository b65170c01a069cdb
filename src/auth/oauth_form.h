// The request side of an OAuth 2.0 token endpoint (RFC 6749 §4.4, RFC 7523):
// the application/x-www-form-urlencoded body and HTTP Basic client
// credentials. Pure functions over bounded input (fuzz-friendly): every
// refusal is a kInvalidArgument (or kTooLarge) Status saying why, never a
// crash. Thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare {

// Larger bodies are refused before any decoding (an assertion JWT is bounded
// separately, by kMaxJwtBytes in jwt.h).
inline constexpr size_t kMaxTokenRequestBytes = 16 * 1024;
inline constexpr size_t kMaxTokenRequestFields = 16;

// Name -> value, both decoded ('+' is a space, %XX a byte). A repeated
// parameter is refused (RFC 6749 §3.2), as are empty names and bad escapes.
Result<std::map<std::string, std::string>> ParseTokenRequestForm(std::string_view body);

struct ClientCredentials {
  std::string id;
  std::string secret;
};

// The credentials of an "Authorization: Basic ..." value (RFC 6749 §2.3.1:
// id and secret form-urlencoded, then base64). nullopt when the header is of
// another scheme; kInvalidArgument when it is Basic but malformed.
Result<std::optional<ClientCredentials>> ParseBasicCredentials(std::string_view header_value);

}  // namespace lakeshare
