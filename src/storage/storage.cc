#include "storage/storage.h"

namespace lakeshare {

std::string Storage::Join(const std::string& dir, const std::string& relative) const {
  if (dir.empty()) return relative;
  std::string out;
  out.reserve(dir.size() + 1 + relative.size());
  out += dir;
  if (dir.back() != '/') out += '/';
  out += relative;
  return out;
}

Result<std::vector<FileInfo>> Storage::ListDirectoryAfter(const std::string& dir,
                                                          const std::string& start_after) {
  LS_ASSIGN_OR_RETURN(std::vector<FileInfo> all, ListDirectory(dir));
  std::vector<FileInfo> out;
  for (FileInfo& f : all) {
    size_t slash = f.path.rfind('/');
    std::string_view name = slash == std::string::npos ? std::string_view(f.path)
                                                       : std::string_view(f.path).substr(slash + 1);
    if (name > start_after) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace lakeshare
