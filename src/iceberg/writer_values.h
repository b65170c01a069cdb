// How the Iceberg table writer (iceberg_writer.h) turns column data into
// Iceberg's forms: type names, the parquet and Avro types of a column, a
// partition value's text (for Hive-style folders) and its Avro field, and a
// value's single-value serialization (manifest bounds). Pure functions:
// thread-safe. kInternal when a value does not fit its Avro field (a bug in
// the caller).
#pragma once

#include <avro.h>

#include <cstddef>
#include <optional>
#include <string>

#include "common/status.h"
#include "iceberg/iceberg_schema.h"
#include "parquet/parquet_writer.h"

namespace lakeshare::iceberg {

// The Iceberg type name of a writable type; nullptr for the others.
const char* IcebergTypeName(TypeId t);
parquet::ColumnType ParquetTypeOf(TypeId t);
// The Avro type (JSON) of a partition field of this source type.
std::string AvroPartitionType(TypeId t);

size_t RowCount(const parquet::ColumnData& c);
bool IsValid(const parquet::ColumnData& c, size_t row);
bool SameValue(const parquet::ColumnData& c, size_t a, size_t b);

// The protocol-style text of a partition value (for folder names);
// __HIVE_DEFAULT_PARTITION__ for a null.
std::string PartitionText(TypeId t, const parquet::ColumnData& c, size_t row);
// Sets the Avro partition field to the value at `row` (null for a null).
Status SetPartitionValue(avro_value_t* field, TypeId t, const parquet::ColumnData& c, size_t row);

// Iceberg's single-value serialization of the value at `row` of `data` (the
// bound format of manifests); nullopt for a null.
std::optional<std::string> BoundBytes(TypeId type, const parquet::ColumnData& data, size_t row);

}  // namespace lakeshare::iceberg
