// ParquetReader: reads parquet files (Delta checkpoints and data files) from
// any RandomAccessFile, decoding only the leaf columns asked for.
//
// What it reads: data pages v1 and v2 and dictionary pages; PLAIN,
// RLE/bit-packed (levels, booleans), PLAIN_DICTIONARY/RLE_DICTIONARY,
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and
// BYTE_STREAM_SPLIT; every physical type; the codecs of compression.h; nested
// schemas of any shape (structs, 3-level and legacy 2-level lists, maps).
// Not supported: encrypted files and column chunks stored in other files
// (kUnsupported), LZO and BROTLI (kUnsupported).
//
// I/O: Open does one ranged read of the file's tail (options.footer_read_size
// bytes; a second one only when the footer is larger) plus a size request.
// ReadRowGroup reads the selected column chunks by range, one read for each
// group of chunks lying within options.coalesce_gap of each other; chunks of
// unselected columns are never decoded (and, unless they sit in such a gap,
// never read).
//
// Output: ReadRowGroup returns one ColumnBatch per selected leaf (levels and
// densely packed non-null values; see column_batch.h). For record-shaped
// access (is `add` null in this row? which key/value pairs does its
// partitionValues map hold?) wrap the batches in a RecordTree (record_view.h).
//
// Example: the live files of a Delta checkpoint.
//
//   LS_ASSIGN_OR_RETURN(auto file, storage.OpenRandomAccess(path, std::nullopt));
//   LS_ASSIGN_OR_RETURN(ParquetReader reader, ParquetReader::Open(std::move(file)));
//   LS_ASSIGN_OR_RETURN(std::vector<int> leaves, reader.schema().Resolve(
//       {"add.path", "add.size", "add.partitionValues", "add.stats"}));
//   for (int rg = 0; rg < reader.num_row_groups(); ++rg) {
//     LS_ASSIGN_OR_RETURN(RowGroupBatch batch, reader.ReadRowGroup(rg, leaves));
//     LS_ASSIGN_OR_RETURN(RecordTree tree, RecordTree::Make(std::move(batch)));
//     const RecordNode* add = tree.Find("add");
//     const RecordNode* path = add->Child("path");
//     const RecordNode* size = add->Child("size");
//     const RecordNode* stats = add->Child("stats");
//     MapView pv = add->Child("partitionValues")->AsMap();
//     for (int64_t row = 0; row < tree.num_rows(); ++row) {
//       if (!add->IsValid(row)) continue;          // this row holds another action
//       std::string_view p = path->String(row);    // slots of structs = rows
//       int64_t bytes = size->Int64(row);
//       std::optional<std::string_view> s;
//       if (stats->IsValid(row)) s = stats->String(row);
//       for (int64_t e : pv.entries->Elements(row)) {  // map entries of this row
//         std::string_view key = pv.key->String(e);
//         bool null_value = !pv.value->IsValid(e);
//         ...
//       }
//     }
//   }
//
// The string_views point into buffers the batch (here: the tree) owns; copy
// what must outlive it. Checkpoint schemas vary by writer (stats vs
// stats_parsed, deletionVector, tags...): Resolve fails (kInvalidArgument)
// on a column the file lacks, so resolve optional columns one by one (or
// check schema().FindPath) and expect Find/Child to return nullptr for
// columns that were not selected.
//
// Errors: a malformed, truncated or hostile file gives kCorruption (never a
// crash, and never an allocation beyond the limits in ReaderOptions); storage
// failures are the RandomAccessFile's kIOError/kNotFound.
//
// Threading: a ParquetReader is immutable after Open; ReadRowGroup and
// ReadColumnChunk may run concurrently (on distinct or equal columns) when the
// RandomAccessFile allows concurrent reads, as its contract requires.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/column_batch.h"
#include "parquet/column_chunk_decoder.h"
#include "parquet/parquet_metadata.h"
#include "parquet/parquet_schema.h"
#include "storage/random_access_file.h"

namespace lakeshare::parquet {

struct ReaderOptions {
  // Bytes read from the end of the file at Open (enough for most footers).
  uint64_t footer_read_size = 64 << 10;
  // Largest footer accepted.
  uint32_t max_footer_bytes = 64u << 20;
  // Largest number of Thrift structs in a footer: bounds the memory the
  // parsed metadata takes (~600 bytes per struct at worst).
  int64_t max_footer_structs = int64_t{1} << 20;
  int max_schema_depth = Schema::kDefaultMaxDepth;
  // Largest column chunk (and largest coalesced read).
  int64_t max_chunk_bytes = int64_t{1} << 30;
  // ReadRowGroup fetches selected chunks with one read when the gap between
  // them is at most this many bytes (fewer requests on object stores).
  uint64_t coalesce_gap = 1 << 20;
  ChunkLimits chunk;
};

// The selected columns of one row group, in ascending leaf order.
struct RowGroupBatch {
  std::shared_ptr<const Schema> schema;
  int64_t num_rows = 0;
  std::vector<ColumnBatch> columns;
  // The batch of a leaf, or nullptr when it was not selected.
  const ColumnBatch* Find(int leaf_index) const;
};

class ParquetReader {
 public:
  static Result<ParquetReader> Open(std::shared_ptr<const RandomAccessFile> file,
                                    const ReaderOptions& options = {});

  const FileMetaData& metadata() const { return *metadata_; }
  const Schema& schema() const { return *schema_; }
  std::shared_ptr<const Schema> shared_schema() const { return schema_; }
  int num_row_groups() const { return static_cast<int>(metadata_->row_groups.size()); }
  int64_t num_rows() const { return metadata_->num_rows; }
  int64_t row_group_rows(int row_group) const;

  // Decodes the given leaves (indices from schema().Resolve) of a row group.
  Result<RowGroupBatch> ReadRowGroup(int row_group, const std::vector<int>& leaves) const;
  // Decodes one leaf of one row group.
  Result<ColumnBatch> ReadColumnChunk(int row_group, int leaf) const;

 private:
  ParquetReader() = default;
  struct ChunkRange {
    int leaf;
    uint64_t offset;
    uint64_t length;
  };
  Result<ChunkRange> RangeOf(int row_group, int leaf) const;
  Result<ColumnBatch> Decode(int row_group, int leaf, std::shared_ptr<const std::string> buffer,
                             std::string_view chunk) const;

  std::shared_ptr<const RandomAccessFile> file_;
  ReaderOptions options_;
  std::shared_ptr<const FileMetaData> metadata_;
  std::shared_ptr<const Schema> schema_;
  uint64_t data_end_ = 0;       // where the footer starts
  uint64_t chunk_padding_ = 0;  // extra bytes read after chunks (old parquet-mr)
};

// Reads the footer of a parquet file held in memory, bounded as Open bounds
// it; for tools and tests.
Result<FileMetaData> ReadFooter(std::string_view file, const ReaderOptions& options = {});

}  // namespace lakeshare::parquet
