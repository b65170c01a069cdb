// libFuzzer target: the opaque tokens clients send back (sealed_token.h): the
// list endpoints' pageToken (page_token.h) and /query's pageToken and
// refreshToken (query_token.h). The input is read three ways: as a token a
// client made up, which must be refused (its MAC cannot match); as a
// payload sealed with the server's key, which the decoders must parse or
// refuse without harm; and as the numbers of a genuine token, which must
// decode to what was encoded, and which, with one character changed, must be
// refused or decode to the same state. Any crash, sanitizer report or leak
// is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "common/status.h"
#include "protocol/page_token.h"
#include "protocol/query_token.h"
#include "protocol/sealed_token.h"

namespace {

constexpr std::string_view kKey = "fuzz-key-0123456789abcdef";
constexpr int64_t kNow = 1'700'000'000'000;

template <typename T>
T Take(std::string_view* in) {
  T v{};
  size_t n = std::min(sizeof(T), in->size());
  std::memcpy(&v, in->data(), n);
  in->remove_prefix(n);
  return v;
}

bool Same(const lakeshare::QueryTokenState& a, const lakeshare::QueryTokenState& b) {
  return a.table_key == b.table_key && a.params_digest == b.params_digest &&
         a.version == b.version && a.next_index == b.next_index && a.rows == b.rows;
}

void Genuine(const lakeshare::PageTokenCodec& pages, const lakeshare::QueryTokenCodec& queries,
             std::string_view in) {
  uint64_t offset = Take<uint64_t>(&in);
  lakeshare::QueryTokenState s;
  s.version = Take<int64_t>(&in);
  s.next_index = Take<uint64_t>(&in);
  s.rows = Take<int64_t>(&in);
  size_t flip = Take<uint16_t>(&in);
  char to = Take<char>(&in);
  s.table_key = lakeshare::QueryTokenCodec::TableKey(in, "s", "t");
  s.params_digest = std::string(in.substr(0, 64));
  s.expiration_ms = kNow + 1;

  std::string page = pages.Encode(in, offset, kNow + 1);
  lakeshare::Result<uint64_t> back = pages.Decode(page, in, kNow);
  if (page.size() <= lakeshare::SealedTokenCodec::kMaxTokenChars &&
      (!back.ok() || *back != offset)) {
    std::abort();
  }
  if (pages.Decode(page, in, kNow + 1).ok()) std::abort();  // expired

  std::string token = queries.EncodePage(s);
  lakeshare::Result<lakeshare::QueryTokenState> decoded =
      queries.DecodePage(token, s.table_key, s.params_digest, kNow);
  if (token.size() <= lakeshare::SealedTokenCodec::kMaxTokenChars &&
      (!decoded.ok() || !Same(*decoded, s))) {
    std::abort();
  }
  // Bound to its kind: a page token is not a refresh token.
  if (queries.DecodeRefresh(token, s.table_key, s.params_digest, kNow).ok()) std::abort();
  if (!token.empty()) {
    token[flip % token.size()] = to;
    lakeshare::Result<lakeshare::QueryTokenState> changed =
        queries.DecodePage(token, s.table_key, s.params_digest, kNow);
    if (changed.ok() && !Same(*changed, s)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const lakeshare::SealedTokenCodec sealer(kKey);
  static const lakeshare::PageTokenCodec pages(kKey);
  static const lakeshare::QueryTokenCodec queries(kKey);
  std::string_view in(reinterpret_cast<const char*>(data), size);

  // A token made up by the client.
  if (pages.Decode(in, "shares", kNow).ok()) std::abort();
  if (queries.DecodePage(in, "k", "d", kNow).ok()) std::abort();
  if (queries.DecodeRefresh(in, "k", "d", kNow).ok()) std::abort();
  (void)sealer.Open(in, "p", kNow, "pageToken");

  // Any payload under the server's key, through the decoders' parsing.
  std::string list_token = sealer.Seal("list-page\nshares", in, kNow + 1);
  (void)pages.Decode(list_token, "shares", kNow);
  std::string query_token = sealer.Seal("query-page\nk\nd", in, kNow + 1);
  (void)queries.DecodePage(query_token, "k", "d", kNow);

  Genuine(pages, queries, in);
  return 0;
}
