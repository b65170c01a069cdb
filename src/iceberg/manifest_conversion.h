// The conversion of one Iceberg manifest into the DataFiles snapshots list:
// done once per manifest and conversion context, and shared by every
// snapshot (of every version) that lists the manifest.
//
// A converted file has its path re-based onto the configured table folder
// (FileContext::Rebase), its partition values (shared with every file of
// the same values; a partition column whose identity field the file's spec
// lacks takes the file's single value by its bounds, or makes the manifest
// `unfilled`), the Delta stats JSON of its metrics (entry_stats.h) and
// the time of the snapshot that added it as modification time. Strings are
// allocated at their exact size: a snapshot holds a million of them.
//
// Errors: kCorruption naming the manifest for malformed content,
// kUnsupported for data files that are not parquet. ConvertedManifest is
// immutable once made: thread-safe to share; FileContext is plain data.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "iceberg/iceberg_metadata.h"
#include "iceberg/manifest.h"
#include "iceberg/shared_schema.h"
#include "iceberg/table_location.h"
#include "table/table_format.h"

namespace lakeshare::iceberg {

// What a snapshot's files are converted with: schema, partition columns,
// re-basing. Prepare() once the roots are set.
struct FileContext {
  // `recorded` (a location in the metadata) re-based onto configured_root.
  Result<std::string> Rebase(const std::string& recorded) const;
  void Prepare();
  // Everything a manifest's conversion depends on besides the manifest.
  std::string Key() const;

  std::string recorded_norm, recorded_raw;  // set by Prepare
  const IcebergMetadata* meta = nullptr;
  const Schema* schema = nullptr;
  std::string recorded_root, configured_root;
  // Recorded prefixes outside the table and their real locations; must
  // outlive the context (may be null).
  const LocationMap* location_map = nullptr;
  PartitionColumnList partition_columns;
  // Columns with a v3 initial default shared as partition values (some of
  // `partition_columns`): a file whose writing snapshot's schema lacks the
  // field takes the default; the others their single value by bounds.
  std::map<int32_t, PartitionDatum> defaults;
  const std::map<int64_t, int64_t>* snapshot_ts = nullptr;
  // For files whose adding snapshot is unknown or expired: the oldest
  // snapshot's time (they were added no later), stable across versions.
  int64_t default_ts = 0;
  // Set when `schema` names fields by their physical names (column mapping
  // mode `name`): stats and partition values are keyed by them.
  std::string naming_key;
};

// A live delete file of a delete manifest (what decides where it applies).
struct DeleteFileRef {
  FileContent content = FileContent::kPositionDeletes;
  std::string path;         // re-based
  std::string file_format;  // "PARQUET", "PUFFIN" (v3 deletion vectors), ...
  int64_t data_sequence = 0;
  bool unpartitioned = false;  // its spec has no fields: it applies across partitions
  std::string partition;       // spec id and tuple (ConvertedManifest::partitions' form)
  std::optional<std::string> referenced_data_file;  // as recorded
  std::optional<int64_t> content_offset, content_size;
  int64_t record_count = 0;
  int64_t file_size = 0;
  std::vector<int32_t> equality_ids;  // equality deletes: the key columns' field ids
};

// The files of one manifest as snapshots list them.
struct ConvertedManifest {
  // Live data files (ADDED and EXISTING entries), in file order, in chunks
  // of FileList::kChunkSize (the last one shorter).
  std::vector<FileList::Chunk> chunks;
  size_t files = 0;
  // Who added each file: runs of files with the same origin.
  struct Origin {
    std::optional<int64_t> snapshot_id;  // the entry's, else the manifest's
    bool added = false;                  // status ADDED (not EXISTING)
  };
  std::vector<Origin> origins;
  struct Run {
    size_t end = 0;  // files [previous run's end, end)
    uint32_t origin = 0;
  };
  std::vector<Run> runs;
  // Per data file (parallel to the files): its data sequence number and its
  // partition (spec id and tuple: an index into `partitions`), which decide
  // the delete files that apply to it.
  std::vector<int64_t> data_sequence;
  std::vector<uint32_t> partition_of;
  std::vector<std::string> partitions;
  int64_t position_deletes = 0, equality_deletes = 0;  // live delete files listed
  std::vector<DeleteFileRef> delete_files;             // delete manifests only
  // A partition column that some file of a spec without it has no single
  // value for (see SingleValue): the first such, described. The snapshot
  // then converts its files again without partial partition columns.
  std::optional<std::string> unfilled;
  // Snapshots (nullopt: unknown) whose entries here delete data files or
  // add delete files: their commits are not append-only.
  std::vector<std::optional<int64_t>> removing;

  const DataFile& file(size_t i) const {
    return chunks[i / FileList::kChunkSize][i % FileList::kChunkSize];
  }
  bool Removes(int64_t snapshot_id) const {
    return std::any_of(removing.begin(), removing.end(),
                       [&](const std::optional<int64_t>& s) { return !s || *s == snapshot_id; });
  }
};

// The earliest snapshot time of the table (`otherwise` without snapshots).
int64_t EarliestSnapshotTime(const IcebergMetadata& m, int64_t otherwise);

// The conversion context of the files of a snapshot of the table `m`:
// `schema`, the partition columns of the specs in use (with
// `partial_partitions`, also the identity columns of only some of them:
// PartitionColumns), re-basing onto `root` (Prepare()d). `snapshot_ts` must
// outlive it.
FileContext MakeFileContext(const IcebergMetadata& m, const Schema* schema,
                            const std::set<int32_t>& spec_ids, const std::string& root,
                            const std::map<int64_t, int64_t>& snapshot_ts, int64_t version_ts,
                            const LocationMap* location_map = nullptr,
                            bool partial_partitions = true);

// The first partition column some of `converted` could not fill (their
// `unfilled`), if any.
std::optional<std::string> FirstUnfilled(
    const std::vector<std::shared_ptr<const ConvertedManifest>>& converted);

// Whether the table says its data files may lack partition columns
// (write.data.partition-columns=false): a partial partition column is then
// refused rather than left in the files.
bool FilesMayLackPartitionColumns(const IcebergMetadata& m);

// The key a converted manifest is found again by.
std::string ConversionKey(const std::string& path, const ManifestFile& mf,
                          const PartitionSpec* spec, const FileContext& ctx, bool deletes);

// Converts the manifest `bytes` (named `what` in errors). `spec` may be null
// for delete manifests (then only delete files are counted).
Result<std::shared_ptr<const ConvertedManifest>> ConvertManifest(
    std::string bytes, const std::string& what, const FileContext& ctx, const PartitionSpec* spec,
    const ManifestFile& mf, bool deletes);

}  // namespace lakeshare::iceberg
