// Writes rows (hudi_rows.h's Value) into a parquet file with our own
// nested parquet writer: merged file slices and change files.
//
// The output schema of merged files (OutputFields) is the input's with
// fixed-length byte arrays written as byte arrays (decimals keep their
// logical type) and INT96 timestamps as INT64 microseconds, the forms our
// writer writes.
//
// A RowWriter is not thread-safe; distinct writers are independent. A row
// that does not fit the schema (a null in a required column, a value of
// another type) is kUnsupported; rows of the wrong shape are kInternal.
// Leaf values are collected column by column as rows arrive, so a failed Add
// may leave part of its row behind: after an error, the file is lost (a later
// Add or Finish fails or writes a file no caller may use).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "hudi/hudi_rows.h"
#include "parquet/nested_writer.h"
#include "parquet/parquet_reader.h"

namespace lakeshare::hudi {

// The output fields for rows of a file with `metadata` (see above).
std::vector<parquet::NestedField> OutputFields(const parquet::FileMetaData& metadata);

// One row group of a file whose leaves are the writer's (a base file whose
// output schema is OutputFields of its own), with where each row starts in
// each leaf: the form in which merged slices copy the rows a log leaves
// untouched, column by column, without making a value of each.
class BaseRows {
 public:
  // `batch` holds every leaf. kCorruption when its levels do not hold
  // batch.num_rows rows.
  static Result<BaseRows> Make(parquet::RowGroupBatch batch);

  int64_t num_rows() const { return batch_.num_rows; }
  size_t num_leaves() const { return batch_.columns.size(); }
  const parquet::ColumnBatch& leaf(size_t i) const { return batch_.columns[i]; }
  // Level entries [EntryAt(i, r), EntryAt(i, r + 1)) and values
  // [ValueAt(i, r), ValueAt(i, r + 1)) of leaf i belong to row r.
  int64_t EntryAt(size_t i, int64_t r) const {
    return entry_starts_[i].empty() ? r : entry_starts_[i][static_cast<size_t>(r)];
  }
  int64_t ValueAt(size_t i, int64_t r) const {
    return value_starts_[i].empty() ? r : value_starts_[i][static_cast<size_t>(r)];
  }

 private:
  parquet::RowGroupBatch batch_;
  std::vector<std::vector<int64_t>> entry_starts_;  // per leaf; empty: entry r is row r
  std::vector<std::vector<int64_t>> value_starts_;  // per leaf; empty: value r is row r
};

// Writes rows of an output schema (OutputFields or ToParquetFields) into a
// parquet file, a row group every `rows_per_group` rows. Rows come one at a
// time (Add) or as ranges of a base row group (AddBaseRows), in any mix: the
// file holds them in the order they came, and a base row copied by
// AddBaseRows is written exactly as Add of its value would write it.
class RowWriter {
 public:
  static Result<std::unique_ptr<RowWriter>> Create(std::vector<parquet::NestedField> fields,
                                                   int64_t rows_per_group = 65536);
  ~RowWriter();
  const parquet::Schema& schema() const { return writer_->schema(); }
  Status Add(const Value& row);
  // Rows [begin, end) of `rows`, whose leaves must be this writer's
  // (kInternal otherwise).
  Status AddBaseRows(const BaseRows& rows, int64_t begin, int64_t end);
  int64_t rows() const { return rows_; }
  Result<std::string> Finish();

 private:
  class Columns;
  RowWriter() = default;
  Status Flush();

  std::unique_ptr<parquet::NestedParquetWriter> writer_;
  std::unique_ptr<Columns> columns_;
  int64_t rows_per_group_ = 65536;
  int64_t pending_ = 0;  // rows in columns_
  int64_t rows_ = 0;
};

}  // namespace lakeshare::hudi
