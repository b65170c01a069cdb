#include "predicate/typed_value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "common/strings.h"

namespace lakeshare {
namespace {

constexpr int64_t kHourMicros = int64_t{3600} * 1000 * 1000;

ValueRange Must(ValueType t, std::string_view text, ValueSource s = ValueSource::kLiteral) {
  std::optional<ValueRange> r = ParseValueRange(t, text, s);
  EXPECT_TRUE(r.has_value()) << ValueTypeName(t) << " '" << text << "'";
  return r.value_or(ValueRange{});
}

TEST(TypedValueTest, TypeNamesRoundTrip) {
  for (ValueType t :
       {ValueType::kBool, ValueType::kInt, ValueType::kLong, ValueType::kString, ValueType::kDate,
        ValueType::kFloat, ValueType::kDouble, ValueType::kTimestamp}) {
    EXPECT_EQ(ValueTypeFromName(ValueTypeName(t)), t);
  }
  EXPECT_EQ(ValueTypeFromName("LONG"), ValueType::kLong);
  EXPECT_FALSE(ValueTypeFromName("decimal").has_value());
  EXPECT_FALSE(ValueTypeFromName("").has_value());
}

TEST(TypedValueTest, Integers) {
  EXPECT_EQ(Must(ValueType::kInt, "-42").ilo, -42);
  EXPECT_EQ(Must(ValueType::kInt, "+7").ihi, 7);
  EXPECT_EQ(Must(ValueType::kLong, "9223372036854775807").ilo, INT64_MAX);
  // A literal must fit its declared type; a file's value is taken as written.
  EXPECT_FALSE(ParseValueRange(ValueType::kInt, "2147483648", ValueSource::kLiteral));
  EXPECT_TRUE(ParseValueRange(ValueType::kInt, "2147483648", ValueSource::kPartition));
  for (const char* bad :
       {"", "1.0", "1e3", " 1", "1 ", "0x10", "--1", "+", "9223372036854775808"}) {
    EXPECT_FALSE(ParseValueRange(ValueType::kLong, bad, ValueSource::kLiteral)) << bad;
  }
}

TEST(TypedValueTest, Booleans) {
  EXPECT_EQ(Must(ValueType::kBool, "true").ilo, 1);
  EXPECT_EQ(Must(ValueType::kBool, "FALSE").ilo, 0);
  EXPECT_FALSE(ParseValueRange(ValueType::kBool, "1", ValueSource::kLiteral));
}

TEST(TypedValueTest, DoublesAndFloats) {
  ValueRange d = Must(ValueType::kDouble, "1.1");
  EXPECT_EQ(d.dlo, 1.1);
  EXPECT_TRUE(d.IsPoint());
  EXPECT_EQ(Must(ValueType::kDouble, "-1e300").dlo, -1e300);
  EXPECT_EQ(Must(ValueType::kDouble, "Infinity").dlo, HUGE_VAL);
  // A float text stands for both its float32 and its double reading.
  ValueRange f = Must(ValueType::kFloat, "1.1");
  EXPECT_EQ(f.dlo, 1.1);
  EXPECT_EQ(f.dhi, static_cast<double>(1.1f));
  EXPECT_FALSE(f.IsPoint());
  EXPECT_TRUE(Must(ValueType::kFloat, "1.5").IsPoint());
  for (const char* bad : {"", "NaN", "nan", "abc", "1.5x", "1e999"}) {
    EXPECT_FALSE(ParseValueRange(ValueType::kDouble, bad, ValueSource::kLiteral)) << bad;
  }
  EXPECT_FALSE(ParseValueRange(ValueType::kFloat, "1e300", ValueSource::kLiteral));
}

TEST(TypedValueTest, Dates) {
  EXPECT_EQ(Must(ValueType::kDate, "1970-01-02").ilo, 1);
  EXPECT_EQ(Must(ValueType::kDate, "1969-12-31").ilo, -1);
  EXPECT_FALSE(ParseValueRange(ValueType::kDate, "2021-02-30", ValueSource::kLiteral));
  EXPECT_FALSE(ParseValueRange(ValueType::kDate, "2021-01-01T00:00:00Z", ValueSource::kLiteral));
}

TEST(TypedValueTest, TimestampsWithZoneAreExact) {
  ValueRange r = Must(ValueType::kTimestamp, "1970-01-01T00:00:01.000002Z");
  EXPECT_EQ(r.ilo, 1000002);
  EXPECT_TRUE(r.IsPoint());
  EXPECT_EQ(Must(ValueType::kTimestamp, "1970-01-01T00:00:00.5Z").ilo, 500000);
  EXPECT_EQ(Must(ValueType::kTimestamp, "1970-01-01T00:00:00.12345Z").ilo, 123450);
  EXPECT_EQ(Must(ValueType::kTimestamp, "1970-01-01T01:00:00+01:00").ilo, 0);
  EXPECT_EQ(Must(ValueType::kTimestamp, "1969-12-31T23:59:59.999999Z").ilo, -1);
  // Nanoseconds: the value lies between two microseconds.
  ValueRange ns = Must(ValueType::kTimestamp, "1970-01-01T00:00:00.000001500Z");
  EXPECT_EQ(ns.ilo, 1);
  EXPECT_EQ(ns.ihi, 2);
}

TEST(TypedValueTest, StatsTimestampsCoverTheTruncatedMicroseconds) {
  ValueRange r = Must(ValueType::kTimestamp, "2021-01-01T00:00:00.000Z", ValueSource::kStats);
  EXPECT_EQ(r.ihi - r.ilo, 999);
  ValueRange fine = Must(ValueType::kTimestamp, "2021-01-01T00:00:00.000001Z", ValueSource::kStats);
  EXPECT_TRUE(fine.IsPoint());
}

TEST(TypedValueTest, ZonelessTimestampsMayBeInAnyZone) {
  ValueRange r = Must(ValueType::kTimestamp, "2021-01-01 00:00:00", ValueSource::kPartition);
  ValueRange utc = Must(ValueType::kTimestamp, "2021-01-01T00:00:00Z");
  EXPECT_EQ(r.ilo, utc.ilo - 14 * kHourMicros);
  EXPECT_EQ(r.ihi, utc.ilo + 12 * kHourMicros);
  ValueRange micro = Must(ValueType::kTimestamp, "2021-01-01 00:00:00.123456");
  EXPECT_EQ(micro.ilo + 14 * kHourMicros, utc.ilo + 123456);
  EXPECT_FALSE(ParseValueRange(ValueType::kTimestamp, "yesterday", ValueSource::kLiteral));
}

TEST(TypedValueTest, LongStatsStringsMayBeTruncatedPrefixes) {
  std::string s31(31, 'x'), s32(32, 'x');
  EXPECT_FALSE(Must(ValueType::kString, s31, ValueSource::kStats).shi_is_prefix);
  EXPECT_TRUE(Must(ValueType::kString, s32, ValueSource::kStats).shi_is_prefix);
  EXPECT_FALSE(Must(ValueType::kString, s32, ValueSource::kLiteral).shi_is_prefix);
  // Code points, not bytes: 31 two-byte characters are not yet a prefix.
  std::string accents;
  for (int i = 0; i < 31; ++i) accents += "\xc3\xa9";
  EXPECT_FALSE(Must(ValueType::kString, accents, ValueSource::kStats).shi_is_prefix);
  EXPECT_TRUE(ParseValueRange(ValueType::kString, s31, ValueSource::kStats, 31)->shi_is_prefix);
  EXPECT_FALSE(ParseValueRange(ValueType::kString, s32, ValueSource::kStats, 0)->shi_is_prefix);
}

TEST(TypedValueTest, CaseHelpers) {
  EXPECT_TRUE(EqualsIgnoreCase("HireDate", "hiredate"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "ab"));
  EXPECT_EQ(AsciiLower("A.B_c\xc3\x89"), "a.b_c\xc3\x89");
}

}  // namespace
}  // namespace lakeshare
