// How an Iceberg snapshot's schema is presented to Delta Sharing clients:
// the Delta protocol (reader features the schema needs), the Delta metadata
// (Spark schema string, partition columns, comment) and the partition
// columns exposed as partition values (top-level identity partitions that
// every partition spec in use has).
//
// AnalyzeSchema also finds the other schemas of the table whose column names
// differ from the snapshot's for the same field (a column renamed, or
// dropped and added again): files written with those must be read by field
// id, which Delta column mapping mode `id` tells a delta-format client
// (NeedsColumnMapping decides per data file). Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "iceberg/iceberg_metadata.h"
#include "iceberg/iceberg_schema.h"
#include "table/table_format.h"

namespace lakeshare::iceberg {

struct SchemaReport {
  std::vector<std::string> reader_features;
  std::set<int32_t> default_field_ids;  // fields with an initial default
  // Ids of the schemas whose names differ for the same field id (or whose
  // name belongs to another field id), and the first such difference.
  std::set<int32_t> name_conflicts;
  std::optional<std::string> name_conflict;
};

SchemaReport AnalyzeSchema(const IcebergMetadata& m, const Schema& s);

// Whether a data file added by snapshot `origin` (nullopt or expired:
// unknown) may name its columns otherwise than the analysed schema, so that
// only a reader matching columns by field id reads it right. A snapshot
// without a schema id, or with one the metadata lacks, counts as unknown.
bool NeedsColumnMapping(const IcebergMetadata& m, const SchemaReport& report,
                        const std::optional<int64_t>& origin);

// The ids of every field of `s`, nested ones included.
std::set<int32_t> AllFieldIds(const Schema& s);
// The dotted path of field `id` in `s` ("s.inner"; "#id" when absent).
std::string FieldPathOf(const Schema& s, int32_t id);

// The schema a snapshot was written with (the current one for the current
// snapshot, for nullptr, or when the snapshot names none).
const Schema* SchemaFor(const IcebergMetadata& m, const SnapshotInfo* s);

// A column shared as partition values, by name.
using PartitionColumnList = std::vector<std::pair<std::string, const NestedField*>>;
// The partition columns of a snapshot whose manifests use `spec_ids` (none:
// the default spec): the top-level columns of exposable types with an
// identity transform in every one of those specs, and with `partial` also
// those with one in some of them (the files of the other specs then take
// their value from their bounds: manifest_conversion.h).
PartitionColumnList PartitionColumns(const IcebergMetadata& m, const Schema& schema,
                                     const std::set<int32_t>& spec_ids, bool partial = false);

// With `column_mapping`: Delta column mapping mode `id` (the `columnMapping`
// reader/writer feature; field ids and physical names in the schema string;
// `delta.columnMapping.mode` = id and `maxColumnId` = the table's
// last-column-id in the configuration).
// With `physical_names` too: mode `name` instead (columns read by those
// names; partition_columns may carry them, the metadata lists the logical
// ones).
TableProtocol MakeProtocol(const SchemaReport& report, bool column_mapping = false);
TableMetadata MakeMetadata(const std::string& table_id, const IcebergMetadata& m,
                           const Schema& schema, const PartitionColumnList& partition_columns,
                           bool column_mapping = false,
                           const std::map<int32_t, std::string>* physical_names = nullptr);

}  // namespace lakeshare::iceberg
