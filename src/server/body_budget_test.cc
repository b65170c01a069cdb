#include "server/body_budget.h"

#include <gtest/gtest.h>

#include <utility>

namespace lakeshare {
namespace {

TEST(BodyBudgetTest, ReservesUpToCapacityAndGivesBack) {
  BodyBudget budget(100);
  BodyBudget::Reservation a, b, c;
  EXPECT_TRUE(budget.TryReserve(60, &a));
  EXPECT_FALSE(budget.TryReserve(41, &b));
  EXPECT_EQ(b.bytes(), 0u);
  EXPECT_TRUE(budget.TryReserve(40, &b));
  EXPECT_EQ(budget.held(), 100u);
  {
    BodyBudget::Reservation moved = std::move(a);
    EXPECT_EQ(budget.held(), 100u);
  }
  EXPECT_EQ(budget.held(), 40u);
  EXPECT_FALSE(budget.TryReserve(uint64_t{1} << 63, &c));
  b.Release();
  EXPECT_EQ(budget.held(), 0u);
}

TEST(BodyBudgetTest, ZeroCapacityIsUnbounded) {
  BodyBudget budget(0);
  BodyBudget::Reservation r;
  EXPECT_TRUE(budget.TryReserve(uint64_t{1} << 40, &r));
}

}  // namespace
}  // namespace lakeshare
