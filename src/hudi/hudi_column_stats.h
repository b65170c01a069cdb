// The column-stats index of a Hudi table: the `column_stats` partition of
// its metadata table (`.hoodie/metadata`, itself a merge-on-read Hudi table
// with HFile base files and HFile data blocks in its logs), turned into the
// Delta-style `stats` JSON of each data file.
//
// Records are HoodieMetadataRecord Avro payloads keyed by an opaque string
// (hashes of column, partition and file name). A slice's records merge by
// key as Hudi's metadata reader does: the base file, then the effective log
// blocks in write order (hudi_log_format.h: ClassifyLogBlock), the later
// record winning; delete blocks and isDeleted records are tombstones. Two
// live records of one key (which Hudi would add up) and two keys for one
// (file, column) leave that column without stats: never guessed.
//
// Values: the wrapped min/max are read as the table column's type says
// (Hudi 1.1+ records the value type, e.g. DECIMAL with "precision,scale";
// older records only for types whose wrapper cannot be ambiguous) and
// formatted as Iceberg's stats are (iceberg/iceberg_schema.h:
// AppendBoundStatsJson): dates, timestamps with micros, decimals exact.
// Columns of other types, nested columns and columns without a value type
// that fits are left out. numRecords is the columns' common value count;
// a file whose columns disagree, or whose count differs from the one the
// caller knows, gets no stats.
//
// Read is a pure function of its inputs (the storage's I/O aside); the
// result is immutable and thread-safe to read. Errors: the storage's;
// kCorruption for malformed files; kTooLarge past the limits.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "hudi/hfile_reader.h"
#include "hudi/hudi_file_index.h"
#include "hudi/hudi_schema.h"
#include "storage/storage.h"

namespace lakeshare::hudi {

struct ColumnStatsLimits {
  int64_t max_bytes = int64_t{512} << 20;  // all files of the partition read
  int64_t max_records = int64_t{8} << 20;  // merged records held
  HFileLimits hfile;
};

struct ColumnStatsInputs {
  std::shared_ptr<Storage> storage;
  std::string metadata_root;  // the metadata table's folder
  // The column_stats partition's slices at the metadata table version read.
  std::vector<FileSlice> slices;
  // Metadata table instants whose log blocks count (see ClassifyLogBlock).
  const std::set<std::string>* valid_instants = nullptr;
  std::string timeline_start;
  // The data table's schema (a record) at the version served.
  std::shared_ptr<const AvroType> table_schema;
  // Columns that get no stats (the partition columns).
  std::set<std::string> excluded_columns;
  ColumnStatsLimits limits;
};

class ColumnStatsIndex {
 public:
  static Result<ColumnStatsIndex> Read(const ColumnStatsInputs& in);

  // The stats JSON of data file `file_name` (a base name); nullopt when the
  // index has none for it, or its count differs from `expected_rows` (> 0).
  std::optional<std::string> StatsJson(std::string_view file_name, int64_t expected_rows) const;
  size_t file_count() const { return stats_.size(); }

 private:
  struct FileStatsText {
    int64_t rows = 0;
    std::string json;
  };
  std::unordered_map<std::string, FileStatsText> stats_;
};

}  // namespace lakeshare::hudi
