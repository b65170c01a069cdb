// A token bucket: `per_second` tokens a second flow in, up to `burst`; each
// request takes one. The arithmetic only — the caller supplies the time
// (monotonic nanoseconds), so the bucket is testable without waiting and
// callers choose their own locking. Not thread-safe by itself.
#pragma once

#include <cstdint>

namespace lakeshare {

// A request rate: `per_second` 0 (or less) means unlimited. `burst` below 1
// counts as 1 (a bucket that can never hold a token would refuse everything).
struct RateLimit {
  double per_second = 0;
  int64_t burst = 0;

  bool unlimited() const { return per_second <= 0; }
  friend bool operator==(const RateLimit&, const RateLimit&) = default;
};

class TokenBucket {
 public:
  // Starts full at `now_ns`.
  TokenBucket(RateLimit limit, int64_t now_ns);

  // Takes a token if there is one; otherwise returns the whole seconds
  // (at least 1) until there will be. 0 means taken.
  int64_t TryTake(int64_t now_ns);

  // Changes the rate, keeping the tokens held (at most the new burst).
  void SetLimit(RateLimit limit, int64_t now_ns);
  const RateLimit& limit() const { return limit_; }

  // Whether the bucket is full at `now_ns`: then it is indistinguishable
  // from a new one, and its owner may forget it.
  bool FullAt(int64_t now_ns) const;

 private:
  void Refill(int64_t now_ns);
  double Capacity() const;

  RateLimit limit_;
  double tokens_;
  int64_t last_ns_;
};

}  // namespace lakeshare
