// A parquet writer for flat schemas (no nesting): enough for demo and
// synthetic Delta tables, and readable by Spark, DuckDB, Arrow and friends.
//
// Output: data page v1, PLAIN values, definition levels (nullable columns) in
// the RLE/bit-packed hybrid with a 4-byte length prefix, one column chunk per
// column per row group, per-chunk Statistics (min_value/max_value in the
// type's sort order, null_count) and TYPE_ORDER column orders. Pages are
// compressed with the chosen codec (SNAPPY by default).
//
// Input is column-oriented: one ColumnData per column per row group, holding a
// value for every row (the value at a null row is ignored) and an optional
// validity vector. The writer validates the input (vector type per column,
// equal row counts, no nulls in required columns, valid UTF-8 in strings,
// INT8/INT16 ranges) and reports problems as kInvalidArgument.
//
// A ParquetWriter holds the whole file in memory until Finish. Not
// thread-safe; distinct writers are independent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "parquet/file_assembler.h"
#include "parquet/parquet_metadata.h"

namespace lakeshare::parquet {

// The column types the writer supports. Each comment gives the parquet
// physical type and annotation, then the vector type of its values.
enum class ColumnType {
  kBoolean,          // BOOLEAN                                   std::vector<bool>
  kInt8,             // INT32, INTEGER(8, signed) / INT_8         std::vector<int32_t>
  kInt16,            // INT32, INTEGER(16, signed) / INT_16       std::vector<int32_t>
  kInt32,            // INT32                                     std::vector<int32_t>
  kInt64,            // INT64                                     std::vector<int64_t>
  kFloat,            // FLOAT                                     std::vector<float>
  kDouble,           // DOUBLE                                    std::vector<double>
  kString,           // BYTE_ARRAY, STRING / UTF8                 std::vector<std::string>
  kBinary,           // BYTE_ARRAY                                std::vector<std::string>
  kDate,             // INT32, DATE: days since 1970-01-01        std::vector<int32_t>
  kTimestampMicros,  // INT64, TIMESTAMP(UTC, MICROS) / TIMESTAMP_MICROS:
                     // microseconds since the epoch              std::vector<int64_t>
};

struct ColumnSpec {
  ColumnSpec() = default;
  ColumnSpec(std::string name, ColumnType type, bool nullable = true,
             std::optional<int32_t> field_id = std::nullopt)
      : name(std::move(name)), type(type), nullable(nullable), field_id(field_id) {}

  std::string name;
  ColumnType type = ColumnType::kInt64;
  bool nullable = true;             // OPTIONAL with definition levels, else REQUIRED
  std::optional<int32_t> field_id;  // SchemaElement.field_id (Delta column mapping)
};

struct ParquetSchema {
  std::vector<ColumnSpec> columns;
};

using ColumnValues =
    std::variant<std::vector<bool>, std::vector<int32_t>, std::vector<int64_t>, std::vector<float>,
                 std::vector<double>, std::vector<std::string>>;
// The index of the ColumnValues alternative that holds values of physical
// type `t`; std::variant_npos for types the writers do not write.
size_t ColumnValuesIndex(Type t);

// One column of one row group.
struct ColumnData {
  ColumnValues values;         // one entry per row; entries at null rows are ignored
  std::vector<bool> validity;  // empty: every row is valid; else one per row, false = null
};

struct WriterOptions {
  CompressionCodec codec = CompressionCodec::kSnappy;  // any codec compression.h compresses
  // A data page ends once its values reach this many bytes (before
  // compression) or it holds max_rows_per_page rows.
  int64_t data_page_size = 1 << 20;
  int64_t max_rows_per_page = 20000;
  bool write_statistics = true;
  // min/max are left out of a chunk's statistics when either is longer.
  size_t max_statistics_size = 4096;
  // Empty: "lakeshare version <version>" (the form parquet-mr parses).
  std::string created_by;
  std::vector<KeyValue> key_value_metadata;
};

class ParquetWriter {
 public:
  // kInvalidArgument for an empty schema or empty/duplicate column names.
  static Result<ParquetWriter> Create(ParquetSchema schema, WriterOptions options = {});

  // Encodes one row group: `columns` in schema order. A row group with zero
  // rows is skipped. On error nothing is added and the writer stays usable.
  Status AddRowGroup(const std::vector<ColumnData>& columns);

  // Appends the footer and returns the whole file; the writer is then
  // finished (further calls are kFailedPrecondition).
  Result<std::string> Finish();

  // The footer as written (complete after Finish).
  const FileMetaData& metadata() const { return file_.metadata(); }

 private:
  ParquetWriter(ParquetSchema schema, WriterOptions options);

  ParquetSchema schema_;
  WriterOptions options_;
  FileAssembler file_;
};

// Writes a whole file in one call.
Result<std::string> WriteParquetFile(const ParquetSchema& schema,
                                     const std::vector<std::vector<ColumnData>>& row_groups,
                                     const WriterOptions& options = {});

// Builds the schema elements (root "schema" first) the writer records for
// `schema`; exposed for tests and for readers that compare schemas.
std::vector<SchemaElement> ToSchemaElements(const ParquetSchema& schema);

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code
// points above U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace lakeshare::parquet
