// Listing and classification of a table's `_delta_log` folder.
//
// Recognised names (everything else, e.g. hidden `.crc` files of Hadoop or
// `_sidecars/`, is ignored):
//   NNNNNNNNNNNNNNNNNNNN.json                           commit
//   NNNNNNNNNNNNNNNNNNNN.checkpoint.parquet             classic checkpoint
//   NNNNNNNNNNNNNNNNNNNN.checkpoint.PPPPPPPPPP.TTTTTTTTTT.parquet  part P of T
//   NNNNNNNNNNNNNNNNNNNN.checkpoint.<uuid>.{json,parquet}         V2 checkpoint
//   NNNNNNNNNNNNNNNNNNNN.crc                            version checksum
//   _last_checkpoint
// A listing is of the whole folder, or of the names from one version on
// (ListDeltaLogFrom: the log after a checkpoint the reader already knows,
// which object stores list without paging through older commits).
// A DeltaLogListing is an immutable value: safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/storage.h"

namespace lakeshare {

enum class DeltaLogFileType {
  kCommit,
  kCheckpoint,           // classic single-file parquet checkpoint
  kMultiPartCheckpoint,  // one part of a multi-part parquet checkpoint
  kV2Checkpoint,         // UUID-named checkpoint (json or parquet)
  kChecksum,
  kLastCheckpoint,
};

struct DeltaLogFile {
  FileInfo info;
  DeltaLogFileType type = DeltaLogFileType::kCommit;
  int64_t version = -1;   // -1 for _last_checkpoint
  int32_t part = 0;       // multi-part checkpoints: 1-based part number
  int32_t num_parts = 0;  // multi-part checkpoints: number of parts
};

// Classifies one object of the log folder by its name (the part of
// `info.path` after the last '/'). nullopt for files a reader ignores,
// including versions that do not fit in int64.
std::optional<DeltaLogFile> ClassifyDeltaLogFile(FileInfo info);

// A checkpoint whose files are all present.
struct DeltaCheckpoint {
  int64_t version = 0;
  DeltaLogFileType type = DeltaLogFileType::kCheckpoint;
  std::vector<FileInfo> files;  // parts in order (one file unless multi-part)
};

struct DeltaLogListing {
  std::string log_dir;
  std::vector<DeltaLogFile> commits;         // sorted by version, one per version
  std::vector<DeltaCheckpoint> checkpoints;  // complete ones, sorted, one per version
  std::vector<DeltaLogFile> checksums;       // sorted by version
  std::optional<FileInfo> last_checkpoint;
  int64_t latest_version = -1;  // highest commit or complete checkpoint version
  // The listing holds the files of versions >= listed_from only (0: the
  // whole log). The queries below then describe that part: versions before
  // it are unknown, not missing.
  int64_t listed_from = 0;

  // The commit file of `version`, or nullptr.
  const DeltaLogFile* FindCommit(int64_t version) const;
  // Whether every commit file of versions [from, to] is listed (true if from > to).
  bool HasCommits(int64_t from, int64_t to) const;
  // The first version in [from, to] without a commit file, or nullopt.
  std::optional<int64_t> FirstMissingCommit(int64_t from, int64_t to) const;
  // The newest complete checkpoint at or before `version`, or nullptr.
  const DeltaCheckpoint* CheckpointAtOrBefore(int64_t version) const;
  // The earliest version a reader could reconstruct: 0 when commit 0 exists,
  // otherwise the oldest complete checkpoint; nullopt when neither exists.
  std::optional<int64_t> EarliestReconstructableVersion() const;
};

// Lists `<table_location>/_delta_log`. kNotFound naming the table when the
// folder is missing or holds neither commits nor complete checkpoints; other
// storage errors pass through.
Result<DeltaLogListing> ListDeltaLog(Storage& storage, const std::string& table_location);

// Lists the files of versions >= `from_version` (> 0) of `<table_location>/
// _delta_log`, and _last_checkpoint, with Storage::ListDirectoryAfter (the
// names after the version's 20-digit prefix). Nothing listed is not an
// error: latest_version is then -1. A missing folder is kNotFound.
Result<DeltaLogListing> ListDeltaLogFrom(Storage& storage, const std::string& table_location,
                                         int64_t from_version);

// `older`'s files of versions before recent.listed_from, then `recent`'s:
// one listing of both parts (listed_from and log_dir of `older`).
DeltaLogListing MergeDeltaLogListings(const DeltaLogListing& older, const DeltaLogListing& recent);

// `listing` without the files of versions >= `version` (latest_version
// then describes what is left).
DeltaLogListing DeltaLogListingBefore(const DeltaLogListing& listing, int64_t version);

// "00000000000000000042.json" and friends.
std::string DeltaCommitFileName(int64_t version);
// "00000000000000000042": the prefix every log file of the version starts with.
std::string DeltaVersionPrefix(int64_t version);

}  // namespace lakeshare
