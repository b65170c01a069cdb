#include "protocol/page_token.h"

#include <gtest/gtest.h>

#include "common/encoding.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kLater = kNow + 1000;

TEST(PageTokenTest, RoundTripsWithinItsScope) {
  PageTokenCodec codec("key");
  std::string t = codec.Encode("tables|s|sc", 42, kLater);
  ASSERT_OK_AND_ASSIGN(uint64_t offset, codec.Decode(t, "tables|s|sc", kNow));
  EXPECT_EQ(offset, 42u);
  EXPECT_EQ(t.find_first_of("+/="), std::string::npos);
}

TEST(PageTokenTest, RefusesOtherScopesKeysAndTampering) {
  PageTokenCodec codec("key");
  std::string t = codec.Encode("schemas|a", 1, kLater);
  EXPECT_THAT(codec.Decode(t, "schemas|b", kNow),
              StatusIs(StatusCode::kInvalidArgument, "invalid 'pageToken'"));
  EXPECT_THAT(PageTokenCodec("other").Decode(t, "schemas|a", kNow),
              StatusIs(StatusCode::kInvalidArgument));
  for (size_t i = 0; i < t.size(); ++i) {
    std::string u = t;
    u[i] = u[i] == 'A' ? 'B' : 'A';
    EXPECT_THAT(codec.Decode(u, "schemas|a", kNow), StatusIs(StatusCode::kInvalidArgument)) << i;
  }
  EXPECT_THAT(codec.Decode("", "schemas|a", kNow), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(codec.Decode("!!!", "schemas|a", kNow), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(codec.Decode(Base64UrlEncode(std::string(100, 'x')), "schemas|a", kNow),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(PageTokenTest, Expires) {
  PageTokenCodec codec("key");
  std::string t = codec.Encode("shares", 3, kLater);
  EXPECT_THAT(codec.Decode(t, "shares", kLater),
              StatusIs(StatusCode::kInvalidArgument, "the 'pageToken' has expired"));
}

}  // namespace
}  // namespace lakeshare
