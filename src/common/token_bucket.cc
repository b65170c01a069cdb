#include "common/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace lakeshare {

namespace {
constexpr double kNanosPerSecond = 1e9;
}  // namespace

TokenBucket::TokenBucket(RateLimit limit, int64_t now_ns)
    : limit_(limit), tokens_(Capacity()), last_ns_(now_ns) {}

double TokenBucket::Capacity() const {
  return static_cast<double>(std::max<int64_t>(limit_.burst, 1));
}

void TokenBucket::Refill(int64_t now_ns) {
  if (now_ns <= last_ns_) return;  // a clock that went back adds nothing
  double earned = static_cast<double>(now_ns - last_ns_) * limit_.per_second / kNanosPerSecond;
  tokens_ = std::min(Capacity(), tokens_ + earned);
  last_ns_ = now_ns;
}

int64_t TokenBucket::TryTake(int64_t now_ns) {
  if (limit_.unlimited()) return 0;
  Refill(now_ns);
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return 0;
  }
  double wait = (1 - tokens_) / limit_.per_second;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait)));
}

void TokenBucket::SetLimit(RateLimit limit, int64_t now_ns) {
  const bool was_unlimited = limit_.unlimited();
  if (!was_unlimited) Refill(now_ns);
  limit_ = limit;
  last_ns_ = std::max(last_ns_, now_ns);
  // Leaving "unlimited" starts full, as a new bucket does.
  tokens_ = was_unlimited ? Capacity() : std::min(tokens_, Capacity());
}

bool TokenBucket::FullAt(int64_t now_ns) const {
  if (limit_.unlimited()) return true;
  double elapsed = now_ns > last_ns_ ? static_cast<double>(now_ns - last_ns_) : 0;
  return tokens_ + elapsed * limit_.per_second / kNanosPerSecond >= Capacity();
}

}  // namespace lakeshare
