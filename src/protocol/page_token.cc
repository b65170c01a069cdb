#include "protocol/page_token.h"

#include "common/strings.h"

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
  std::optional<uint64_t> offset = ParseNumber<uint64_t>(payload);
  if (!offset) return Status::InvalidArgument("invalid 'pageToken'");
  return *offset;
}

}  // namespace lakeshare
