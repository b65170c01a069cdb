// Rows of a parquet file as values shaped by its schema: how the server
// reads whole rows (Hudi base files and parquet log blocks, the admin API's
// table preview) and realigns rows written under an older schema. Hudi
// names them hudi::Value (hudi/hudi_rows.h).
//
// A RowValue mirrors the parquet schema node it belongs to: a leaf is a scalar
// (INT32/INT64 as kInt, FLOAT/DOUBLE as kDouble, BYTE_ARRAY and
// FIXED_LEN_BYTE_ARRAY as kBytes, INT96 as kInt microseconds), a group a
// kGroup with one child per schema child, and a REPEATED node a kList of its
// elements' values (so a LIST column is a group holding a list of
// "list" groups holding the element). kNull is a null (or absent) value.
//
// Pure functions over values the caller holds; thread-safe. Malformed input
// is kCorruption; shapes that cannot be converted are kUnsupported.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/parquet_reader.h"

namespace lakeshare::parquet {

struct RowValue {
  enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kBytes, kGroup, kList };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  double d = 0;
  std::string s;
  std::vector<RowValue> children;

  bool IsNull() const { return kind == Kind::kNull; }
};

// How deeply rows may nest (deeper schemas are refused or cut off).
inline constexpr int kMaxRowDepth = 64;

// The rows of one row group of `reader`, each a kGroup of the root's
// children; only the first `max_rows` become values (the columns are
// decoded whole either way).
Result<std::vector<RowValue>> ReadRowGroupRows(const ParquetReader& reader, int row_group,
                                               int64_t max_rows = INT64_MAX);

// Realigns a row of schema `from` to schema `to` (fields matched by name at
// every level; missing fields become null). kUnsupported when a field
// changes shape.
Result<RowValue> AlignRow(const RowValue& row, const Schema& from, const Schema& to);

// The top-level field `name` of a row (nullptr when the schema has none).
const RowValue* RowField(const RowValue& row, const Schema& schema, std::string_view name);

}  // namespace lakeshare::parquet
