// HudiTable: the TableFormat of an Apache Hudi table (table versions 6, 8
// and 9; copy-on-write and merge-on-read), read through Storage from its
// .hoodie/ folder: hoodie.properties, the active timeline and the archived
// one, and the write stats of every completed commit (the file listing: no
// partition is listed).
//
// Versions are the completed write instants (commit, deltacommit,
// replacecommit) that no rollback or restore undid, numbered 0, 1, 2... in
// completion order (version 6 tables: instant time order); a version's
// timestamp is its completion (or instant) time, read in UTC unless
// hoodie.table.timeline.timezone says LOCAL. A table without commits has
// version 0, empty. See README.md ("Apache Hudi tables") for the rules.
//
// Files of a snapshot: per file group its slice at the version
// (hudi_file_index.h). Copy-on-write slices, the read-optimized view and
// slices without effective log blocks are their base file; slices whose
// logs only delete rows are the base file with an inline deletion vector;
// other slices are merged into a parquet file in the merge cache
// (table/content_cache.h), listed by its absolute location there.
// SnapshotWithoutDeletionVectors serves merged files for the deletion-vector
// slices too.
//
// Errors: kNotFound when there is no .hoodie/hoodie.properties;
// kUnsupported for table versions, base file formats and merge rules
// lakeshare does not read; kCorruption naming the file for malformed
// metadata, missing base or log files; kInvalidArgument for versions and
// timestamps out of range or versions whose files a clean removed.
//
// Thread-safe. Snapshots live in a SnapshotCache (the process-wide one by
// default); parsed commit metadata is kept per instant file (completed
// instants never change), so a refresh reads only new instants.
#pragma once

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "hudi/hudi_column_stats.h"
#include "hudi/hudi_listing.h"
#include "hudi/hudi_slice_reader.h"
#include "hudi/hudi_timeline.h"
#include "parquet/parquet_reader.h"
#include "storage/storage.h"
#include "table/content_cache.h"
#include "table/snapshot_cache.h"
#include "table/table_format.h"

namespace lakeshare {

struct HudiTableOptions {
  SnapshotCache* cache = nullptr;  // nullptr: SnapshotCache::Global(); must outlive the table
  // Where merged slices are written; nullptr: slices that need merging are
  // refused (kUnsupported) unless read_optimized.
  std::shared_ptr<ContentCache> merge_cache;
  bool read_optimized = false;  // serve base files only (hudiView: read_optimized)
  // Check that every base file of a snapshot exists (one Head each: meant
  // for local tables, where that is a stat).
  bool verify_files = false;
  int64_t max_metadata_bytes = int64_t{256} << 20;  // one instant file
  size_t max_parallel_reads = 8;
  hudi::SliceLimits slice_limits;
  bool row_merge = false;  // merge slices row by row (hudi::SliceInputs::row_merge; tests)
  hudi::ArchiveLimits archive_limits;
  // The listing fallback for commits whose metadata lists no file (hudi_listing.h).
  hudi::ListingLimits listing_limits;
  // Files' `stats` from the metadata table's column-stats index (when the
  // table has one, in sync with the version served).
  bool column_stats = true;
  hudi::ColumnStatsLimits column_stats_limits;
};

class HudiTable final : public TableFormat {
 public:
  // `location`: the table folder as `storage` understands it. Does no I/O.
  HudiTable(std::string location, std::shared_ptr<Storage> storage, HudiTableOptions options = {});
  ~HudiTable() override;

  Result<int64_t> LatestVersion() override;
  Result<std::shared_ptr<const TableSnapshot>> Snapshot(std::optional<int64_t> version) override;
  Result<std::shared_ptr<const TableSnapshot>> SnapshotWithoutDeletionVectors(
      int64_t version) override;
  Result<int64_t> VersionAtTimestamp(int64_t timestamp_ms, TimestampBound bound) override;
  // Relative paths resolve under the table; merged files are absolute paths
  // in the merge cache.
  Result<std::string> ResolveFilePath(std::string_view recorded_path) const override;
  Status ResolveFilePathInto(std::string_view recorded_path, std::string* out) const override;
  // File-level changes per version: the files a version retired (remove)
  // and the ones it made current (add), per touched file group.
  Result<std::vector<CommitChanges>> Changes(int64_t start_version, int64_t end_version) override;

  // Where files the table writes itself live (the merge cache folder), or ""
  // when it writes none.
  std::string DerivedFilesRoot() const;

  struct State;  // one load of the timeline (hudi_table.cc)

 private:
  using SnapshotResult = Result<std::shared_ptr<const TableSnapshot>>;
  Result<std::shared_ptr<const State>> Load();
  SnapshotResult CachedSnapshot(const std::shared_ptr<const State>& state, int64_t version,
                                bool with_deletion_vectors);
  SnapshotResult Build(const std::shared_ptr<const State>& state, int64_t version,
                       bool with_deletion_vectors);
  struct SliceContext;  // what serving the slices of one version needs
  // The file a slice is served as; nullopt when it holds no rows.
  Result<std::optional<DataFile>> ServeSlice(const SliceContext& context,
                                             const hudi::FileSlice& slice);
  Result<std::unique_ptr<SliceContext>> MakeSliceContext(std::shared_ptr<const State> state,
                                                         int64_t version,
                                                         bool with_deletion_vectors) const;
  Result<int64_t> CheckVersion(const State& state, std::optional<int64_t> version) const;
  // The column-stats index of the metadata table at `version` (hudi_column_stats.h), or null
  // when the table has none, it is not in sync with the version or it cannot be read: files then
  // get numRecords only (never stats of another version).
  std::shared_ptr<const hudi::ColumnStatsIndex> ColumnStatsAt(const State& state, int64_t version,
                                                              const SliceContext& context);
  // Write stats from a listing for the versions whose commit metadata lists
  // no file (hudi_listing.h); a no-op (no request) when there are none.
  Status CompleteFromListing(State* state) const;
  // The change data (cdf files) of a version of a table that logs changes,
  // inferred per write stat as Hudi's CDC reader does; nullopt when it
  // cannot be derived exactly (hudi_cdc.h). `before` is the previous
  // version's context (null at version 0).
  Result<std::optional<std::vector<FileChange>>> ChangeData(const SliceContext& context,
                                                            const SliceContext* before,
                                                            const std::string& schema_text);
  // The rows of a slice as `context` reads it (its base file, or the slice
  // merged in memory); nullopt when it holds none. For change data.
  Result<std::optional<parquet::ParquetReader>> OpenSliceRows(const SliceContext& context,
                                                              const hudi::FileSlice& slice);
  // What a SliceReader of `context`'s version reads a slice with.
  hudi::SliceInputs SliceInputsOf(const SliceContext& context) const;

  const std::string location_;
  const std::shared_ptr<Storage> storage_;
  const HudiTableOptions options_;
  SnapshotCache& cache_;
  const uint64_t cache_id_;        // snapshots as served to delta-format DV clients
  const uint64_t cache_id_plain_;  // snapshots without deletion vectors

  std::mutex mu_;
  std::shared_ptr<const State> state_;  // guarded by mu_
  // Decoded instant files by path and size (completed instants never change).
  std::map<std::string, std::shared_ptr<const hudi::TimelineInstant>> parsed_;  // guarded by mu_
  std::map<std::string, std::shared_future<SnapshotResult>> in_flight_;         // guarded by mu_
  // The metadata table (.hoodie/metadata), opened on first use.
  std::unique_ptr<HudiTable> metadata_table_;  // guarded by mu_
};

}  // namespace lakeshare
