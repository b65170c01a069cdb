#include "auth/oauth_form.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/encoding.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

TEST(OAuthFormTest, ParsesClientCredentialsBody) {
  ASSERT_OK_AND_ASSIGN(auto f,
                       ParseTokenRequestForm("grant_type=client_credentials&scope=a+b%2Fc"));
  EXPECT_EQ(f.at("grant_type"), "client_credentials");
  EXPECT_EQ(f.at("scope"), "a b/c");
  ASSERT_OK_AND_ASSIGN(auto empty, ParseTokenRequestForm(""));
  EXPECT_TRUE(empty.empty());
  ASSERT_OK_AND_ASSIGN(auto bare, ParseTokenRequestForm("a&&b="));
  EXPECT_EQ(bare.at("a"), "");
  EXPECT_EQ(bare.at("b"), "");
}

TEST(OAuthFormTest, RefusesRepeatedParameter) {
  EXPECT_THAT(ParseTokenRequestForm("grant_type=a&grant_type=b"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(OAuthFormTest, RefusesBadEscape) {
  EXPECT_THAT(ParseTokenRequestForm("a=%zz"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTokenRequestForm("a=%4"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(OAuthFormTest, RefusesEmptyName) {
  EXPECT_THAT(ParseTokenRequestForm("=x"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(OAuthFormTest, RefusesOversizeBody) {
  EXPECT_THAT(ParseTokenRequestForm(std::string(kMaxTokenRequestBytes + 1, 'a')),
              StatusIs(StatusCode::kTooLarge));
}

TEST(OAuthFormTest, RefusesTooManyFields) {
  std::string body;
  for (size_t i = 0; i <= kMaxTokenRequestFields; ++i) body += "f" + std::to_string(i) + "=1&";
  EXPECT_THAT(ParseTokenRequestForm(body), StatusIs(StatusCode::kInvalidArgument));
}

TEST(OAuthFormTest, ParsesBasicCredentials) {
  std::string header = "Basic " + Base64Encode("my%3Aid:s3cr+t");
  ASSERT_OK_AND_ASSIGN(auto c, ParseBasicCredentials(header));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->id, "my:id");
  EXPECT_EQ(c->secret, "s3cr t");
  ASSERT_OK_AND_ASSIGN(auto other, ParseBasicCredentials("Bearer abc"));
  EXPECT_FALSE(other.has_value());
}

TEST(OAuthFormTest, RefusesMalformedBasic) {
  EXPECT_THAT(ParseBasicCredentials("Basic !!!"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBasicCredentials("Basic " + Base64Encode("nocolon")),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBasicCredentials("Basic "), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBasicCredentials("Basic " + std::string(5000, 'A')),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBasicCredentials("Basic " + Base64Encode("a%zz:b")),
              StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace lakeshare
