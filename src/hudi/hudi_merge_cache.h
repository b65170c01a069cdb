// The merge cache: parquet files the server wrote for merged Hudi file
// slices, in a local folder, named by the content key of their inputs
// (hudi_slice_reader.h) so that a restart or another replica sharing the
// folder finds them instead of merging again.
//
// Layout: <dir>/<key[0..2)>/<key>.parquet, written to a temporary name and
// renamed, so readers never see a partial file. Bounded in bytes: after a
// store beyond the bound the least recently used files are deleted (use is
// the file's modification time, refreshed when a snapshot lists the file),
// except files used within `min_age_ms` (signed URLs to them may still be
// downloading); the bound may be exceeded while that many are in use.
//
// Thread-safe; several processes may share one folder.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare::hudi {

struct MergeCacheOptions {
  std::string dir;  // absolute local folder (created when missing)
  int64_t capacity_bytes = int64_t{10} << 30;
  int64_t min_age_ms = int64_t{3600} * 1000;
};

class MergeCache {
 public:
  static Result<std::shared_ptr<MergeCache>> Open(MergeCacheOptions options);
  // The cache `lakeshare serve` configured (hudi.mergeCache); nullptr until set.
  static void SetDefault(std::shared_ptr<MergeCache> cache);
  static std::shared_ptr<MergeCache> Default();

  const std::string& dir() const { return options_.dir; }
  // Where the file of `key` is (whether or not it exists).
  std::string PathOf(const std::string& key) const;
  // The size of the file of `key`, marking it used; nullopt when absent.
  std::optional<int64_t> Find(const std::string& key);
  // Stores `bytes` as the file of `key` and evicts beyond the bound.
  Status Put(const std::string& key, std::string_view bytes);

  int64_t bytes() const;
  // Counts evictions: a snapshot listing merged files is stale once this
  // moved past the value it was built with.
  uint64_t evictions() const { return evictions_.load(); }

 private:
  explicit MergeCache(MergeCacheOptions options) : options_(std::move(options)) {}
  void EvictLocked();

  MergeCacheOptions options_;
  mutable std::mutex mu_;
  int64_t bytes_ = 0;  // guarded by mu_
  std::atomic<uint64_t> evictions_{0};
};

}  // namespace lakeshare::hudi
