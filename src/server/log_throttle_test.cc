#include "server/log_throttle.h"

#include <gtest/gtest.h>

namespace lakeshare {
namespace {

using namespace std::chrono_literals;

// An accept loop retrying every 50 ms for 10 s logs 2 lines, not 200.
TEST(LogThrottleTest, OneLinePerIntervalWithSuppressedCount) {
  LogThrottle throttle(5s);
  LogThrottle::Clock::time_point t0{};
  int lines = 0;
  uint64_t reported = 0;
  for (int i = 0; i < 200; ++i) {
    if (auto suppressed = throttle.Note(t0 + i * 50ms)) {
      ++lines;
      reported += *suppressed;
    }
  }
  EXPECT_EQ(lines, 2);
  EXPECT_EQ(reported, 99u);  // the second line reports the 99 before it
  EXPECT_EQ(throttle.Note(t0 + 10s), std::optional<uint64_t>(99));
}

TEST(LogThrottleTest, FirstOccurrenceAlwaysLogged) {
  LogThrottle throttle(1h);
  EXPECT_EQ(throttle.Note(LogThrottle::Clock::now()), std::optional<uint64_t>(0));
  EXPECT_EQ(throttle.Note(LogThrottle::Clock::now()), std::nullopt);
}

}  // namespace
}  // namespace lakeshare
