#include "auth/token.h"

#include <strings.h>

#include "common/crypto.h"
#include "common/encoding.h"

namespace lakeshare {

std::string HashToken(std::string_view token) { return "sha256:" + HexEncode(Sha256(token)); }

bool IsTokenHash(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  if (text.substr(0, kPrefix.size()) != kPrefix || text.size() != kPrefix.size() + 64) return false;
  return HexDecode(text.substr(kPrefix.size())).has_value();
}

std::string GenerateToken() {
  // A token that starts with '-' reads as an option when pasted into a
  // command line (`lakeshare admin link redeem <secret>`); draw again (1 in 64).
  for (;;) {
    std::string token = Base64UrlEncode(RandomBytes(32));
    if (token.front() != '-') return token;
  }
}

std::optional<std::string_view> ParseBearerToken(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (v.size() < 7 || strncasecmp(v.data(), "bearer ", 7) != 0) return std::nullopt;
  v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  return v;
}

}  // namespace lakeshare
