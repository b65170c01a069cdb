#include "iceberg/row_deletes.h"

#include <zlib.h>

#include "iceberg/avro_file.h"
#include "iceberg/table_location.h"
#include "parquet/parquet_reader.h"
#include "parquet/record_view.h"
#include "table/deletion_vector_bytes.h"

namespace lakeshare::iceberg {
namespace {

std::string Basename(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

uint32_t BigEndian32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}

constexpr char kBlobMagic[] = "\xD1\xD3\x39\x64";

}  // namespace

std::string SameFileKey(std::string_view recorded) {
  std::string n = NormalizeRecordedLocation(recorded);
  size_t colon = n.find(':');
  if (colon == std::string::npos || n.find('/') < colon) return n;
  size_t rest = colon + 1;
  if (n.compare(rest, 2, "//") == 0) {
    size_t slash = n.find('/', rest + 2);
    return slash == std::string::npos ? std::string("/") : n.substr(slash);
  }
  return n.substr(rest);
}

Result<PositionDeletes> ReadPositionDeleteFile(Storage& storage, const std::string& path,
                                               int64_t max_positions) {
  const std::string what = "position delete file '" + Basename(path) + "'";
  LS_ASSIGN_OR_RETURN(auto file, storage.OpenRandomAccess(path, std::nullopt));
  auto reader =
      parquet::ParquetReader::Open(std::shared_ptr<const RandomAccessFile>(std::move(file)));
  if (!reader.ok()) return reader.status().WithContext(what);
  auto leaves = reader->schema().Resolve({"file_path", "pos"});
  if (!leaves.ok()) return Status::Corruption(what + " has no file_path and pos columns");
  if (reader->num_rows() > max_positions) {
    return Status::TooLarge(what + " holds " + std::to_string(reader->num_rows()) +
                            " positions, more than the " + std::to_string(max_positions) +
                            " a snapshot may apply");
  }
  PositionDeletes out;
  std::string last_path;
  std::vector<uint64_t>* last = nullptr;
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    auto batch = reader->ReadRowGroup(rg, *leaves);
    if (!batch.ok()) return batch.status().WithContext(what);
    auto tree = parquet::RecordTree::Make(std::move(*batch));
    if (!tree.ok()) return tree.status().WithContext(what);
    const parquet::RecordNode* file_path = tree->Find("file_path");
    const parquet::RecordNode* pos = tree->Find("pos");
    if (file_path == nullptr || pos == nullptr || !file_path->is_leaf() || !pos->is_leaf() ||
        file_path->batch()->leaf().physical_type != parquet::Type::kByteArray ||
        pos->batch()->leaf().physical_type != parquet::Type::kInt64) {
      return Status::Corruption(what + ": file_path must be a string and pos a long");
    }
    for (int64_t row = 0; row < tree->num_rows(); ++row) {
      // Rows without a file or position delete nothing (writers have left
      // such rows; readers skip them).
      if (!file_path->IsValid(row) || !pos->IsValid(row)) continue;
      std::string_view p = file_path->String(row);
      int64_t position = pos->Int64(row);
      if (position < 0) return Status::Corruption(what + ": a negative position");
      if (last == nullptr || p != last_path) {
        last_path.assign(p);
        last = &out.by_file[last_path];
      }
      last->push_back(static_cast<uint64_t>(position));
      ++out.count;
    }
  }
  return out;
}

Result<PositionDeletes> ReadAvroPositionDeleteFile(Storage& storage, const std::string& path,
                                                   int64_t max_positions) {
  const std::string what = "position delete file '" + Basename(path) + "'";
  LS_ASSIGN_OR_RETURN(FileInfo info, storage.Head(path));
  // Read whole (Avro has no footer to seek by): at most 256 MiB, and no more
  // than max_positions records of at least 3 bytes (path length, a path
  // byte, a position) could take (compressed blocks are bounded on inflate).
  if (info.size > int64_t{256} << 20 || info.size / 3 > max_positions + 4096) {
    return Status::TooLarge(what + " is too large (" + std::to_string(info.size) +
                            " bytes) for the positions a snapshot may apply");
  }
  LS_ASSIGN_OR_RETURN(std::string bytes, storage.Read(path));
  AvroLimits limits;
  limits.max_records = max_positions + 1;
  auto reader = AvroFileReader::Open(std::move(bytes), what, limits);
  if (!reader.ok()) return reader.status();
  PositionDeletes out;
  std::string last_path;
  std::vector<uint64_t>* last = nullptr;
  Status st = (*reader)->ForEach([&](const AvroValue& row) -> Status {
    auto file_path = row.Field("file_path");
    auto pos = row.Field("pos");
    if (!file_path || !pos) return Status::Corruption(what + " has no file_path and pos fields");
    // Rows without a file or position delete nothing (as for parquet).
    if (file_path->IsNull() || pos->IsNull()) return Status::OK();
    auto p = file_path->AsString();
    auto position = pos->AsInt64();
    if (!p.ok() || !position.ok()) {
      return Status::Corruption(what + ": file_path must be a string and pos a long");
    }
    if (*position < 0) return Status::Corruption(what + ": a negative position");
    if (++out.count > max_positions) {
      return Status::TooLarge(what + " holds more than the " + std::to_string(max_positions) +
                              " positions a snapshot may apply");
    }
    if (last == nullptr || *p != last_path) {
      last_path.assign(*p);
      last = &out.by_file[last_path];
    }
    last->push_back(static_cast<uint64_t>(*position));
    return Status::OK();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<uint64_t>> ParseDeletionVectorBlob(std::string_view blob,
                                                      int64_t max_positions) {
  if (blob.size() < 12) return Status::Corruption("deletion vector blob shorter than 12 bytes");
  const uint32_t length = BigEndian32(blob, 0);
  if (length != blob.size() - 8) {
    return Status::Corruption("deletion vector blob length " + std::to_string(length) +
                              " does not match its content_size_in_bytes");
  }
  if (blob.substr(4, 4) != std::string_view(kBlobMagic, 4)) {
    return Status::Corruption("deletion vector blob without the D1 D3 39 64 magic");
  }
  std::string_view checked = blob.substr(4, length);
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(checked.data()), static_cast<uInt>(checked.size())));
  if (BigEndian32(blob, 4 + length) != crc) {
    return Status::Corruption("deletion vector blob fails its CRC-32 check");
  }
  auto positions =
      ParsePortableRoaring64(checked.substr(4), static_cast<uint64_t>(max_positions) + 1);
  if (!positions) return Status::Corruption("deletion vector blob holds a malformed bitmap");
  if (static_cast<int64_t>(positions->size()) > max_positions) {
    return Status::TooLarge("deletion vector holds more than " + std::to_string(max_positions) +
                            " positions");
  }
  return std::move(*positions);
}

Result<std::vector<uint64_t>> ReadDeletionVectorBlob(Storage& storage, const std::string& path,
                                                     int64_t offset, int64_t size,
                                                     int64_t max_positions) {
  const std::string what = "deletion vector in '" + Basename(path) + "'";
  // A bitmap of n positions takes at least ~n/8 bytes (bitmap containers).
  if (offset < 0 || size < 12 || size > int64_t{1} << 30 || size > 8 + max_positions) {
    return Status::Corruption(what + ": invalid content_offset/content_size_in_bytes");
  }
  LS_ASSIGN_OR_RETURN(std::string blob, storage.ReadRange(path, offset, size));
  if (static_cast<int64_t>(blob.size()) != size) {
    return Status::Corruption(what + ": the file ends inside the blob");
  }
  auto positions = ParseDeletionVectorBlob(blob, max_positions);
  if (!positions.ok()) return positions.status().WithContext(what);
  return positions;
}

}  // namespace lakeshare::iceberg
