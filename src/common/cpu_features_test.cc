#include "common/cpu_features.h"

#include <gtest/gtest.h>

namespace lakeshare {
namespace {

// By the time tests run, the flags hold what the CPU reports.
TEST(CpuFeaturesTest, FlagsMatchTheCpu) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  EXPECT_EQ(kCpuHasSsse3, __builtin_cpu_supports("ssse3") != 0);
  EXPECT_EQ(kCpuHasPopcnt, __builtin_cpu_supports("popcnt") != 0);
#else
  EXPECT_FALSE(kCpuHasSsse3);
  EXPECT_FALSE(kCpuHasPopcnt);
#endif
}

}  // namespace
}  // namespace lakeshare
