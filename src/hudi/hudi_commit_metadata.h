// The metadata of completed Hudi instants: what a commit wrote (write stats
// per partition, replaced file groups, the writer's schema) and what a
// rollback, restore or clean undid or deleted.
//
// Commit metadata is JSON in table version 6 and an Avro container file
// (HoodieCommitMetadata / HoodieReplaceCommitMetadata) from version 8 on;
// rollback, restore and clean metadata are Avro in every version. Archived
// instants hold the same records inside other records, hence the
// *FromAvro entry points.
//
// Pure functions; thread-safe. Malformed input is kCorruption naming `what`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "hudi/hudi_avro.h"

namespace lakeshare::hudi {

struct WriteStat {
  std::string partition_path;
  std::string file_id;
  std::string path;  // relative to the table root
  int64_t file_size = 0;
  int64_t num_writes = 0;
  int64_t num_deletes = 0;
  int64_t num_inserts = 0;
  int64_t num_update_writes = 0;
  std::string prev_commit;
  // Change-data files the write produced (path relative to the table root
  // -> size), when the table logs changes.
  std::map<std::string, int64_t> cdc_stats;
};

struct CommitMetadata {
  std::vector<WriteStat> write_stats;
  // Replace commits: file groups (partition path -> file ids) they retire.
  std::map<std::string, std::vector<std::string>> replaced_file_ids;
  std::optional<std::string> schema;  // extraMetadata.schema (Avro JSON)
  std::string operation_type;
  bool compacted = false;
};

// `bytes` is a completed commit/deltacommit/replacecommit file (JSON or
// Avro; empty files have no write stats).
Result<CommitMetadata> ParseCommitMetadata(std::string bytes, const std::string& what);
Result<CommitMetadata> CommitMetadataFromAvro(const AvroValue& record);

// The instants a rollback or restore undid.
Result<std::vector<std::string>> ParseRollbackInstants(std::string bytes, const std::string& what);
Result<std::vector<std::string>> ParseRestoreInstants(std::string bytes, const std::string& what);
Result<std::vector<std::string>> RollbackInstantsFromAvro(const AvroValue& record);

struct CleanMetadata {
  // File names (no folder) deleted per partition path.
  std::map<std::string, std::vector<std::string>> deleted_files;
  std::string earliest_commit_to_retain;
};
Result<CleanMetadata> ParseCleanMetadata(std::string bytes, const std::string& what);
Result<CleanMetadata> CleanMetadataFromAvro(const AvroValue& record);

// The file name part of a path ("a/b/c.parquet" -> "c.parquet").
std::string BaseName(std::string_view path);

}  // namespace lakeshare::hudi
