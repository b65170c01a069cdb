// Sample Delta tables for demos, tutorials and end-to-end tests, written from
// scratch with our own parquet writer (no Spark, no external files), commit
// by commit with DemoDeltaWriter (demo_delta_writer.h).
//
// WriteDemoTables(dir) creates, under `dir`:
//   sales      partitioned by `region` (incl. a value that needs Hive escaping
//              and a null partition); v0 create, v1 + v2 appends, v3 a
//              copy-on-write DELETE (remove + add of rewritten files).
//   customers  unpartitioned; v0 create, v1 append.
//   members    like customers, with the change data feed on: v0 create, v1
//              append, v2 a DELETE whose rows are in a change data file.
// Each commit is Spark-like NDJSON (commitInfo, protocol, metaData, add,
// remove) with Delta `stats` on every add. Data is deterministic (seeded); the
// timestamps are real: commit i of a table is stamped, and its log file's
// mtime set, 1 s after commit i-1, the last one just before now, so time
// travel by timestamp is meaningful.
//
// Errors: kFailedPrecondition if a table folder already exists (nothing is
// ever overwritten or deleted), kIOError when the file system fails.
// Thread-compatible: concurrent calls must use different `dir`s.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace lakeshare {

struct DemoTable {
  std::string name;         // e.g. "sales"
  std::string location;     // relative to the `dir` given to WriteDemoTables
  std::string description;  // also the table's metaData.description
  bool partitioned = false;
  std::vector<std::string> partition_columns;
  int64_t latest_version = 0;
  int64_t num_files = 0;         // active data files at the latest version
  int64_t num_rows = 0;          // rows at the latest version
  std::string format = "delta";  // the catalog's table format ("delta", "iceberg")
};

Result<std::vector<DemoTable>> WriteDemoTables(const std::string& dir);

}  // namespace lakeshare
