#include "protocol/page_token.h"

#include <charconv>

#include "common/crypto.h"
#include "common/encoding.h"

namespace lakeshare {
namespace {
constexpr size_t kMacBytes = 16;
}

std::string PageTokenCodec::Encode(std::string_view scope, uint64_t offset) const {
  std::string payload = std::to_string(offset);
  std::string mac = HmacSha256(key_, "page-v1\n" + std::string(scope) + "\n" + payload);
  return Base64UrlEncode(payload + mac.substr(0, kMacBytes));
}

Result<uint64_t> PageTokenCodec::Decode(std::string_view token, std::string_view scope) const {
  auto bad = [] { return Status::InvalidArgument("invalid 'pageToken'"); };
  auto raw = Base64UrlDecode(token);
  if (!raw || raw->size() <= kMacBytes || raw->size() > kMacBytes + 20) return bad();
  std::string payload = raw->substr(0, raw->size() - kMacBytes);
  std::string mac = HmacSha256(key_, "page-v1\n" + std::string(scope) + "\n" + payload);
  if (!ConstantTimeEquals(raw->substr(raw->size() - kMacBytes), mac.substr(0, kMacBytes))) {
    return bad();
  }
  uint64_t offset = 0;
  auto [ptr, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), offset);
  if (ec != std::errc() || ptr != payload.data() + payload.size()) return bad();
  return offset;
}

}  // namespace lakeshare
