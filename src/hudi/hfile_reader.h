// HFile (version 3), the base file format of Hudi's metadata table and the
// content of its log files' HFile data blocks: sorted key/value pairs in
// data blocks, found through a block index.
//
// Layout read here: a fixed 4 KiB trailer at the end (magic, a delimited
// protobuf TrailerProto, the version in the last 4 bytes); the load-on-open
// section it points to (root data index, meta index, file info); data
// blocks (and, for multi-level indexes, intermediate/leaf index blocks)
// below it. Every block is a 33-byte header (magic, on-disk and
// uncompressed sizes, checksum fields) and a body compressed with the
// file's codec (none or gzip; others are kUnsupported). A KeyValue is
// int32 key length, int32 value length, the key (int16 row length, row,
// family, qualifier, timestamp, type), the value, then the tags and the
// memstore timestamp when the file info says the file has them. Keys
// compare as their rows' bytes (unsigned), which is what Hudi writes.
//
// The reader views bytes owned by the caller (which must outlive it);
// every offset and length is checked against them, decompression is
// bounded by the block's declared size and HFileLimits. Malformed bytes are
// kCorruption, unsupported versions and codecs kUnsupported, sizes past the
// limits kTooLarge. Immutable after Open; thread-safe to read.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare::hudi {

struct HFileLimits {
  int64_t max_block_bytes = int64_t{64} << 20;  // one block, uncompressed
  int64_t max_index_entries = int64_t{1} << 22;
  int64_t max_entries = int64_t{1} << 26;  // key/values in one file
};

class HFileReader {
 public:
  // Reads the trailer, the load-on-open section and the whole data block
  // index (all levels) of `file`.
  static Result<HFileReader> Open(std::string_view file, const HFileLimits& limits = {});

  int64_t entry_count() const { return entry_count_; }
  // The file info entries ("schema", "hfile.LASTKEY", ...).
  const std::map<std::string, std::string>& file_info() const { return file_info_; }
  const std::string* FileInfo(std::string_view key) const;

  // Calls fn(row key, value) for every key/value in key order; stops at the
  // first error fn returns. The views are valid during the call only.
  // kCorruption when keys repeat, are out of order or lie outside the index
  // range of their block (then Get could not find them).
  using Visitor = std::function<Status(std::string_view key, std::string_view value)>;
  Status ForEach(const Visitor& fn) const;
  // The value of `key`, or nullopt when the file does not hold it: reads
  // only the data block the index says may hold it.
  Result<std::optional<std::string>> Get(std::string_view key) const;

 private:
  struct DataBlockRef {
    int64_t offset = 0;
    int64_t on_disk_size = 0;
    std::string first_row;  // the row of the block's first key (from the index)
  };
  struct Body;  // a block's header fields and uncompressed body

  HFileReader() = default;
  Result<Body> ReadBlock(int64_t offset, int64_t end, std::string_view magic) const;
  Status ReadIndexLevel(int64_t offset, int64_t size, int depth, std::vector<DataBlockRef>* out);
  // Visits the key/values of one data block; `fn` returns false to stop.
  Status VisitBlock(
      const DataBlockRef& ref, int64_t* seen,
      const std::function<Result<bool>(std::string_view, std::string_view)>& fn) const;

  std::string_view file_;
  HFileLimits limits_;
  bool gzip_ = false;
  int64_t load_on_open_ = 0;
  int64_t entry_count_ = 0;
  int levels_ = 1;
  int64_t index_blocks_read_ = 0;  // while opening
  bool has_tags_ = false;
  bool has_memstore_ts_ = false;
  std::map<std::string, std::string> file_info_;
  std::vector<DataBlockRef> blocks_;  // in key order
};

}  // namespace lakeshare::hudi
