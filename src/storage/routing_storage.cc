#include "storage/routing_storage.h"

namespace lakeshare {

RoutingStorage::RoutingStorage(std::shared_ptr<const StorageRegistry> registry)
    : registry_(std::move(registry)) {}

Result<std::shared_ptr<Storage>> RoutingStorage::For(const std::string& path) const {
  LS_ASSIGN_OR_RETURN(StorageBackend backend, registry_->ForLocation(path));
  return backend.storage;
}

Result<std::string> RoutingStorage::Read(const std::string& path) {
  LS_ASSIGN_OR_RETURN(std::shared_ptr<Storage> s, For(path));
  return s->Read(path);
}

Result<std::string> RoutingStorage::ReadRange(const std::string& path, int64_t offset,
                                              int64_t length) {
  LS_ASSIGN_OR_RETURN(std::shared_ptr<Storage> s, For(path));
  return s->ReadRange(path, offset, length);
}

Result<FileInfo> RoutingStorage::Head(const std::string& path) {
  LS_ASSIGN_OR_RETURN(std::shared_ptr<Storage> s, For(path));
  return s->Head(path);
}

Result<std::vector<FileInfo>> RoutingStorage::ListDirectory(const std::string& dir) {
  LS_ASSIGN_OR_RETURN(std::shared_ptr<Storage> s, For(dir));
  return s->ListDirectory(dir);
}

Result<std::vector<FileInfo>> RoutingStorage::ListDirectoryAfter(const std::string& dir,
                                                                 const std::string& start_after) {
  LS_ASSIGN_OR_RETURN(std::shared_ptr<Storage> s, For(dir));
  return s->ListDirectoryAfter(dir, start_after);
}

Result<std::unique_ptr<RandomAccessFile>> RoutingStorage::OpenRandomAccess(
    const std::string& path, std::optional<int64_t> known_size) {
  LS_ASSIGN_OR_RETURN(std::shared_ptr<Storage> s, For(path));
  return s->OpenRandomAccess(path, known_size);
}

}  // namespace lakeshare
