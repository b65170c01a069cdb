#include "common/json_writer.h"

#include <array>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <charconv>
#include <cstdint>
#include <cstring>

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

// Escapes `s` into `o` (room for 6 bytes per input byte, and 16 bytes of
// slack); returns the end. Stats texts are full of quotes: a branch per run
// of plain characters mispredicted on every one of them, so plain bytes are
// moved 16 at a time and each special one costs a few instructions.
char* EscapeInto(std::string_view s, char* o) {
  const char* p = s.data();
  const char* end = p + s.size();
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  // 32: the stores below read 16 bytes from anywhere in the current block.
  while (end - p >= 32) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Bytes below 0x20 (signed compare: bytes >= 0x80 are negative, so mask them out).
    __m128i ctl =
        _mm_andnot_si128(_mm_cmplt_epi8(v, _mm_setzero_si128()), _mm_cmplt_epi8(v, space));
    unsigned ctl_mask = static_cast<unsigned>(_mm_movemask_epi8(ctl));
    if (ctl_mask != 0) break;  // rare: the scalar loop handles the rest
    unsigned mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash))));
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
