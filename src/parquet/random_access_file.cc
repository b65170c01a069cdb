#include "parquet/random_access_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lakeshare::parquet {
namespace {

Status RangeError(uint64_t offset, size_t length, uint64_t size) {
  return Status::Corruption("read of " + std::to_string(length) + " bytes at offset " +
                            std::to_string(offset) + " is beyond the end of the file (" +
                            std::to_string(size) + " bytes)");
}

}  // namespace

Status MemoryFile::ReadAt(uint64_t offset, size_t length, char* out) const {
  if (offset > data_.size() || length > data_.size() - offset) {
    return RangeError(offset, length, data_.size());
  }
  if (length > 0) std::memcpy(out, data_.data() + offset, length);
  return Status::OK();
}

Result<std::unique_ptr<LocalFile>> LocalFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = "cannot open " + path + ": " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(std::move(msg));
    return Status::IOError(std::move(msg));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IOError("cannot stat " + path + " as a regular file");
  }
  return std::unique_ptr<LocalFile>(new LocalFile(fd, static_cast<uint64_t>(st.st_size), path));
}

LocalFile::~LocalFile() { ::close(fd_); }

Status LocalFile::ReadAt(uint64_t offset, size_t length, char* out) const {
  if (offset > size_ || length > size_ - offset) return RangeError(offset, length, size_);
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd_, out + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("read of " + path_ + " failed: " + std::strerror(errno));
    }
    if (n == 0) return Status::IOError(path_ + " is shorter than when it was opened");
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

}  // namespace lakeshare::parquet
