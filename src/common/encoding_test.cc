#include "common/encoding.h"

#include <gtest/gtest.h>

namespace lakeshare {
namespace {

TEST(EncodingTest, HexRoundTrip) {
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*HexDecode("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
}

TEST(EncodingTest, Base64UrlRoundTripAllLengths) {
  std::string data;
  for (int i = 0; i < 64; ++i) {
    std::string enc = Base64UrlEncode(data);
    EXPECT_EQ(enc.find_first_of("+/="), std::string::npos);
    auto dec = Base64UrlDecode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, data);
    data.push_back(static_cast<char>(i * 37 + 11));
  }
}

// Against a plain bit-by-bit encoder, both alphabets, every remainder.
TEST(EncodingTest, Base64MatchesReferenceEncoder) {
  auto reference = [](std::string_view in, std::string_view alphabet, bool pad) {
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
      acc = (acc << 8) | c;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += alphabet[(acc >> bits) & 63];
      }
    }
    if (bits > 0) out += alphabet[(acc << (6 - bits)) & 63];
    while (pad && out.size() % 4 != 0) out += '=';
    return out;
  };
  const std::string std_alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string url_alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string data;
  uint32_t x = 12345;
  for (int n = 0; n < 200; ++n) {
    EXPECT_EQ(Base64Encode(data), reference(data, std_alphabet, true)) << n;
    EXPECT_EQ(Base64UrlEncode(data), reference(data, url_alphabet, false)) << n;
    std::string appended = "prefix";
    AppendBase64Url(&appended, data);
    EXPECT_EQ(appended, "prefix" + reference(data, url_alphabet, false)) << n;
    x = x * 1103515245 + 12345;
    data.push_back(static_cast<char>(x >> 16));
  }
  // Every byte value at every position of a 12-byte step.
  for (int shift = 0; shift < 12; ++shift) {
    std::string all(static_cast<size_t>(shift), 'x');
    for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b * 7 + shift));
    EXPECT_EQ(Base64Encode(all), reference(all, std_alphabet, true)) << shift;
    EXPECT_EQ(Base64UrlEncode(all), reference(all, url_alphabet, false)) << shift;
  }
}

TEST(EncodingTest, Base64UrlRejectsGarbage) {
  EXPECT_FALSE(Base64UrlDecode("a").has_value());
  EXPECT_FALSE(Base64UrlDecode("ab+c").has_value());
  EXPECT_FALSE(Base64UrlDecode("ab c").has_value());
  EXPECT_FALSE(Base64UrlDecode("AB").has_value());  // non-zero trailing bits
}

TEST(EncodingTest, Base64Standard) {
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  std::string out = "x";
  AppendBase64Url(&out, "foob");
  AppendHex(&out, "\x01");
  AppendPercentEncoded(&out, "a b");
  EXPECT_EQ(out, "xZm9vYg01a%20b");
}

TEST(EncodingTest, PercentCoding) {
  EXPECT_EQ(*PercentDecode("a%20b%2Fc"), "a b/c");
  EXPECT_FALSE(PercentDecode("%").has_value());
  EXPECT_FALSE(PercentDecode("%2").has_value());
  EXPECT_FALSE(PercentDecode("%zz").has_value());
  EXPECT_EQ(PercentEncode("a b/c~"), "a%20b%2Fc~");
  EXPECT_EQ(PercentEncode("a b/c", true), "a%20b/c");
}

}  // namespace
}  // namespace lakeshare
