#include "protocol/page_token.h"

#include <gtest/gtest.h>

#include "common/encoding.h"

namespace lakeshare {
namespace {

TEST(PageTokenTest, RoundTripsWithinItsScope) {
  PageTokenCodec codec("key");
  std::string t = codec.Encode("tables|s|sc", 42);
  EXPECT_EQ(*codec.Decode(t, "tables|s|sc"), 42u);
  EXPECT_EQ(t.find_first_of("+/="), std::string::npos);
}

TEST(PageTokenTest, RefusesOtherScopesKeysAndTampering) {
  PageTokenCodec codec("key");
  std::string t = codec.Encode("schemas|a", 1);
  EXPECT_EQ(codec.Decode(t, "schemas|b").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(PageTokenCodec("other").Decode(t, "schemas|a").ok());
  for (size_t i = 0; i < t.size(); ++i) {
    std::string u = t;
    u[i] = u[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.Decode(u, "schemas|a").ok()) << i;
  }
  EXPECT_FALSE(codec.Decode("", "schemas|a").ok());
  EXPECT_FALSE(codec.Decode("!!!", "schemas|a").ok());
  EXPECT_FALSE(codec.Decode(Base64UrlEncode(std::string(100, 'x')), "schemas|a").ok());
}

}  // namespace
}  // namespace lakeshare
