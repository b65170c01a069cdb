// Decoding one row group of a parquet Delta checkpoint (classic, multi-part
// part, V2 top-level file or sidecar) into the actions it holds: protocol,
// metaData, sidecar, checkpointMetadata and add (path, partitionValues,
// size, modificationTime, dataChange, stats, deletion vector, tags).
//
// Only the columns a file offers and the reader needs are decoded
// (PlanColumns, once per file). The non-file actions occupy a few rows of a
// classic checkpoint, so their columns are decoded only in row groups where
// their first leaf may be non-null (its null count, else its levels when
// probing is cheap). stats and partition values come from the string forms,
// else from stats_parsed / partitionValues_parsed (or from those first when
// the options prefer them). Files of one partition share one set of
// partition values.
//
// Errors: kCorruption naming the file, row group and row. Thread-safe: row
// groups of one reader may be decoded at the same time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "delta/delta_actions.h"
#include "delta/delta_checkpoint.h"
#include "delta/loaded_files.h"
#include "parquet/parquet_reader.h"
#include "table/table_format.h"

namespace lakeshare {

// The leaf columns one checkpoint file offers, resolved once per file.
struct CheckpointColumnPlan {
  std::vector<int> main;  // add (minus the optional parts)
  // The non-file actions (protocol, metaData, sidecar, checkpointMetadata).
  struct Action {
    std::vector<int> leaves;
    int probe = -1;  // the first leaf
  };
  std::vector<Action> actions;
  std::vector<int> stats;         // add.stats
  std::vector<int> pv_map;        // add.partitionValues
  std::vector<int> stats_parsed;  // add.stats_parsed
  std::vector<int> pv_parsed;     // add.partitionValues_parsed
};

CheckpointColumnPlan PlanCheckpointColumns(const parquet::Schema& schema);

// What one row group (or one JSON file) contributes.
struct CheckpointPart {
  // paths as views into the row group's pages, stats deferred to a second
  // decoding of their column (loaded_files.h).
  LoadedFiles files;
  std::vector<TableProtocol> protocols;
  std::vector<TableMetadata> metadata;
  std::vector<DeltaSidecar> sidecars;
  std::vector<int64_t> checkpoint_versions;
};

// Decodes row group `rg` of `reader` (the file `name`, as messages name it)
// into *out (empty: one part per row group). `read_probes`: whether a read
// of a column chunk of its own is cheap (a local file) rather than a request
// of its own: then columns are read only to see if an action occurs, and the
// stats column is read again rather than its compressed bytes kept.
Status ReadCheckpointRowGroup(const parquet::ParquetReader& reader,
                              const CheckpointColumnPlan& plan, int rg, const std::string& name,
                              bool read_probes, const CheckpointReadOptions& options,
                              CheckpointPart* out);

}  // namespace lakeshare
