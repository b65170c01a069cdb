// Page tokens of the list endpoints (shares, schemas, tables, all-tables):
// the offset of the next item, sealed (sealed_token.h) for the listing it
// belongs to (its scope), so a client can neither forge one nor use it on
// another listing, and expiring. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "protocol/sealed_token.h"

namespace lakeshare {

class PageTokenCodec {
 public:
  explicit PageTokenCodec(std::string_view key) : codec_(key) {}

  std::string Encode(std::string_view scope, uint64_t offset, int64_t expiration_ms) const;
  // kInvalidArgument ("invalid 'pageToken'", "the 'pageToken' has expired")
  // for anything not made by Encode with the same scope, or expired.
  Result<uint64_t> Decode(std::string_view token, std::string_view scope, int64_t now_ms) const;

 private:
  SealedTokenCodec codec_;
};

}  // namespace lakeshare
