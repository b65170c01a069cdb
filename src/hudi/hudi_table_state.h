// The state of a HudiTable after one load of its timeline (private to
// hudi_table*.cc): properties, versions, the file index and what rollbacks,
// restores and cleans undid. Immutable once built; shared by snapshots
// being built from it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "hudi/hudi_commit_metadata.h"
#include "hudi/hudi_file_index.h"
#include "hudi/hudi_partition.h"
#include "hudi/hudi_properties.h"
#include "hudi/hudi_schema.h"
#include "hudi/hudi_table.h"
#include "hudi/hudi_timeline.h"

namespace lakeshare {

struct HudiVersion {
  int64_t version = 0;
  std::string instant;
  std::string completion;  // completion time, or the instant time (layout 1)
  std::string action;
  int64_t timestamp_ms = 0;
  std::shared_ptr<const hudi::CommitMetadata> commit;
  uint64_t prefix_hash = 0;  // identity of versions 0..version (cache tags)
};

struct HudiTable::State {
  hudi::TableProperties props;
  std::string props_tag;  // size/time of hoodie.properties
  std::vector<HudiVersion> versions;
  std::set<std::string> undone;                          // instants rolled back or restored
  std::map<std::string, std::set<std::string>> cleaned;  // partition -> file names
  std::map<std::string, std::string> cleaned_by;         // file name -> clean instant
  std::optional<hudi::FileIndex> index;
  std::string timeline_start;   // the earliest instant known
  std::string listing_key;      // identity of the active timeline listing
  std::string earliest_active;  // earliest completed active instant
  std::vector<hudi::TimelineInstant> archived;
  bool archive_present = false;
  uint64_t cleans = 0;
  // Set when no snapshot can be served (unsupported base file format, ...).
  std::optional<Status> unservable;

  // The Avro schema text in force at `version` (latest commit that records
  // one, else hoodie.table.create.schema).
  std::optional<std::string> SchemaAt(int64_t version) const;
  // Instants whose log blocks count at `version`.
  std::set<std::string> ValidInstants(int64_t version) const;
};

// What serving the slices of one version needs.
struct HudiTable::SliceContext {
  std::shared_ptr<const State> state;
  int64_t version = 0;
  bool with_deletion_vectors = true;
  std::set<std::string> valid;
  std::shared_ptr<const hudi::AvroType> schema;
  std::unique_ptr<hudi::PartitionParser> partitions;
  // Parsed values of partition paths, filled before slices are served
  // (read-only while they are); paths not in it are parsed per slice.
  std::unordered_map<std::string, PartitionValues> partition_values;
  int64_t timestamp_ms = 0;
  // Stats of the base files served as they are (null: numRecords only).
  std::shared_ptr<const hudi::ColumnStatsIndex> column_stats;
};

}  // namespace lakeshare
