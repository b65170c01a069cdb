// Per-recipient request rate limits: one token bucket (common/token_bucket.h)
// per recipient, at the recipient's own limit (an override from the catalog)
// or the server's default. Over the limit a request is refused with the
// seconds to wait (a 429 with Retry-After, server/errors.h).
//
// Hot path: one hash of the name, one lock of one of kShards shards (held for
// a map probe and a few arithmetic operations), no allocation once the
// recipient has a bucket. Memory is bounded: a bucket that has refilled to
// full holds no state a new one would not, so full buckets are swept out
// when a shard grows past its sweep threshold (amortised O(1)).
//
// With `max_buckets` set (keys a client chooses, such as addresses), a shard
// that is still at its share of the bound after a sweep sends new keys to
// one overflow bucket of its own: the table never grows past the bound, and
// a flood of new keys shares one rate instead of each getting a full bucket.
//
// Outlives SharingService rebuilds (a SIGHUP): the default is changed with
// SetDefault and the buckets keep their tokens. Thread-safe.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/strings.h"
#include "common/token_bucket.h"

namespace lakeshare {

class RateLimiter {
 public:
  // Monotonic nanoseconds; tests inject their own.
  using Clock = std::function<int64_t()>;

  // `max_buckets`: 0 for no hard bound (keys the server chose, such as
  // recipient names).
  explicit RateLimiter(RateLimit default_limit, Clock clock = {}, size_t max_buckets = 0);

  void SetDefault(RateLimit limit);
  RateLimit default_limit() const;

  // 0 when `recipient` may make a request now (and it is counted), else the
  // whole seconds (>= 1) to wait. `override_limit`: the recipient's own
  // limit, which replaces the default (unlimited included).
  int64_t Admit(std::string_view recipient, const std::optional<RateLimit>& override_limit);

  // Buckets held now (for tests and metrics).
  size_t BucketCount();

 private:
  static constexpr size_t kShards = 16;
  static constexpr size_t kMinSweepThreshold = 1024;

  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, TokenBucket, StringHash, std::equal_to<>> buckets;
    size_t sweep_threshold = kMinSweepThreshold;
    std::optional<TokenBucket> overflow;  // with max_buckets: new keys past the bound
    int64_t last_full_sweep_ns =
        -(int64_t{1} << 62);  // a full shard is swept at most once a second
  };

  int64_t Now() const;
  static void Sweep(Shard& shard, int64_t now_ns);

  Clock clock_;
  const size_t max_per_shard_;  // 0: no bound
  std::atomic<double> default_per_second_;
  std::atomic<int64_t> default_burst_;
  std::array<Shard, kShards> shards_;
};

}  // namespace lakeshare
