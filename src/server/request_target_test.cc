#include "server/request_target.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(RequestTargetTest, PathOnly) {
  auto t = ParseRequestTarget("/delta-sharing/shares");
  ASSERT_OK(t);
  EXPECT_EQ(t->path, "/delta-sharing/shares");
  EXPECT_TRUE(t->query.empty());
}

TEST(RequestTargetTest, PathStaysEncoded) {
  auto t = ParseRequestTarget("/shares/my%20share/schemas?x=1");
  ASSERT_OK(t);
  EXPECT_EQ(t->path, "/shares/my%20share/schemas");
}

TEST(RequestTargetTest, QueryDecoding) {
  auto t = ParseRequestTarget("/q?maxResults=10&pageToken=a%2Fb%3D&ts=2023-01-01+00%3A00%3A00");
  ASSERT_OK(t);
  EXPECT_EQ(t->query,
            (Pairs{{"maxResults", "10"}, {"pageToken", "a/b="}, {"ts", "2023-01-01 00:00:00"}}));
}

TEST(RequestTargetTest, PlusVersusEncodedPlus) {
  auto t = ParseRequestTarget("/q?a=1+2&b=1%2B2&c%20d=e+");
  ASSERT_OK(t);
  EXPECT_EQ(t->query, (Pairs{{"a", "1 2"}, {"b", "1+2"}, {"c d", "e "}}));
}

TEST(RequestTargetTest, EmptyComponentsAndValues) {
  auto t = ParseRequestTarget("/q?&a&&b=&=c&d=x=y&");
  ASSERT_OK(t);
  EXPECT_EQ(t->query, (Pairs{{"a", ""}, {"b", ""}, {"", "c"}, {"d", "x=y"}}));
  auto empty = ParseRequestTarget("/q?");
  ASSERT_OK(empty);
  EXPECT_EQ(empty->path, "/q");
  EXPECT_TRUE(empty->query.empty());
}

TEST(RequestTargetTest, RepeatedNamesKeepOrder) {
  auto t = ParseRequestTarget("/q?a=1&a=2");
  ASSERT_OK(t);
  EXPECT_EQ(t->query, (Pairs{{"a", "1"}, {"a", "2"}}));
}

TEST(RequestTargetTest, RejectsNonOriginForm) {
  EXPECT_EQ(ParseRequestTarget("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRequestTarget("*").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRequestTarget("http://host/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRequestTarget("host:443").status().code(), StatusCode::kInvalidArgument);
}

TEST(RequestTargetTest, RejectsBadEscapes) {
  EXPECT_FALSE(ParseRequestTarget("/q?a=%").ok());
  EXPECT_FALSE(ParseRequestTarget("/q?a=%4").ok());
  EXPECT_FALSE(ParseRequestTarget("/q?a=%zz").ok());
  EXPECT_FALSE(ParseRequestTarget("/q?%g0=1").ok());
  EXPECT_FALSE(ParseRequestTarget("/bad%2").ok());
  EXPECT_OK(ParseRequestTarget("/q?a=%41%62"));
}

}  // namespace
}  // namespace lakeshare
