#include "protocol/query_token.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

QueryTokenState State() {
  QueryTokenState s;
  s.table_key = QueryTokenCodec::TableKey("S", "sc", "T");
  s.params_digest = "d1";
  s.version = 7;
  s.next_index = 42;
  s.rows = 1000;
  s.expiration_ms = 5000;
  return s;
}

TEST(QueryTokenTest, RoundTrip) {
  QueryTokenCodec codec("k");
  QueryTokenState s = State();
  auto d = codec.DecodePage(codec.EncodePage(s), s.table_key, "d1", 1000);
  ASSERT_OK(d);
  EXPECT_EQ(d->version, 7);
  EXPECT_EQ(d->next_index, 42u);
  EXPECT_EQ(d->rows, 1000);
  EXPECT_EQ(QueryTokenCodec::TableKey("s", "SC", "t"), s.table_key);
}

TEST(QueryTokenTest, RefusesForeignTamperedAndExpiredTokens) {
  QueryTokenCodec codec("k");
  QueryTokenState s = State();
  std::string page = codec.EncodePage(s);
  EXPECT_FALSE(codec.DecodePage(page, QueryTokenCodec::TableKey("S", "sc", "other"), "d1", 0).ok());
  EXPECT_FALSE(codec.DecodePage(page, s.table_key, "d2", 0).ok());
  EXPECT_FALSE(
      codec.DecodeRefresh(page, s.table_key, "d1", 0).ok());  // a page token is no refresh token
  EXPECT_FALSE(QueryTokenCodec("other").DecodePage(page, s.table_key, "d1", 0).ok());
  auto expired = codec.DecodePage(page, s.table_key, "d1", 5000);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);
  for (size_t i = 0; i < page.size(); ++i) {
    std::string t = page;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.DecodePage(t, s.table_key, "d1", 0).ok()) << i;
  }
  EXPECT_FALSE(codec.DecodePage(std::string(5000, 'A'), s.table_key, "d1", 0).ok());
  EXPECT_FALSE(codec.DecodePage("", s.table_key, "d1", 0).ok());
}

TEST(QueryTokenTest, RefreshTokensRoundTripAndNameTheirParameter) {
  QueryTokenCodec codec("k");
  QueryTokenState s = State();
  std::string refresh = codec.EncodeRefresh(s);
  ASSERT_OK_AND_ASSIGN(QueryTokenState d, codec.DecodeRefresh(refresh, s.table_key, "d1", 0));
  EXPECT_EQ(d.version, 7);
  EXPECT_EQ(d.table_key, s.table_key);
  EXPECT_EQ(d.params_digest, "d1");
  EXPECT_THAT(codec.DecodePage(refresh, s.table_key, "d1", 0),
              ::lakeshare::testing::StatusIs(StatusCode::kInvalidArgument, "invalid 'pageToken'"));
  EXPECT_THAT(codec.DecodeRefresh(refresh, s.table_key, "d1", 5000),
              ::lakeshare::testing::StatusIs(StatusCode::kInvalidArgument,
                                             "the 'refreshToken' has expired"));
}

}  // namespace
}  // namespace lakeshare
