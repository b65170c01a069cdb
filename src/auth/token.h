// Bearer tokens: how they are generated, stored (only as hashes) and read
// from requests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lakeshare {

// "sha256:<hex>": the only form in which a token is kept.
std::string HashToken(std::string_view token);
// True if `text` has the "sha256:<64 hex>" form.
bool IsTokenHash(std::string_view text);
// A new random token (256 bits, base64url), never starting with '-' so
// that it can be passed as a command-line argument.
std::string GenerateToken();
// The token of an "Authorization: Bearer <token>" header value (scheme
// case-insensitive); nullopt if absent or of another scheme.
std::optional<std::string_view> ParseBearerToken(std::string_view header_value);

}  // namespace lakeshare
