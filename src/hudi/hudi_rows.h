// Rows of Hudi data, shaped by a parquet schema: how the server reads a
// base file or parquet log block, turns Avro log records into the same
// shape, and writes merged rows with our own parquet writer.
//
// A Value mirrors the parquet schema node it belongs to: a leaf is a scalar
// (INT32/INT64 as kInt, FLOAT/DOUBLE as kDouble, BYTE_ARRAY and
// FIXED_LEN_BYTE_ARRAY as kBytes, INT96 as kInt microseconds), a group a
// kGroup with one child per schema child, and a REPEATED node a kList of its
// elements' values (so a LIST column is a group holding a list of
// "list" groups holding the element). kNull is a null (or absent) value.
//
// The output schema of merged files is the input's with fixed-length byte
// arrays written as byte arrays (decimals keep their logical type) and INT96
// timestamps as INT64 microseconds, the forms our writer writes.
//
// Not thread-safe per object; distinct objects are independent. Malformed
// input is kCorruption; shapes that cannot be converted are kUnsupported.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "hudi/hudi_avro.h"
#include "hudi/hudi_schema.h"
#include "parquet/nested_writer.h"
#include "parquet/parquet_reader.h"
#include "storage/storage.h"

namespace lakeshare::hudi {

struct Value {
  enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kBytes, kGroup, kList };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  double d = 0;
  std::string s;
  std::vector<Value> children;

  bool IsNull() const { return kind == Kind::kNull; }
};

// A parquet file in Storage for the parquet reader (ranged reads).
std::shared_ptr<const RandomAccessFile> StorageRandomAccessFile(std::shared_ptr<Storage> storage,
                                                                std::string path, uint64_t size,
                                                                std::string name);

// The rows of one row group of `reader`, each a kGroup of the root's
// children.
Result<std::vector<Value>> ReadRowGroupRows(const parquet::ParquetReader& reader, int row_group);

// The output fields for rows of `schema` (see the file comment).
std::vector<parquet::NestedField> OutputFields(const parquet::FileMetaData& metadata);

// Realigns a row of schema `from` to schema `to` (fields matched by name at
// every level; missing fields become null). kUnsupported when a field
// changes shape.
Result<Value> AlignRow(const Value& row, const parquet::Schema& from, const parquet::Schema& to);

// Converts an Avro record (of writer type `type`) to a row of `to`.
Result<Value> AvroToRow(const AvroValue& record, const AvroType& type, const parquet::Schema& to);

// The top-level field `name` of a row (nullptr when the schema has none).
const Value* RowField(const Value& row, const parquet::Schema& schema, std::string_view name);

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
