#include "common/time_util.h"

#include <gtest/gtest.h>

namespace lakeshare {
namespace {

TEST(TimeUtilTest, ParsesIsoWithZones) {
  EXPECT_EQ(*ParseTimestampMillis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseTimestampMillis("2022-01-01T00:00:00Z"), 1640995200000);
  EXPECT_EQ(*ParseTimestampMillis("2022-01-01T00:00:00.5Z"), 1640995200500);
  EXPECT_EQ(*ParseTimestampMillis("2021-12-31T16:00:00-08:00"), 1640995200000);
  EXPECT_EQ(*ParseTimestampMillis("2022-01-01T01:00:00+01:00"), 1640995200000);
}

TEST(TimeUtilTest, ParsesLegacyForm) {
  EXPECT_EQ(*ParseTimestampMillis("2022-1-1 00:00:00"), 1640995200000);
  EXPECT_EQ(*ParseTimestampMillis("2022-01-01"), 1640995200000);
}

TEST(TimeUtilTest, RejectsGarbage) {
  for (const char* bad : {"", "abc", "2022-13-01T00:00:00Z", "2022-02-30T00:00:00Z",
                          "2022-01-01T00:00:00", "2022-01-01T25:00:00Z", "2022-01-01T00:00:00Zjunk",
                          "2022-01-01X00:00:00Z", "2022-01-01T00:00:00.Z"}) {
    EXPECT_FALSE(ParseTimestampMillis(bad).ok()) << bad;
  }
}

TEST(TimeUtilTest, FormatsIso) {
  EXPECT_EQ(FormatIso8601Millis(1640995200123), "2022-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatIso8601Millis(0), "1970-01-01T00:00:00.000Z");
}

TEST(TimeUtilTest, Dates) {
  EXPECT_EQ(*ParseDate("1970-01-02"), 1);
  EXPECT_EQ(FormatDate(*ParseDate("2024-02-29")), "2024-02-29");
  EXPECT_FALSE(ParseDate("2023-02-29").ok());
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
}

}  // namespace
}  // namespace lakeshare
