#include "hudi/hudi_base_file.h"

#include <utility>

namespace lakeshare::hudi {

Result<parquet::ParquetReader> OpenBaseFile(const std::shared_ptr<Storage>& storage,
                                            const std::string& table_root, const std::string& path,
                                            int64_t size) {
  const std::string what = "base file " + path;
  const std::string full = storage->Join(table_root, path);
  auto missing = [&] { return Status::Corruption(what + " is missing (a commit lists it)"); };
  auto cut_short = [&] {
    return Status::Corruption(what + ": the file is shorter than its commit says");
  };
  Result<std::unique_ptr<RandomAccessFile>> opened = storage->OpenRandomAccess(full, size);
  if (!opened.ok()) {
    if (opened.status().code() == StatusCode::kNotFound) return missing();
    return opened.status().WithContext(what);
  }
  // A local file is opened with its own size; the commit's bounds the read.
  if (size >= 0 && (*opened)->Size() != static_cast<uint64_t>(size)) {
    if ((*opened)->Size() < static_cast<uint64_t>(size)) return cut_short();
    return Status::Corruption(what + ": the file is longer than its commit says");
  }
  // The file refers to the storage: the reader's handle owns both.
  struct Held {
    std::shared_ptr<Storage> storage;
    std::unique_ptr<RandomAccessFile> file;
  };
  auto held = std::make_shared<Held>(Held{storage, std::move(*opened)});
  Result<parquet::ParquetReader> reader =
      parquet::ParquetReader::Open(std::shared_ptr<const RandomAccessFile>(held, held->file.get()));
  if (reader.ok()) return reader;
  // An object store opens without a request when the size is known, so a
  // file that is gone or cut short shows only as a failed read: ask.
  Result<FileInfo> info = storage->Head(full);
  if (!info.ok() && info.status().code() == StatusCode::kNotFound) return missing();
  if (info.ok() && info->size < size) return cut_short();
  return reader.status().WithContext(what);
}

}  // namespace lakeshare::hudi
