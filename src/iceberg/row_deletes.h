// Reading Iceberg row-level delete files: v2 position delete files (parquet
// or Avro rows of file_path and pos) and v3 deletion vectors (deletion-vector-v1
// blobs inside Puffin files, found by the manifest entry's content_offset
// and content_size_in_bytes).
//
// Errors: kCorruption naming the file for malformed content (a blob whose
// length, magic or CRC-32 does not check, a bitmap that does not parse, a
// position delete file without file_path/pos columns); kTooLarge beyond
// `max_positions`; kUnsupported for position delete files that are neither
// parquet nor Avro (ORC); storage errors as the backend reports them. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "storage/storage.h"

namespace lakeshare::iceberg {

// The positions one position delete file deletes, by the data file path as
// the delete file records it (positions ascending per file, as writers sort
// them; not relied upon).
struct PositionDeletes {
  std::unordered_map<std::string, std::vector<uint64_t>> by_file;
  int64_t count = 0;
};

Result<PositionDeletes> ReadPositionDeleteFile(Storage& storage, const std::string& path,
                                               int64_t max_positions);
// The same for a position delete file in Avro (records of file_path and
// pos; the optional row is ignored).
Result<PositionDeletes> ReadAvroPositionDeleteFile(Storage& storage, const std::string& path,
                                                   int64_t max_positions);

// The positions of the deletion-vector-v1 blob `blob` (the bytes at the
// entry's content_offset, content_size_in_bytes long): a 4-byte big-endian
// length of what follows minus the CRC, the magic D1 D3 39 64, the portable
// 64-bit roaring bitmap, a 4-byte big-endian CRC-32 of magic and bitmap.
Result<std::vector<uint64_t>> ParseDeletionVectorBlob(std::string_view blob, int64_t max_positions);
Result<std::vector<uint64_t>> ReadDeletionVectorBlob(Storage& storage, const std::string& path,
                                                     int64_t offset, int64_t size,
                                                     int64_t max_positions);

// The form in which two recorded paths name the same file: normalized
// (NormalizeRecordedLocation) and without scheme and authority, since delete
// files often name data files as hdfs://namenode:8020/x where manifests
// say /x (or s3a://b/x against s3://b/x).
std::string SameFileKey(std::string_view recorded);

}  // namespace lakeshare::iceberg
