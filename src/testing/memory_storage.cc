#include "testing/memory_storage.h"

#include <algorithm>
#include <utility>

#include "common/time_util.h"

namespace lakeshare::testing {

void MemoryStorage::Put(const std::string& path, std::string bytes, int64_t modification_time_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  objects_[path] = Object{std::move(bytes), modification_time_ms};
}

void MemoryStorage::Remove(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  objects_.erase(path);
}

Result<std::string> MemoryStorage::Read(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(path);
  if (it == objects_.end()) return Status::NotFound("'" + path + "': not found");
  return it->second.bytes;
}

Result<std::string> MemoryStorage::ReadRange(const std::string& path, int64_t offset,
                                             int64_t length) {
  if (offset < 0 || length < 0) return Status::InvalidArgument("negative range");
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(path);
  if (it == objects_.end()) return Status::NotFound("'" + path + "': not found");
  const std::string& bytes = it->second.bytes;
  const size_t from = std::min(static_cast<size_t>(offset), bytes.size());
  return bytes.substr(from, static_cast<size_t>(length));
}

Result<FileInfo> MemoryStorage::Head(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(path);
  if (it == objects_.end()) return Status::NotFound("'" + path + "': not found");
  return FileInfo{path, static_cast<int64_t>(it->second.bytes.size()),
                  it->second.modification_time_ms};
}

Result<std::vector<FileInfo>> MemoryStorage::ListDirectory(const std::string& dir) {
  const std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<FileInfo> out;
  bool any = false;
  for (auto it = objects_.lower_bound(prefix);
       it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    any = true;
    if (it->first.find('/', prefix.size()) != std::string::npos) continue;  // deeper
    out.push_back(FileInfo{it->first, static_cast<int64_t>(it->second.bytes.size()),
                           it->second.modification_time_ms});
  }
  if (!any) return Status::NotFound("'" + dir + "': not found");
  return out;
}

Result<std::vector<std::string>> MemoryStorage::ListSubfolders(const std::string& dir) {
  const std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  bool any = false;
  for (auto it = objects_.lower_bound(prefix);
       it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    any = true;
    const size_t slash = it->first.find('/', prefix.size());
    if (slash == std::string::npos) continue;
    std::string folder = it->first.substr(0, slash);
    if (out.empty() || out.back() != folder) out.push_back(std::move(folder));
  }
  if (!any) return Status::NotFound("'" + dir + "': not found");
  return out;
}

Status MemoryStorage::Write(const std::string& path, std::string_view bytes) {
  Put(path, std::string(bytes), NowMillis());
  return Status::OK();
}

Status MemoryStorage::Delete(const std::string& path) {
  Remove(path);
  return Status::OK();
}

Status MemoryStorage::Touch(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(path);
  if (it == objects_.end()) return Status::NotFound("'" + path + "': not found");
  it->second.modification_time_ms = NowMillis();
  return Status::OK();
}

}  // namespace lakeshare::testing
