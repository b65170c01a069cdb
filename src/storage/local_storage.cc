#include "storage/local_storage.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "common/encoding.h"

namespace lakeshare {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  if (err == ENOENT || err == ENOTDIR) return Status::NotFound(what + " '" + path + "': not found");
  return Status::IOError(what + " '" + path + "': " + std::strerror(err));
}

int64_t MtimeMillis(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<std::string> PreadAll(int fd, const std::string& path, int64_t offset, int64_t length) {
  std::string out(static_cast<size_t>(length), '\0');
  int64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out.data() + done, static_cast<size_t>(length - done), offset + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path, errno);
    }
    if (n == 0) break;
    done += n;
  }
  out.resize(static_cast<size_t>(done));
  return out;
}

}  // namespace

Result<std::string> LocalPathFromLocation(const std::string& location) {
  if (location.rfind("file:", 0) == 0) {
    std::string rest = location.substr(5);
    if (rest.rfind("///", 0) == 0) {
      rest = rest.substr(2);
    } else if (rest.rfind("//", 0) == 0) {
      // file://host/path: only an empty or "localhost" host is local.
      size_t slash = rest.find('/', 2);
      std::string host = rest.substr(2, slash == std::string::npos ? std::string::npos : slash - 2);
      if (!host.empty() && host != "localhost") {
        return Status::InvalidArgument("not a local location: " + location);
      }
      rest = slash == std::string::npos ? "/" : rest.substr(slash);
    }
    auto decoded = PercentDecode(rest);
    if (!decoded || decoded->empty() || (*decoded)[0] != '/') {
      return Status::InvalidArgument("invalid file location: " + location);
    }
    return *decoded;
  }
  if (!location.empty() && location[0] == '/') return location;
  return Status::InvalidArgument("not an absolute local location: " + location);
}

Result<std::string> LocalStorage::Read(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return Status::NotFound("'" + path + "' is not a regular file");
  if (st.st_size > kMaxWholeRead) {
    return Status::TooLarge("'" + path + "' is too large to read whole");
  }
  return PreadAll(fd.get(), path, 0, st.st_size);
}

Result<std::string> LocalStorage::ReadRange(const std::string& path, int64_t offset,
                                            int64_t length) {
  if (offset < 0 || length < 0) return Status::InvalidArgument("negative range");
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return Status::NotFound("'" + path + "' is not a regular file");
  if (offset >= st.st_size) return std::string();
  length = std::min<int64_t>(length, st.st_size - offset);
  return PreadAll(fd.get(), path, offset, length);
}

Result<FileInfo> LocalStorage::Head(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return Status::NotFound("'" + path + "' is not a regular file");
  return FileInfo{path, static_cast<int64_t>(st.st_size), MtimeMillis(st)};
}

Result<std::vector<FileInfo>> LocalStorage::ListDirectory(const std::string& dir) {
  return List(dir, nullptr);
}

Result<std::vector<FileInfo>> LocalStorage::ListDirectoryAfter(const std::string& dir,
                                                               const std::string& start_after) {
  return List(dir, &start_after);
}

Result<std::vector<FileInfo>> LocalStorage::List(const std::string& dir,
                                                 const std::string* start_after) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("list", dir, errno);
  std::vector<FileInfo> out;
  std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    if (start_after != nullptr && std::string_view(e->d_name) <= *start_after) continue;
    std::string full = base + e->d_name;
    struct stat st;
    if (::stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    out.push_back(FileInfo{std::move(full), static_cast<int64_t>(st.st_size), MtimeMillis(st)});
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return out;
}

}  // namespace lakeshare
