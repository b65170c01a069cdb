// Byte-range access to a file, the only way the parquet reader touches
// storage: a footer is read with one ranged read of the file's tail and column
// chunks with one ranged read each, so an implementation over an object store
// (HTTP range GETs) works as well as one over a local file.
//
// Contract for implementations: ReadAt fills exactly `length` bytes or fails
// (kIOError for storage trouble; a range beyond the end is kCorruption, since
// the reader only asks for ranges the file's own metadata names). Size and
// ReadAt must be safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare::parquet {

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;

  // The file's length in bytes.
  virtual Result<uint64_t> Size() const = 0;

  // Reads bytes [offset, offset + length) into `out` (which has room for
  // `length` bytes).
  virtual Status ReadAt(uint64_t offset, size_t length, char* out) const = 0;
};

// A file held in memory. The bytes are either owned (string constructor) or
// borrowed (string_view constructor: they must outlive the object).
class MemoryFile final : public RandomAccessFile {
 public:
  explicit MemoryFile(std::string bytes)
      : owned_(std::make_shared<const std::string>(std::move(bytes))), data_(*owned_) {}
  explicit MemoryFile(std::string_view bytes) : data_(bytes) {}
  // A temporary std::string goes to the owning constructor, never the view.
  explicit MemoryFile(const char*) = delete;

  Result<uint64_t> Size() const override { return static_cast<uint64_t>(data_.size()); }
  Status ReadAt(uint64_t offset, size_t length, char* out) const override;

 private:
  std::shared_ptr<const std::string> owned_;
  std::string_view data_;
};

// A local file read with pread(2); the descriptor is closed on destruction.
class LocalFile final : public RandomAccessFile {
 public:
  // kNotFound when the file does not exist, kIOError for other failures.
  static Result<std::unique_ptr<LocalFile>> Open(const std::string& path);
  ~LocalFile() override;
  LocalFile(const LocalFile&) = delete;
  LocalFile& operator=(const LocalFile&) = delete;

  Result<uint64_t> Size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t length, char* out) const override;

 private:
  LocalFile(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_;
  uint64_t size_;
  std::string path_;
};

}  // namespace lakeshare::parquet
