#include "hudi/hudi_merge_cache.h"

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

namespace lakeshare::hudi {
namespace {

namespace fs = std::filesystem;

bool ValidKey(const std::string& key) {
  return key.size() >= 8 && key.size() <= 128 && std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
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
    if (p.size() < 8 || p.compare(p.size() - 8, 8, ".parquet") != 0) continue;
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

std::shared_ptr<MergeCache>& DefaultCache() {
  static std::shared_ptr<MergeCache> cache;
  return cache;
}

}  // namespace

void MergeCache::SetDefault(std::shared_ptr<MergeCache> cache) {
  std::lock_guard<std::mutex> lock(DefaultMutex());
  DefaultCache() = std::move(cache);
}

std::shared_ptr<MergeCache> MergeCache::Default() {
  std::lock_guard<std::mutex> lock(DefaultMutex());
  return DefaultCache();
}

Result<std::shared_ptr<MergeCache>> MergeCache::Open(MergeCacheOptions options) {
  if (options.dir.empty() || options.dir[0] != '/') {
    return Status::InvalidArgument("the Hudi merge cache needs an absolute local folder");
  }
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return Status::IOError("cannot create the Hudi merge cache folder " + options.dir + ": " +
                           ec.message());
  }
  std::shared_ptr<MergeCache> cache(new MergeCache(std::move(options)));
  for (const Entry& e : Scan(cache->options_.dir)) cache->bytes_ += e.size;
  return cache;
}

std::string MergeCache::PathOf(const std::string& key) const {
  return options_.dir + "/" + key.substr(0, 2) + "/" + key + ".parquet";
}

std::optional<int64_t> MergeCache::Find(const std::string& key) {
  if (!ValidKey(key)) return std::nullopt;
  const std::string path = PathOf(key);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  int64_t mtime_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  // Refreshed at most once a minute per file.
  if (NowMillis() - mtime_ms > 60000) ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
  return static_cast<int64_t>(st.st_size);
}

Status MergeCache::Put(const std::string& key, std::string_view bytes) {
  if (!ValidKey(key)) return Status::Internal("invalid merge cache key");
  const std::string path = PathOf(key);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::IOError("Hudi merge cache: cannot create a folder: " + ec.message());
  const std::string tmp = path + ".tmp-" + HexEncode(RandomBytes(8));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError(std::string("Hudi merge cache: cannot write a file: ") +
                           std::strerror(errno));
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IOError(std::string("Hudi merge cache: write failed: ") + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError(std::string("Hudi merge cache: cannot store a file: ") +
                           std::strerror(errno));
  }
  std::lock_guard<std::mutex> lock(mu_);
  bytes_ += static_cast<int64_t>(bytes.size());
  if (bytes_ > options_.capacity_bytes) EvictLocked();
  return Status::OK();
}

void MergeCache::EvictLocked() {
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

int64_t MergeCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace lakeshare::hudi
