#include "protocol/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace lakeshare {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

class RateLimiterTest : public ::testing::Test {
 protected:
  int64_t now_ = 0;
  RateLimiter::Clock clock_ = [this] { return now_; };
};

TEST_F(RateLimiterTest, DefaultLimitPerRecipient) {
  RateLimiter limiter(RateLimit{1, 2}, clock_);
  EXPECT_EQ(limiter.Admit("alice", std::nullopt), 0);
  EXPECT_EQ(limiter.Admit("alice", std::nullopt), 0);
  EXPECT_EQ(limiter.Admit("alice", std::nullopt), 1);
  // Bob has his own bucket.
  EXPECT_EQ(limiter.Admit("bob", std::nullopt), 0);
  now_ += kSecond;
  EXPECT_EQ(limiter.Admit("alice", std::nullopt), 0);
  EXPECT_EQ(limiter.Admit("alice", std::nullopt), 1);
}

TEST_F(RateLimiterTest, UnlimitedDefaultKeepsNoBuckets) {
  RateLimiter limiter(RateLimit{}, clock_);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(limiter.Admit("alice", std::nullopt), 0);
  EXPECT_EQ(limiter.BucketCount(), 0U);
}

TEST_F(RateLimiterTest, OverrideReplacesTheDefault) {
  RateLimiter limiter(RateLimit{1, 1}, clock_);
  // A stricter override.
  EXPECT_EQ(limiter.Admit("alice", RateLimit{0.5, 1}), 0);
  EXPECT_EQ(limiter.Admit("alice", RateLimit{0.5, 1}), 2);
  // An unlimited override for a trusted recipient.
  for (int i = 0; i < 50; ++i) ASSERT_EQ(limiter.Admit("bob", RateLimit{0, 0}), 0);
  // A changed override applies to the next request, tokens kept.
  EXPECT_EQ(limiter.Admit("alice", RateLimit{100, 5}), 1);
  now_ += kSecond / 100;
  EXPECT_EQ(limiter.Admit("alice", RateLimit{100, 5}), 0);
}

TEST_F(RateLimiterTest, ALimitAfterAnUnlimitedOverrideStartsFull) {
  RateLimiter limiter(RateLimit{0.5, 3}, clock_);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(limiter.Admit("alice", std::nullopt), 0);
  EXPECT_EQ(limiter.Admit("alice", std::nullopt), 2);
  EXPECT_EQ(limiter.Admit("alice", RateLimit{0, 0}), 0);
  EXPECT_EQ(limiter.BucketCount(), 0U);
  EXPECT_EQ(limiter.Admit("alice", RateLimit{1, 2}), 0);
  EXPECT_EQ(limiter.Admit("alice", RateLimit{1, 2}), 0);
  EXPECT_EQ(limiter.Admit("alice", RateLimit{1, 2}), 1);
}

TEST_F(RateLimiterTest, SetDefaultAppliesToExistingBuckets) {
  RateLimiter limiter(RateLimit{1, 1}, clock_);
  EXPECT_EQ(limiter.Admit("alice", std::nullopt), 0);
  EXPECT_EQ(limiter.Admit("alice", std::nullopt), 1);
  limiter.SetDefault(RateLimit{});
  EXPECT_EQ(limiter.default_limit(), RateLimit{});
  EXPECT_EQ(limiter.Admit("alice", std::nullopt), 0);
  limiter.SetDefault(RateLimit{1, 1});
  EXPECT_EQ(limiter.Admit("alice", std::nullopt), 1);  // the old bucket, still empty
}

TEST_F(RateLimiterTest, IdleBucketsAreSweptSoMemoryStaysBounded) {
  RateLimiter limiter(RateLimit{1, 1}, clock_);
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(limiter.Admit("r" + std::to_string(i), std::nullopt), 0);
    if (i % 1000 == 999) now_ += 2 * kSecond;  // the earlier ones refill and go idle
  }
  // Only buckets that were not yet full may remain: far fewer than 20000.
  EXPECT_LT(limiter.BucketCount(), 10000U);
  EXPECT_GT(limiter.BucketCount(), 0U);
  // A swept recipient starts again with a full bucket (nothing was lost).
  EXPECT_EQ(limiter.Admit("r0", std::nullopt), 0);
}

TEST_F(RateLimiterTest, MaxBucketsBoundsTheTableAndNewKeysShareAnOverflowBucket) {
  // Keys a client chooses (addresses): a flood of new ones in one instant.
  RateLimiter limiter(RateLimit{1, 2}, clock_, /*max_buckets=*/160);
  int admitted = 0;
  for (int i = 0; i < 5000; ++i) {
    if (limiter.Admit("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256),
                      std::nullopt) == 0) {
      ++admitted;
    }
  }
  EXPECT_LE(limiter.BucketCount(), 160U);
  // 160 tracked keys with 2 each, and one overflow bucket per shard (16 × 2).
  EXPECT_LE(admitted, 160 * 2 + 16 * 2);
  EXPECT_GE(admitted, 160);
  // Once the tracked buckets refill they are swept, and new keys get their own again.
  now_ += 10 * kSecond;
  EXPECT_EQ(limiter.Admit("192.0.2.1", std::nullopt), 0);
  EXPECT_EQ(limiter.Admit("192.0.2.1", std::nullopt), 0);
  EXPECT_GT(limiter.Admit("192.0.2.1", std::nullopt), 0);
  EXPECT_LE(limiter.BucketCount(), 160U);
}

TEST(RateLimiterThreadsTest, ConcurrentAdmitsNeverExceedTheBurst) {
  // A clock that stands still: exactly `burst` requests may pass in total.
  RateLimiter limiter(RateLimit{1, 100}, [] { return int64_t{0}; });
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (limiter.Admit("shared", std::nullopt) == 0) ++admitted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), 100);
}

}  // namespace
}  // namespace lakeshare
