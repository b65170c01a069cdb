#include "storage/local_storage.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

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
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads up to `length` bytes at `offset` into `out`: fewer only at the end
// of the file. The one pread loop of the project.
Result<size_t> PreadUpTo(int fd, const std::string& path, uint64_t offset, size_t length,
                         char* out) {
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path, errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<std::string> PreadAll(int fd, const std::string& path, int64_t offset, int64_t length) {
  std::string out(static_cast<size_t>(length), '\0');
  LS_ASSIGN_OR_RETURN(size_t done, PreadUpTo(fd, path, static_cast<uint64_t>(offset),
                                             static_cast<size_t>(length), out.data()));
  out.resize(done);
  return out;
}

// A regular file opened for reading: kNotFound when it does not exist or is
// not a regular file.
Result<Fd> OpenRegular(const std::string& path, struct stat* st) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open", path, errno);
  if (::fstat(fd.get(), st) != 0) return ErrnoStatus("stat", path, errno);
  if (!S_ISREG(st->st_mode)) return Status::NotFound("'" + path + "' is not a regular file");
  return fd;
}

// `relative` (no leading '/') opened read-only under the folder `root_fd`
// without leaving it. openat2(RESOLVE_BENEATH) lets links that stay inside
// through; where the kernel lacks it, every component is opened with
// O_NOFOLLOW, so no link is followed at all. -1 with errno set on failure
// (EXDEV or ELOOP: a link that leads out).
int OpenBeneath(int root_fd, const std::string& relative, int flags) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, root_fd, relative.c_str(), &how, sizeof(how));
  if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) return static_cast<int>(fd);
  // No openat2 (an old kernel, or a seccomp filter that refuses it).
  int dir = ::dup(root_fd);
  size_t start = 0;
  while (dir >= 0) {
    size_t slash = relative.find('/', start);
    std::string part = relative.substr(start, slash == std::string::npos ? slash : slash - start);
    if (part == "..") {
      ::close(dir);
      errno = EXDEV;
      return -1;
    }
    int next = slash == std::string::npos
                   ? ::openat(dir, part.c_str(), flags | O_CLOEXEC | O_NOFOLLOW)
                   : ::openat(dir, part.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    int err = errno;
    ::close(dir);
    errno = err;
    if (slash == std::string::npos) return next;
    dir = next;
    start = slash + 1;
  }
  return -1;
}

Result<Fd> OpenRegularBeneath(const std::string& root, const std::string& path, int flags,
                              struct stat* st) {
  // The relative part starts after root and its '/' (root "/": after it).
  const size_t skip = root == "/" ? 1 : root.size() + 1;
  if (root.empty() || path.size() <= skip || path.compare(0, root.size(), root) != 0 ||
      path[skip - 1] != '/') {
    return Status::PermissionDenied("'" + path + "' does not lie in '" + root + "'");
  }
  // The root itself is the provider's choice: links up to it are followed.
  Fd root_fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root_fd.get() < 0) return ErrnoStatus("open", root, errno);
  Fd fd(OpenBeneath(root_fd.get(), path.substr(skip), flags));
  if (fd.get() < 0) {
    if (errno == EXDEV || errno == ELOOP) {
      return Status::PermissionDenied("'" + path + "' is a link that leads out of '" + root + "'");
    }
    return ErrnoStatus("open", path, errno);
  }
  if (::fstat(fd.get(), st) != 0) return ErrnoStatus("stat", path, errno);
  if (!S_ISREG(st->st_mode)) return Status::NotFound("'" + path + "' is not a regular file");
  return fd;
}

class LocalFile final : public RandomAccessFile {
 public:
  LocalFile(Fd fd, uint64_t size, std::string path)
      : fd_(std::move(fd)), size_(size), path_(std::move(path)) {}

  uint64_t Size() const override { return size_; }
  bool ReadsAreCheap() const override { return true; }
  Status ReadAt(uint64_t offset, size_t length, char* out) const override {
    if (offset > size_ || length > size_ - offset) {
      return ReadBeyondEnd(path_, offset, length, size_);
    }
    LS_ASSIGN_OR_RETURN(size_t done, PreadUpTo(fd_.get(), path_, offset, length, out));
    if (done < length) return Status::IOError("'" + path_ + "' is shorter than when it was opened");
    return Status::OK();
  }

 private:
  Fd fd_;
  uint64_t size_;
  std::string path_;
};

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
  struct stat st;
  LS_ASSIGN_OR_RETURN(Fd fd, OpenRegular(path, &st));
  if (st.st_size > kMaxWholeRead) {
    return Status::TooLarge("'" + path + "' is too large to read whole");
  }
  return PreadAll(fd.get(), path, 0, st.st_size);
}

Result<std::string> LocalStorage::ReadRange(const std::string& path, int64_t offset,
                                            int64_t length) {
  if (offset < 0 || length < 0) return Status::InvalidArgument("negative range");
  struct stat st;
  LS_ASSIGN_OR_RETURN(Fd fd, OpenRegular(path, &st));
  if (offset >= st.st_size) return std::string();
  length = std::min<int64_t>(length, st.st_size - offset);
  return PreadAll(fd.get(), path, offset, length);
}

Result<std::unique_ptr<RandomAccessFile>> LocalStorage::OpenRandomAccess(
    const std::string& path, std::optional<int64_t> known_size) {
  struct stat st;
  LS_ASSIGN_OR_RETURN(Fd fd, OpenRegular(path, &st));
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<LocalFile>(std::move(fd), static_cast<uint64_t>(st.st_size), path));
}

Result<std::unique_ptr<RandomAccessFile>> OpenLocalFileBeneath(const std::string& root,
                                                               const std::string& path) {
  struct stat st;
  LS_ASSIGN_OR_RETURN(Fd fd, OpenRegularBeneath(root, path, O_RDONLY, &st));
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<LocalFile>(std::move(fd), static_cast<uint64_t>(st.st_size), path));
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

Result<std::vector<std::string>> LocalStorage::ListSubfolders(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("list", dir, errno);
  std::vector<std::string> out;
  std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    std::string full = base + e->d_name;
    struct stat st;
    // Links to folders count as folders, as stat(2) sees them.
    if (::stat(full.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    out.push_back(std::move(full));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
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
