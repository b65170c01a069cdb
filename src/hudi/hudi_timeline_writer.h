// The contents of the timeline instants lakeshare writes (the synthetic and
// demo tables of hudi_writer.h): commit metadata as table version 6 writes
// it (JSON) and as version 8+ does (an Avro container of
// HoodieCommitMetadata), clean metadata (HoodieCleanMetadata), and instant
// times. hudi_commit_metadata.h reads what these write.
//
// Pure functions; thread-safe. Encoding cannot fail.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lakeshare::hudi {

// One file's write stat: what a commit wrote to it.
struct WrittenStat {
  std::string partition, file_id, path, prev_commit;
  int64_t writes = 0, deletes = 0, updates = 0, inserts = 0, size = 0;
  std::map<std::string, int64_t> cdc;  // change log path -> size
};

// File groups a replacecommit retires: partition path -> file ids.
using ReplacedFileIds = std::map<std::string, std::vector<std::string>>;

// The Avro schema of HoodieCommitMetadata (the fields written below), or
// with `replace` of HoodieReplaceCommitMetadata (plus
// partitionToReplaceFileIds).
std::string CommitMetadataSchema(bool replace = false);

// One HoodieCommitMetadata record (Avro binary, CommitMetadataSchema),
// with `schema` (the table's Avro schema) as extraMetadata.schema; a
// HoodieReplaceCommitMetadata record when `replaced` is given.
std::string CommitMetadataRecord(const std::vector<WrittenStat>& stats,
                                 const std::string& operation, bool compacted,
                                 const std::string& schema,
                                 const ReplacedFileIds* replaced = nullptr);

// The same commit as table version 6's JSON.
std::string CommitMetadataJson(const std::vector<WrittenStat>& stats, const std::string& operation,
                               bool compacted, const std::string& schema,
                               const ReplacedFileIds* replaced = nullptr);

// A clean instant's file: `file_name` of `partition` deleted, keeping the
// slices from instant `retain` on.
std::string CleanMetadataFile(const std::string& instant, const std::string& partition,
                              const std::string& file_name, const std::string& retain);

// The instant time (yyyyMMddHHmmssSSS, UTC) of milliseconds since the epoch.
std::string InstantTimeFromMillis(int64_t ms);

}  // namespace lakeshare::hudi
