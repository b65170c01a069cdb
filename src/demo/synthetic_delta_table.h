// A synthetic Delta table for benchmarks and load tests: N active files
// stored as a classic parquet checkpoint (our own writer, snappy, row groups
// of options.rows_per_row_group) at version 0, then K JSON commits that each
// add and remove a few files, and `_last_checkpoint`. With H commits before
// the checkpoint, the log starts as a writer leaves it: JSON commit 0 (the
// protocol, metaData and the N files), commits 1..H like the later ones,
// the checkpoint of version H, then the K commits. Paths look like
// Spark's (`date=2024-01-01/part-00042-<uuid>.c000.snappy.parquet`), every
// file has a date partition value and ~200 bytes of stats. Only the log is
// written: the data files do not exist, but the log is valid for any Delta
// reader. Deterministic for a given seed. Commits go through the one writer
// of Delta actions (delta/delta_action_writer.h), the checkpoint through
// delta/delta_checkpoint_writer.h.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare {

// Progress of a long generation: a stage ("files", "checkpoint", "commits")
// and how far it is (done of total), called now and then from the
// generating thread.
using GeneratorProgress = std::function<void(std::string_view stage, int64_t done, int64_t total)>;

struct SyntheticTableOptions {
  int64_t files = 1000000;                // active files at the checkpoint
  int64_t commits = 100;                  // JSON commits after it
  int64_t commits_before_checkpoint = 0;  // H
  int64_t partitions = 365;
  int64_t adds_per_commit = 10;
  int64_t removes_per_commit = 10;
  int64_t rows_per_row_group = 100000;
  uint64_t seed = 20240601;
  int64_t first_timestamp_ms = 1700000000000;  // the checkpoint's; commits follow a minute apart
  GeneratorProgress progress;                  // optional
};

struct SyntheticTableSummary {
  int64_t checkpoint_version = 0;
  int64_t latest_version = 0;
  int64_t active_files = 0;  // at the latest version
  int64_t checkpoint_bytes = 0;
};

// Writes the table under `dir` (created; an existing _delta_log is refused
// with kFailedPrecondition).
Result<SyntheticTableSummary> GenerateSyntheticTable(const std::string& dir,
                                                     const SyntheticTableOptions& options);

}  // namespace lakeshare
