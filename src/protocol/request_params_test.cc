#include "protocol/request_params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

HttpRequest WithQuery(std::vector<std::pair<std::string, std::string>> query) {
  HttpRequest r;
  r.query = std::move(query);
  return r;
}

TEST(RequestParamsTest, Integers) {
  ASSERT_OK_AND_ASSIGN(int64_t v, ParseInt64Param("42", "maxFiles", 1));
  EXPECT_EQ(v, 42);
  EXPECT_THAT(ParseInt64Param("0", "maxFiles", 1),
              StatusIs(StatusCode::kInvalidArgument, "invalid 'maxFiles': '0'"));
  for (const char* bad : {"", "-1", "1x", " 1", "99999999999999999999"}) {
    EXPECT_THAT(ParseInt64Param(bad, "n", 0), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  HttpRequest r = WithQuery({{"startingVersion", "3"}});
  ASSERT_OK_AND_ASSIGN(std::optional<int64_t> present, Int64Param(r, "startingVersion", 0));
  EXPECT_EQ(present, 3);
  ASSERT_OK_AND_ASSIGN(std::optional<int64_t> absent, Int64Param(r, "endingVersion", 0));
  EXPECT_FALSE(absent.has_value());
}

TEST(RequestParamsTest, Booleans) {
  ASSERT_OK_AND_ASSIGN(bool t, ParseBoolParam("True", "b"));
  EXPECT_TRUE(t);
  ASSERT_OK_AND_ASSIGN(bool f, ParseBoolParam("FALSE", "b"));
  EXPECT_FALSE(f);
  EXPECT_THAT(ParseBoolParam("1", "b"), StatusIs(StatusCode::kInvalidArgument, "invalid 'b': '1'"));
  HttpRequest r = WithQuery({{"x", "yes"}});
  EXPECT_THAT(BoolParam(r, "x"), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(std::optional<bool> absent, BoolParam(r, "y"));
  EXPECT_FALSE(absent.has_value());
}

TEST(RequestParamsTest, StringsAndCase) {
  HttpRequest r = WithQuery({{"t", "2024-01-01"}});
  EXPECT_EQ(StringParam(r, "t"), "2024-01-01");
  EXPECT_EQ(StringParam(r, "u"), std::nullopt);
  EXPECT_EQ(AsciiLower("MiXeD-ÄSCII"), "mixed-Äscii");
}

}  // namespace
}  // namespace lakeshare
