#include "protocol/query_token.h"

#include <charconv>
#include <vector>

#include "common/crypto.h"
#include "common/encoding.h"

namespace lakeshare {
namespace {

constexpr size_t kMacBytes = 16;
constexpr size_t kMaxTokenBytes = 1024;

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

}  // namespace

std::string QueryTokenCodec::TableKey(std::string_view share, std::string_view schema,
                                      std::string_view table) {
  std::string id = Lower(share) + "\n" + Lower(schema) + "\n" + Lower(table);
  return HexEncode(Sha256(id)).substr(0, 24);
}

std::string QueryTokenCodec::Encode(char kind, const QueryTokenState& s) const {
  std::string payload = std::string(1, kind) + "1|" + s.table_key + "|" + s.params_digest + "|" +
                        std::to_string(s.version) + "|" + std::to_string(s.next_index) + "|" +
                        std::to_string(s.rows) + "|" + std::to_string(s.expiration_ms);
  return Base64UrlEncode(payload + HmacSha256(key_, payload).substr(0, kMacBytes));
}

Result<QueryTokenState> QueryTokenCodec::Decode(char kind, const char* what, std::string_view token,
                                                std::string_view table_key,
                                                std::string_view params_digest,
                                                int64_t now_ms) const {
  auto bad = [&] { return Status::InvalidArgument(std::string("invalid '") + what + "'"); };
  if (token.size() > kMaxTokenBytes) return bad();
  auto raw = Base64UrlDecode(token);
  if (!raw || raw->size() <= kMacBytes) return bad();
  std::string payload = raw->substr(0, raw->size() - kMacBytes);
  if (!ConstantTimeEquals(raw->substr(raw->size() - kMacBytes),
                          HmacSha256(key_, payload).substr(0, kMacBytes))) {
    return bad();
  }
  std::vector<std::string_view> parts;
  std::string_view rest = payload;
  while (true) {
    size_t bar = rest.find('|');
    parts.push_back(rest.substr(0, bar));
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  QueryTokenState s;
  if (parts.size() != 7 || parts[0] != std::string(1, kind) + "1" ||
      !ParseNumber(parts[3], &s.version) || !ParseNumber(parts[4], &s.next_index) ||
      !ParseNumber(parts[5], &s.rows) || !ParseNumber(parts[6], &s.expiration_ms)) {
    return bad();
  }
  s.table_key = std::string(parts[1]);
  s.params_digest = std::string(parts[2]);
  // A token of another table or of other parameters is not this request's.
  if (s.table_key != table_key || s.params_digest != params_digest) return bad();
  if (s.expiration_ms <= now_ms) {
    return Status::InvalidArgument(std::string("the '") + what + "' has expired");
  }
  return s;
}

}  // namespace lakeshare
