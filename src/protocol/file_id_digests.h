// FileIdDigests: the file ids of one chunk of a snapshot's files (the
// digests of their recorded paths, MD5 or SHA-256: response_lines.h FileId),
// computed once and remembered, so that answers on a snapshot the
// SnapshotCache keeps do not hash every path again (MD5 ids: about 6 % of a
// warm million-file answer's CPU).
//
// An entry belongs to one chunk object (held weakly: it never keeps files
// alive, and a chunk freed and another allocated at the same address is told
// apart) and one hash. At most `capacity_bytes` of digests are kept (16 MiB
// is a million MD5 ids), least recently used dropped first; a dropped one is
// computed again. The server sets the bound from snapshotCacheBytes
// (CapacityFor): the ids of the snapshots the cache can hold, MD5 or SHA-256,
// take 16-32 bytes a file against the snapshot's few hundred.
//
// Thread-safe; digests are computed without the lock held (concurrent first
// callers may each compute them and get the same bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "protocol/response_format.h"
#include "table/table_format.h"

namespace lakeshare {

class FileIdDigests {
 public:
  static constexpr size_t kDefaultCapacityBytes = size_t{64} << 20;

  explicit FileIdDigests(size_t capacity_bytes = kDefaultCapacityBytes)
      : capacity_bytes_(capacity_bytes) {}
  FileIdDigests(const FileIdDigests&) = delete;
  FileIdDigests& operator=(const FileIdDigests&) = delete;

  // The process-wide one.
  static FileIdDigests& Global();

  // Bytes of one digest: 16 (MD5) or 32 (SHA-256).
  static size_t DigestSize(FileIdHash hash);

  // The digests of `chunk`'s recorded paths, in the chunk's order,
  // DigestSize(hash) bytes each. `chunk` must not be null.
  std::shared_ptr<const std::string> Of(const FileList::ChunkPtr& chunk, FileIdHash hash);

  // Digest bytes held now.
  size_t bytes() const;

  // The bound that goes with a snapshot cache of `snapshot_cache_bytes`: a
  // sixteenth of it (a snapshot takes a few hundred bytes a file, so the
  // MD5 ids of a full cache's files fit, 16 bytes each), never less than
  // kDefaultCapacityBytes.
  static size_t CapacityFor(int64_t snapshot_cache_bytes);
  // Changes the bound; digests over it are dropped at once.
  void SetCapacity(size_t capacity_bytes);

 private:
  using Key = std::pair<const void*, FileIdHash>;
  struct Entry {
    std::weak_ptr<const FileList::Chunk> chunk;
    std::shared_ptr<const std::string> digests;
    std::list<Key>::iterator lru;  // position in lru_ (front = most recent)
  };

  void EvictLocked();

  mutable std::mutex mu_;
  size_t capacity_bytes_;         // guarded by mu_
  std::map<Key, Entry> entries_;  // guarded by mu_
  std::list<Key> lru_;            // guarded by mu_
  size_t bytes_ = 0;              // guarded by mu_
};

}  // namespace lakeshare
