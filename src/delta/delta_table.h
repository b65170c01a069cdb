// DeltaTable: the TableFormat of a Delta Lake table, reconstructed from its
// `_delta_log`: the newest complete checkpoint at or before the version
// (delta_checkpoint.h: classic, multi-part or V2) plus the JSON commits after
// it, or the JSON commits from version 0 when no checkpoint precedes the
// version.
//
// Which checkpoint: the listing decides (a multi-part checkpoint missing a
// part does not count, so an older complete one is used). _last_checkpoint
// is only a hint: where the first listing starts (see Listing), and when
// several V2 checkpoints share the chosen version, which one is read; a
// stale, corrupt or missing one changes nothing (a store failing to answer
// for it fails the call, as its listing would).
//
// Reachable versions: from the oldest complete checkpoint on (from 0 while
// commit 0 exists), as long as the JSON commits from the checkpoint to the
// version are there. A version whose own JSON commit was cleaned up (only its
// checkpoint is left) can be read by number; its timestamp is the
// checkpoint file's modification time, and VersionAtTimestamp never returns
// it (timestamps are searched among the JSON commits, as Delta does).
//
// Errors: a version outside that range is kInvalidArgument naming the range;
// a location without a log is kNotFound; malformed log content (commits or
// checkpoints) is kCorruption naming the file. Nothing here throws.
//
// Thread-safe: one instance serves concurrent requests. Snapshots
// (immutable, shared with callers) live in a SnapshotCache shared by all
// tables and bounded by bytes (snapshot_cache.h). A request for an uncached
// version starts from the newest cached snapshot before it when the commits
// in between are few, and applies only those commits (a new commit on a
// cached latest snapshot costs one commit file); concurrent requests for the
// same uncached version share one load. Commit files are read up to
// max_parallel_reads at a time and applied in order. The instance also
// caches, per version, the little it needs to resolve commit timestamps.
// Cached entries are checked against the listed commit (or checkpoint) file,
// size and modification time, so a table recreated in place is not served
// stale.
//
// Listing: every call lists the log, so new commits are seen at once, but
// only from the newest complete checkpoint on, or from the newest cached
// snapshot before it when that one would rather be brought forward than the
// checkpoint read (delta_log_tracker.h has the rules). The whole log is
// listed for what needs older versions: time travel before that checkpoint,
// and commit timestamps when the run of commits they are resolved over
// reaches back before it (CommitTimestamps, VersionAtTimestamp, Changes,
// and the timestamp of a checkpoint whose JSON commit is still there). That
// older part is kept and reused for history_max_age_ms: log cleanup of
// older files goes unseen that long, and a call that fails with it is
// retried once on a fresh full listing.
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
#include "delta/delta_checkpoint.h"
#include "delta/delta_commit_timestamps.h"
#include "delta/delta_log_listing.h"
#include "delta/delta_log_replay.h"
#include "delta/delta_log_tracker.h"
#include "delta/delta_paths.h"
#include "storage/storage.h"
#include "table/snapshot_cache.h"
#include "table/table_format.h"

namespace lakeshare {

struct DeltaTableOptions {
  // Where snapshots are cached (nullptr: SnapshotCache::Global()); must
  // outlive the table.
  SnapshotCache* cache = nullptr;
  // false: ignore checkpoints and replay JSON commits only (tests compare).
  bool use_checkpoints = true;
  // How checkpoints are decoded (parallelism, typed-column preferences).
  CheckpointReadOptions checkpoint;
  // A cached snapshot older than the newest usable checkpoint is brought
  // forward instead of reading the checkpoint while the commits in between
  // add up to at most this many times the checkpoint's bytes.
  int64_t commits_per_checkpoint_byte = 2;
  // Larger commit files are refused with kTooLarge instead of being read.
  int64_t max_commit_file_bytes = int64_t{256} << 20;
  // Changes() refuses, with kTooLarge, a range whose commit files add up to
  // more than this (their parsed actions are all held in memory at once).
  int64_t max_changes_bytes = int64_t{1} << 30;
  // Commit files read at the same time by replay, timestamp resolution and
  // Changes() (1: one after the other).
  size_t max_parallel_reads = 8;
  // How long the listing of the versions before the checkpoint listings
  // start at is reused (0: list the whole log whenever they are needed).
  int64_t history_max_age_ms = 60000;
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

  // Lists the log (from the known checkpoint on); never replays.
  Result<int64_t> LatestVersion() override;
  // LatestVersion, refusing (as Snapshot would) a latest version whose JSON
  // commit does not parse (truncated, corrupt): reads that one commit
  // (bounded by max_commit_file_bytes) unless that version's snapshot is
  // cached or the same file passed before; never replays. For /version.
  Result<int64_t> LatestVersionChecked() override;
  Result<std::shared_ptr<const TableSnapshot>> Snapshot(std::optional<int64_t> version) override;
  Result<int64_t> VersionAtTimestamp(int64_t timestamp_ms, TimestampBound bound) override;
  Result<std::string> ResolveFilePath(std::string_view recorded_path) const override;
  Status ResolveFilePathInto(std::string_view recorded_path, std::string* out) const override;

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
  // The metadata in force at `start` is Snapshot(start)->metadata.
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
  struct CachedTimestampInfo {
    Fingerprint commit;
    CommitTimestampInfo info;
  };
  using SnapshotResult = Result<std::shared_ptr<const TableSnapshot>>;

  static Fingerprint FingerprintOf(const FileInfo& info) {
    return {info.size, info.modification_time_ms};
  }

  using LogView = DeltaLogTracker::View;
  // Where later listings may start instead of the newest checkpoint of
  // `listing`: the newest cached snapshot before it, when it would be
  // brought forward rather than the checkpoint read (see Load).
  std::optional<int64_t> CachedStartBefore(const DeltaLogListing& listing,
                                           const DeltaCheckpoint& checkpoint);

  // The checkpoint `version` starts from (nullptr: replay from version 0),
  // or why `version` cannot be reconstructed.
  Result<const DeltaCheckpoint*> PlanSnapshot(const DeltaLogListing& listing,
                                              int64_t version) const;
  // The cache tag of `version`: its commit file, else its checkpoint's
  // first file; nullopt when the listing has neither.
  static std::optional<SnapshotCache::Tag> TagOf(const DeltaLogListing& listing, int64_t version);
  // The state at `checkpoint`, ready for the commits after it.
  Result<DeltaLogReplay> LoadCheckpoint(LogView* view, DeltaCheckpoint checkpoint);
  Result<DeltaCommit> ReadCommit(const DeltaLogFile& commit, DeltaParseMode mode);
  // Reads `commits` with up to max_parallel_reads at a time. The commits
  // before the first one that fails, in list order, and that failure.
  struct ReadResult {
    std::vector<DeltaCommit> commits;
    Status error;
  };
  ReadResult ReadCommits(const std::vector<const DeltaLogFile*>& commits, DeltaParseMode mode);
  // The index in view->listing.commits of the first commit of the timeline:
  // the run of consecutive JSON commits that ends with the latest version,
  // starting no earlier than the earliest reconstructable version.
  // Completes the view when the run reaches back to where it starts.
  Result<size_t> TimelineStart(LogView* view);
  // Brings `replay` forward to `version`.
  SnapshotResult Replay(const LogView& view, int64_t version, DeltaLogReplay replay);
  SnapshotResult Load(LogView* view, int64_t version, std::shared_ptr<const TableSnapshot> cached);
  SnapshotResult SnapshotWith(std::optional<int64_t> version, bool fresh, bool* used_history);
  // The timeline up to `until` (all of it when nullopt).
  Result<std::vector<VersionTimestamp>> Timeline(LogView* view,
                                                 std::optional<int64_t> until = std::nullopt);
  Result<std::vector<CommitChanges>> ChangesWith(int64_t start_version, int64_t end_version,
                                                 bool fresh, bool* used_history);

  const std::string location_;
  const DeltaTableRoot root_;  // of location_, to normalize recorded paths
  const std::shared_ptr<Storage> storage_;
  const DeltaTableOptions options_;
  SnapshotCache& cache_;
  const uint64_t cache_id_;

  DeltaLogTracker log_;

  std::mutex mu_;
  std::map<int64_t, std::shared_future<SnapshotResult>> in_flight_;  // guarded by mu_
  std::map<int64_t, CachedTimestampInfo> timestamp_infos_;           // guarded by mu_
  // The latest commit LatestVersionChecked last found readable.
  std::optional<std::pair<int64_t, Fingerprint>> checked_latest_;  // guarded by mu_
};

}  // namespace lakeshare
