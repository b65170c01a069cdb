#include "protocol/sealed_token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/encoding.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000'000;

TEST(SealedTokenTest, RoundTripsPayloadForItsPurpose) {
  SealedTokenCodec codec("key");
  std::string token = codec.Seal("list-page\nshares", "42|binary\0bytes", kNow + 1000);
  ASSERT_OK_AND_ASSIGN(std::string payload, codec.Open(token, "list-page\nshares", kNow, "p"));
  EXPECT_EQ(payload, "42|binary\0bytes");
  EXPECT_EQ(token.find_first_of("+/="), std::string::npos);  // URL- and JSON-safe
  ASSERT_OK_AND_ASSIGN(payload, codec.Open(codec.Seal("x", "", kNow + 1), "x", kNow, "p"));
  EXPECT_EQ(payload, "");
}

TEST(SealedTokenTest, IsVersionedAndCarriesItsExpiration) {
  SealedTokenCodec codec("key");
  std::optional<std::string> raw = Base64UrlDecode(codec.Seal("p", "abc", 0x0102030405060708));
  ASSERT_TRUE(raw.has_value());
  ASSERT_EQ(raw->size(), 1u + 8 + 3 + 16);
  EXPECT_EQ((*raw)[0], '\x01');
  EXPECT_EQ(raw->substr(1, 8), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(raw->substr(9, 3), "abc");
  // Another version byte, even with a valid MAC for it, is refused.
  std::string other = *raw;
  other[0] = '\x02';
  EXPECT_THAT(codec.Open(Base64UrlEncode(other), "p", 0, "pageToken"),
              StatusIs(StatusCode::kInvalidArgument, "invalid 'pageToken'"));
}

TEST(SealedTokenTest, BoundToPurposeAndKey) {
  SealedTokenCodec codec("key");
  std::string token = codec.Seal("query-page\nt1\nd1", "7|0|0", kNow + 1000);
  EXPECT_THAT(codec.Open(token, "query-page\nt1\nd2", kNow, "pageToken"),
              StatusIs(StatusCode::kInvalidArgument, "invalid 'pageToken'"));
  EXPECT_THAT(codec.Open(token, "query-refresh\nt1\nd1", kNow, "refreshToken"),
              StatusIs(StatusCode::kInvalidArgument, "invalid 'refreshToken'"));
  EXPECT_THAT(SealedTokenCodec("other key").Open(token, "query-page\nt1\nd1", kNow, "pageToken"),
              StatusIs(StatusCode::kInvalidArgument));
  // The purpose is length-prefixed: moving bytes between it and the payload
  // does not give a valid token.
  std::string a = codec.Seal("ab", "c", kNow + 1000);
  EXPECT_THAT(codec.Open(a, "a", kNow, "p"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(SealedTokenTest, ExpiresAndSaysSo) {
  SealedTokenCodec codec("key");
  std::string token = codec.Seal("p", "x", kNow);
  EXPECT_OK(codec.Open(token, "p", kNow - 1, "pageToken"));
  EXPECT_THAT(codec.Open(token, "p", kNow, "pageToken"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'pageToken' has expired")));
  // An expired token for another purpose is merely invalid: expiry is only
  // reported for genuine tokens.
  EXPECT_THAT(codec.Open(token, "q", kNow + 5, "pageToken"),
              StatusIs(StatusCode::kInvalidArgument, "invalid 'pageToken'"));
}

TEST(SealedTokenTest, RefusesTamperedTruncatedAndOversizedTokens) {
  SealedTokenCodec codec("key");
  std::string token = codec.Seal("p", "payload", kNow + 1000);
  for (size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_THAT(codec.Open(t, "p", kNow, "pageToken"), StatusIs(StatusCode::kInvalidArgument)) << i;
  }
  for (size_t n = 0; n < token.size(); ++n) {
    EXPECT_THAT(codec.Open(token.substr(0, n), "p", kNow, "pageToken"),
                StatusIs(StatusCode::kInvalidArgument))
        << n;
  }
  EXPECT_THAT(codec.Open("!!!", "p", kNow, "pageToken"), StatusIs(StatusCode::kInvalidArgument));
  std::string big = codec.Seal("p", std::string(2000, 'x'), kNow + 1000);
  EXPECT_GT(big.size(), SealedTokenCodec::kMaxTokenChars);
  EXPECT_THAT(codec.Open(big, "p", kNow, "pageToken"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace lakeshare
