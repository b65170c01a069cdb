#include "table/snapshot_verdicts.h"

namespace lakeshare {

SnapshotVerdicts& SnapshotVerdicts::Global() {
  static auto* verdicts = new SnapshotVerdicts();
  return *verdicts;
}

Status SnapshotVerdicts::GetOrCheck(const std::shared_ptr<const TableSnapshot>& snapshot,
                                    const std::string& key, const std::function<Status()>& check) {
  Key k{snapshot.get(), key};
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(k);
    if (it != entries_.end()) {
      // Same address, same object: an expired owner means a new snapshot
      // took the place of a freed one.
      if (it->second.snapshot.lock() == snapshot) {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return it->second.verdict;
      }
      lru_.erase(it->second.lru);
      entries_.erase(it);
    }
  }
  Status verdict = check();
  if (capacity_ == 0) return verdict;
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, added] = entries_.try_emplace(k);
  if (!added) {
    lru_.erase(it->second.lru);  // a concurrent first caller was quicker
  }
  lru_.push_front(k);
  it->second = Entry{snapshot, verdict, lru_.begin()};
  while (entries_.size() > capacity_) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  return verdict;
}

size_t SnapshotVerdicts::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace lakeshare
