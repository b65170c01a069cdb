// The listing fallback of the file index: where the timeline's commit
// metadata is incomplete — a completed write instant whose metadata lists no
// written file (an empty instant file, one without write stats, an archived
// instant whose metadata was not kept) — the files it wrote are found by
// listing the table's folders through Storage and reading the writing
// instant from each file's name. Complete commits never cost a listing.
//
// Attribution: a base file (<fileId>_<token>_<instant>.<ext>) belongs to
// the commit of its instant. A log file belongs to the commit its name
// names when the name carries the writing instant (table version 8+); in
// version 6 the name carries the base instant, so a log file no commit
// lists goes to the earliest incomplete delta commit at or after that base
// instant, even when a complete commit lists it too (version 6 log files are
// appended to by several commits; the file index keeps the earliest): its
// blocks still count only at versions where their own instant (block
// header) is valid, as the slice reader decides. Files a clean
// deleted (named by the clean metadata) are attributed the same way, so a
// version needing one is refused as for complete commits.
//
// Bounds: at most `max_depth` folder levels and `max_folders` folders are
// listed (beyond: kTooLarge); folders whose name starts with '.' (.hoodie)
// are not partitions. Thread-compatible; Storage is thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "hudi/hudi_commit_metadata.h"
#include "storage/storage.h"

namespace lakeshare::hudi {

struct ListedFile {
  std::string partition;  // folder relative to the table root ("" for the root)
  std::string name;       // file name
  int64_t size = 0;
};

struct ListingLimits {
  int max_depth = 8;
  int64_t max_folders = 100000;
  int max_parallel_reads = 8;
};

// The data files (names that parse as base or log files) of every folder
// under `root`, partitions in path order.
Result<std::vector<ListedFile>> ListDataFiles(Storage& storage, const std::string& root,
                                              const ListingLimits& limits);

struct IncompleteCommit {
  std::string instant;
  bool delta = false;  // a deltacommit (may write log files)
};

// Write stats per instant of `incomplete` from the listed files and the
// cleaned files (partition -> names). `known`: paths (relative to the root)
// that complete commits list. `log_names_carry_writer`: table version 8+.
std::map<std::string, std::vector<WriteStat>> AttributeListedFiles(
    const std::vector<ListedFile>& files, const std::vector<IncompleteCommit>& incomplete,
    const std::set<std::string>& known, const std::map<std::string, std::set<std::string>>& cleaned,
    bool log_names_carry_writer);

}  // namespace lakeshare::hudi
