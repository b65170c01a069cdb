// Storage on the local file system. Paths are absolute local paths; a
// "file:" URI is accepted too and converted. Thread-safe (stateless).
#pragma once

#include <string>

#include "storage/storage.h"

namespace lakeshare {

class LocalStorage : public Storage {
 public:
  // Reads larger than this are refused (kTooLarge) so one hostile file cannot
  // exhaust memory; ranged reads are the way to read big objects.
  static constexpr int64_t kMaxWholeRead = 1LL << 31;

  Result<std::string> Read(const std::string& path) override;
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) override;
  Result<FileInfo> Head(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) override;
  Result<std::vector<std::string>> ListSubfolders(const std::string& dir) override;
  // Only the entries named after `start_after` are looked at (stat).
  Result<std::vector<FileInfo>> ListDirectoryAfter(const std::string& dir,
                                                   const std::string& start_after) override;
  // pread(2) into the caller's buffer (ReadsAreCheap() true); the size is the
  // file's when opened (`known_size` is not needed). The file keeps its
  // descriptor and does not refer to this object.
  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(
      const std::string& path, std::optional<int64_t> known_size) override;

 private:
  Result<std::vector<FileInfo>> List(const std::string& dir, const std::string* start_after);
};

// Opens the local file `path` for reads without leaving the folder `root`
// (a prefix of `path`, before a '/'; links up to it are followed):
// openat2(RESOLVE_BENEATH) where the kernel has it, else no link at all.
// A link that leads out of `root` (a table's data file pointing at the
// signing key) is kPermissionDenied; a missing file kNotFound.
Result<std::unique_ptr<RandomAccessFile>> OpenLocalFileBeneath(const std::string& root,
                                                               const std::string& path);

// Converts "file:///a/b", "file:/a/b" or "/a/b" to "/a/b" (percent-decoded for
// URIs). kInvalidArgument for anything else.
Result<std::string> LocalPathFromLocation(const std::string& location);

}  // namespace lakeshare
