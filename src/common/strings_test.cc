#include "common/strings.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace lakeshare {
namespace {

TEST(StringsTest, LowersOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("MiXeD_09-Z"), "mixed_09-z");
  // UTF-8 bytes pass through unchanged ("Ä" is C3 84).
  EXPECT_EQ(AsciiLower("\xC3\x84X"), "\xC3\x84x");
  std::string s = "ABC";
  AsciiLowerInPlace(&s);
  EXPECT_EQ(s, "abc");
  EXPECT_EQ(AsciiToLower('@'), '@');
  EXPECT_EQ(AsciiToLower('['), '[');
}

TEST(StringsTest, ComparesIgnoringAsciiCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Share", "sHARE"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("share", "shares"));
  EXPECT_FALSE(EqualsIgnoreCase("\xC3\xA4", "\xC3\x84"));  // no Unicode folding
}

TEST(StringsTest, TrimsAsciiWhitespaceOnly) {
  EXPECT_EQ(TrimWhitespace(" \t\r\n a b \v\f"), "a b");
  EXPECT_EQ(TrimWhitespace("   "), "");
  EXPECT_EQ(TrimWhitespace(""), "");
  EXPECT_EQ(TrimWhitespace("\xC2\xA0x"), "\xC2\xA0x");  // NBSP is not ASCII space
}

TEST(StringsTest, TrimsOnlySpacesAndTabsAsHttpOws) {
  EXPECT_EQ(TrimOws(" \t gzip ;q=1\t "), "gzip ;q=1");
  EXPECT_EQ(TrimOws("\r\nx\v"), "\r\nx\v");  // other control bytes are content
  EXPECT_EQ(TrimOws(" \t"), "");
  EXPECT_EQ(TrimOws(""), "");
}

TEST(StringsTest, ParsesWholeNumbersOnly) {
  EXPECT_EQ(ParseNumber<int64_t>("-42"), -42);
  EXPECT_EQ(ParseNumber<int64_t>("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseNumber<int64_t>("9223372036854775808"), std::nullopt);  // out of range
  EXPECT_EQ(ParseNumber<uint32_t>("-1"), std::nullopt);
  EXPECT_EQ(ParseNumber<int>(""), std::nullopt);
  EXPECT_EQ(ParseNumber<int>("+1"), std::nullopt);
  EXPECT_EQ(ParseNumber<int>(" 1"), std::nullopt);
  EXPECT_EQ(ParseNumber<int>("1 "), std::nullopt);
  EXPECT_EQ(ParseNumber<int>("12abc"), std::nullopt);
  EXPECT_EQ(ParseNumber<int>("0x10"), std::nullopt);
}

TEST(StringsTest, ParsesFloatingPoint) {
  EXPECT_EQ(ParseNumber<double>("1.5e3"), 1500.0);
  EXPECT_EQ(ParseNumber<double>("-0.25"), -0.25);
  EXPECT_EQ(ParseNumber<float>("2"), 2.0f);
  EXPECT_EQ(ParseNumber<double>("1.5x"), std::nullopt);
  EXPECT_EQ(ParseNumber<double>("."), std::nullopt);
}

TEST(AsciiEditDistanceTest, CountsEditsIgnoringCase) {
  EXPECT_EQ(AsciiEditDistance("", ""), 0u);
  EXPECT_EQ(AsciiEditDistance("abc", ""), 3u);
  EXPECT_EQ(AsciiEditDistance("maxConection", "maxConnections"), 2u);
  EXPECT_EQ(AsciiEditDistance("presignedurltimeoutseconds", "preSignedUrlTimeoutSeconds"), 0u);
  EXPECT_EQ(AsciiEditDistance("kitten", "sitting"), 3u);
}

TEST(NearestNameTest, FindsLikelyMisspellings) {
  const std::vector<std::string_view> fields = {"name", "location", "historyShared", "comment"};
  EXPECT_EQ(NearestName("historyshared", fields), "historyShared");
  EXPECT_EQ(NearestName("historySahred", fields), "historyShared");
  EXPECT_EQ(NearestName("locaton", fields), "location");
  EXPECT_EQ(NearestName("nmae", fields), "name");
  EXPECT_EQ(NearestName("partitionFilter", fields), std::nullopt);
  EXPECT_EQ(NearestName("x", fields), std::nullopt);
  EXPECT_EQ(NearestName("", fields), std::nullopt);
  EXPECT_EQ(NearestName(std::string(65, 'n'), fields), std::nullopt);
  EXPECT_EQ(NearestName("name", {}), std::nullopt);
}

}  // namespace
}  // namespace lakeshare
