#include "hudi/hudi_instant.h"

#include "testing/status_matchers.h"

namespace lakeshare::hudi {
namespace {

using ::lakeshare::testing::StatusIs;

TEST(InstantFileName, Layout1) {
  auto c = ParseInstantFileName("20240418173550988.commit", 1);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->time, "20240418173550988");
  EXPECT_EQ(c->action, "commit");
  EXPECT_EQ(c->state, InstantState::kCompleted);
  auto inflight = ParseInstantFileName("20240418173550988.inflight", 1);
  ASSERT_TRUE(inflight.has_value());
  EXPECT_EQ(inflight->state, InstantState::kInflight);
  EXPECT_EQ(inflight->action, "commit");
  auto req = ParseInstantFileName("20240418173550988.deltacommit.requested", 1);
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->state, InstantState::kRequested);
  EXPECT_FALSE(ParseInstantFileName("hoodie.properties", 1).has_value());
  EXPECT_FALSE(ParseInstantFileName("20240418173550988.unknownaction", 1).has_value());
  EXPECT_FALSE(ParseInstantFileName("2024.commit", 1).has_value());
}

TEST(InstantFileName, Layout2) {
  auto c = ParseInstantFileName("20260307162434124_20260307162438653.commit", 2);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->time, "20260307162434124");
  EXPECT_EQ(c->completion_time, "20260307162438653");
  EXPECT_EQ(c->state, InstantState::kCompleted);
  auto pending = ParseInstantFileName("20260307162454799.clustering.inflight", 2);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->action, "clustering");
  EXPECT_EQ(pending->state, InstantState::kInflight);
  // Layout 2 names completed instants with their completion time.
  EXPECT_FALSE(ParseInstantFileName("20260307162434124.commit", 2).has_value());
  EXPECT_FALSE(ParseInstantFileName("20260307162434124_x.commit", 2).has_value());
}

TEST(InstantTime, Millis) {
  ASSERT_OK_AND_ASSIGN(int64_t ms, InstantTimeMillis("20240418173550988", true));
  EXPECT_EQ(ms, 1713461750988);
  ASSERT_OK_AND_ASSIGN(ms, InstantTimeMillis("20240418173550", true));
  EXPECT_EQ(ms, 1713461750000);
  ASSERT_OK_AND_ASSIGN(ms, InstantTimeMillis("00000000000000000", true));
  EXPECT_EQ(ms, 0);
  EXPECT_THAT(InstantTimeMillis("20241318173550988", true), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(InstantTimeMillis("abc", true), StatusIs(StatusCode::kCorruption));
}

}  // namespace
}  // namespace lakeshare::hudi
