// FileAssembler: the framing both parquet writers share (ParquetWriter for
// flat columns, NestedParquetWriter for shredded levels): the magic, row
// groups added chunk by chunk and cut back off on error, v1 data pages
// with their headers, the footer. The writers encode values and levels;
// this lays out the bytes. Holds the file in memory. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "parquet/parquet_metadata.h"

namespace lakeshare::parquet {

struct WriterOptions;

// Appends `v` as 4 little-endian bytes (the length prefixes of PLAIN
// byte arrays and of RLE level runs).
void AppendU32(uint32_t v, std::string* out);

class FileAssembler {
 public:
  // `schema`: the flattened schema (root first); `num_leaves` columns per row group.
  FileAssembler(std::vector<SchemaElement> schema, size_t num_leaves, const WriterOptions& options);

  // The pages of one column chunk as they are appended.
  struct Chunk {
    int64_t start = 0;  // file offset of the first page
    int64_t uncompressed = 0, compressed = 0;
    int32_t pages = 0;
  };

  // Appends one row group of `num_rows` rows: encode(i, chunk) is called for
  // each of the `num_leaves` chunks in order; it appends pages (BeginChunk,
  // AppendDataPage, EndChunk) and fills *chunk. On error the file is cut
  // back to where it was and the error returned.
  Status AddRowGroup(int64_t num_rows,
                     const std::function<Status(size_t leaf, ColumnChunk* chunk)>& encode);

  Chunk BeginChunk() const { return Chunk{static_cast<int64_t>(out_.size())}; }
  // Compresses `body` (levels, then PLAIN values; `num_values` entries)
  // with the options' codec and appends it as a data page. kInvalidArgument
  // naming `column` for a page beyond 2 GiB.
  Status AppendDataPage(const std::string& column, const std::string& body, int32_t num_values,
                        Chunk* chunk);
  // The chunk's offsets, sizes and page counts into its metadata (type,
  // path, encodings and values are the caller's).
  ColumnMetaData& EndChunk(const Chunk& pages, ColumnChunk* chunk) const;

  // Appends the footer and returns the whole file. kFailedPrecondition when
  // called twice.
  Result<std::string> Finish();
  bool finished() const { return finished_; }
  const FileMetaData& metadata() const { return metadata_; }

 private:
  CompressionCodec codec_;
  std::string out_;
  FileMetaData metadata_;
  bool finished_ = false;
};

}  // namespace lakeshare::parquet
