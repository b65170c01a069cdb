// SnapshotCache: recently used table snapshots, shared by every table of the
// process and bounded by an estimate of the bytes they hold (LRU eviction).
//
// Entries are keyed by (table id, version); a table gets its id from
// NewTableId() and drops its entries with EraseTable() when it goes away.
// Each entry carries a validation tag the table chooses (for Delta: the size
// and modification time of the file that defines the version), so an entry
// whose file changed (a table recreated in place) is dropped instead of
// served. Snapshots of nearby versions share most of their memory
// (file_list.h); the estimate counts each entry whole, so the bound is
// conservative.
//
// Thread-safe; snapshots are immutable and shared with callers, so eviction
// never invalidates one in use.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "table/table_format.h"

namespace lakeshare {

// The one estimate of the memory a snapshot holds: fixed parts plus the
// average DataFileBytes (table_format.h) of a sample of at most a few
// hundred files, so that it is cheap for a million, times the number of
// files.
int64_t EstimateSnapshotBytes(const TableSnapshot& snapshot);

class SnapshotCache {
 public:
  static constexpr int64_t kDefaultCapacityBytes = int64_t{1} << 30;

  struct Tag {
    int64_t a = 0;
    int64_t b = 0;
    bool operator==(const Tag&) const = default;
  };

  explicit SnapshotCache(int64_t capacity_bytes = kDefaultCapacityBytes)
      : capacity_(capacity_bytes) {}
  SnapshotCache(const SnapshotCache&) = delete;
  SnapshotCache& operator=(const SnapshotCache&) = delete;

  // The process-wide cache (kDefaultCapacityBytes until SetCapacity).
  static SnapshotCache& Global();

  // Evicts down to the new bound at once; 0 disables caching.
  void SetCapacity(int64_t bytes);
  int64_t capacity() const;
  int64_t bytes() const;
  size_t size() const;

  uint64_t NewTableId();

  // From now on every Insert (a snapshot a table loaded) is logged at info:
  // table (its metadata's name, else id), version, files, estimated bytes and
  // the time since this thread's lookup of that table missed. Process-wide;
  // off by default (tests, benchmarks); the server turns it on.
  static void LogLoads(bool on);

  // Adds (or replaces) the entry of (table, snapshot->version), then evicts
  // the least recently used entries beyond the bound. A snapshot larger than
  // the whole bound is not kept.
  void Insert(uint64_t table, std::shared_ptr<const TableSnapshot> snapshot, Tag tag);

  // The newest entry of `table` in [min_version, version] for which
  // valid(version, tag) holds, marked as used; entries of the table found
  // invalid on the way are dropped (older ones are not looked at). nullptr
  // when there is none.
  std::shared_ptr<const TableSnapshot> FindAtOrBefore(
      uint64_t table, int64_t version, const std::function<bool(int64_t, const Tag&)>& valid,
      int64_t min_version = 0);

  // The version and tag of the newest entry of `table` at or before
  // `version`, without marking it used; nullopt when there is none.
  std::optional<std::pair<int64_t, Tag>> NewestAtOrBefore(uint64_t table, int64_t version) const;

  void EraseTable(uint64_t table);

 private:
  using Key = std::pair<uint64_t, int64_t>;
  struct Entry {
    std::shared_ptr<const TableSnapshot> snapshot;
    Tag tag;
    int64_t bytes = 0;
    std::list<Key>::iterator lru;  // position in lru_ (front = most recent)
  };
  void EvictLocked();
  void EraseLocked(std::map<Key, Entry>::iterator it);

  mutable std::mutex mu_;
  int64_t capacity_;
  int64_t bytes_ = 0;
  uint64_t next_table_ = 1;
  std::map<Key, Entry> entries_;
  std::list<Key> lru_;
};

}  // namespace lakeshare
