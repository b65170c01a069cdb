// ContentCache: files the server derives from a table and serves with
// signed URLs (Hudi's merged file slices, Delta deletion-vector files of
// Iceberg deletes), in a local folder, named by a content key (hex) of
// their inputs or bytes so that a restart or another replica sharing the
// folder finds them instead of deriving them again. `lakeshare serve` makes
// one (the `hudi.mergeCache` setting) that every format shares.
//
// Layout: <dir>/<key[0..2)>/<key><suffix> (suffix ".parquet", ".bin"...),
// written to a temporary name and
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

namespace lakeshare {

struct ContentCacheOptions {
  std::string dir;  // absolute local folder (created when missing)
  int64_t capacity_bytes = int64_t{10} << 30;
  int64_t min_age_ms = int64_t{3600} * 1000;
};

class ContentCache {
 public:
  static Result<std::shared_ptr<ContentCache>> Open(ContentCacheOptions options);
  // The cache `lakeshare serve` configured (hudi.mergeCache); nullptr until set.
  static void SetDefault(std::shared_ptr<ContentCache> cache);
  static std::shared_ptr<ContentCache> Default();

  const std::string& dir() const { return options_.dir; }
  // Where the file of `key` is (whether or not it exists). `suffix` is a
  // file extension such as ".parquet" (what a client downloading it sees).
  std::string PathOf(const std::string& key, std::string_view suffix) const;
  // The size of the file of `key`, marking it used; nullopt when absent.
  std::optional<int64_t> Find(const std::string& key, std::string_view suffix);
  // Stores `bytes` as the file of `key` and evicts beyond the bound.
  Status Put(const std::string& key, std::string_view suffix, std::string_view bytes);

  int64_t bytes() const;
  // Counts evictions: a snapshot listing cached files is stale once this
  // moved past the value it was built with.
  uint64_t evictions() const { return evictions_.load(); }

 private:
  explicit ContentCache(ContentCacheOptions options) : options_(std::move(options)) {}
  void EvictLocked();

  ContentCacheOptions options_;
  mutable std::mutex mu_;
  int64_t bytes_ = 0;  // guarded by mu_
  std::atomic<uint64_t> evictions_{0};
};

}  // namespace lakeshare
