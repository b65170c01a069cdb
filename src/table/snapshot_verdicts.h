// SnapshotVerdicts: the outcome of checks a request would otherwise repeat
// over every file of a snapshot (e.g. "every path the share exposes lies in
// the table location"), remembered per snapshot object, so that requests on
// a snapshot the SnapshotCache (snapshot_cache.h) keeps do no per-file work.
//
// A verdict belongs to one snapshot object (held weakly: it never keeps a
// snapshot's files alive, and a snapshot freed and another allocated at the
// same address is told apart) and a key the caller builds from everything
// else the check depends on (the table's location, the share's filter, the
// response format...). At most `capacity` verdicts are kept, least recently
// used dropped first; a dropped one is checked again.
//
// Thread-safe; the check runs without the lock held (concurrent first callers
// may each run it and get the same verdict).
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "common/status.h"
#include "table/table_format.h"

namespace lakeshare {

class SnapshotVerdicts {
 public:
  static constexpr size_t kDefaultCapacity = 4096;

  explicit SnapshotVerdicts(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}
  SnapshotVerdicts(const SnapshotVerdicts&) = delete;
  SnapshotVerdicts& operator=(const SnapshotVerdicts&) = delete;

  // The process-wide one (beside SnapshotCache::Global()).
  static SnapshotVerdicts& Global();

  // The verdict of (`snapshot`, `key`) found before, else check()'s, kept.
  Status GetOrCheck(const std::shared_ptr<const TableSnapshot>& snapshot, const std::string& key,
                    const std::function<Status()>& check);

  size_t size() const;

 private:
  using Key = std::pair<const TableSnapshot*, std::string>;
  struct Entry {
    std::weak_ptr<const TableSnapshot> snapshot;
    Status verdict;
    std::list<Key>::iterator lru;  // position in lru_ (front = most recent)
  };

  const size_t capacity_;
  mutable std::mutex mu_;
  std::map<Key, Entry> entries_;  // guarded by mu_
  std::list<Key> lru_;            // guarded by mu_
};

}  // namespace lakeshare
