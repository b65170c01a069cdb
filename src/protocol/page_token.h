// Opaque, tamper-proof page tokens for the list endpoints. A token names the
// listing it belongs to (its scope) and the offset of the next item, and is
// MAC-protected so a client can neither forge nor reuse it elsewhere.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare {

class PageTokenCodec {
 public:
  explicit PageTokenCodec(std::string key) : key_(std::move(key)) {}

  std::string Encode(std::string_view scope, uint64_t offset) const;
  // kInvalidArgument for anything not made by Encode with the same scope.
  Result<uint64_t> Decode(std::string_view token, std::string_view scope) const;

 private:
  std::string key_;
};

}  // namespace lakeshare
