// Writes Hudi tables with lakeshare's own code: the demo's Hudi table,
// `lakeshare generate-hudi` (synthetic tables for benchmarks) and tables
// the tests need that no sample has (cleans, archived timelines, large
// merge-on-read slices).
//
// A synthetic table has the Avro schema {id: long, ts: long, day: string,
// value: double, name: string} (ts the ordering field, id the record key,
// day the hive-style partition), the five meta fields in its base files, and
// `files` file groups written by `commits` insert commits (commit metadata
// JSON for table version 6, Avro for 9). Merge-on-read tables can then get a
// deltacommit updating a fraction of every group's rows (Avro log blocks)
// and one deleting a fraction (delete blocks). Optional: a commit rewriting
// the first file group followed by a clean of its old slice, and the first
// instants moved to the archived timeline (version 6: an archive log file;
// version 9: the LSM timeline). With `cdc` (copy-on-write), a commit
// rewrites the first file group (deleting a row, updating the others,
// inserting one) and logs its changes as Hudi does: a `-cdc` log file of CDC
// data blocks in the table's supplemental logging mode, listed in the write
// stat's cdcStats.
//
// Not thread-safe; writes only under options.dir. Errors: kFailedPrecondition
// when the folder already holds a table, kIOError for file system failures.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace lakeshare::hudi {

struct SyntheticTableOptions {
  std::string dir;
  int table_version = 9;  // 6 or 9
  bool merge_on_read = false;
  int64_t files = 1000;  // file groups
  int64_t commits = 10;  // insert commits the groups are spread over
  int64_t rows_per_file = 10;
  int64_t partitions = 10;
  double update_fraction = 0;      // merge-on-read: rows of each group updated in one deltacommit
  double delete_fraction = 0;      // merge-on-read: rows of each group deleted in one deltacommit
  bool rewrite_and_clean = false;  // rewrite group 0, then clean its old slice
  // hoodie.table.cdc.enabled. Copy-on-write: group 0 is rewritten (its old
  // slice cleaned only with rewrite_and_clean), the changes logged in
  // `cdc_mode` (data_before_after, data_before or op_key_only).
  // Merge-on-read: the property only (Hudi infers changes from log files).
  bool cdc = false;
  std::string cdc_mode = "data_before_after";
  // A last replacecommit (INSERT_OVERWRITE) retires every group of the last
  // partition and writes one new group of rows_per_file new rows there.
  bool overwrite_partition = false;
  // Copy-on-write: a last DELETE commit removes every row of group 0 (its
  // new base file is empty; no change log).
  bool delete_group = false;
  int64_t archive_instants = 0;              // the first N instants go to the archived timeline
  bool metadata_only = false;                // write the timeline only, no data files
  int64_t first_instant_ms = 1704067200000;  // 2024-01-01T00:00:00Z
  uint64_t seed = 1;
};

struct SyntheticTable {
  int64_t latest_version = 0;
  int64_t base_files = 0;
  int64_t log_files = 0;
  int64_t rows = 0;  // live rows at the latest version
};

Result<SyntheticTable> GenerateSyntheticHudiTable(const SyntheticTableOptions& options);

// The demo's table: `trips`, merge-on-read, version 9, partitioned by city,
// with an update and a delete in log files. Returns the table folder's name.
Result<std::string> WriteDemoHudiTable(const std::string& dir);

}  // namespace lakeshare::hudi
