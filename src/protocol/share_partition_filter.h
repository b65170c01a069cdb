// Applies a share's partition filter (predicate/partition_filter.h) on the
// serving path: a table's answers (/query, /changes, streaming, and the
// delta-format metaData sizes) hold only the files the filter admits, with
// the client's predicate hints AND-ed on top.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "predicate/partition_filter.h"
#include "protocol/file_filter.h"
#include "table/table_format.h"

namespace lakeshare {

// The table's filter, checked against `metadata`'s partition columns;
// nullptr when the table has none. A stored filter that does not parse or
// names a non-partition column is kFailedPrecondition: the table is not
// served rather than served whole.
Result<std::shared_ptr<const PartitionFilter>> LoadSharePartitionFilter(
    const TableInfo& info, const TableMetadata& metadata, std::string_view table_name);

// Keeps a file when `share` admits it and `client` keeps it; either may be
// null (no restriction). Returns null when both are.
std::unique_ptr<FileFilter> AndShareFilter(std::shared_ptr<const PartitionFilter> share,
                                           std::unique_ptr<FileFilter> client);

// `digest` (of a request's parameters, for page tokens) bound to the
// table's filter too, so a page token dies when the filter changes.
std::string DigestWithShareFilter(const std::string& digest, const TableInfo& info);

}  // namespace lakeshare
