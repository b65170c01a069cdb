// MemoryStorage: a Storage whose objects live in memory, for tests and fuzz
// targets that need a store without a file system or a network. It behaves
// as an object store does (see storage/storage.h): paths are plain keys,
// folders exist only as the common prefixes of keys, reads go through
// ReadRange (so readers take their object-store paths: ranged, bulky
// reads). Thread-safe; objects may be changed while others read.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "storage/storage.h"

namespace lakeshare::testing {

class MemoryStorage final : public Storage {
 public:
  // Adds or replaces the object at `path`.
  void Put(const std::string& path, std::string bytes, int64_t modification_time_ms = 0);
  void Remove(const std::string& path);

  Result<std::string> Read(const std::string& path) override;
  // kInvalidArgument for a negative offset or length.
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) override;
  Result<FileInfo> Head(const std::string& path) override;
  // The objects directly inside `dir`, sorted; kNotFound when no object lies
  // anywhere under it.
  Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) override;
  // The common prefixes one level below `dir`; kNotFound as ListDirectory.
  Result<std::vector<std::string>> ListSubfolders(const std::string& dir) override;
  // Write and Touch stamp the object with the current time (NowMillis).
  Status Write(const std::string& path, std::string_view bytes) override;
  Status Delete(const std::string& path) override;
  Status Touch(const std::string& path) override;

 private:
  struct Object {
    std::string bytes;
    int64_t modification_time_ms = 0;
  };
  std::mutex mu_;
  std::map<std::string, Object> objects_;  // guarded by mu_
};

}  // namespace lakeshare::testing
