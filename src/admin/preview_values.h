// The values of the admin API's table preview (table_preview.h): a table's
// Spark schema (as Delta metadata records it, and as the other formats
// present theirs) parsed for reading rows, and parquet row values
// (parquet/row_values.h) or partition values written as JSON by that schema:
// integers and booleans as such, strings as text, binary as base64, dates
// and timestamps in ISO-8601, decimals exact as strings, structs as objects,
// arrays as arrays, maps as objects (string keys) or [key, value] pairs.
//
// Large values are cut: strings and binary beyond ValueLimits, and a nested
// value whose JSON text exceeds max_nested_bytes becomes that text, cut; the
// caller is told (`*truncated`). Pure functions; thread-safe. A schema that
// does not parse is kCorruption; one nested too deeply kUnsupported.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/parquet_schema.h"
#include "parquet/row_values.h"

namespace lakeshare {

struct SparkField;

// A Spark SQL type: a primitive ("long", "decimal(10,2)", "timestamp", ...),
// a struct, an array (children[0]: the element) or a map (children[0]: key,
// children[1]: value).
struct SparkType {
  enum class Kind { kPrimitive, kStruct, kArray, kMap };
  Kind kind = Kind::kPrimitive;
  std::string name;   // kPrimitive: as the schema writes it
  int32_t scale = 0;  // decimals
  std::vector<SparkField> fields;
  std::vector<SparkType> children;
  boost::json::value json;  // the type as the schema writes it
};

struct SparkField {
  std::string name;           // logical
  std::string physical_name;  // in data files (column mapping), else name
  SparkType type;
};

// The top-level fields of a Spark-JSON struct type.
Result<std::vector<SparkField>> ParseSparkSchema(std::string_view schema_string);

struct ValueLimits {
  size_t max_string_chars = 1000;  // strings: UTF-8 characters kept
  size_t max_binary_bytes = 750;   // binary: bytes kept (1 000 base64 characters)
  size_t max_nested_bytes = 4096;  // structs, arrays, maps: JSON text kept
};

// `v`, read from parquet node `node` of `schema`, as JSON of type `type`.
boost::json::value RowValueJson(const parquet::RowValue& v, const SparkType& type,
                                const parquet::Schema& schema, const parquet::SchemaNode& node,
                                const ValueLimits& limits, bool* truncated);

// A partition value as the log records it (text; nullopt: null) as JSON of
// `type`.
boost::json::value PartitionValueJson(const std::optional<std::string>& text, const SparkType& type,
                                      const ValueLimits& limits, bool* truncated);

// The child of `parent` holding `field` (by physical name, then by logical
// name, then ignoring case), or nullptr.
const parquet::SchemaNode* ChildForField(const parquet::Schema& schema,
                                         const parquet::SchemaNode& parent,
                                         const SparkField& field);

}  // namespace lakeshare
