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
