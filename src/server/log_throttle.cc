#include "server/log_throttle.h"

namespace lakeshare {

std::optional<uint64_t> LogThrottle::Note(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (logged_ && now - last_ < interval_) {
    ++suppressed_;
    return std::nullopt;
  }
  logged_ = true;
  last_ = now;
  uint64_t suppressed = suppressed_;
  suppressed_ = 0;
  return suppressed;
}

}  // namespace lakeshare
