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

// Writes rows of an output schema (OutputFields or ToParquetFields) into a
// parquet file, a row group every `rows_per_group` rows.
class RowWriter {
 public:
  static Result<std::unique_ptr<RowWriter>> Create(std::vector<parquet::NestedField> fields,
                                                   int64_t rows_per_group = 65536);
  const parquet::Schema& schema() const { return writer_->schema(); }
  Status Add(Value row);
  int64_t rows() const { return rows_; }
  Result<std::string> Finish();

 private:
  RowWriter() = default;
  Status Flush();

  std::unique_ptr<parquet::NestedParquetWriter> writer_;
  int64_t rows_per_group_ = 65536;
  std::vector<Value> pending_;
  int64_t rows_ = 0;
};

}  // namespace lakeshare::hudi
