#include "storage/storage.h"

#include <cstring>
#include <mutex>
#include <utility>

namespace lakeshare {
namespace {

// An object read through Storage::ReadRange, one request per read. The first
// read that reaches the end of the object (a reader's footer read) is kept:
// later reads inside it, or ending inside it, take those bytes from memory,
// so a small parquet file costs one request.
class RangedFile final : public RandomAccessFile {
 public:
  RangedFile(Storage& storage, std::string path, uint64_t size)
      : storage_(storage), path_(std::move(path)), size_(size) {}

  uint64_t Size() const override { return size_; }

  Status ReadAt(uint64_t offset, size_t length, char* out) const override {
    if (offset > size_ || length > size_ - offset) {
      return ReadBeyondEnd(path_, offset, length, size_);
    }
    std::shared_ptr<const std::string> tail;
    {
      std::lock_guard<std::mutex> lock(mu_);
      tail = tail_;
    }
    const uint64_t tail_start = tail ? size_ - tail->size() : size_;
    const uint64_t end = offset + length;
    if (tail && offset >= tail_start) {
      std::memcpy(out, tail->data() + (offset - tail_start), length);
      return Status::OK();
    }
    // The part before the kept tail is fetched, the rest copied.
    const uint64_t fetch_end = tail && end > tail_start ? tail_start : end;
    Result<std::string> bytes = storage_.ReadRange(path_, static_cast<int64_t>(offset),
                                                   static_cast<int64_t>(fetch_end - offset));
    if (!bytes.ok()) {
      const Status& st = bytes.status();
      // Opened, then gone: an I/O error, not the absence of what was asked for.
      if (st.code() == StatusCode::kNotFound) return Status::IOError(st.message());
      return st;
    }
    if (bytes->size() != fetch_end - offset) {
      return Status::Corruption(path_ + ": the object is shorter than its listed size");
    }
    std::memcpy(out, bytes->data(), bytes->size());
    if (fetch_end < end) {
      std::memcpy(out + bytes->size(), tail->data(), static_cast<size_t>(end - fetch_end));
    } else if (end == size_ && !tail) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!tail_) tail_ = std::make_shared<const std::string>(std::move(*bytes));
    }
    return Status::OK();
  }

 private:
  Storage& storage_;
  const std::string path_;
  const uint64_t size_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const std::string> tail_;  // guarded by mu_
};

}  // namespace

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

Result<std::vector<std::string>> Storage::ListSubfolders(const std::string& dir) {
  return Status::Unsupported(dir + ": this store cannot list folders");
}

Status Storage::Write(const std::string& path, std::string_view) {
  return Status::Unsupported(path + ": this store cannot be written by lakeshare");
}

Status Storage::Delete(const std::string& path) {
  return Status::Unsupported(path + ": this store cannot be written by lakeshare");
}

Status Storage::Touch(const std::string& path) {
  return Status::Unsupported(path + ": this store cannot be written by lakeshare");
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

Result<std::unique_ptr<RandomAccessFile>> Storage::OpenRandomAccess(
    const std::string& path, std::optional<int64_t> known_size) {
  int64_t size = 0;
  if (known_size) {
    size = *known_size;
  } else {
    LS_ASSIGN_OR_RETURN(FileInfo info, Head(path));
    size = info.size;
  }
  if (size < 0) return Status::InvalidArgument("'" + path + "': negative size");
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<RangedFile>(*this, path, static_cast<uint64_t>(size)));
}

}  // namespace lakeshare
