#include "common/json_writer.h"

#include <array>
#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <charconv>
#include <cstdint>
#include <cstring>

#include "common/cpu_features.h"

namespace lakeshare {

namespace {

// Escape sequence length of each byte beyond 1 (0 = copied as is).
constexpr std::array<uint8_t, 256> MakeExtraTable() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 5;  // \u00XX
  t['"'] = t['\\'] = t['\n'] = t['\r'] = t['\t'] = t['\b'] = t['\f'] = 1;
  return t;
}
constexpr std::array<uint8_t, 256> kExtra = MakeExtraTable();

}  // namespace

namespace {

// 1 for the two characters escaped by a backslash before themselves.
constexpr std::array<uint8_t, 256> MakeQuoteTable() {
  std::array<uint8_t, 256> t{};
  t['"'] = t['\\'] = 1;
  return t;
}
constexpr std::array<uint8_t, 256> kQuoteOrBackslash = MakeQuoteTable();

char* EscapeControl(unsigned char c, char* o) {
  *o++ = '\\';
  switch (c) {
    case '\n':
      *o++ = 'n';
      break;
    case '\r':
      *o++ = 'r';
      break;
    case '\t':
      *o++ = 't';
      break;
    case '\b':
      *o++ = 'b';
      break;
    case '\f':
      *o++ = 'f';
      break;
    default:
      *o++ = 'u';
      *o++ = '0';
      *o++ = '0';
      *o++ = "0123456789abcdef"[c >> 4];
      *o++ = "0123456789abcdef"[c & 15];
  }
  return o;
}

// The bytes from p to end escaped one by one into o; returns the end.
char* EscapeScalar(const char* p, const char* end, char* o) {
  for (; p < end; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c < 0x20) [[unlikely]] {
      o = EscapeControl(c, o);
      continue;
    }
    *o = '\\';  // kept only when c needs it
    o += kQuoteOrBackslash[c];
    *o++ = static_cast<char>(c);
  }
  return o;
}

#if defined(__SSE2__)
// A mask of the bytes below 0x20 (signed compare: bytes >= 0x80 are negative,
// so they are masked out).
inline unsigned ControlMask(__m128i v) {
  const __m128i ctl = _mm_andnot_si128(_mm_cmplt_epi8(v, _mm_setzero_si128()),
                                       _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
  return static_cast<unsigned>(_mm_movemask_epi8(ctl));
}
inline unsigned QuoteMask(__m128i v) {
  return static_cast<unsigned>(_mm_movemask_epi8(
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))));
}
#endif

#if defined(__x86_64__)
// For each set of the 8 bytes of a half block that need a backslash (bit i:
// byte i): the shuffle that spreads the 8 bytes over 8 + popcount outputs,
// leaving a gap before each of those bytes, and the mask of the gaps.
struct ExpandTables {
  uint8_t shuffle[256][16];
  uint8_t gaps[256][16];
};
constexpr ExpandTables MakeExpandTables() {
  ExpandTables t{};
  for (int m = 0; m < 256; ++m) {
    int j = 0;
    for (int i = 0; i < 8; ++i) {
      if ((m >> i) & 1) {
        t.gaps[m][j] = 0xff;
        t.shuffle[m][j++] = static_cast<uint8_t>(i);
      }
      t.shuffle[m][j++] = static_cast<uint8_t>(i);
    }
    for (; j < 16; ++j) t.shuffle[m][j] = 0x80;  // zero
  }
  return t;
}
alignas(16) constexpr ExpandTables kExpand = MakeExpandTables();

// Windows of 16 read at offset 16 - n: the shuffle that moves a block's last
// n bytes first (zeroing the others), and the plain bytes that fill the others.
struct TailTables {
  uint8_t shift[32];
  uint8_t pad[32];
};
constexpr TailTables MakeTailTables() {
  TailTables t{};
  for (int i = 0; i < 32; ++i) {
    t.shift[i] = i < 16 ? static_cast<uint8_t>(i) : 0x80;
    t.pad[i] = i < 16 ? 0 : 'a';
  }
  return t;
}
constexpr TailTables kTail = MakeTailTables();

// 16 bytes without control characters: each half block is spread by one
// shuffle and its gaps filled with backslashes, with no branch per quote
// (stats texts are full of quotes, and a branch per quote mispredicted).
// `halves`: 2, or 1 for the first 8 bytes only. Stores 16 bytes per half.
__attribute__((target("ssse3,popcnt"))) inline char* EscapeBlockSsse3(__m128i v, unsigned mask,
                                                                      char* o, int halves = 2) {
  const __m128i backslash = _mm_set1_epi8('\\');
  for (int half = 0; half < halves; ++half) {
    const unsigned m = (mask >> (8 * half)) & 0xff;
    const __m128i src = half == 0 ? v : _mm_srli_si128(v, 8);
    const __m128i spread =
        _mm_shuffle_epi8(src, _mm_load_si128(reinterpret_cast<const __m128i*>(kExpand.shuffle[m])));
    const __m128i gaps = _mm_load_si128(reinterpret_cast<const __m128i*>(kExpand.gaps[m]));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o),
                     _mm_or_si128(_mm_andnot_si128(gaps, spread), _mm_and_si128(gaps, backslash)));
    o += 8 + __builtin_popcount(m);
  }
  return o;
}

__attribute__((target("ssse3,popcnt"))) char* EscapeSsse3(std::string_view s, char* o) {
  const char* p = s.data();
  const char* end = p + s.size();
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if (ControlMask(v) != 0) [[unlikely]] {
      return EscapeScalar(p, end, o);
    }
    const unsigned mask = QuoteMask(v);
    if (mask == 0) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o), v);
      o += 16;
    } else {
      o = EscapeBlockSsse3(v, mask, o);
    }
  }
  if (p == end) return o;
  if (s.size() < 16) return EscapeScalar(p, end, o);  // short texts: keys, partition values
  // The last bytes: the text's last 16 loaded again and shifted so that the
  // `rest` unread ones come first, followed by plain bytes whose copies (at
  // the end of the output) are then dropped. (Copying the rest to a padded
  // buffer stalled the load on the copy's stores.) Only the halves that hold
  // input are written: the caller's room for a short tail is 6 per byte + 16.
  const size_t rest = static_cast<size_t>(end - p);
  const __m128i last = _mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 16));
  const __m128i v = _mm_or_si128(
      _mm_shuffle_epi8(last,
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(kTail.shift + 16 - rest))),
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(kTail.pad + 16 - rest)));
  if (ControlMask(v) != 0) return EscapeScalar(p, end, o);
  const int halves = rest > 8 ? 2 : 1;
  return EscapeBlockSsse3(v, QuoteMask(v), o, halves) - (8 * static_cast<size_t>(halves) - rest);
}

#endif

// Escapes `s` into `o` (room for 6 bytes per input byte, and 16 bytes of
// slack); returns the end.
char* EscapeInto(std::string_view s, char* o) {
#if defined(__x86_64__)
  if (kCpuHasSsse3 && kCpuHasPopcnt) return EscapeSsse3(s, o);
#endif
  const char* p = s.data();
  const char* end = p + s.size();
#if defined(__SSE2__)
  // Plain bytes are moved 16 at a time and each special one costs a few
  // instructions. 32: the stores below read 16 bytes from anywhere in the
  // current block.
  while (end - p >= 32) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if (ControlMask(v) != 0) break;  // rare: the scalar loop handles the rest
    unsigned mask = QuoteMask(v);
    size_t done = 0;
    while (mask != 0) {
      size_t i = static_cast<size_t>(__builtin_ctz(mask));
      // Copies a whole block and keeps only the run before the special byte.
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + done)));
      o += i - done;
      *o++ = '\\';
      *o++ = p[i];
      done = i + 1;
      mask &= mask - 1;
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + done)));
    o += 16 - done;
    p += 16;
  }
#endif
  return EscapeScalar(p, end, o);
}

}  // namespace

char* WriteJsonEscaped(std::string_view s, char* o) { return EscapeInto(s, o); }

void AppendJsonString(std::string* out, std::string_view s) {
  // One pass into a stack buffer, then one append: stats texts are full of
  // quotes, and escaping them piece by piece showed up in query profiles.
  char stack[2048];
  if (s.size() * 6 + 2 + 16 <= sizeof(stack)) {
    stack[0] = '"';
    char* end = EscapeInto(s, stack + 1);
    *end++ = '"';
    out->append(stack, static_cast<size_t>(end - stack));
    return;
  }
  size_t extra = 0;
  for (unsigned char c : s) extra += kExtra[c];
  size_t at = out->size();
  out->resize(at + s.size() + extra + 2 + 16);  // EscapeInto may store 16 bytes past its end
  char* o = out->data() + at;
  *o++ = '"';
  o = EscapeInto(s, o);
  *o++ = '"';
  out->resize(static_cast<size_t>(o - out->data()));
}

void JsonWriter::Separate() {
  if (need_comma_) out_->push_back(',');
  need_comma_ = true;
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_->push_back('{');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  out_->push_back('}');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_->push_back('[');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  out_->push_back(']');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::Key(std::string_view key) {
  Separate();
  AppendJsonString(out_, key);
  out_->push_back(':');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::PlainKey(std::string_view key) {
  Separate();
  out_->push_back('"');
  out_->append(key);
  out_->append("\":", 2);
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::String(std::string_view v) {
  Separate();
  AppendJsonString(out_, v);
  return *this;
}
JsonWriter& JsonWriter::Int(int64_t v) {
  Separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr);
  return *this;
}
JsonWriter& JsonWriter::Bool(bool v) {
  Separate();
  out_->append(v ? "true" : "false");
  return *this;
}
JsonWriter& JsonWriter::Null() {
  Separate();
  out_->append("null");
  return *this;
}
JsonWriter& JsonWriter::Raw(std::string_view json) {
  Separate();
  out_->append(json);
  return *this;
}

}  // namespace lakeshare
