// The demo's sample Iceberg table, written by our own code
// (src/iceberg/iceberg_writer.h: parquet data files, Avro manifests via
// libavro, metadata JSON).
//
// WriteDemoIcebergTables(dir) creates, under `dir`:
//   events  format v2, partitioned by `country` (identity; one file has a
//           null country); three append snapshots 1 s apart, the last just
//           before now. Data is deterministic.
//
// Errors: kFailedPrecondition if a table folder already exists, kIOError
// when the file system fails. Thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "demo/demo_tables.h"

namespace lakeshare {

Result<std::vector<DemoTable>> WriteDemoIcebergTables(const std::string& dir);

}  // namespace lakeshare
