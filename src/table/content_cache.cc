#include "table/content_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <vector>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/time_util.h"
#include "storage/local_storage.h"
#include "storage/storage.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;

bool ValidKey(const std::string& key) {
  return key.size() >= 8 && key.size() <= 128 && std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// A file extension: a dot and a few letters or digits.
bool ValidSuffix(std::string_view suffix) {
  return suffix.size() >= 2 && suffix.size() <= 16 && suffix[0] == '.' &&
         std::all_of(suffix.begin() + 1, suffix.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); });
}

struct Entry {
  std::string path;
  int64_t size = 0;
  int64_t mtime_ms = 0;
};

std::vector<Entry> Scan(const std::string& dir) {
  std::vector<Entry> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string p = it->path().string();
    if (p.find(".tmp-") != std::string::npos) continue;  // being written
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) continue;
    out.push_back({p, static_cast<int64_t>(st.st_size),
                   static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000});
  }
  return out;
}

std::mutex& DefaultMutex() {
  static std::mutex mu;
  return mu;
}

std::shared_ptr<ContentCache>& DefaultCache() {
  static std::shared_ptr<ContentCache> cache;
  return cache;
}

}  // namespace

void ContentCache::SetDefault(std::shared_ptr<ContentCache> cache) {
  std::lock_guard<std::mutex> lock(DefaultMutex());
  DefaultCache() = std::move(cache);
}

std::shared_ptr<ContentCache> ContentCache::Default() {
  std::lock_guard<std::mutex> lock(DefaultMutex());
  return DefaultCache();
}

ContentCache::ContentCache(ContentCacheOptions options)
    : options_(std::move(options)),
      remote_(options_.dir.find("://") != std::string::npos),
      storage_(remote_ ? options_.storage : std::make_shared<LocalStorage>()) {}

Result<std::shared_ptr<ContentCache>> ContentCache::Open(ContentCacheOptions options) {
  while (options.dir.size() > 1 && options.dir.back() == '/') options.dir.pop_back();
  if (options.dir.find("://") != std::string::npos) {
    if (!options.storage) {
      return Status::InvalidArgument("the file cache (hudi.mergeCache) " + options.dir +
                                     " is in an object store that no storage backend serves");
    }
    std::shared_ptr<ContentCache> cache(new ContentCache(std::move(options)));
    auto listed = cache->storage_->ListDirectory(cache->options_.dir);
    if (!listed.ok() && listed.status().code() != StatusCode::kNotFound) {
      return listed.status().WithContext("the file cache (hudi.mergeCache)");
    }
    if (listed.ok()) {
      for (const FileInfo& f : *listed) cache->bytes_ += f.size;
    }
    return cache;
  }
  if (options.dir.empty() || options.dir[0] != '/') {
    return Status::InvalidArgument(
        "the file cache (hudi.mergeCache) needs an absolute local folder or an object-store "
        "prefix");
  }
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return Status::IOError("cannot create the file cache folder " + options.dir + ": " +
                           ec.message());
  }
  std::shared_ptr<ContentCache> cache(new ContentCache(std::move(options)));
  for (const Entry& e : Scan(cache->options_.dir)) cache->bytes_ += e.size;
  return cache;
}

std::string ContentCache::PathOf(const std::string& key, std::string_view suffix) const {
  if (remote_) return options_.dir + "/" + key + std::string(suffix);
  return options_.dir + "/" + key.substr(0, 2) + "/" + key + std::string(suffix);
}

std::optional<int64_t> ContentCache::Find(const std::string& key, std::string_view suffix) {
  if (!ValidKey(key) || !ValidSuffix(suffix)) return std::nullopt;
  const std::string path = PathOf(key, suffix);
  if (remote_) {
    // A store that cannot answer is a miss: the caller derives the file and
    // its Put reports the store's trouble.
    auto info = storage_->Head(path);
    if (!info.ok()) return std::nullopt;
    if (NowMillis() - info->modification_time_ms > 60000) {
      // Best effort: a failed refresh only makes the file an earlier
      // candidate for eviction, which min_age_ms still holds back.
      (void)storage_->Touch(path);
    }
    return info->size;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  int64_t mtime_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  // Refreshed at most once a minute per file.
  if (NowMillis() - mtime_ms > 60000) ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
  return static_cast<int64_t>(st.st_size);
}

Status ContentCache::Put(const std::string& key, std::string_view suffix, std::string_view bytes) {
  if (!ValidKey(key) || !ValidSuffix(suffix)) return Status::Internal("invalid file cache key");
  const std::string path = PathOf(key, suffix);
  if (remote_) {
    LS_RETURN_IF_ERROR(storage_->Write(path, bytes).WithContext("the file cache"));
    std::lock_guard<std::mutex> lock(mu_);
    bytes_ += static_cast<int64_t>(bytes.size());
    if (bytes_ > options_.capacity_bytes) EvictLocked();
    return Status::OK();
  }
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::IOError("file cache: cannot create a folder: " + ec.message());
  const std::string tmp = path + ".tmp-" + HexEncode(RandomBytes(8));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError(std::string("file cache: cannot write a file: ") + std::strerror(errno));
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IOError(std::string("file cache: write failed: ") + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError(std::string("file cache: cannot store a file: ") + std::strerror(errno));
  }
  std::lock_guard<std::mutex> lock(mu_);
  bytes_ += static_cast<int64_t>(bytes.size());
  if (bytes_ > options_.capacity_bytes) EvictLocked();
  return Status::OK();
}

Result<std::unique_ptr<RandomAccessFile>> ContentCache::OpenFile(const std::string& key,
                                                                 std::string_view suffix,
                                                                 std::optional<int64_t> size) {
  if (!ValidKey(key) || !ValidSuffix(suffix)) return Status::Internal("invalid file cache key");
  return storage_->OpenRandomAccess(PathOf(key, suffix), size);
}

Result<std::string> ContentCache::Read(const std::string& key, std::string_view suffix) {
  if (!ValidKey(key) || !ValidSuffix(suffix)) return Status::Internal("invalid file cache key");
  return storage_->Read(PathOf(key, suffix));
}

void ContentCache::EvictLocked() {
  // The folder may be shared: count what is there, not what this process wrote.
  std::vector<Entry> entries;
  if (remote_) {
    auto listed = storage_->ListDirectory(options_.dir);
    if (!listed.ok()) return;  // tried again after the next store
    for (const FileInfo& f : *listed) entries.push_back({f.path, f.size, f.modification_time_ms});
  } else {
    entries = Scan(options_.dir);
  }
  int64_t total = 0;
  for (const Entry& e : entries) total += e.size;
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.mtime_ms < b.mtime_ms; });
  const int64_t target = options_.capacity_bytes - options_.capacity_bytes / 10;
  const int64_t now = NowMillis();
  bool evicted = false;
  for (const Entry& e : entries) {
    if (total <= target) break;
    if (now - e.mtime_ms < options_.min_age_ms) break;  // in use: later files are newer
    if (remote_ ? storage_->Delete(e.path).ok() : ::unlink(e.path.c_str()) == 0) {
      total -= e.size;
      evicted = true;
    }
  }
  bytes_ = total;
  if (evicted) evictions_.fetch_add(1);
}

int64_t ContentCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace lakeshare
