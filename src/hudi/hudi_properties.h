// hoodie.properties: the table config of an Apache Hudi table (a Java
// properties file in .hoodie/), and the typed facts lakeshare reads from it.
//
// ParseJavaProperties follows java.util.Properties.load: '#'/'!' comments,
// '=', ':' or blanks between key and value, backslash escapes (\:, \=, \t,
// \n, \uXXXX) and line continuations. Later keys replace earlier ones.
//
// Pure functions and values; thread-safe. Errors are kCorruption naming the
// property (a table version lakeshare cannot read is kUnsupported).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare::hudi {

std::map<std::string, std::string> ParseJavaProperties(std::string_view text);

enum class TableType { kCopyOnWrite, kMergeOnRead };

// How records with the same key are merged (Hudi 1.x merge modes; table
// version 6 is mapped from its payload class).
enum class MergeMode {
  kEventTime,   // the greatest ordering value wins (ties: the later write)
  kCommitTime,  // the later write wins
  // Table version 6 with OverwriteWithLatestAvroPayload (its default): log
  // records are combined by ordering value, a log record replaces the base
  // record whatever its ordering value.
  kOverwriteWithLatest,
  kCustom,  // a payload or merger lakeshare does not implement
};

// One field of hoodie.table.partition.fields ("region" or, for the custom
// key generator, "region:simple" / "ts:timestamp").
struct PartitionField {
  std::string name;
  // True when the partition path holds a formatted timestamp rather than
  // the field's value (time-based key generators): not a partition column.
  bool time_based = false;
};

struct TableProperties {
  std::map<std::string, std::string> raw;

  int table_version = 0;
  TableType type = TableType::kCopyOnWrite;
  std::string name;
  std::string base_file_format = "PARQUET";  // upper case
  std::vector<PartitionField> partition_fields;
  std::vector<std::string> record_key_fields;
  std::vector<std::string> ordering_fields;  // precombine / ordering fields
  std::string key_generator;                 // type or class, as written
  bool hive_style_partitioning = false;
  bool url_encode_partitioning = false;
  bool populate_meta_fields = true;
  bool drop_partition_columns = false;
  bool cdc_enabled = false;
  std::string cdc_logging_mode = "data_before_after";  // hoodie.table.cdc.supplemental.logging.mode
  MergeMode merge_mode = MergeMode::kEventTime;
  std::string merge_description;  // what merge_mode came from, for messages
  bool timeline_utc = true;       // hoodie.table.timeline.timezone (default here: UTC)
  int timeline_layout_version = 1;
  std::string timeline_path = "timeline";    // under .hoodie/ (layout 2)
  std::string archive_path = "archived";     // under .hoodie/ (layout 1)
  std::string history_path = "history";      // under the timeline folder (layout 2)
  std::optional<std::string> create_schema;  // Avro JSON
  std::optional<std::string> metadata_partitions;

  std::optional<std::string> Get(const std::string& key) const;

  // The partition fields that are partition columns (not time-based).
  std::vector<std::string> PartitionColumns() const;
};

// Parses and validates; kUnsupported for table versions other than 6, 8, 9
// and for base file formats other than parquet.
Result<TableProperties> ParseTableProperties(std::string_view text);

}  // namespace lakeshare::hudi
