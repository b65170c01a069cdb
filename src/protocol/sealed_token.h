// The one format of the opaque tokens the server hands to clients and takes
// back: list page tokens (page_token.h), query page and refresh tokens
// (query_token.h). A token is
//
//   base64url( 0x01 | expiration ms, 8 bytes big-endian | payload | MAC )
//   MAC = HMAC-SHA256(key, len(purpose) ":" purpose | the bytes before it)[0:16]
//
// so it is versioned (the first byte), tamper-proof, valid only for the
// purpose it was sealed for (a string naming the use and what the token is
// bound to, e.g. the listing or the table and request parameters), and dies
// at its expiration. The payload is not encrypted: it must hold nothing a
// client may not see. Thread-safe (immutable).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto.h"
#include "common/status.h"

namespace lakeshare {

class SealedTokenCodec {
 public:
  // Longer tokens are refused before any work is spent on them.
  static constexpr size_t kMaxTokenChars = 1024;

  explicit SealedTokenCodec(std::string_view key) : key_(key) {}

  std::string Seal(std::string_view purpose, std::string_view payload, int64_t expiration_ms) const;

  // The payload of a token sealed with this key for `purpose`, if it has not
  // expired at `now_ms`. Errors are kInvalidArgument naming the request
  // parameter that carried it: "invalid '<param>'", or "the '<param>' has
  // expired" for a genuine token past its expiration.
  Result<std::string> Open(std::string_view token, std::string_view purpose, int64_t now_ms,
                           std::string_view param) const;

 private:
  std::string Mac(std::string_view purpose, std::string_view sealed_bytes) const;

  HmacSha256Key key_;
};

}  // namespace lakeshare
