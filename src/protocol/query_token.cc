#include "protocol/query_token.h"

#include <charconv>
#include <vector>

#include "common/crypto.h"
#include "common/encoding.h"

namespace lakeshare {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <typename T>
bool ParseNumber(std::string_view s, T* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
}

// A token is bound to its kind, the table and the parameters by its purpose.
std::string Purpose(std::string_view kind, std::string_view table_key,
                    std::string_view params_digest) {
  return std::string(kind) + "\n" + std::string(table_key) + "\n" + std::string(params_digest);
}

}  // namespace

std::string QueryTokenCodec::TableKey(std::string_view share, std::string_view schema,
                                      std::string_view table) {
  std::string id = Lower(share) + "\n" + Lower(schema) + "\n" + Lower(table);
  return HexEncode(Sha256(id)).substr(0, 24);
}

std::string QueryTokenCodec::Encode(const Kind& kind, const QueryTokenState& s) const {
  std::string payload =
      std::to_string(s.version) + "|" + std::to_string(s.next_index) + "|" + std::to_string(s.rows);
  return codec_.Seal(Purpose(kind.purpose, s.table_key, s.params_digest), payload, s.expiration_ms);
}

Result<QueryTokenState> QueryTokenCodec::Decode(const Kind& kind, std::string_view token,
                                                std::string_view table_key,
                                                std::string_view params_digest,
                                                int64_t now_ms) const {
  LS_ASSIGN_OR_RETURN(
      std::string payload,
      codec_.Open(token, Purpose(kind.purpose, table_key, params_digest), now_ms, kind.param));
  std::vector<std::string_view> parts;
  std::string_view rest = payload;
  while (true) {
    size_t bar = rest.find('|');
    parts.push_back(rest.substr(0, bar));
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  QueryTokenState s;
  if (parts.size() != 3 || !ParseNumber(parts[0], &s.version) ||
      !ParseNumber(parts[1], &s.next_index) || !ParseNumber(parts[2], &s.rows)) {
    return Status::InvalidArgument("invalid '" + std::string(kind.param) + "'");
  }
  s.table_key = std::string(table_key);
  s.params_digest = std::string(params_digest);
  return s;
}

}  // namespace lakeshare
