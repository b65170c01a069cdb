// Log replay: the state of a Delta table at a version, obtained by applying
// commits in version order on top of an empty table or of an existing snapshot
// (so a cached snapshot can be brought forward by the commits that follow it).
//
// Files are reconciled by identity, as the Delta protocol defines it: (path,
// deletion vector unique id). An add replaces an earlier add of the same
// identity, a remove cancels it; cdc actions are ignored (change data is not
// table state). For protocol and metaData the latest wins. A snapshot's files
// have data_change false, the state's canonical form (checkpoints record it
// so, and Delta's own replay does the same), so a snapshot does not depend on
// whether it came from a checkpoint or from commits.
// The snapshot's files are sorted by FileOrder (percent-decoded path, then
// DV id, then recorded path): a deterministic order in which the files of
// one identity are adjacent.
//
// Bringing a base forward copies only the chunks of the base's FileList that
// the applied commits touch (file_list.h); the others are shared.
//
// Not thread-safe: one instance per replay. Finish() leaves the base intact.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "common/strings.h"
#include "delta/delta_actions.h"
#include "delta/delta_commit_timestamps.h"
#include "delta/loaded_files.h"
#include "storage/storage.h"
#include "table/table_format.h"

namespace lakeshare {

// storageType + pathOrInlineDv (+ "@" + offset when there is one).
std::string DeletionVectorUniqueId(const DeletionVector& dv);

// The reconciliation key of a file action. Relative paths are compared
// percent-decoded, so two spellings of one file (as Delta's canonical paths
// allow) match.
std::string FileActionKey(std::string_view path, const DeletionVector* dv);
std::string FileActionKey(std::string_view path, const CompactOptional<DeletionVector>& dv);

// The order of TableSnapshot::files.
bool FileOrder(const DataFile& a, const DataFile& b);

// Sorts files by FileOrder; of files with the same identity only the last
// (in input order) is kept. Large inputs are sorted on two threads. Texts
// borrowed from a checkpoint's pages stay there (every chunk keeps the
// groups' pages); owned ones are copied into an arena of their chunk, in
// the sorted order. The rest of the input of a large sort is freed after it
// returns, on a pool thread when one is free.
FileList SortFiles(std::vector<LoadedFiles> groups);
FileList SortFiles(std::vector<std::vector<DataFile>> groups);
FileList SortFiles(std::vector<DataFile> files);

// A snapshot made of a checkpoint's state (files in any order).
Result<std::shared_ptr<const TableSnapshot>> SnapshotOf(int64_t version, int64_t timestamp_ms,
                                                        TableProtocol protocol,
                                                        TableMetadata metadata,
                                                        std::vector<LoadedFiles> files);

class DeltaLogReplay {
 public:
  // Starts before version 0 (no files, no protocol, no metadata).
  DeltaLogReplay();
  // Starts from `base` (not null); the next commit is base->version + 1.
  // `base_timestamp_is_commit`: see CommitTimestampResolver::After.
  explicit DeltaLogReplay(std::shared_ptr<const TableSnapshot> base,
                          bool base_timestamp_is_commit = true);
  // Starts from a checkpoint's state at `version`: its files in any order,
  // sorted once by Finish (after the commits are applied).
  DeltaLogReplay(int64_t version, int64_t timestamp_ms, TableProtocol protocol,
                 TableMetadata metadata, std::vector<LoadedFiles> files,
                 bool base_timestamp_is_commit);

  // The last version applied (the base's, or -1).
  int64_t version() const { return version_; }

  // Applies commit `version`, which must be version() + 1. `commit_file` gives
  // the commit's modification time (its timestamp unless ICT is on) and its
  // name for messages.
  Status Apply(int64_t version, DeltaCommit commit, const FileInfo& commit_file);

  // The snapshot at version(). kCorruption, naming the last commit file, when
  // no protocol or metaData action has been seen; kInternal if nothing was
  // applied to an empty start.
  Result<std::shared_ptr<const TableSnapshot>> Finish() &&;

 private:
  std::shared_ptr<const TableSnapshot> base_;
  std::vector<LoadedFiles> unsorted_base_;  // a checkpoint's files (when base_ is null)
  int64_t version_ = -1;
  int64_t timestamp_ms_ = 0;
  std::string last_file_;
  std::optional<TableProtocol> protocol_;
  std::optional<TableMetadata> metadata_;
  // Net effect of the applied commits per file identity: the surviving add,
  // or nullopt when the last action was a remove. Probed with a string_view
  // (no allocation per base file).
  std::unordered_map<std::string, std::optional<DataFile>, StringHash, std::equal_to<>> changes_;
  CommitTimestampResolver timestamps_;
};

}  // namespace lakeshare
