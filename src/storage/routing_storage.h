// A Storage whose every call goes to the backend of its path's location
// (StorageRegistry::ForLocation), for a table whose files lie in several
// stores, each with its own credentials (an Iceberg table with a location
// map). Errors are the backends' (and ForLocation's for a location no
// backend serves). Thread-safe; random-access files it opens refer to the
// registry's backends, which live as long as the registry.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/storage.h"
#include "storage/storage_registry.h"

namespace lakeshare {

class RoutingStorage final : public Storage {
 public:
  explicit RoutingStorage(std::shared_ptr<const StorageRegistry> registry);

  Result<std::string> Read(const std::string& path) override;
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) override;
  Result<FileInfo> Head(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) override;
  Result<std::vector<FileInfo>> ListDirectoryAfter(const std::string& dir,
                                                   const std::string& start_after) override;
  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(
      const std::string& path, std::optional<int64_t> known_size) override;

 private:
  Result<std::shared_ptr<Storage>> For(const std::string& path) const;
  const std::shared_ptr<const StorageRegistry> registry_;
};

}  // namespace lakeshare
