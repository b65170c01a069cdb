// Iceberg table metadata files (`*.metadata.json`, format v1, v2 and v3):
// the parsed form lakeshare needs, and the lineage of the main branch.
//
// v1 layouts are normalized: `schema` becomes schemas[0], `partition-spec`
// spec 0 (partition field ids assigned from 1000 when absent), and
// `snapshots[].manifests` is kept besides `manifest-list`. v3 fields that
// change how data must be read are recognised (row lineage: next-row-id,
// first-row-id; initial defaults; deletion vectors arrive as delete files in
// manifests); the rest is ignored. Gzip-compressed metadata (any file that
// starts with the gzip magic) is inflated first.
//
// Errors: kCorruption naming what is malformed; kTooLarge for metadata that
// inflates past the limit. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "iceberg/iceberg_schema.h"

namespace lakeshare::iceberg {

struct PartitionField {
  int32_t source_id = 0;
  int32_t field_id = 0;
  std::string name;
  std::string transform;  // "identity", "bucket[16]", "day", "void", ...
};

struct PartitionSpec {
  int32_t spec_id = 0;
  std::vector<PartitionField> fields;
};

struct SnapshotInfo {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_id;
  int64_t sequence_number = 0;  // 0 when absent (v1)
  int64_t timestamp_ms = 0;
  std::optional<std::string> manifest_list;
  std::vector<std::string> manifests;  // v1 snapshots without a manifest list
  std::optional<int32_t> schema_id;
  std::string operation;  // summary.operation ("append", "overwrite", ...); may be empty
  std::map<std::string, std::string> summary;
  std::optional<int64_t> first_row_id;  // v3 row lineage
};

struct IcebergMetadata {
  int format_version = 1;
  std::string table_uuid;
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  std::vector<Schema> schemas;
  int32_t current_schema_id = 0;
  std::vector<PartitionSpec> specs;
  int32_t default_spec_id = 0;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;  // refs.main, else current-snapshot-id
  std::vector<SnapshotInfo> snapshots;
  std::optional<int64_t> next_row_id;  // v3

  const Schema* SchemaById(int32_t id) const;
  const Schema* CurrentSchema() const { return SchemaById(current_schema_id); }
  const PartitionSpec* SpecById(int32_t id) const;
  const SnapshotInfo* SnapshotById(int64_t id) const;
};

struct MetadataLimits {
  int64_t max_inflated_bytes = int64_t{512} << 20;
};

// Parses metadata JSON (or its gzip).
Result<IcebergMetadata> ParseMetadata(std::string_view bytes, const MetadataLimits& limits = {});

// The snapshots of the main branch: the current snapshot and its ancestors
// that are still in the metadata (expired ones end the chain), oldest first.
std::vector<const SnapshotInfo*> MainLineage(const IcebergMetadata& m);

// Inflates gzip (or zlib) data up to `max_bytes`.
Result<std::string> Gunzip(std::string_view data, int64_t max_bytes);
bool IsGzip(std::string_view data);

}  // namespace lakeshare::iceberg
