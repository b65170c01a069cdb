#include "table/snapshot_cache.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "table/snapshot_cache_stats.h"

namespace lakeshare {
namespace {

// Process-wide (snapshot_cache_stats.h): counted without the cache's lock.
std::atomic<uint64_t> cache_hits{0};
std::atomic<uint64_t> cache_misses{0};
std::atomic<uint64_t> cache_loads{0};
std::atomic<uint64_t> cache_evictions{0};
std::atomic<bool> log_loads{false};

// This thread's last lookup: a table that misses is loaded by the same
// thread right after, so Insert can say how long the load took.
struct LastLookup {
  const SnapshotCache* cache = nullptr;
  uint64_t table = 0;
  std::chrono::steady_clock::time_point at;
};
thread_local LastLookup last_lookup;

void LogLoad(const SnapshotCache* cache, uint64_t table, const TableSnapshot& s, int64_t bytes) {
  const std::string& label = s.metadata.name ? *s.metadata.name : s.metadata.id;
  std::string took = "?";
  if (last_lookup.cache == cache && last_lookup.table == table) {
    took = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - last_lookup.at)
                              .count());
  }
  spdlog::info("snapshot loaded: table {} version {}: {} files, ~{} KiB, {} ms",
               label.empty() ? "(unnamed)" : label, s.version, s.files.size(), bytes / 1024, took);
}

int64_t MetadataBytes(const TableSnapshot& s) {
  int64_t bytes = static_cast<int64_t>(sizeof(TableSnapshot)) +
                  static_cast<int64_t>(s.metadata.schema_string.size() + s.metadata.id.size());
  for (const auto& [k, v] : s.metadata.configuration) {
    bytes += 64 + static_cast<int64_t>(k.size() + v.size());
  }
  return bytes;
}

}  // namespace

int64_t EstimateSnapshotBytes(const TableSnapshot& snapshot) {
  constexpr size_t kSample = 256;
  const FileList& files = snapshot.files;
  const size_t n = files.size();
  // Chunk headers and the pointers to them.
  int64_t bytes = MetadataBytes(snapshot) + static_cast<int64_t>(files.chunks().size()) * 64;
  if (n == 0) return bytes;
  const size_t step = std::max<size_t>(1, n / kSample);
  int64_t sampled = 0, count = 0;
  for (size_t i = 0; i < n; i += step) {
    sampled += static_cast<int64_t>(DataFileBytes(files[i]));
    ++count;
  }
  return bytes + sampled * static_cast<int64_t>(n) / count;
}

SnapshotCacheStats ProcessSnapshotCacheStats() {
  return SnapshotCacheStats{
      cache_hits.load(std::memory_order_relaxed), cache_misses.load(std::memory_order_relaxed),
      cache_loads.load(std::memory_order_relaxed), cache_evictions.load(std::memory_order_relaxed)};
}

SnapshotCache& SnapshotCache::Global() {
  static SnapshotCache* cache = new SnapshotCache();  // never destroyed: used until exit
  return *cache;
}

void SnapshotCache::SetCapacity(int64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  capacity_ = std::max<int64_t>(bytes, 0);
  EvictLocked();
}

int64_t SnapshotCache::capacity() const {
  std::lock_guard<std::mutex> lock(mu_);
  return capacity_;
}

int64_t SnapshotCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

size_t SnapshotCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

uint64_t SnapshotCache::NewTableId() {
  std::lock_guard<std::mutex> lock(mu_);
  return next_table_++;
}

void SnapshotCache::LogLoads(bool on) { log_loads.store(on, std::memory_order_relaxed); }

void SnapshotCache::Insert(uint64_t table, std::shared_ptr<const TableSnapshot> snapshot, Tag tag) {
  if (!snapshot) return;
  // Estimated outside the lock: it reads a sample of the files.
  const int64_t bytes = EstimateSnapshotBytes(*snapshot);
  if (log_loads.load(std::memory_order_relaxed)) LogLoad(this, table, *snapshot, bytes);
  std::lock_guard<std::mutex> lock(mu_);
  cache_loads.fetch_add(1, std::memory_order_relaxed);
  Key key{table, snapshot->version};
  auto it = entries_.find(key);
  if (it != entries_.end()) EraseLocked(it);
  if (bytes > capacity_) {
    // A table this large is loaded again by every query: say so where the
    // loads are logged (the server), not in tests and tools.
    if (capacity_ > 0 && log_loads.load(std::memory_order_relaxed)) {
      spdlog::warn(
          "snapshot of ~{} KiB is larger than snapshotCacheBytes ({} KiB): not cached, every query "
          "of this table loads it again",
          bytes / 1024, capacity_ / 1024);
    }
    return;
  }
  lru_.push_front(key);
  entries_.emplace(key, Entry{std::move(snapshot), tag, bytes, lru_.begin()});
  bytes_ += bytes;
  EvictLocked();
}

std::shared_ptr<const TableSnapshot> SnapshotCache::FindAtOrBefore(
    uint64_t table, int64_t version, const std::function<bool(int64_t, const Tag&)>& valid,
    int64_t min_version) {
  if (log_loads.load(std::memory_order_relaxed)) {
    last_lookup = LastLookup{this, table, std::chrono::steady_clock::now()};
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.upper_bound(Key{table, version});
  while (it != entries_.begin()) {
    auto prev = std::prev(it);
    if (prev->first.first != table || prev->first.second < min_version) break;
    if (valid(prev->first.second, prev->second.tag)) {
      lru_.splice(lru_.begin(), lru_, prev->second.lru);
      cache_hits.fetch_add(1, std::memory_order_relaxed);
      return prev->second.snapshot;
    }
    EraseLocked(prev);  // `it` stays valid
  }
  cache_misses.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

std::optional<std::pair<int64_t, SnapshotCache::Tag>> SnapshotCache::NewestAtOrBefore(
    uint64_t table, int64_t version) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.upper_bound(Key{table, version});
  if (it == entries_.begin()) return std::nullopt;
  --it;
  if (it->first.first != table) return std::nullopt;
  return std::make_pair(it->first.second, it->second.tag);
}

void SnapshotCache::EraseTable(uint64_t table) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.lower_bound(Key{table, INT64_MIN});
  while (it != entries_.end() && it->first.first == table) {
    auto next = std::next(it);
    EraseLocked(it);
    it = next;
  }
}

void SnapshotCache::EvictLocked() {
  while (bytes_ > capacity_ && !lru_.empty()) {
    EraseLocked(entries_.find(lru_.back()));
    cache_evictions.fetch_add(1, std::memory_order_relaxed);
  }
}

void SnapshotCache::EraseLocked(std::map<Key, Entry>::iterator it) {
  bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

}  // namespace lakeshare
