#include "common/json_writer.h"

#include <array>
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

// Escapes `s` into `o` (room for 6 bytes per input byte); returns the end.
char* EscapeInto(std::string_view s, char* o) {
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    const char* run = p;
    while (p < end && kExtra[static_cast<unsigned char>(*p)] == 0) ++p;
    std::memcpy(o, run, static_cast<size_t>(p - run));
    o += p - run;
    if (p == end) break;
    unsigned char c = static_cast<unsigned char>(*p++);
    *o++ = '\\';
    switch (c) {
      case '"':
        *o++ = '"';
        break;
      case '\\':
        *o++ = '\\';
        break;
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
  }
  return o;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  // One pass into a stack buffer, then one append: stats texts are full of
  // quotes, and escaping them piece by piece showed up in query profiles.
  char stack[2048];
  if (s.size() * 6 + 2 <= sizeof(stack)) {
    stack[0] = '"';
    char* end = EscapeInto(s, stack + 1);
    *end++ = '"';
    out->append(stack, static_cast<size_t>(end - stack));
    return;
  }
  size_t extra = 0;
  for (unsigned char c : s) extra += kExtra[c];
  size_t at = out->size();
  out->resize(at + s.size() + extra + 2);
  char* o = out->data() + at;
  *o++ = '"';
  o = EscapeInto(s, o);
  *o = '"';
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
