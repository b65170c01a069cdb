// Decodes the pages of one column chunk (the bytes the footer's ColumnMetaData
// points at) into a ColumnBatch: an optional dictionary page, then data pages
// v1 and v2 until the chunk's num_values level entries are read. Index pages
// and unknown page types are skipped.
//
// Untrusted input: every page header size is checked against the chunk bytes
// and the limits below before anything is allocated or decompressed; level
// values are checked against the leaf's max levels; the number of rows the
// levels describe must equal the row group's. Problems are kCorruption (an
// unsupported codec is kUnsupported). Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "parquet/column_batch.h"
#include "parquet/parquet_metadata.h"
#include "parquet/parquet_schema.h"

namespace lakeshare::parquet {

struct ChunkLimits {
  // Largest uncompressed page (or dictionary page) accepted.
  int64_t max_page_bytes = int64_t{256} << 20;
  // Largest num_values (level entries) of a chunk; a decoded chunk takes
  // about 20 bytes per level entry at most (levels, a string_view, and
  // dictionary indices while decoding), so this also bounds its memory.
  int64_t max_values = int64_t{1} << 26;
  // Bytes of decompressed pages and materialized values a chunk may keep.
  int64_t max_decoded_bytes = int64_t{1} << 30;
};

// `chunk` is the chunk's bytes (from its first page on), inside `buffer`;
// the batch keeps `buffer` alive when values point into it. `schema` must
// contain `leaf`.
Result<ColumnBatch> DecodeColumnChunk(std::shared_ptr<const std::string> buffer,
                                      std::string_view chunk, std::shared_ptr<const Schema> schema,
                                      int leaf, const ColumnMetaData& meta, int64_t row_group_rows,
                                      const ChunkLimits& limits);

}  // namespace lakeshare::parquet
