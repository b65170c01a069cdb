#include "common/token_bucket.h"

#include <gtest/gtest.h>

namespace lakeshare {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST(TokenBucketTest, BurstThenRefusesWithWholeSecondsToWait) {
  TokenBucket b(RateLimit{2, 3}, 0);
  EXPECT_EQ(b.TryTake(0), 0);
  EXPECT_EQ(b.TryTake(0), 0);
  EXPECT_EQ(b.TryTake(0), 0);
  // Empty: one token in 0.5 s, rounded up to a whole second.
  EXPECT_EQ(b.TryTake(0), 1);
  EXPECT_EQ(b.TryTake(kSecond / 2), 0);  // refilled one
  EXPECT_EQ(b.TryTake(kSecond / 2), 1);
}

TEST(TokenBucketTest, SlowRateAsksForTheWholeWait) {
  TokenBucket b(RateLimit{0.1, 1}, 0);  // one request every 10 s
  EXPECT_EQ(b.TryTake(0), 0);
  EXPECT_EQ(b.TryTake(0), 10);
  EXPECT_EQ(b.TryTake(4 * kSecond), 6);
  EXPECT_EQ(b.TryTake(10 * kSecond), 0);
}

TEST(TokenBucketTest, RefillStopsAtBurst) {
  TokenBucket b(RateLimit{100, 2}, 0);
  EXPECT_EQ(b.TryTake(0), 0);
  EXPECT_EQ(b.TryTake(0), 0);
  // An hour idle still gives only `burst` tokens.
  const int64_t later = 3600 * kSecond;
  EXPECT_TRUE(b.FullAt(later));
  EXPECT_EQ(b.TryTake(later), 0);
  EXPECT_EQ(b.TryTake(later), 0);
  EXPECT_EQ(b.TryTake(later), 1);
  EXPECT_FALSE(b.FullAt(later));
}

TEST(TokenBucketTest, UnlimitedAlwaysTakes) {
  TokenBucket b(RateLimit{0, 0}, 0);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(b.TryTake(0), 0);
  EXPECT_TRUE(b.FullAt(0));
}

TEST(TokenBucketTest, BurstBelowOneCountsAsOne) {
  TokenBucket b(RateLimit{1, 0}, 0);
  EXPECT_EQ(b.TryTake(0), 0);
  EXPECT_EQ(b.TryTake(0), 1);
}

TEST(TokenBucketTest, ClockGoingBackAddsNothing) {
  TokenBucket b(RateLimit{1, 1}, 10 * kSecond);
  EXPECT_EQ(b.TryTake(10 * kSecond), 0);
  EXPECT_EQ(b.TryTake(5 * kSecond), 1);
  EXPECT_EQ(b.TryTake(11 * kSecond), 0);
}

TEST(TokenBucketTest, SetLimitKeepsTokensUpToTheNewBurst) {
  TokenBucket b(RateLimit{1, 10}, 0);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(b.TryTake(0), 0);  // 5 left
  b.SetLimit(RateLimit{1, 2}, 0);                          // at most 2 now
  EXPECT_EQ(b.TryTake(0), 0);
  EXPECT_EQ(b.TryTake(0), 0);
  EXPECT_EQ(b.TryTake(0), 1);
  // Raising the rate speeds the refill at once.
  b.SetLimit(RateLimit{10, 2}, 0);
  EXPECT_EQ(b.TryTake(kSecond / 10), 0);
}

TEST(TokenBucketTest, LeavingUnlimitedStartsFull) {
  TokenBucket b(RateLimit{0, 0}, 0);
  b.SetLimit(RateLimit{1, 3}, 0);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(b.TryTake(0), 0);
  EXPECT_EQ(b.TryTake(0), 1);
}

}  // namespace
}  // namespace lakeshare
