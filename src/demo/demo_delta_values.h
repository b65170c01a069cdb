// The demo tables' vocabulary (fields, cells, table specs) and how their
// values are written into a Delta log and its parquet files: the schema
// string (with column-mapping ids and physical names when the table maps
// columns), Delta `stats`, partition values and parquet column data. Used
// by DemoDeltaWriter (demo_delta_writer.h).
//
// Pure functions; thread-safe. Cells must hold the alternative their
// field's type names (see DemoValue); anything else is a programming error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "parquet/parquet_writer.h"

namespace lakeshare {

enum class DemoFieldType { kLong, kInteger, kDouble, kString, kDate, kTimestamp, kBoolean };

struct DemoField {
  std::string name;  // the logical name (a rename changes it)
  DemoFieldType type;
  bool nullable;
  std::string comment;  // empty: none
  // With column mapping (set by the writer): delta.columnMapping.id and
  // .physicalName, the name the parquet files and stats use.
  int32_t id = 0;
  std::string physical_name;
};

// A cell: null, or the value in the representation of its DemoFieldType
// (int32 days for dates, int64 microseconds for timestamps).
using DemoValue = std::variant<std::monostate, bool, int32_t, int64_t, double, std::string>;
using DemoRow = std::vector<DemoValue>;  // one cell per field, partition columns included

struct DemoTableSpec {
  std::string name;
  std::string description;
  std::vector<DemoField> fields;
  std::vector<std::string> partition_columns;
  // Table properties; delta.enableChangeDataFeed, delta.enableDeletionVectors
  // and delta.columnMapping.mode ("name") switch the writer's features on.
  std::vector<std::pair<std::string, std::string>> configuration;
};

// The value of a table property, nullopt when unset.
std::optional<std::string> DemoConfiguration(const DemoTableSpec& spec, const std::string& key);
bool IsDemoPartitionColumn(const DemoTableSpec& spec, const std::string& name);
// The name in parquet files, stats and partition values: the physical name
// with column mapping, else the field's name.
const std::string& DemoPhysicalName(const DemoField& field);

parquet::ColumnType DemoParquetType(DemoFieldType type);
// Column `c` of `rows` as our parquet writer takes it.
parquet::ColumnData DemoColumn(const DemoTableSpec& spec, const std::vector<DemoRow>& rows,
                               size_t c);

// Delta's partition value serialization (PROTOCOL.md "Partition Value
// Serialization"); nullopt is a null partition.
std::optional<std::string> DemoPartitionValue(const DemoValue& value, DemoFieldType type);

// The metaData.schemaString of `spec` (Spark's JSON struct type).
std::string DemoSchemaString(const DemoTableSpec& spec);

// Delta file statistics of `rows`, as Spark collects them: numRecords,
// min/max for numbers, dates, timestamps and strings (not booleans; left
// out for an all-null column), null counts for every data column; keyed by
// physical names. With `tight_bounds`, also "tightBounds" (what tables
// with deletion vectors record: false once a DV hides rows of the file).
std::string DemoStatsJson(const DemoTableSpec& spec, const std::vector<DemoRow>& rows,
                          std::optional<bool> tight_bounds = std::nullopt);

}  // namespace lakeshare
