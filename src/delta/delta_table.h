// DeltaTable: the TableFormat of a Delta Lake table, reconstructed by
// replaying the JSON commits of its `_delta_log`.
//
// Versions whose state needs a parquet checkpoint (the JSON commits before
// them were cleaned up) are kUnsupported for now; a version that does not
// exist is kInvalidArgument; a location without a log is kNotFound; malformed
// log content is kCorruption naming the file. Nothing here throws.
//
// Thread-safe: one instance serves concurrent requests. Every call lists the
// log, so new commits are seen at once. The instance keeps the few most
// recently used snapshots (immutable, shared with callers) and brings a
// cached snapshot forward by the commits that follow it rather than replaying
// from version 0; concurrent requests for the same uncached version share
// one replay. It also caches, per version, the little it needs to resolve
// commit timestamps. Cached entries are checked against the listed commit
// file (size and modification time), so a table recreated in place is not
// served stale.
#pragma once

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "delta/delta_actions.h"
#include "delta/delta_commit_timestamps.h"
#include "delta/delta_log_listing.h"
#include "storage/storage.h"
#include "table/table_format.h"

namespace lakeshare {

struct DeltaTableOptions {
  // Snapshots kept per table (0 disables the cache).
  size_t max_cached_snapshots = 4;
  // Larger commit files are refused with kTooLarge instead of being read.
  int64_t max_commit_file_bytes = int64_t{256} << 20;
  // Changes() refuses, with kTooLarge, a range whose commit files add up to
  // more than this (their parsed actions are all held in memory at once).
  int64_t max_changes_bytes = int64_t{1} << 30;
  // Commit files Changes() reads at the same time (1: one after the other).
  size_t max_parallel_reads = 8;
};

class DeltaTable final : public TableFormat {
 public:
  // `location` is the table root as `storage` understands it (an absolute
  // path for LocalStorage). Does no I/O.
  DeltaTable(std::string location, std::shared_ptr<Storage> storage,
             DeltaTableOptions options = {});
  ~DeltaTable() override;

  DeltaTable(const DeltaTable&) = delete;
  DeltaTable& operator=(const DeltaTable&) = delete;

  // Lists the log; never replays.
  Result<int64_t> LatestVersion() override;
  Result<std::shared_ptr<const TableSnapshot>> Snapshot(std::optional<int64_t> version) override;
  Result<int64_t> VersionAtTimestamp(int64_t timestamp_ms, TimestampBound bound) override;
  Result<std::string> ResolveFilePath(const std::string& recorded_path) const override;

  // The commits start..end (inclusive), for change data feed: per version its
  // timestamp (the one CommitTimestamps() reports: ICT or adjusted file
  // time), the protocol and metaData it set, commitInfo's operation and
  // operationMetrics, and every add/remove/cdc in log order (ToFileChange).
  // Nothing is filtered: deciding which actions a CDF response shows (cdc
  // files when a commit has any, else dataChange adds/removes) is the
  // caller's job.
  //
  // kInvalidArgument when start > end or the range leaves the versions
  // CommitTimestamps() covers (the JSON commits from the earliest
  // reconstructable version to the latest); kUnsupported when the latest
  // version has no JSON commit; kTooLarge past max_changes_bytes;
  // kCorruption naming the file for malformed commits. Reads and parses only
  // the commits of the range (in parallel), plus, on a cold cache, the
  // headers of the others to resolve timestamps; never replays the table.
  // The metadata in force at `start` is Snapshot(start)->metadata (which is
  // kUnsupported while `start` needs a parquet checkpoint, although its
  // changes can be read).
  Result<std::vector<CommitChanges>> Changes(int64_t start_version, int64_t end_version) override;

  // The timestamp of every version that JSON commits cover, oldest first,
  // from the earliest reconstructable version to the latest (what
  // VersionAtTimestamp searches). Reads only commitInfo/protocol/metaData of
  // commits not seen before; never replays file actions.
  Result<std::vector<VersionTimestamp>> CommitTimestamps();

  const std::string& location() const { return location_; }

 private:
  // Identity of a listed commit file, to validate cache entries.
  struct Fingerprint {
    int64_t size = 0;
    int64_t modification_time_ms = 0;
    bool operator==(const Fingerprint& o) const = default;
  };
  struct CachedSnapshot {
    std::shared_ptr<const TableSnapshot> snapshot;
    Fingerprint commit;
    uint64_t last_used = 0;
  };
  struct CachedTimestampInfo {
    Fingerprint commit;
    CommitTimestampInfo info;
  };
  using SnapshotResult = Result<std::shared_ptr<const TableSnapshot>>;

  static Fingerprint FingerprintOf(const FileInfo& info) {
    return {info.size, info.modification_time_ms};
  }
  Result<DeltaLogListing> List();
  // OK when `version` can be rebuilt from JSON commits alone.
  Status CheckReplayable(const DeltaLogListing& listing, int64_t version) const;
  Result<DeltaCommit> ReadCommit(const DeltaLogFile& commit, DeltaParseMode mode);
  // Reads `commits` with up to max_parallel_reads at a time; on failure, the
  // error of the first failing commit in list order.
  Result<std::vector<DeltaCommit>> ReadCommits(const std::vector<const DeltaLogFile*>& commits,
                                               DeltaParseMode mode);
  // The index in listing.commits of the first commit of the timeline: the
  // run of consecutive JSON commits that ends with the latest version,
  // starting no earlier than the earliest reconstructable version.
  Result<size_t> TimelineStart(const DeltaLogListing& listing) const;
  SnapshotResult Replay(const DeltaLogListing& listing, int64_t version,
                        std::shared_ptr<const TableSnapshot> base);
  Result<std::vector<VersionTimestamp>> Timeline(const DeltaLogListing& listing);
  // Requires mu_. The newest valid cached snapshot at or before `version`.
  const CachedSnapshot* FindCachedLocked(const DeltaLogListing& listing, int64_t version);
  void InsertCachedLocked(std::shared_ptr<const TableSnapshot> snapshot, Fingerprint commit);

  const std::string location_;
  const std::shared_ptr<Storage> storage_;
  const DeltaTableOptions options_;

  std::mutex mu_;
  std::vector<CachedSnapshot> snapshots_;                            // guarded by mu_
  std::map<int64_t, std::shared_future<SnapshotResult>> in_flight_;  // guarded by mu_
  std::map<int64_t, CachedTimestampInfo> timestamp_infos_;           // guarded by mu_
  uint64_t clock_ = 0;                                               // guarded by mu_
};

}  // namespace lakeshare
