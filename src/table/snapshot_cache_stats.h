// Lifetime counts of the snapshot caches of this process (snapshot_cache.h),
// for metrics: lookups that found an entry (possibly an older one to replay
// forward from), lookups that found none, snapshots inserted (loaded), and
// entries evicted by a cache's bound. Relaxed atomics; thread-safe.
#pragma once

#include <cstdint>

namespace lakeshare {

struct SnapshotCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t loads = 0;
  uint64_t evictions = 0;
};

SnapshotCacheStats ProcessSnapshotCacheStats();

}  // namespace lakeshare
