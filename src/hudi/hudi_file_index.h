// The file groups of a Hudi table as its commits recorded them, and the file
// slice of each group at any version.
//
// Built from the write stats of every completed write instant in version
// order: base files (<fileId>_<token>_<instant>.<ext>) and log files
// (.<fileId>_<instant>.log.<n>_<token>[-cdc|.cdc]) per (partition, file id),
// with the version that first wrote each; replace commits retire whole
// groups; clean instants mark files as deleted.
//
// The slice of a group at version V (Hudi's "latest merged file slice"): the
// latest base file (by base instant time) written at or before V, and the log
// files written at or before V that belong to it or to a later slice whose
// base was not yet written at V (a pending compaction). A log belongs to a
// slice by the base instant in its name (table version 6) or, from version 8
// on, to the slice with the greatest base instant time at or before the
// completion time of the instant that wrote it. Groups retired at or before V
// have no slice.
//
// Immutable once built; thread-safe to read.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "hudi/hudi_commit_metadata.h"

namespace lakeshare::hudi {

// Orders instant times of different lengths (14 and 17 digits) as times.
bool InstantBefore(std::string_view a, std::string_view b);

struct BaseFileName {
  std::string file_id;
  std::string instant;
  std::string extension;  // "parquet", "orc", "hfile", "lance"...
};
std::optional<BaseFileName> ParseBaseFileName(std::string_view name);

struct LogFileName {
  std::string file_id;
  std::string instant;  // base instant (v6) or writing instant (v8+)
  int64_t version = 0;
  std::string write_token;
  bool cdc = false;
};
std::optional<LogFileName> ParseLogFileName(std::string_view name);

struct IndexedFile {
  std::string path;  // relative to the table root
  int64_t size = 0;
  int64_t num_records = 0;  // base files: records the commit wrote (0: unknown)
  int64_t version = 0;      // first written at
  std::string instant;      // from the name
  std::string completion;   // of the writing instant (logs)
  int64_t log_version = 0;
  std::string write_token;
  bool cleaned = false;
};

struct FileGroup {
  std::string partition;
  std::string file_id;
  std::vector<IndexedFile> bases;  // by version
  std::vector<IndexedFile> logs;   // by version
  std::optional<int64_t> replaced_at;
};

// One write instant as the index needs it.
struct IndexedCommit {
  int64_t version = 0;
  std::string instant;
  std::string completion;  // completion time, or the instant time (layout 1)
  const CommitMetadata* metadata = nullptr;
};

struct FileSlice {
  const FileGroup* group = nullptr;
  const IndexedFile* base = nullptr;     // null: a group with log files only
  std::vector<const IndexedFile*> logs;  // in write order
  int64_t version = 0;                   // the latest version that wrote a file of the slice
};

class FileIndex {
 public:
  // `commits` in version order; `cleaned` maps partition path -> deleted
  // file names. `completion_ordered`: slices by completion time (v8+).
  static Result<FileIndex> Build(const std::vector<IndexedCommit>& commits,
                                 const std::map<std::string, std::set<std::string>>& cleaned,
                                 bool completion_ordered);

  const std::vector<FileGroup>& groups() const { return groups_; }
  // Base file extensions seen (lower case).
  const std::set<std::string>& base_extensions() const { return extensions_; }

  // The slice of `group` at `version`; nullopt when it has none.
  std::optional<FileSlice> SliceAt(const FileGroup& group, int64_t version) const;
  // The groups a version wrote to or retired.
  std::vector<const FileGroup*> GroupsTouchedAt(int64_t version) const;

 private:
  std::string SliceKeyOf(const FileGroup& g, const IndexedFile& log) const;

  std::vector<FileGroup> groups_;  // by (partition, file id)
  std::map<int64_t, std::vector<size_t>> touched_;
  std::set<std::string> extensions_;
  bool completion_ordered_ = false;
};

}  // namespace lakeshare::hudi
