#include "storage/random_access_file.h"

#include <cstring>

namespace lakeshare {

Status ReadBeyondEnd(std::string_view what, uint64_t offset, size_t length, uint64_t size) {
  std::string prefix = what.empty() ? std::string() : std::string(what) + ": ";
  return Status::Corruption(prefix + "read of " + std::to_string(length) + " bytes at offset " +
                            std::to_string(offset) + " is beyond the end of the file (" +
                            std::to_string(size) + " bytes)");
}

Status MemoryFile::ReadAt(uint64_t offset, size_t length, char* out) const {
  if (offset > data_.size() || length > data_.size() - offset) {
    return ReadBeyondEnd("", offset, length, data_.size());
  }
  if (length > 0) std::memcpy(out, data_.data() + offset, length);
  return Status::OK();
}

}  // namespace lakeshare
