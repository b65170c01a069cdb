#include "storage/storage_registry.h"

#include "storage/local_storage.h"
#include "storage/local_url_signer.h"

namespace lakeshare {
namespace {

std::string SchemeOf(const std::string& location) {
  size_t colon = location.find(':');
  if (colon == std::string::npos || location.find('/') < colon) return "";
  return location.substr(0, colon);
}

}  // namespace

StorageRegistry::StorageRegistry(std::string local_signing_key)
    : local_signer_(std::make_shared<LocalUrlSigner>(std::move(local_signing_key))) {
  local_.storage = std::make_shared<LocalStorage>();
  local_.signer = local_signer_;
}

Result<std::string> StorageRegistry::NormalizeLocation(const std::string& location) const {
  std::string scheme = SchemeOf(location);
  if (scheme.empty() || scheme == "file") {
    LS_ASSIGN_OR_RETURN(std::string path, LocalPathFromLocation(location));
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path;
  }
  return Status::Unsupported("storage scheme '" + scheme + "' of location '" + location +
                             "' is not supported by this server yet");
}

Result<StorageBackend> StorageRegistry::ForLocation(const std::string& location) const {
  LS_RETURN_IF_ERROR(NormalizeLocation(location));
  return local_;
}

}  // namespace lakeshare
