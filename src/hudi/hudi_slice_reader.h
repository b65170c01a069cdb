// Reads one file slice of a merge-on-read table the way Hudi's snapshot
// readers do: the log blocks of committed instants (blocks of rolled-back,
// restored or not yet completed instants, blocks undone by rollback command
// blocks and blocks a log compaction replaced are skipped), their deletes
// and updates merged by record key in write order under the table's merge
// mode and ordering fields, then applied to the base file.
//
// Outcomes: the base file as it is (no effective log block), the base file
// minus deleted row positions (delete-only logs: a deletion vector), or the
// merged rows (base + updates/inserts) written as one parquet file by our
// own writer. Merging reads the base file a row group at a time and copies
// the rows no log record replaces column by column; only the key columns
// are read per row (and the rows of tables whose keys are nested fields). The content key names
// exactly the inputs of a merge (base file, log blocks used, merge rules), so equal keys mean equal
// merged files.
//
// Thread-compatible: one reader per slice read; Storage is thread-safe.
// Errors: the storage's; kCorruption for malformed logs or base files;
// kUnsupported for encodings or merge rules lakeshare does not implement;
// kTooLarge past the limits.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "hudi/hudi_file_index.h"
#include "hudi/hudi_properties.h"
#include "hudi/hudi_row_writer.h"
#include "hudi/hudi_schema.h"
#include "parquet/parquet_schema.h"
#include "storage/storage.h"

namespace lakeshare::hudi {

struct SliceLimits {
  int64_t max_log_bytes = int64_t{512} << 20;  // all log files of one slice
  int64_t max_log_records = int64_t{20} << 20;
  int64_t max_base_bytes = int64_t{4} << 30;
};

struct SliceInputs {
  std::shared_ptr<Storage> storage;
  std::string table_root;
  const TableProperties* props = nullptr;
  // The table schema at the version read (for slices without a base file).
  std::shared_ptr<const AvroType> schema;
  // Instants whose log blocks count (completed writes at or before the
  // version read, not undone).
  const std::set<std::string>* valid_instants = nullptr;
  // Blocks of instants before the earliest known one count too (their
  // instants were archived and the archive is gone).
  std::string timeline_start;
  SliceLimits limits;
  // Merge row by row even where the base file's rows could be copied
  // column by column (the reference the columnar merge is tested against).
  bool row_merge = false;
};

struct SliceOutcome {
  enum class Kind { kBase, kDeletes, kMerged, kEmpty };
  Kind kind = Kind::kBase;
  std::vector<uint64_t> deleted_positions;  // kDeletes: sorted
  int64_t base_rows = 0;                    // kDeletes
  std::string key;                          // content key (kMerged, kDeletes)
};

class SliceReader {
 public:
  SliceReader(SliceInputs inputs, const FileSlice& slice);
  ~SliceReader();
  SliceReader(const SliceReader&) = delete;
  SliceReader& operator=(const SliceReader&) = delete;

  // Reads the logs and decides the outcome; for kMerged the rows are not
  // merged yet (see Merge), so a cached merge can be reused.
  Result<SliceOutcome> Plan();
  // Merges base and logs into a parquet file (after Plan; also for a
  // kDeletes outcome, for clients that cannot take deletion vectors).
  // *rows receives the number of rows written.
  Result<std::string> Merge(int64_t* rows);

 private:
  struct LogRecord;
  Status ReadLogs();
  Status LoadRecords(const parquet::Schema& rows_schema);
  // The base file's rows merged with the log records into `writer`: runs of
  // rows no log record touches are copied column by column.
  Status MergeBaseColumns(const parquet::ParquetReader& base, const std::vector<int>& key_columns,
                          RowWriter* writer);
  Result<std::vector<uint64_t>> DeletedPositions(int64_t* base_rows);
  std::string ContentKey() const;

  SliceInputs in_;
  FileSlice slice_;
  struct Block;
  std::vector<std::string> log_bytes_;  // owns the bytes blocks point into
  std::vector<Block> blocks_;           // effective blocks in write order
  bool has_data_ = false;
  bool has_deletes_ = false;
  bool records_loaded_ = false;
  std::vector<LogRecord> records_;  // merged log records
};

}  // namespace lakeshare::hudi
