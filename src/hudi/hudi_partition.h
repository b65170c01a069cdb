// Partition values of a Hudi file from its partition path.
//
// The path holds one segment per partition field ("region=us/day=3" with
// hive-style partitioning, "us/3" without), URL-encoded when the table says
// hoodie.datasource.write.partitionpath.urlencode; __HIVE_DEFAULT_PARTITION__
// is null. Fields of time-based key generators hold a formatted timestamp
// ("2024/01/15/10"), not the field's value: they are no partition columns,
// and in non-hive paths every field after one is positional guesswork, so
// such fields are no partition columns either (their values stay in the
// data files).
//
// Values are rendered as the protocol wants them (strings; dates
// yyyy-mm-dd, timestamps "yyyy-mm-dd hh:mm:ss[.ffffff]") from the field's
// Avro type. Thread-safe after construction.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "hudi/hudi_properties.h"
#include "hudi/hudi_schema.h"
#include "table/partition_values.h"

namespace lakeshare::hudi {

class PartitionParser {
 public:
  // `schema` (may be null) types the values.
  PartitionParser(const TableProperties& props, std::shared_ptr<const AvroType> schema);

  // The partition columns of the table (in partition field order).
  const std::vector<std::string>& columns() const { return columns_; }

  // The values of the partition columns for `partition_path`; kCorruption
  // when the path does not have the table's shape.
  Result<PartitionValues> Parse(const std::string& partition_path) const;

 private:
  struct Column {
    std::string name;
    size_t position = 0;  // segment index (non-hive paths)
    std::shared_ptr<const AvroType> type;
  };
  Result<std::optional<std::string>> Render(const Column& c, const std::string& raw) const;

  bool hive_ = false;
  bool url_encoded_ = false;
  size_t field_count_ = 0;
  bool positional_ok_ = true;  // non-hive: the path has one segment per field
  std::vector<Column> cols_;
  std::vector<std::string> columns_;
};

}  // namespace lakeshare::hudi
