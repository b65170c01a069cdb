// RandomAccessFile: an object opened for reads at any offset, the one way
// the project reads part of a file (parquet footers and column chunks,
// Delta checkpoints, byte ranges). Storage::OpenRandomAccess opens one on
// any backend; MemoryFile serves bytes already in memory.
//
// Contract for implementations: the size is fixed when the file is opened.
// ReadAt fills exactly `length` bytes or fails: kCorruption for a range
// beyond the end (readers only ask for ranges the file's own metadata
// names), kIOError for storage trouble (including an object that vanished
// or shrank after it was opened). Size and ReadAt are safe to call from
// several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare {

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;

  // The file's length in bytes.
  virtual uint64_t Size() const = 0;
  // Reads bytes [offset, offset + length) into `out` (room for `length`).
  virtual Status ReadAt(uint64_t offset, size_t length, char* out) const = 0;
  // True when a read is cheap (a system call, a copy); false when each read
  // is a request to a store, so callers should read rarely and in bulk.
  virtual bool ReadsAreCheap() const { return false; }
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

  uint64_t Size() const override { return static_cast<uint64_t>(data_.size()); }
  Status ReadAt(uint64_t offset, size_t length, char* out) const override;
  bool ReadsAreCheap() const override { return true; }

 private:
  std::shared_ptr<const std::string> owned_;
  std::string_view data_;
};

// The kCorruption of a read past the end of a file of `size` bytes.
Status ReadBeyondEnd(std::string_view what, uint64_t offset, size_t length, uint64_t size);

}  // namespace lakeshare
