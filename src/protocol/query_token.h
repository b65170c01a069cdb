// Tokens of /query and /changes: page tokens (where the next page starts)
// and refresh tokens (re-sign the same snapshot), sealed (sealed_token.h)
// for their kind, the table and the request's parameters. A token pins the
// snapshot version so every page reads one consistent snapshot, and
// expires. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "protocol/sealed_token.h"

namespace lakeshare {

struct QueryTokenState {
  std::string table_key;      // TableKey() of the table
  std::string params_digest;  // digest of the parameters that shape the result
  int64_t version = 0;        // pinned snapshot (or ending) version
  uint64_t next_index = 0;    // page tokens: first file position of the next page
  int64_t rows = 0;           // page tokens: rows already returned (limitHint)
  int64_t expiration_ms = 0;  // when encoding: the token's expiration (not decoded back)
};

class QueryTokenCodec {
 public:
  explicit QueryTokenCodec(std::string_view key) : codec_(key) {}

  std::string EncodePage(const QueryTokenState& s) const { return Encode(kPage, s); }
  std::string EncodeRefresh(const QueryTokenState& s) const { return Encode(kRefresh, s); }
  // kInvalidArgument ("invalid 'pageToken'" / "... has expired") unless the
  // token was made here for the same table and parameters and is not expired.
  Result<QueryTokenState> DecodePage(std::string_view token, std::string_view table_key,
                                     std::string_view params_digest, int64_t now_ms) const {
    return Decode(kPage, token, table_key, params_digest, now_ms);
  }
  Result<QueryTokenState> DecodeRefresh(std::string_view token, std::string_view table_key,
                                        std::string_view params_digest, int64_t now_ms) const {
    return Decode(kRefresh, token, table_key, params_digest, now_ms);
  }

  // A short stable key for a table (its lower-cased share/schema/name).
  static std::string TableKey(std::string_view share, std::string_view schema,
                              std::string_view table);

 private:
  struct Kind {
    std::string_view purpose;
    std::string_view param;  // the request field that carries it
  };
  static constexpr Kind kPage{"query-page", "pageToken"};
  static constexpr Kind kRefresh{"query-refresh", "refreshToken"};

  std::string Encode(const Kind& kind, const QueryTokenState& s) const;
  Result<QueryTokenState> Decode(const Kind& kind, std::string_view token,
                                 std::string_view table_key, std::string_view params_digest,
                                 int64_t now_ms) const;

  SealedTokenCodec codec_;
};

}  // namespace lakeshare
