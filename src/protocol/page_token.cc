#include "protocol/page_token.h"

#include <charconv>

namespace lakeshare {
namespace {

std::string Purpose(std::string_view scope) { return "list-page\n" + std::string(scope); }

}  // namespace

std::string PageTokenCodec::Encode(std::string_view scope, uint64_t offset,
                                   int64_t expiration_ms) const {
  return codec_.Seal(Purpose(scope), std::to_string(offset), expiration_ms);
}

Result<uint64_t> PageTokenCodec::Decode(std::string_view token, std::string_view scope,
                                        int64_t now_ms) const {
  LS_ASSIGN_OR_RETURN(std::string payload, codec_.Open(token, Purpose(scope), now_ms, "pageToken"));
  uint64_t offset = 0;
  auto [ptr, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), offset);
  if (payload.empty() || ec != std::errc() || ptr != payload.data() + payload.size()) {
    return Status::InvalidArgument("invalid 'pageToken'");
  }
  return offset;
}

}  // namespace lakeshare
