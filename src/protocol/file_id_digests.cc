#include "protocol/file_id_digests.h"

#include <algorithm>

#include "common/crypto.h"

namespace lakeshare {

FileIdDigests& FileIdDigests::Global() {
  static auto* digests = new FileIdDigests();  // never destroyed: used until exit
  return *digests;
}

size_t FileIdDigests::DigestSize(FileIdHash hash) { return hash == FileIdHash::kSha256 ? 32 : 16; }

std::shared_ptr<const std::string> FileIdDigests::Of(const FileList::ChunkPtr& chunk,
                                                     FileIdHash hash) {
  const Key key{chunk.get(), hash};
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.chunk.lock() == chunk) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.digests;
    }
  }
  const size_t size = DigestSize(hash);
  auto digests = std::make_shared<std::string>(chunk->size() * size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(digests->data());
  for (const DataFile& f : *chunk) {
    if (hash == FileIdHash::kSha256) {
      Sha256(f.path, out);
    } else {
      Md5(f.path, out);
    }
    out += size;
  }
  std::shared_ptr<const std::string> result = std::move(digests);
  std::lock_guard<std::mutex> lock(mu_);
  if (result->size() > capacity_bytes_) return result;
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    // Another caller's (same bytes), or a freed chunk's at the same address.
    bytes_ -= it->second.digests->size();
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
  lru_.push_front(key);
  entries_.emplace(key, Entry{chunk, result, lru_.begin()});
  bytes_ += result->size();
  EvictLocked();
  return result;
}

void FileIdDigests::EvictLocked() {
  while (bytes_ > capacity_bytes_ && !lru_.empty()) {
    auto it = entries_.find(lru_.back());
    bytes_ -= it->second.digests->size();
    entries_.erase(it);
    lru_.pop_back();
  }
}

size_t FileIdDigests::CapacityFor(int64_t snapshot_cache_bytes) {
  const size_t share =
      snapshot_cache_bytes > 0 ? static_cast<size_t>(snapshot_cache_bytes) / 16 : 0;
  return std::max(kDefaultCapacityBytes, share);
}

void FileIdDigests::SetCapacity(size_t capacity_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  capacity_bytes_ = capacity_bytes;
  EvictLocked();
}

size_t FileIdDigests::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace lakeshare
