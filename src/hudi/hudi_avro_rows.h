// Avro log records as rows (hudi_rows.h's Value) of a parquet schema, so a
// merged file slice holds base-file rows and log records in one shape.
// Fields are matched by name at every level; a field the record lacks is
// null; Avro arrays and maps fill parquet LIST and MAP groups; timestamps
// and decimals convert to the parquet column's unit.
//
// Pure functions; thread-safe. Records that cannot be converted (an Avro
// type that does not fit its column, enums, nesting deeper than
// kMaxRowDepth) are kUnsupported.
#pragma once

#include "common/status.h"
#include "hudi/hudi_avro.h"
#include "hudi/hudi_rows.h"
#include "hudi/hudi_schema.h"
#include "parquet/parquet_reader.h"

namespace lakeshare::hudi {

// Converts an Avro record (of writer type `type`) to a row of `to`.
Result<Value> AvroToRow(const AvroValue& record, const AvroType& type, const parquet::Schema& to);

}  // namespace lakeshare::hudi
