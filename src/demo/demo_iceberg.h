// The demo's sample Iceberg table and the synthetic Iceberg generator, both
// written by our own code (src/iceberg/iceberg_writer.h: parquet data files,
// Avro manifests via libavro, metadata JSON).
//
// WriteDemoIcebergTables(dir) creates, under `dir`:
//   events  format v2, partitioned by `country` (identity; one file has a
//           null country); three append snapshots 1 s apart, the last just
//           before now. Data is deterministic.
//
// GenerateIcebergTable writes a large synthetic table for benchmarks: `files`
// data files over `snapshots` append snapshots, partitioned by `day`, with
// `files_per_manifest` entries per manifest.
//
// Errors: kFailedPrecondition if a table folder already exists, kIOError
// when the file system fails. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "demo/demo_tables.h"

namespace lakeshare {

Result<std::vector<DemoTable>> WriteDemoIcebergTables(const std::string& dir);

struct IcebergGeneratorOptions {
  std::string dir;        // the table folder (created; must not hold a table)
  int64_t files = 1000;   // data files in the latest snapshot
  int64_t snapshots = 1;  // append snapshots the files are spread over
  int64_t rows_per_file = 10;
  size_t files_per_manifest = 10000;
  bool write_data = true;  // false: manifests only (no parquet files)
};

struct GeneratedIcebergTable {
  int64_t latest_version = 0;
  int64_t files = 0;
  int64_t rows = 0;
};

Result<GeneratedIcebergTable> GenerateIcebergTable(const IcebergGeneratorOptions& options);

}  // namespace lakeshare
