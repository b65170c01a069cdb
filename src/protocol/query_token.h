// Opaque, tamper-proof tokens of /query and /changes: page tokens (where the
// next page starts) and refresh tokens (re-sign the same snapshot). A token
// is bound to the table and to the request's parameters, pins the snapshot
// version so every page reads one consistent snapshot, and expires.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare {

struct QueryTokenState {
  std::string table_key;      // TableKey() of the table
  std::string params_digest;  // digest of the parameters that shape the result
  int64_t version = 0;        // pinned snapshot (or ending) version
  uint64_t next_index = 0;    // page tokens: first file position of the next page
  int64_t rows = 0;           // page tokens: rows already returned (limitHint)
  int64_t expiration_ms = 0;
};

class QueryTokenCodec {
 public:
  explicit QueryTokenCodec(std::string key) : key_(std::move(key)) {}

  std::string EncodePage(const QueryTokenState& s) const { return Encode('p', s); }
  std::string EncodeRefresh(const QueryTokenState& s) const { return Encode('r', s); }
  // kInvalidArgument ("invalid 'pageToken'" / "... has expired") unless the
  // token was made here for the same table and parameters and is not expired.
  Result<QueryTokenState> DecodePage(std::string_view token, std::string_view table_key,
                                     std::string_view params_digest, int64_t now_ms) const {
    return Decode('p', "pageToken", token, table_key, params_digest, now_ms);
  }
  Result<QueryTokenState> DecodeRefresh(std::string_view token, std::string_view table_key,
                                        std::string_view params_digest, int64_t now_ms) const {
    return Decode('r', "refreshToken", token, table_key, params_digest, now_ms);
  }

  // A short stable key for a table (its lower-cased share/schema/name).
  static std::string TableKey(std::string_view share, std::string_view schema,
                              std::string_view table);

 private:
  std::string Encode(char kind, const QueryTokenState& s) const;
  Result<QueryTokenState> Decode(char kind, const char* what, std::string_view token,
                                 std::string_view table_key, std::string_view params_digest,
                                 int64_t now_ms) const;
  std::string key_;
};

}  // namespace lakeshare
