// DemoDeltaWriter: writes one small Delta table commit by commit, the way a
// single Spark job would, for the demo tables (demo_tables.h): parquet data
// files (our parquet writer; partition columns only in the Hive-style
// folder names) with Delta `stats`, and Spark-like commits (commitInfo,
// protocol, metaData, add, remove) through the one writer of Delta actions
// (delta/delta_action_writer.h).
//
// Commit i is stamped, and its log file's mtime set, at
// first_commit_ms + i seconds; data files 400 ms before their commit. The
// rows are held in memory (the tables are small) so that a DELETE can
// rewrite the files it touches. Deterministic for a seed: UUIDs come from
// the table's generator.
//
// Table features come from the spec's configuration: the change data feed
// (cdc files for deletes), deletion vectors (merge-on-read deletes, protocol
// 3/7) and column mapping in "name" mode (fields get ids and col-<uuid>
// physical names, protocol 2/5; unpartitioned tables only).
//
// Errors: kFailedPrecondition if the table folder exists, kInvalidArgument
// for a feature the spec does not allow (e.g. a rename without column
// mapping), kIOError when the file system fails. Not thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"
#include "demo/demo_delta_values.h"
#include "demo/demo_tables.h"
#include "table/partition_values.h"
#include "table/table_format.h"

namespace lakeshare {

struct DemoFile {
  std::string path;  // as recorded in the log (URI-encoded, relative)
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  std::string stats;
  std::vector<DemoRow> rows;  // every row of the file, deleted ones included
  // Positions (ascending) of the rows a deletion vector hides, and its
  // descriptor as the log records it.
  std::vector<uint64_t> deleted;
  std::optional<DeletionVector> deletion_vector;
};

// Creates the folder the demo's tables go in (and its parents) and returns
// it; kInvalidArgument when `dir` is empty, kIOError when it cannot be made.
Result<std::filesystem::path> CreateDemoFolder(const std::string& dir);

class DemoDeltaWriter {
 public:
  DemoDeltaWriter(std::filesystem::path root, DemoTableSpec spec, uint64_t seed,
                  int64_t first_commit_ms);

  // Creates the table folder and its _delta_log.
  Status Init();

  std::mt19937_64& rng() { return rng_; }
  int64_t CommitTime(int64_t version) const { return first_commit_ms_ + version * 1000; }

  // Writes `rows` as one data file per partition (in order of first
  // appearance), as a single Spark task would.
  Result<std::vector<DemoFile>> WriteFiles(const std::vector<DemoRow>& rows);
  // One data file of the partition `pv`; `split` numbers it (part-0000N).
  Result<DemoFile> WriteFile(const PartitionValues& pv, std::vector<DemoRow> rows, int split);

  // A WRITE commit adding `files` (version 0 also creates the table).
  Status CommitWrite(const std::vector<DemoFile>& files);
  // A copy-on-write DELETE: every active file with a row matching `matches`
  // is removed, and its remaining rows (if any) are written to a new file.
  // With delta.enableChangeDataFeed = true in the configuration, the deleted
  // rows also go to cdc files (_change_data/, _change_type "delete"), and the
  // table's protocol (written with version 0) has writer version 4.
  Status CommitDelete(const std::string& predicate_sql,
                      const std::function<bool(const DemoRow&)>& matches);
  // A merge-on-read DELETE (needs delta.enableDeletionVectors = true): each
  // active file with a matching live row is removed and added again, same
  // path and stats (tightBounds false), with a deletion vector of all its
  // deleted rows. A DV of at most `max_inline_cardinality` rows is stored
  // inline (storageType "i"); the others go to one deletion_vector_<uuid>.bin
  // file of the commit ("u"), one after the other.
  Status CommitDeleteWithDeletionVectors(const std::string& predicate_sql,
                                         const std::function<bool(const DemoRow&)>& matches,
                                         int64_t max_inline_cardinality);
  // ALTER TABLE RENAME COLUMN (needs column mapping): a commit with only the
  // new metaData; files and physical names stay.
  Status CommitRenameColumn(const std::string& from, const std::string& to);

  DemoTable Describe() const;

 private:
  struct CommitInfo;
  std::string Uuid();
  PartitionValues PartitionOf(const DemoRow& row) const;
  // A data file, or with `change_type` a change data file.
  TableProtocol Protocol() const;
  TableMetadata Metadata() const;
  Result<DemoFile> WriteParquet(const PartitionValues& pv, std::vector<DemoRow> rows, int split,
                                const std::optional<std::string>& change_type);
  Status Commit(const CommitInfo& info, const std::string& actions,
                const std::vector<DemoFile>& added, const std::vector<DemoFile>& removed);

  std::filesystem::path root_;
  DemoTableSpec spec_;
  std::mt19937_64 rng_;
  int64_t first_commit_ms_;
  int64_t next_version_ = 0;
  std::string table_id_;  // metaData.id, kept by metadata-only commits
  std::map<std::string, DemoFile> active_;
};

}  // namespace lakeshare
