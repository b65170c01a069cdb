// Hudi table schemas: the Avro schema a commit (or hoodie.properties)
// records, parsed into a small tree, turned into the Spark-JSON struct type
// of a Delta Sharing `schemaString`, and into the parquet schema Hudi's
// writers give base files (for merged slices that have no base file).
//
// Spark types: boolean, int -> integer (date -> date), long -> long
// (timestamp-millis/micros -> timestamp, local-timestamp-* -> timestamp_ntz),
// float, double, string/enum/uuid -> string, bytes/fixed -> binary
// (decimal -> decimal(p,s)), record -> struct, array -> array, map -> map;
// a union with null is the nullable other branch, other unions become
// structs of member0, member1, ... (as Spark's Avro reader does). The
// `_hoodie_*` meta fields that Hudi's writers put in every base file come
// first.
//
// Pure functions; thread-safe. Malformed schemas are kCorruption.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/nested_writer.h"

namespace lakeshare::hudi {

struct AvroType {
  enum class Kind {
    kNull,
    kBoolean,
    kInt,
    kLong,
    kFloat,
    kDouble,
    kBytes,
    kString,
    kFixed,
    kEnum,
    kRecord,
    kArray,
    kMap,
    kUnion
  };
  Kind kind = Kind::kNull;
  std::string logical;  // logicalType ("date", "decimal", "timestamp-micros", ...)
  int precision = 0, scale = 0;
  int64_t size = 0;                  // fixed
  std::string name;                  // records, enums, fixed
  std::vector<std::string> symbols;  // enums
  struct Field {
    std::string name;
    std::shared_ptr<const AvroType> type;
  };
  std::vector<Field> fields;                              // records
  std::vector<std::shared_ptr<const AvroType>> branches;  // unions; arrays/maps: the item type

  // A union holding null.
  bool Nullable() const;
  // The non-null branch of a ["null", X] union (or this type itself).
  const AvroType& NonNull() const;
  const Field* FindField(std::string_view name) const;
};

Result<std::shared_ptr<const AvroType>> ParseAvroSchema(std::string_view json);

// The five meta fields, in file order.
const std::vector<std::string>& MetaFieldNames();

struct SparkSchemaOptions {
  bool meta_fields = true;
  bool operation_field = false;  // _hoodie_operation
  // Partition columns missing from the schema are appended as strings.
  std::vector<std::string> partition_columns;
};

struct SparkSchema {
  std::string json;
  bool has_timestamp_ntz = false;
};

// `record` must be a record type.
Result<SparkSchema> ToSparkSchema(const AvroType& record, const SparkSchemaOptions& options);

// The parquet fields Hudi writes for `record` (meta fields first when asked).
Result<std::vector<parquet::NestedField>> ToParquetFields(const AvroType& record, bool meta_fields);

}  // namespace lakeshare::hudi
