#include "protocol/rate_limiter.h"

#include <chrono>

namespace lakeshare {

RateLimiter::RateLimiter(RateLimit default_limit, Clock clock, size_t max_buckets)
    : clock_(std::move(clock)),
      max_per_shard_(max_buckets == 0 ? 0 : std::max<size_t>(1, max_buckets / kShards)),
      default_per_second_(default_limit.per_second),
      default_burst_(default_limit.burst) {}

void RateLimiter::SetDefault(RateLimit limit) {
  default_per_second_.store(limit.per_second, std::memory_order_relaxed);
  default_burst_.store(limit.burst, std::memory_order_relaxed);
}

RateLimit RateLimiter::default_limit() const {
  return RateLimit{default_per_second_.load(std::memory_order_relaxed),
                   default_burst_.load(std::memory_order_relaxed)};
}

int64_t RateLimiter::Now() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t RateLimiter::Admit(std::string_view recipient,
                           const std::optional<RateLimit>& override_limit) {
  const RateLimit limit = override_limit ? *override_limit : default_limit();
  Shard& shard = shards_[StringHash{}(recipient) % kShards];
  if (limit.unlimited()) {
    // No bucket. One made under an earlier limit goes, so that a limit set
    // later starts full (only recipients with an unlimited override of
    // their own pay for the lock; the default's cost nothing).
    if (override_limit) {
      std::lock_guard lock(shard.mu);
      if (auto it = shard.buckets.find(recipient); it != shard.buckets.end()) {
        shard.buckets.erase(it);
      }
    }
    return 0;
  }
  const int64_t now = Now();
  std::lock_guard lock(shard.mu);
  auto it = shard.buckets.find(recipient);
  if (it == shard.buckets.end()) {
    const bool at_bound = max_per_shard_ > 0 && shard.buckets.size() >= max_per_shard_;
    if (shard.buckets.size() >= shard.sweep_threshold ||
        (at_bound && now - shard.last_full_sweep_ns >= 1'000'000'000)) {
      if (at_bound) shard.last_full_sweep_ns = now;
      Sweep(shard, now);
    }
    if (max_per_shard_ > 0 && shard.buckets.size() >= max_per_shard_) {
      if (!shard.overflow) shard.overflow.emplace(limit, now);
      if (!(shard.overflow->limit() == limit)) shard.overflow->SetLimit(limit, now);
      return shard.overflow->TryTake(now);
    }
    it = shard.buckets.emplace(std::string(recipient), TokenBucket(limit, now)).first;
  } else if (!(it->second.limit() == limit)) {
    it->second.SetLimit(limit, now);
  }
  return it->second.TryTake(now);
}

void RateLimiter::Sweep(Shard& shard, int64_t now_ns) {
  std::erase_if(shard.buckets, [now_ns](const auto& kv) { return kv.second.FullAt(now_ns); });
  // Sweep again only once the shard has doubled: each sweep is paid for by
  // as many inserts as it visits.
  shard.sweep_threshold = std::max(kMinSweepThreshold, 2 * shard.buckets.size());
}

size_t RateLimiter::BucketCount() {
  size_t n = 0;
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.buckets.size();
  }
  return n;
}

}  // namespace lakeshare
