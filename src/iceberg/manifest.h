// Iceberg manifest lists and manifests (Avro, format v1-v3), decoded into
// the few fields lakeshare uses. Fields are found by name, so the writer's
// schema may differ (v1 vs v2 names, optional fields, extra fields);
// required fields missing or of the wrong type are kCorruption naming the
// file and record. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "iceberg/avro_file.h"
#include "iceberg/iceberg_schema.h"

namespace lakeshare::iceberg {

enum class ManifestContent { kData = 0, kDeletes = 1 };
enum class EntryStatus { kExisting = 0, kAdded = 1, kDeleted = 2 };
enum class FileContent { kData = 0, kPositionDeletes = 1, kEqualityDeletes = 2 };

// One entry of a manifest list.
struct ManifestFile {
  std::string path;  // as recorded
  int64_t length = 0;
  int32_t spec_id = 0;
  ManifestContent content = ManifestContent::kData;
  int64_t sequence_number = 0;
  std::optional<int64_t> added_snapshot_id;
  // Entry counts by status (optional in v1).
  std::optional<int64_t> added_files, existing_files, deleted_files;
};

Result<std::vector<ManifestFile>> ReadManifestList(std::string bytes, const std::string& what,
                                                   const AvroLimits& limits = {});

struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  std::optional<int64_t> snapshot_id;      // the snapshot that added/deleted the file
  std::optional<int64_t> sequence_number;  // data sequence number (v2+)
  FileContent content = FileContent::kData;
  std::string file_path;  // as recorded
  std::string file_format;
  std::vector<PartitionDatum> partition;  // in the partition tuple's field order
  int64_t record_count = 0;
  int64_t file_size = 0;
  // Metrics keyed by field id (empty when the writer kept none).
  std::vector<std::pair<int32_t, int64_t>> null_counts, nan_counts;
  std::vector<std::pair<int32_t, std::string>> lower_bounds, upper_bounds;
  // Delete files: the one data file they apply to (optional for position
  // deletes, required for v3 deletion vectors), and a deletion vector's
  // blob inside its Puffin file.
  std::optional<std::string> referenced_data_file;
  std::optional<int64_t> content_offset, content_size;
  // Equality delete files: the field ids of the key columns.
  std::vector<int32_t> equality_ids;
};

struct Manifest {
  std::optional<int32_t> spec_id;  // the file's "partition-spec-id" metadata
  std::vector<ManifestEntry> entries;
};

// `with_metrics`: decode null counts and bounds (skipped otherwise).
Result<Manifest> ReadManifest(std::string bytes, const std::string& what, bool with_metrics,
                              const AvroLimits& limits = {});

// The same, streamed: calls `fn` with each entry in file order. The entry
// object is reused from call to call (its strings and vectors keep their
// capacity), so a caller that keeps only what it derives allocates nothing
// per entry for the manifest's sake. `spec_id` (optional) receives the
// file's "partition-spec-id" before the first call.
Status ForEachManifestEntry(std::string bytes, const std::string& what, bool with_metrics,
                            const std::function<Status(const ManifestEntry&)>& fn,
                            std::optional<int32_t>* spec_id = nullptr,
                            const AvroLimits& limits = {});
// The "partition-spec-id" in a manifest's header (nullopt when absent).
Result<std::optional<int32_t>> ManifestSpecId(std::string bytes, const std::string& what,
                                              const AvroLimits& limits = {});

}  // namespace lakeshare::iceberg
