// The login throttle's counts shared through the catalog database: two
// handles on one database stand for two replicas.
#include "catalog/sql_login_failures.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "auth/login_throttle.h"
#include "catalog/sql_catalog_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using SqlLoginFailuresTest = testing::SqlCatalogFixture;

constexpr int64_t kNow = 1'700'000'000'000;

LoginThrottleOptions Shared(std::shared_ptr<db::Database> db) {
  LoginThrottleOptions o;
  o.free_failures_per_user = 4;
  o.free_failures_per_address = 100;
  o.base_delay_ms = 1000;
  o.store = std::make_shared<SqlLoginFailures>(std::move(db));
  return o;
}

TEST_P(SqlLoginFailuresTest, TwoReplicasGiveNoMoreGuessesThanOne) {
  LoginThrottle a(Shared(db_));
  LoginThrottle b(Shared(OpenAgain()));
  // Four free failures in all, split over the replicas.
  a.RecordFailure("ops", "10.0.0.9", kNow);
  b.RecordFailure("ops", "10.0.0.9", kNow);
  a.RecordFailure("ops", "10.0.0.9", kNow);
  b.RecordFailure("ops", "10.0.0.9", kNow);
  EXPECT_EQ(a.WaitMs("ops", "10.0.0.9", kNow), 0);
  EXPECT_EQ(b.WaitMs("ops", "10.0.0.9", kNow), 0);
  // The fifth, on either, makes both wait, though each saw only half.
  a.RecordFailure("ops", "10.0.0.9", kNow);
  EXPECT_EQ(a.WaitMs("ops", "10.0.0.9", kNow), 1000);
  EXPECT_EQ(b.WaitMs("OPS", "10.0.0.9", kNow + 400), 600);
  // And the doubling continues across them.
  b.RecordFailure("ops", "10.0.0.9", kNow + 1000);
  EXPECT_EQ(a.WaitMs("ops", "10.0.0.9", kNow + 1000), 2000);
  // Another address is not throttled by this one's guesses.
  EXPECT_EQ(b.WaitMs("ops", "10.0.0.10", kNow + 1000), 0);
}

TEST_P(SqlLoginFailuresTest, SuccessClearsTheNameEverywhereButNotTheAddress) {
  LoginThrottleOptions o = Shared(db_);
  o.free_failures_per_address = 2;
  LoginThrottle a(o);
  LoginThrottleOptions ob = Shared(OpenAgain());
  ob.free_failures_per_address = 2;
  LoginThrottle b(ob);
  for (int i = 0; i < 5; ++i) a.RecordFailure("ops", "10.0.0.9", kNow);
  EXPECT_GT(b.WaitMs("ops", "10.0.0.9", kNow), 0);
  b.RecordSuccess("ops", "10.0.0.9");
  SqlLoginFailures store(db_);
  ASSERT_OK_AND_ASSIGN(int64_t name_failures, store.Failures("u:10.0.0.9\nops"));
  EXPECT_EQ(name_failures, 0);
  ASSERT_OK_AND_ASSIGN(int64_t address_failures, store.Failures("a:10.0.0.9"));
  EXPECT_EQ(address_failures, 5);
  // The address still waits (its count is over its allowance).
  EXPECT_GT(b.WaitMs("other", "10.0.0.9", kNow), 0);
}

TEST_P(SqlLoginFailuresTest, CountsAreForgottenAfterAQuietPeriod) {
  LoginThrottleOptions o = Shared(db_);
  o.forget_after_ms = 60'000;
  LoginThrottle a(o);
  for (int i = 0; i < 6; ++i) a.RecordFailure("ops", "", kNow);
  LoginThrottleOptions ob = Shared(OpenAgain());
  ob.forget_after_ms = 60'000;
  LoginThrottle b(ob);
  EXPECT_GT(b.WaitMs("ops", "", kNow), 0);
  EXPECT_EQ(b.WaitMs("ops", "", kNow + 60'000), 0);
  // A failure after the quiet period starts a new count at 1.
  b.RecordFailure("ops", "", kNow + 60'000);
  SqlLoginFailures store(db_);
  ASSERT_OK_AND_ASSIGN(int64_t failures, store.Failures("u:\nops"));
  EXPECT_EQ(failures, 1);
  EXPECT_EQ(b.WaitMs("ops", "", kNow + 60'000), 0);
}

TEST_P(SqlLoginFailuresTest, ConcurrentFailuresOnTwoHandlesAreAllCounted) {
  SqlLoginFailures a(db_);
  SqlLoginFailures b(OpenAgain());
  auto none = [](int64_t) { return int64_t{0}; };
  std::vector<std::thread> threads;
  for (SqlLoginFailures* s : {&a, &b}) {
    threads.emplace_back([s, &none] {
      for (int i = 0; i < 15; ++i) ASSERT_OK(s->RecordFailure("a:10.0.0.1", kNow, 60'000, none));
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_OK_AND_ASSIGN(int64_t failures, a.Failures("a:10.0.0.1"));
  EXPECT_EQ(failures, 30);
}

TEST_P(SqlLoginFailuresTest, OldRowsArePrunedOnTheWay) {
  SqlLoginFailures store(db_);
  auto none = [](int64_t) { return int64_t{0}; };
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(store.RecordFailure("a:old" + std::to_string(i), kNow, 60'000, none));
  }
  // kPruneEvery failures later, an hour on: the old rows go.
  for (int64_t i = 0; i < SqlLoginFailures::kPruneEvery; ++i) {
    ASSERT_OK(store.RecordFailure("a:new", kNow + 3'600'000, 60'000, none));
  }
  ASSERT_OK_AND_ASSIGN(auto rows, db_->Query("SELECT throttle_key FROM login_failures"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Text(0), "a:new");
}

TEST_P(SqlLoginFailuresTest, AStoreThatFailsLeavesTheInProcessCounts) {
  LoginThrottleOptions o = Shared(db_);
  o.free_failures_per_user = 1;
  LoginThrottle t(o);
  ASSERT_OK(db_->Write(
      [](db::Transaction& tx) -> Status { return tx.ExecScript("DROP TABLE login_failures"); }));
  t.RecordFailure("ops", "10.0.0.9", kNow);
  t.RecordFailure("ops", "10.0.0.9", kNow);
  EXPECT_EQ(t.WaitMs("ops", "10.0.0.9", kNow), 1000);
}

LAKESHARE_INSTANTIATE_BACKENDS(SqlLoginFailuresTest);

}  // namespace
}  // namespace lakeshare
