// ContentCache: files the server derives from a table and serves with
// signed URLs (Hudi's merged file slices, Delta deletion-vector files of
// Iceberg deletes), in a local folder or under an object-store prefix
// (s3://, abfss://, gs://, ...), named by a content key (hex) of their
// inputs or bytes so that a restart or another replica sharing the folder
// or prefix finds them instead of deriving them again. `lakeshare serve`
// makes one (the `hudi.mergeCache` setting) that every format shares.
//
// Layout: a local folder holds <dir>/<key[0..2)>/<key><suffix> (suffix
// ".parquet", ".bin"...), written to a temporary name and renamed; a prefix
// holds <dir>/<key><suffix> (one listing counts it), written in one PUT.
// Readers never see a partial file. Bounded in bytes: after a store beyond
// the bound the least recently used files are deleted (use is the file's
// modification time, refreshed at most once a minute when a snapshot lists
// the file: utimensat locally, Storage::Touch on a store), except files
// used within `min_age_ms` (signed URLs to them may still be downloading);
// the bound may be exceeded while that many are in use. On a store, Find
// asks the store (HEAD) each time, so a file another replica evicted is
// derived again rather than served.
//
// Thread-safe; several processes may share one folder or prefix.
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

class Storage;
class RandomAccessFile;

struct ContentCacheOptions {
  // An absolute local folder (created when missing), or an object-store
  // prefix (a location with "://") of `storage`.
  std::string dir;
  // The store of an object-store prefix: it must support Write, Delete and
  // Touch (storage/storage.h). Unused for a local folder.
  std::shared_ptr<Storage> storage;
  int64_t capacity_bytes = int64_t{10} << 30;
  int64_t min_age_ms = int64_t{3600} * 1000;
};

class ContentCache {
 public:
  // A prefix is listed once (its bytes counted); kInvalidArgument for a
  // relative folder or a prefix without a store.
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
  // The file of `key` (`size` as Find said it, if known), to read at any
  // offset; it refers to this cache's storage and must not outlive the cache.
  Result<std::unique_ptr<RandomAccessFile>> OpenFile(const std::string& key,
                                                     std::string_view suffix,
                                                     std::optional<int64_t> size = std::nullopt);
  // The whole file of `key` (kNotFound when absent).
  Result<std::string> Read(const std::string& key, std::string_view suffix);
  // True for an object-store prefix.
  bool remote() const { return remote_; }

  int64_t bytes() const;
  // Counts evictions: a snapshot listing cached files is stale once this
  // moved past the value it was built with.
  uint64_t evictions() const { return evictions_.load(); }

 private:
  explicit ContentCache(ContentCacheOptions options);
  void EvictLocked();

  ContentCacheOptions options_;
  bool remote_ = false;
  std::shared_ptr<Storage> storage_;  // options_.storage, or local files
  mutable std::mutex mu_;
  int64_t bytes_ = 0;  // guarded by mu_
  std::atomic<uint64_t> evictions_{0};
};

}  // namespace lakeshare
