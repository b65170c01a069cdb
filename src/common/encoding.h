// Byte encodings used in tokens and URLs: hex and unpadded base64url.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lakeshare {

std::string HexEncode(std::string_view bytes);
void AppendHex(std::string* out, std::string_view bytes);
// Returns nullopt on odd length or a non-hex character.
std::optional<std::string> HexDecode(std::string_view hex);

// RFC 4648 §5 alphabet, no padding.
std::string Base64UrlEncode(std::string_view bytes);
void AppendBase64Url(std::string* out, std::string_view bytes);
// Accepts input with or without '=' padding; nullopt on any invalid character.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Standard base64 (RFC 4648 §4) with padding.
std::string Base64Encode(std::string_view bytes);

// Percent-decodes a URL path segment or query value ('+' is kept as is).
// nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);
// Percent-encodes everything except RFC 3986 unreserved characters; with
// keep_slash, '/' is kept too (for paths).
std::string PercentEncode(std::string_view text, bool keep_slash = false);
void AppendPercentEncoded(std::string* out, std::string_view text, bool keep_slash = false);

}  // namespace lakeshare
