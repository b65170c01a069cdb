#include "auth/token.h"

#include <gtest/gtest.h>

namespace lakeshare {
namespace {

TEST(TokenTest, HashIsStableAndRecognised) {
  std::string h = HashToken("abc");
  EXPECT_EQ(h, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(IsTokenHash(h));
  EXPECT_FALSE(IsTokenHash("sha256:xyz"));
  EXPECT_FALSE(IsTokenHash("abc"));
}

TEST(TokenTest, GeneratedTokensAreRandom) {
  std::string a = GenerateToken(), b = GenerateToken();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 43u);
}

// 1 in 64 base64url strings starts with '-'; 2 000 draws would meet one
// with probability 1 - (63/64)^2000 (about 1 - 1e-14).
TEST(TokenTest, NoTokenStartsLikeAnOption) {
  for (int i = 0; i < 2000; ++i) ASSERT_NE(GenerateToken().front(), '-');
}

TEST(TokenTest, ParsesBearerHeader) {
  EXPECT_EQ(*ParseBearerToken("Bearer abc"), "abc");
  EXPECT_EQ(*ParseBearerToken("bearer   abc "), "abc");
  EXPECT_FALSE(ParseBearerToken("Basic abc").has_value());
  EXPECT_FALSE(ParseBearerToken("Bearer ").has_value());
  EXPECT_FALSE(ParseBearerToken("").has_value());
}

}  // namespace
}  // namespace lakeshare
