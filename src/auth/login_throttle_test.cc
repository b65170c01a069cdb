#include "auth/login_throttle.h"

#include <gtest/gtest.h>

namespace lakeshare {
namespace {

TEST(LoginThrottleTest, FreeFailuresThenDoublingWaitsUpToTheCap) {
  LoginThrottleOptions o;
  o.free_failures_per_user = 3;
  o.base_delay_ms = 1000;
  o.max_delay_ms = 5000;
  LoginThrottle t(o);
  int64_t now = 1000000;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(t.WaitMs("root", "10.0.0.1", now), 0) << i;
    t.RecordFailure("root", "10.0.0.1", now);
  }
  EXPECT_EQ(t.WaitMs("root", "10.0.0.1", now), 0);  // three were free
  t.RecordFailure("root", "10.0.0.1", now);
  EXPECT_EQ(t.WaitMs("root", "10.0.0.1", now), 1000);
  EXPECT_EQ(t.WaitMs("ROOT", "10.0.0.1", now + 400), 600);  // by name, any case
  now += 1000;
  EXPECT_EQ(t.WaitMs("root", "10.0.0.1", now), 0);
  t.RecordFailure("root", "10.0.0.1", now);
  EXPECT_EQ(t.WaitMs("root", "10.0.0.1", now), 2000);
  now += 2000;
  t.RecordFailure("root", "10.0.0.1", now);
  EXPECT_EQ(t.WaitMs("root", "10.0.0.1", now), 4000);
  now += 4000;
  t.RecordFailure("root", "10.0.0.1", now);
  EXPECT_EQ(t.WaitMs("root", "10.0.0.1", now), 5000);  // capped
  EXPECT_EQ(t.WaitMs("someone-else", "10.0.0.2", now), 0);
}

TEST(LoginThrottleTest, SuccessClearsTheUserButNotTheAddress) {
  LoginThrottleOptions o;
  o.free_failures_per_user = 1;
  o.free_failures_per_address = 2;
  LoginThrottle t(o);
  const int64_t now = 5000;
  t.RecordFailure("alice", "10.0.0.1", now);
  t.RecordFailure("alice", "10.0.0.1", now);
  EXPECT_GT(t.WaitMs("alice", "10.0.0.1", now), 0);
  t.RecordSuccess("Alice", "10.0.0.1");
  EXPECT_EQ(t.WaitMs("alice", "10.0.0.1", now), 0);
  // The address has failed twice: free. A third failure under another name
  // throttles every name from there.
  EXPECT_EQ(t.WaitMs("bob", "10.0.0.1", now), 0);
  t.RecordFailure("bob", "10.0.0.1", now);
  EXPECT_GT(t.WaitMs("carol", "10.0.0.1", now), 0);
  EXPECT_EQ(t.WaitMs("carol", "10.0.0.2", now), 0);
  t.RecordSuccess("bob", "10.0.0.1");
  EXPECT_GT(t.WaitMs("carol", "10.0.0.1", now), 0);
}

// Issue 18: an attacker guessing a name must not lock its owner out.
TEST(LoginThrottleTest, GuessesFromOneAddressDoNotLockTheNameElsewhere) {
  LoginThrottleOptions o;
  o.free_failures_per_user = 5;
  LoginThrottle t(o);
  const int64_t now = 1000;
  for (int i = 0; i < 6; ++i) t.RecordFailure("root", "203.0.113.9", now);
  EXPECT_GT(t.WaitMs("root", "203.0.113.9", now), 0);  // the attacker waits
  EXPECT_EQ(t.WaitMs("root", "10.0.0.1", now), 0);     // the owner does not
  t.RecordSuccess("root", "10.0.0.1");
  EXPECT_GT(t.WaitMs("root", "203.0.113.9", now), 0);  // nor does that help the attacker
  // Exactly the free allowance: 5 failures are free, the 6th throttles.
  LoginThrottle fresh(o);
  for (int i = 0; i < 5; ++i) fresh.RecordFailure("root", "10.0.0.2", now);
  EXPECT_EQ(fresh.WaitMs("root", "10.0.0.2", now), 0);
  fresh.RecordFailure("root", "10.0.0.2", now);
  EXPECT_GT(fresh.WaitMs("root", "10.0.0.2", now), 0);
}

TEST(LoginThrottleTest, CountsAreForgottenAfterAQuietPeriod) {
  LoginThrottleOptions o;
  o.free_failures_per_user = 1;
  o.forget_after_ms = 60000;
  LoginThrottle t(o);
  t.RecordFailure("root", "", 0);
  t.RecordFailure("root", "", 0);
  EXPECT_GT(t.WaitMs("root", "", 0), 0);
  EXPECT_EQ(t.WaitMs("root", "", 60000), 0);
  EXPECT_EQ(t.entries(), 0u);
  // A failure after the quiet period starts over from the free allowance.
  t.RecordFailure("root", "", 120000);
  EXPECT_EQ(t.WaitMs("root", "", 120000), 0);
}

TEST(LoginThrottleTest, MemoryIsBoundedUnderAFloodOfNames) {
  LoginThrottleOptions o;
  o.max_entries = 1000;
  LoginThrottle t(o);
  for (int i = 0; i < 100000; ++i) t.RecordFailure("user" + std::to_string(i), "", i);
  EXPECT_LE(t.entries(), 1001u);
  // The most recent names are the ones kept.
  for (int i = 0; i < 5; ++i) t.RecordFailure("user99999", "", 100000);
  EXPECT_GT(t.WaitMs("user99999", "", 100000), 0);
}

}  // namespace
}  // namespace lakeshare
