// Iceberg types and schemas (table spec "Schemas and Data Types", format
// v1-v3): parsing from table metadata JSON, conversion to the Spark-JSON
// struct type of a Delta Sharing `schemaString`, and the per-type value
// forms the protocol needs (single-value binary bounds -> stats JSON,
// partition values -> protocol strings).
//
// Type mapping to Spark (documented in src/iceberg/README.md): int->integer,
// timestamp (without zone) and timestamp_ns -> timestamp_ntz, timestamptz and
// timestamptz_ns -> timestamp, time -> long (microseconds after midnight, as
// stored), uuid/fixed/binary/geometry/geography -> binary, unknown -> void,
// variant -> variant, list -> array, map -> map; nullable = !required.
//
// Everything here is pure and thread-safe. Parse errors are kCorruption.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare::iceberg {

enum class TypeId {
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kDecimal,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kTimestampNs,
  kTimestampTzNs,
  kString,
  kUuid,
  kFixed,
  kBinary,
  kVariant,
  kUnknown,
  kGeometry,
  kGeography,
  kStruct,
  kList,
  kMap,
};

struct Type;

struct NestedField {
  int32_t id = 0;
  std::string name;
  bool required = false;
  std::shared_ptr<const Type> type;
  std::optional<std::string> doc;
  bool has_initial_default = false;  // v3 initial-default present and not null
  std::string initial_default;       // its JSON text (when present and not null)
};

struct Type {
  TypeId id = TypeId::kString;
  int precision = 0, scale = 0;  // decimal
  int64_t length = 0;            // fixed
  // struct: its fields; list: one field (the element); map: key then value.
  std::vector<NestedField> fields;

  bool is_nested() const {
    return id == TypeId::kStruct || id == TypeId::kList || id == TypeId::kMap;
  }
};

struct Schema {
  int32_t schema_id = 0;
  std::vector<NestedField> fields;  // the top-level struct
};

// "decimal(10, 2)" etc. for messages.
std::string TypeName(const Type& type);

Result<Schema> ParseSchema(const boost::json::value& json);

// The Spark-JSON struct type of the schema. With `column_mapping_ids`, every
// struct field's metadata has Delta column mapping's `delta.columnMapping.id`
// (the Iceberg field id), `delta.columnMapping.physicalName` (its name) and,
// for lists and maps, `delta.columnMapping.nested.ids` (element/key/value ids).
std::string SparkSchemaString(const Schema& schema, bool column_mapping_ids = false);
// Column mapping mode `name`: every struct field's metadata has
// `delta.columnMapping.id` and `delta.columnMapping.physicalName` =
// `physical_names[id]` (its name when absent).
std::string SparkSchemaString(const Schema& schema,
                              const std::map<int32_t, std::string>& physical_names);
// The Spark type name of a primitive ("integer", "decimal(10,2)", ...).
std::string SparkPrimitiveName(const Type& type);

// Every field reachable from the top level through structs only (the ones
// that can have stats), with the names of its path, in schema order.
struct FieldPath {
  const NestedField* field = nullptr;
  std::vector<std::string> names;
};
void CollectStructFields(const std::vector<NestedField>& fields, std::vector<FieldPath>* out);

// A bound from a manifest (Iceberg single-value serialization) as a stats
// JSON value ("5", "\"abc\"", "\"2021-01-01T00:00:00.000000Z\""...), or
// nullopt when the type has no stats form or the bytes do not fit the type.
std::optional<std::string> BoundToStatsJson(const Type& type, std::string_view bytes);
// The same appended to `out`; false (and `out` unchanged) for no value.
bool AppendBoundStatsJson(std::string* out, const Type& type, std::string_view bytes);

// A partition value from a manifest's partition tuple, as Avro gave it.
struct PartitionDatum {
  enum class Kind { kNull, kInt, kDouble, kBool, kBytes } kind = Kind::kNull;
  int64_t i = 0;
  double d = 0;
  bool b = false;
  std::string bytes;  // strings, bytes, fixed, decimals (big-endian unscaled)
};

// Source types whose identity-partition values become protocol partition
// values (the others stay in the files only).
bool IsExposablePartitionType(const Type& type);
// The types whose v3 initial defaults can be partition values: those and
// the nanosecond timestamps (served as microseconds: Spark's precision; their
// datums below hold microseconds, exact ones only).
bool IsDefaultPartitionType(const Type& type);
// The protocol string form (Delta Sharing's PROTOCOL.md, "Partition Value Serialization")
// of an identity-partition value of `type`; nullopt for null. kCorruption
// when the datum does not fit.
Result<std::optional<std::string>> PartitionValueString(const Type& type,
                                                        const PartitionDatum& datum);

// The partition datum of a column's value given as a manifest bound (Iceberg
// single-value serialization; 4-byte bounds of promoted long/double columns
// accepted; nanosecond timestamps as microseconds when exactly that), as an
// identity partition would hold it; nullopt when the bytes do not fit the
// type or the type has no partition form.
std::optional<PartitionDatum> BoundToPartitionDatum(const Type& type, std::string_view bytes);

// The partition datum of a field's v3 `initial-default` (Iceberg's JSON
// single-value serialization, e.g. -1, "123.45", "2024-01-01", "abc",
// "22:31:08.123456", "2017-11-16T22:31:08.123456[+00:00]", a uuid's text, hex
// for fixed and binary), for the types IsDefaultPartitionType accepts
// (nanosecond timestamps as microseconds); nullopt for other types (nested)
// or a value that does not parse or has digits below a microsecond.
std::optional<PartitionDatum> DefaultToPartitionDatum(const NestedField& field);

// Decimal text of an unscaled big-endian two's-complement integer with
// `scale` digits after the point ("-12.345"). nullopt above 16 bytes.
std::optional<std::string> DecimalString(std::string_view big_endian, int scale);

}  // namespace lakeshare::iceberg
