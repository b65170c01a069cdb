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

Result<std::shared_ptr<ContentCache>> ContentCache::Open(ContentCacheOptions options) {
  if (options.dir.empty() || options.dir[0] != '/') {
    return Status::InvalidArgument(
        "the file cache (hudi.mergeCache) needs an absolute local folder");
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
  return options_.dir + "/" + key.substr(0, 2) + "/" + key + std::string(suffix);
}

std::optional<int64_t> ContentCache::Find(const std::string& key, std::string_view suffix) {
  if (!ValidKey(key) || !ValidSuffix(suffix)) return std::nullopt;
  const std::string path = PathOf(key, suffix);
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

void ContentCache::EvictLocked() {
  // The folder may be shared: count what is there, not what this process wrote.
  std::vector<Entry> entries = Scan(options_.dir);
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
    if (::unlink(e.path.c_str()) == 0) {
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
