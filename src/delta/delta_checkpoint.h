// Reading Delta checkpoints: the state of a table at a version, stored as
// parquet (or, for V2 checkpoints, a JSON or parquet top-level file plus
// parquet sidecars) so readers need not replay every commit.
//
// Kinds: classic (NNN.checkpoint.parquet), multi-part
// (NNN.checkpoint.PPPPPPPPPP.TTTTTTTTTT.parquet, every part), V2
// (NNN.checkpoint.<uuid>.{json,parquet} with `checkpointMetadata` and
// `sidecar` actions naming files in `_delta_log/_sidecars/`; a classic-named
// file with sidecar rows is read the same way).
//
// What is kept: protocol, metaData and the add actions (path,
// partitionValues, size, modificationTime, dataChange, stats, deletion
// vector). `stats` is taken verbatim when the string column is there and not
// null, else rebuilt from `stats_parsed`; partition values come from the
// `partitionValues` map, else from `partitionValues_parsed`
// (delta_checkpoint_values.h gives both renderings). Remove tombstones, txn,
// domainMetadata and unknown columns are not read: a checkpoint holds the
// reconciled state, so its removes never cancel its adds.
//
// Only the needed columns are decoded (projection), one row group at a time,
// up to `parallelism` row groups (and files) at once; no file is loaded
// whole, except a JSON V2 top-level file (bounded by max_json_bytes). On an
// object store that means ranged reads: the file's tail (footer; see
// remote_tail_read_bytes), then per row group the needed column chunks,
// neighbours coalesced into one request (parquet_reader.h); bytes of the
// tail are not fetched twice.
//
// Errors: a malformed checkpoint (bad parquet, a required field missing, two
// protocol or metaData rows, a checkpointMetadata of another version, a
// missing sidecar) is kCorruption naming the file relative to the table
// ("_delta_log/..."); storage failures keep their code with that name.
// Functions are thread-safe (Storage is).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "delta/delta_log_listing.h"
#include "delta/loaded_files.h"
#include "storage/storage.h"
#include "table/table_format.h"

namespace lakeshare {

// What `_delta_log/_last_checkpoint` says. A hint only: the listing decides
// which checkpoints exist.
struct LastCheckpointHint {
  int64_t version = 0;
  std::optional<int64_t> size;  // actions in the checkpoint
  std::optional<int32_t> parts;
  std::optional<int64_t> size_in_bytes;
  std::optional<int64_t> num_of_add_files;
  std::optional<std::string> v2_checkpoint_path;  // v2Checkpoint.path: a file name in _delta_log
};

// kCorruption (naming `name`) unless `content` is a JSON object with a
// non-negative integer "version"; other fields are taken when well typed.
Result<LastCheckpointHint> ParseLastCheckpoint(std::string content, std::string_view name);

struct CheckpointReadOptions {
  // Rebuild stats / partition values from the typed columns even when the
  // string forms are present (tests compare both).
  bool prefer_parsed_stats = false;
  bool prefer_parsed_partition_values = false;
  // Row groups decoded at the same time.
  size_t parallelism = 2;
  // A JSON V2 top-level file larger than this is kTooLarge.
  int64_t max_json_bytes = int64_t{256} << 20;
  // Bytes of a parquet file's end fetched by the first request when the
  // storage is not local: the footer and, for a small file, all of it.
  int64_t remote_tail_read_bytes = int64_t{1} << 20;
};

struct CheckpointContents {
  int64_t version = 0;
  std::optional<TableProtocol> protocol;
  std::optional<TableMetadata> metadata;
  // The add actions in checkpoint order, in groups (one per row group or
  // file), so that nothing is moved to make one vector of them; their path
  // and stats texts may still be views into the decoded pages
  // (loaded_files.h), copied once when sorted into a snapshot.
  std::vector<LoadedFiles> files;
  size_t num_files() const;
};

// Reads checkpoint `checkpoint` of the table whose log folder is `log_dir`.
Result<CheckpointContents> ReadDeltaCheckpoint(Storage& storage, const std::string& log_dir,
                                               const DeltaCheckpoint& checkpoint,
                                               const CheckpointReadOptions& options = {});

// "_delta_log/<name>" for a file of the log (full location `path`), as
// messages name it.
std::string DeltaLogRelativeName(std::string_view path);

}  // namespace lakeshare
