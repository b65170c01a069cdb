#include "delta/delta_commit_timestamps.h"

#include <gtest/gtest.h>

#include "common/time_util.h"

namespace lakeshare {
namespace {

CommitTimestampInfo Plain() { return {}; }
CommitTimestampInfo WithIct(int64_t ict) { return {ict, std::nullopt, std::nullopt}; }

TEST(CommitTimestampsTest, DetectsIctEnablement) {
  TableProtocol protocol;
  EXPECT_FALSE(ProtocolHasIctFeature(protocol));
  protocol.writer_features = std::vector<std::string>{"appendOnly", "inCommitTimestamp"};
  EXPECT_TRUE(ProtocolHasIctFeature(protocol));
  TableMetadata metadata;
  EXPECT_FALSE(ConfigurationEnablesIct(metadata));
  metadata.configuration["delta.enableInCommitTimestamps"] = "TRUE";
  EXPECT_TRUE(ConfigurationEnablesIct(metadata));
  metadata.configuration["delta.enableInCommitTimestamps"] = "false";
  EXPECT_FALSE(ConfigurationEnablesIct(metadata));
}

TEST(CommitTimestampsTest, FileTimesAreMadeStrictlyIncreasing) {
  CommitTimestampResolver r;
  EXPECT_EQ(*r.Next(Plain(), 1000, "0"), 1000);
  EXPECT_EQ(*r.Next(Plain(), 1000, "1"), 1001);  // equal -> +1
  EXPECT_EQ(*r.Next(Plain(), 500, "2"), 1002);   // earlier -> +1
  EXPECT_EQ(*r.Next(Plain(), 5000, "3"), 5000);
  // Without ICT enabled, a recorded inCommitTimestamp is ignored.
  EXPECT_EQ(*r.Next(WithIct(1), 6000, "4"), 6000);
}

TEST(CommitTimestampsTest, IctNeedsFeatureAndConfigAndIsNotAdjusted) {
  CommitTimestampResolver r;
  // Version 0: the feature but not the configuration.
  EXPECT_EQ(*r.Next({777, true, false}, 1000, "0"), 1000);
  // Version 1: the configuration turns ICT on: its ICT is used.
  EXPECT_EQ(*r.Next({900, std::nullopt, true}, 2000, "1"), 900);
  // ICT values are taken as recorded, even when they go backwards.
  EXPECT_EQ(*r.Next(WithIct(800), 3000, "2"), 800);
  // A commit without inCommitTimestamp while ICT is on is corrupt.
  auto missing = r.Next(Plain(), 4000, "log/3.json");
  EXPECT_EQ(missing.status().code(), StatusCode::kCorruption);
  EXPECT_NE(missing.status().message().find("log/3.json"), std::string::npos);
  // Turning it off again: file times, strictly after the previous commit.
  EXPECT_EQ(*r.Next({std::nullopt, std::nullopt, false}, 100, "4"), 801);
}

TEST(CommitTimestampsTest, UnknownStateInfersIctFromTheCommit) {
  auto r = CommitTimestampResolver::WithUnknownState();
  EXPECT_EQ(*r.Next(WithIct(5000), 1, "5"), 5000);
  EXPECT_EQ(*r.Next(Plain(), 1, "6"), 5001);
  // Once protocol and metadata are known, the rule applies.
  EXPECT_EQ(*r.Next({7000, false, true}, 9000, "7"), 9000);
}

TEST(CommitTimestampsTest, ContinuesAfterASnapshot) {
  TableSnapshot s;
  s.version = 4;
  s.timestamp_ms = 10000;
  auto r = CommitTimestampResolver::After(s);
  EXPECT_EQ(*r.Next(WithIct(1), 9000, "5"), 10001);  // ICT off: adjusted file time
  s.protocol.writer_features = std::vector<std::string>{"inCommitTimestamp"};
  s.metadata.configuration["delta.enableInCommitTimestamps"] = "true";
  auto ict = CommitTimestampResolver::After(s);
  EXPECT_EQ(*ict.Next(WithIct(42), 9000, "5"), 42);
}

std::string Iso(int64_t ms) { return FormatIso8601Millis(ms); }

TEST(CommitTimestampsTest, FindsVersionsAtTimestamps) {
  std::vector<VersionTimestamp> c = {{3, 1000}, {4, 2000}, {5, 3000}};
  using B = TimestampBound;
  EXPECT_EQ(*FindVersionAtTimestamp(c, 1000, B::kAtOrBefore), 3);
  EXPECT_EQ(*FindVersionAtTimestamp(c, 1999, B::kAtOrBefore), 3);
  EXPECT_EQ(*FindVersionAtTimestamp(c, 2000, B::kAtOrBefore), 4);
  EXPECT_EQ(*FindVersionAtTimestamp(c, 3000, B::kAtOrBefore), 5);
  EXPECT_EQ(*FindVersionAtTimestamp(c, 1000, B::kAtOrAfter), 3);
  EXPECT_EQ(*FindVersionAtTimestamp(c, 1001, B::kAtOrAfter), 4);
  EXPECT_EQ(*FindVersionAtTimestamp(c, 2000, B::kAtOrAfter), 4);
  EXPECT_EQ(*FindVersionAtTimestamp(c, 3000, B::kAtOrAfter), 5);
  EXPECT_EQ(*FindVersionAtTimestamp(c, 5, B::kAtOrAfter), 3);  // before all: the earliest

  auto before = FindVersionAtTimestamp(c, 999, B::kAtOrBefore);
  EXPECT_EQ(before.status(),
            Status::InvalidArgument("The provided timestamp (" + Iso(999) +
                                    ") is before the earliest version available to this table "
                                    "(3). Please use a timestamp greater than or equal to " +
                                    Iso(1000) + "."));
  for (auto bound : {B::kAtOrBefore, B::kAtOrAfter}) {
    auto after = FindVersionAtTimestamp(c, 3001, bound);
    EXPECT_EQ(after.status(),
              Status::InvalidArgument("The provided timestamp (" + Iso(3001) +
                                      ") is after the latest version available to this table "
                                      "(5). Please use a timestamp less than or equal to " +
                                      Iso(3000) + "."));
  }
  EXPECT_EQ(FindVersionAtTimestamp({}, 1, B::kAtOrBefore).status().code(), StatusCode::kInternal);
}

TEST(CommitTimestampsTest, NonMonotonicIctTimestamps) {
  // As in cdc_ict_table: version 1's ICT is older than version 0's.
  std::vector<VersionTimestamp> c = {{0, 500}, {1, 100}, {2, 700}};
  using B = TimestampBound;
  EXPECT_EQ(*FindVersionAtTimestamp(c, 600, B::kAtOrBefore), 1);
  EXPECT_EQ(*FindVersionAtTimestamp(c, 500, B::kAtOrBefore), 1);
  EXPECT_EQ(*FindVersionAtTimestamp(c, 400, B::kAtOrAfter), 0);
  EXPECT_EQ(*FindVersionAtTimestamp(c, 501, B::kAtOrAfter), 2);
  auto before = FindVersionAtTimestamp(c, 99, B::kAtOrBefore);
  EXPECT_EQ(before.status().code(), StatusCode::kInvalidArgument);
  // The hint names the smallest timestamp that works.
  EXPECT_NE(before.status().message().find("greater than or equal to " + Iso(100)),
            std::string::npos);
}

}  // namespace
}  // namespace lakeshare
