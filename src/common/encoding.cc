#include "common/encoding.h"

#include <array>
#include <cstdint>
#include <cstring>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "common/cpu_features.h"

namespace lakeshare {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kB64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The two characters of every 12-bit group: half the lookups of a
// character table (signed URLs base64url-encode every path of an answer).
struct Base64Pairs {
  char pairs[4096][2];
};
constexpr Base64Pairs MakePairs(const char* alphabet) {
  Base64Pairs t{};
  for (int i = 0; i < 4096; ++i) {
    t.pairs[i][0] = alphabet[i >> 6];
    t.pairs[i][1] = alphabet[i & 63];
  }
  return t;
}

constexpr Base64Pairs kStdPairs = MakePairs(kB64Std);
constexpr Base64Pairs kUrlPairs = MakePairs(kB64Url);

#if defined(__x86_64__)
// 12 bytes to 16 characters per step (the SSSE3 method of Muła and Lemire,
// "Faster Base64 Encoding and Decoding Using AVX2 Instructions", 2018): the
// bytes of each group of 3 are spread over a 32-bit lane, its four 6-bit
// fields moved into bytes by two multiplies, and each field mapped to its
// character by adding an offset chosen by a shuffle. `last_two`: the
// alphabet's characters 62 and 63. Reads 16 bytes per step: `in` must have
// 4 more than it consumes. Returns the bytes consumed.
__attribute__((target("ssse3"))) size_t EncodeBase64Ssse3(const uint8_t* in, size_t n, char* o,
                                                          const char last_two[2]) {
  const __m128i spread = _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  const __m128i offsets =
      _mm_setr_epi8(71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, static_cast<char>(last_two[0] - 62),
                    static_cast<char>(last_two[1] - 63), 65, 0, 0);
  size_t done = 0;
  for (; done + 16 <= n; done += 12, o += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + done));
    v = _mm_shuffle_epi8(v, spread);
    const __m128i hi =
        _mm_mulhi_epu16(_mm_and_si128(v, _mm_set1_epi32(0x0fc0fc00)), _mm_set1_epi32(0x04000040));
    const __m128i lo =
        _mm_mullo_epi16(_mm_and_si128(v, _mm_set1_epi32(0x003f03f0)), _mm_set1_epi32(0x01000010));
    const __m128i fields = _mm_or_si128(hi, lo);  // 0..63 each, in output order
    // Offset class: 0 for 26..51, 1..12 for 52..63, 13 for 0..25.
    __m128i cls = _mm_subs_epu8(fields, _mm_set1_epi8(51));
    cls = _mm_or_si128(cls,
                       _mm_and_si128(_mm_cmpgt_epi8(_mm_set1_epi8(26), fields), _mm_set1_epi8(13)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o),
                     _mm_add_epi8(fields, _mm_shuffle_epi8(offsets, cls)));
  }
  return done;
}

#endif

void AppendBase64(std::string* out, std::string_view in, const Base64Pairs& pairs, bool pad) {
  const auto alphabet = [&pairs](uint32_t six_bits) { return pairs.pairs[six_bits][1]; };
  size_t full = in.size() / 3, rest = in.size() % 3;
  size_t n = full * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1);
  size_t at = out->size();
  out->resize(at + n);
  char* o = out->data() + at;
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
#if defined(__x86_64__)
  if (kCpuHasSsse3 && in.size() >= 16) {
    const char last_two[2] = {pairs.pairs[62][1], pairs.pairs[63][1]};
    const size_t done = EncodeBase64Ssse3(p, in.size(), o, last_two);
    p += done;
    o += done / 3 * 4;
    full -= done / 3;
  }
#endif
  for (size_t i = 0; i < full; ++i, p += 3, o += 4) {
    uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
    std::memcpy(o, pairs.pairs[v >> 12], 2);
    std::memcpy(o + 2, pairs.pairs[v & 0xfff], 2);
  }
  if (rest == 0) return;
  uint32_t v = (uint32_t{p[0]} << 16) | (rest == 2 ? uint32_t{p[1]} << 8 : 0);
  *o++ = alphabet((v >> 18) & 63);
  *o++ = alphabet((v >> 12) & 63);
  if (rest == 2) *o++ = alphabet((v >> 6) & 63);
  if (pad) {
    *o++ = '=';
    if (rest == 1) *o++ = '=';
  }
}

}  // namespace

void AppendHex(std::string* out, std::string_view bytes) {
  size_t at = out->size();
  out->resize(at + bytes.size() * 2);
  char* o = out->data() + at;
  for (unsigned char c : bytes) {
    *o++ = kHex[c >> 4];
    *o++ = kHex[c & 15];
  }
}

std::string HexEncode(std::string_view bytes) {
  std::string out;
  AppendHex(&out, bytes);
  return out;
}

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

void AppendBase64Url(std::string* out, std::string_view bytes) {
  AppendBase64(out, bytes, kUrlPairs, false);
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  AppendBase64(&out, bytes, kUrlPairs, false);
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  AppendBase64(&out, bytes, kStdPairs, true);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::array<int, 256> table;
  table.fill(-1);
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kB64Url[i])] = i;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : text) {
    int v = table[c];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero for a canonical encoding.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  if (text.find('%') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
    i += 2;
  }
  return out;
}

namespace {

// 1 for RFC 3986 unreserved characters, 2 for '/', 0 for the rest.
constexpr std::array<uint8_t, 256> MakeUnreservedTable() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    bool u = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.' || c == '~';
    t[c] = u ? 1 : c == '/' ? 2 : 0;
  }
  return t;
}
constexpr std::array<uint8_t, 256> kUnreserved = MakeUnreservedTable();

}  // namespace

void AppendPercentEncoded(std::string* out, std::string_view text, bool keep_slash) {
  const uint8_t keep_mask = keep_slash ? 3 : 1;
  size_t escaped = 0;
  for (unsigned char c : text) escaped += (kUnreserved[c] & keep_mask) ? 0 : 1;
  size_t at = out->size();
  out->resize(at + text.size() + 2 * escaped);
  char* o = out->data() + at;
  if (escaped == 0) {
    std::memcpy(o, text.data(), text.size());
    return;
  }
  for (unsigned char c : text) {
    if (kUnreserved[c] & keep_mask) {
      *o++ = static_cast<char>(c);
    } else {
      *o++ = '%';
      *o++ = "0123456789ABCDEF"[c >> 4];
      *o++ = "0123456789ABCDEF"[c & 15];
    }
  }
}

std::string PercentEncode(std::string_view text, bool keep_slash) {
  std::string out;
  AppendPercentEncoded(&out, text, keep_slash);
  return out;
}

}  // namespace lakeshare
