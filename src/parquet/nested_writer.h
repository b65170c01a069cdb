// NestedParquetWriter: writes parquet files of any schema shape (structs,
// lists, maps) from leaf columns the caller has already shredded into
// definition/repetition levels, the form Delta checkpoints need
// (`add.partitionValues` is a map inside a struct).
//
// Output: data page v1, PLAIN values, RLE/bit-packed hybrid levels (each with
// its 4-byte length), one chunk per leaf per row group, pages cut at record
// boundaries (rep level 0) once they reach options.data_page_size bytes of
// values, compressed with options.codec. No statistics are written for
// nested leaves (readers do not need them).
//
// Input per leaf and row group: the levels (def_levels empty iff the leaf's
// max_def is 0, rep_levels empty iff its max_rep is 0; otherwise one entry
// per level) and the non-null values densely (one per entry whose def level
// is the leaf's max_def) in the ColumnValues vector of its physical type
// (BOOLEAN bool, INT32 int32_t, INT64 int64_t, FLOAT, DOUBLE, BYTE_ARRAY
// std::string). Mismatches (counts, levels out of range, a row count that
// disagrees with the rep-0 entries) are kInvalidArgument.
//
// Holds the file in memory until Finish. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "parquet/file_assembler.h"
#include "parquet/parquet_metadata.h"
#include "parquet/parquet_schema.h"
#include "parquet/parquet_writer.h"

namespace lakeshare::parquet {

// A schema node to build SchemaElements from (the root's children).
struct NestedField {
  std::string name;
  Repetition repetition = Repetition::kOptional;
  std::optional<Type> type;  // set for leaves
  std::optional<ConvertedType> converted_type;
  std::optional<LogicalType> logical_type;
  std::optional<int32_t> scale;       // DECIMAL (legacy converted type)
  std::optional<int32_t> precision;   // DECIMAL (legacy converted type)
  std::vector<NestedField> children;  // groups

  static NestedField Leaf(std::string name, Type type, Repetition r = Repetition::kOptional);
  static NestedField String(std::string name, Repetition r = Repetition::kOptional);
  static NestedField Group(std::string name, std::vector<NestedField> children,
                           Repetition r = Repetition::kOptional);
  // MAP<string, string>: name (MAP) / key_value (repeated) / key (required), value (optional).
  static NestedField StringMap(std::string name);
  // LIST<string>: name (LIST) / list (repeated) / element (optional).
  static NestedField StringList(std::string name);
};

// The flattened, depth-first schema (root "schema" first).
std::vector<SchemaElement> FlattenSchema(const std::vector<NestedField>& fields);

struct LeafChunk {
  std::vector<int16_t> def_levels;
  std::vector<int16_t> rep_levels;
  ColumnValues values;
};

class NestedParquetWriter {
 public:
  static Result<NestedParquetWriter> Create(const std::vector<NestedField>& fields,
                                            WriterOptions options = {});

  const Schema& schema() const { return schema_; }

  // One row group of `num_rows` records: a chunk per leaf, in leaf order.
  Status AddRowGroup(int64_t num_rows, const std::vector<LeafChunk>& leaves);
  Result<std::string> Finish();

 private:
  NestedParquetWriter(Schema schema, WriterOptions options, std::vector<SchemaElement> elements);
  Status EncodeChunk(const SchemaNode& leaf, const LeafChunk& data, int64_t num_rows,
                     ColumnChunk* chunk);

  Schema schema_;
  WriterOptions options_;
  FileAssembler file_;
};

}  // namespace lakeshare::parquet
