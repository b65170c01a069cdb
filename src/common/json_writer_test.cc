#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

namespace lakeshare {
namespace {

TEST(JsonWriterTest, EscapesLikeTheSpec) {
  std::string out = "x";
  AppendJsonString(&out, std::string("a\"b\\c\n\r\t\b\f\x01\x1f\x7f\0", 14));
  EXPECT_EQ(out, R"(x"a\"b\\c\n\r\t\b\f\u0001\u001f)"
                 "\x7f"
                 R"(\u0000")");
}

TEST(JsonWriterTest, EveryByteStringRoundTripsThroughAParser) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 120, '\0');
    // ASCII only: arbitrary bytes are not UTF-8 and a strict parser refuses them.
    // Mostly plain text with quotes, now and then a control character.
    for (char& c : s) {
      int r = static_cast<int>(rng() % 100);
      c = r < 10   ? '"'
          : r < 13 ? '\\'
          : r < 15 ? static_cast<char>(rng() % 32)
                   : static_cast<char>(32 + rng() % 96);
    }
    std::string out;
    AppendJsonString(&out, s);
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(out, ec);
    ASSERT_FALSE(ec) << out;
    ASSERT_TRUE(v.is_string());
    EXPECT_EQ(std::string(v.as_string()), s);
  }
}

// Byte for byte what a one-byte-at-a-time escaper writes, whatever the
// density of quotes, the length (every tail of a 16-byte block) and the
// bytes (controls, DEL, bytes >= 0x80 passed through).
TEST(JsonWriterTest, SameBytesAsAByteByByteEscaper) {
  auto reference = [](std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      static constexpr char kHex[] = "0123456789abcdef";
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += static_cast<char>(c);
          }
      }
    }
    return out + "\"";
  };
  std::mt19937 rng(11);
  for (int density : {0, 5, 30, 60, 100}) {
    for (size_t n = 0; n < 200; ++n) {
      for (int control : {0, 1}) {
        std::string s(n, '\0');
        for (char& c : s) {
          c = static_cast<int>(rng() % 100) < density ? (rng() % 2 ? '"' : '\\')
                                                      : static_cast<char>(32 + rng() % 224);
        }
        if (control && n > 0) s[rng() % n] = static_cast<char>(rng() % 32);
        std::string out = "x";
        AppendJsonString(&out, s);
        ASSERT_EQ(out, "x" + reference(s)) << density << " " << n << " " << control;
        // And through the raw writer: nothing written beyond the stated room.
        std::string raw(JsonEscapedBound(n) + 32, '\x5a');
        const char* end = WriteJsonEscaped(s, raw.data());
        ASSERT_EQ(raw.substr(JsonEscapedBound(n)), std::string(32, '\x5a')) << density << " " << n;
        raw.resize(static_cast<size_t>(end - raw.data()));
        ASSERT_EQ("\"" + raw + "\"", reference(s)) << density << " " << n;
      }
    }
  }
}

TEST(JsonWriterTest, LongStringsTakeTheHeapPath) {
  std::string s(5000, 'a');
  for (size_t i = 0; i < s.size(); i += 7) s[i] = '"';
  s[4999] = '\n';
  std::string out = "[";
  AppendJsonString(&out, s);
  boost::json::value v = boost::json::parse(out.substr(1));
  EXPECT_EQ(std::string(v.as_string()), s);
  EXPECT_EQ(out.size(), 1 + s.size() + 715 + 1 + 2);  // 715 quotes, one \n, the delimiters
}

TEST(JsonWriterTest, WritesObjects) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("a").Int(-1).Key("b").BeginArray().Bool(true).Null().String("s").EndArray();
  w.Key("c").Raw("{}").EndObject();
  EXPECT_EQ(out, R"({"a":-1,"b":[true,null,"s"],"c":{}})");
}

}  // namespace
}  // namespace lakeshare
