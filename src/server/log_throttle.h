// Rate limit for a warning that a misbehaving client or an exhausted resource
// can trigger over and over (accept failures, the connection cap): the first
// occurrence is logged, then at most one line per interval, carrying how many
// occurrences were suppressed meanwhile. Thread-safe (a mutex; the callers
// are rare events on the listener's strand).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace lakeshare {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogThrottle(Clock::duration interval) : interval_(interval) {}

  // Counts one occurrence at `now`. Returns the number of occurrences
  // suppressed since the last line when this one should be logged, nullopt
  // when it should be suppressed.
  std::optional<uint64_t> Note(Clock::time_point now);

 private:
  const Clock::duration interval_;
  std::mutex mu_;
  bool logged_ = false;
  Clock::time_point last_;
  uint64_t suppressed_ = 0;
};

}  // namespace lakeshare
