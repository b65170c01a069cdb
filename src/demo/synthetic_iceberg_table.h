// A synthetic Iceberg table for benchmarks and load tests (`lakeshare
// generate-iceberg`): `files` data files over `snapshots` append snapshots,
// identity-partitioned by `day` (100 files a day), with `files_per_manifest`
// entries per manifest; real parquet data files unless write_data is false.
// With delete_fraction > 0, a last "delete" snapshot adds v2 position delete
// files (always written; parquet, or Avro with delete_format "avro") deleting deletes_per_file rows
// (spread over the file) of that fraction of the data files, evenly spaced: one delete file per
// partition (day) holding them, as Spark writes, or one per data file with
// delete_file_per_data_file (Iceberg's file granularity). Written by our own Iceberg writer
// (src/iceberg/iceberg_writer.h). Deterministic data; snapshot times end just before now.
//
// Errors: kInvalidArgument for bad options, kFailedPrecondition if the
// folder already holds a table, kIOError when the file system fails.
// Thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/status.h"
#include "demo/synthetic_delta_table.h"  // GeneratorProgress

namespace lakeshare {

struct IcebergGeneratorOptions {
  std::string dir;        // the table folder (created; must not hold a table)
  int64_t files = 1000;   // data files in the latest snapshot
  int64_t snapshots = 1;  // append snapshots the files are spread over
  int64_t rows_per_file = 10;
  size_t files_per_manifest = 10000;
  bool write_data = true;        // false: manifests only (no parquet files)
  double delete_fraction = 0;    // in [0, 1]
  int64_t deletes_per_file = 3;  // capped at rows_per_file
  bool delete_file_per_data_file = false;
  std::string delete_format = "parquet";  // or "avro"
  // Optional: stage "files" (data files made, of all) after every 10000
  // files and at the end of each snapshot. May be called from several
  // threads at once.
  GeneratorProgress progress;
};

struct GeneratedIcebergTable {
  int64_t latest_version = 0;
  int64_t files = 0;
  int64_t rows = 0;
  int64_t delete_files = 0;
  int64_t files_with_deletes = 0;
  int64_t deleted_rows = 0;
};

Result<GeneratedIcebergTable> GenerateIcebergTable(const IcebergGeneratorOptions& options);

}  // namespace lakeshare
