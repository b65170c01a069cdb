#include "storage/storage.h"

namespace lakeshare {

std::string Storage::Join(const std::string& dir, const std::string& relative) const {
  std::string out;
  JoinInto(dir, relative, &out);
  return out;
}

void Storage::JoinInto(std::string_view dir, std::string_view relative, std::string* out) {
  out->clear();
  out->reserve(dir.size() + 1 + relative.size());
  out->append(dir);
  if (!dir.empty() && dir.back() != '/') out->push_back('/');
  out->append(relative);
}

Status UrlSigner::PresignInto(const std::string& path, int64_t expiration_ms,
                              const SignContext& context, PresignedUrl* out) {
  LS_ASSIGN_OR_RETURN(*out, Presign(path, expiration_ms, context));
  return Status::OK();
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
