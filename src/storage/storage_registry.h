// Picks the storage backend and URL signer for a table location by its
// scheme. Local paths are served by this server; cloud stores come later
// behind the same interfaces. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "storage/storage.h"

namespace lakeshare {

class StorageRegistry {
 public:
  // `local_signing_key` signs URLs of local files.
  explicit StorageRegistry(std::string local_signing_key);

  // kUnsupported for schemes without a backend; kInvalidArgument for a
  // malformed location.
  Result<StorageBackend> ForLocation(const std::string& location) const;
  // The canonical form of a location for its backend (a local location
  // becomes an absolute path).
  Result<std::string> NormalizeLocation(const std::string& location) const;

  const std::shared_ptr<class LocalUrlSigner>& local_signer() const { return local_signer_; }

 private:
  StorageBackend local_;
  std::shared_ptr<LocalUrlSigner> local_signer_;
};

}  // namespace lakeshare
