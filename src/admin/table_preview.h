// The admin API's table preview: the first rows of a version of a shared
// table, read by the server with its own readers as a recipient would see
// them — the share's partition filter applied, rows deleted by deletion
// vectors left out, column mapping undone (physical names in the files,
// logical names shown), partition values taken from the table's log.
// Values are JSON as preview_values.h writes them, large ones cut.
//
// Bounds: the files of the snapshot are read in its order until `limit`
// rows are found, a row group at a time; at most PreviewLimits::max_bytes
// are read from storage (data, footers, deletion vectors), at most
// max_files files opened, and no new row group is started after max_millis.
// A limit reached after some rows ends the preview early (`stopped` says
// why); reached before any row it is kTooLarge.
//
// Errors: a version outside the table is kInvalidArgument; a snapshot the
// server cannot serve (unreadable_reason), files that are not parquet and
// deletion vectors recipients could not read are kFailedPrecondition /
// kUnsupported; corrupt files kCorruption. Callers (TableInspector::Preview)
// name the table in them. Thread-compatible: one call reads one preview.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "admin/preview_values.h"
#include "common/status.h"
#include "storage/storage_registry.h"
#include "table/table_format_registry.h"

namespace lakeshare {

inline constexpr int64_t kDefaultPreviewRows = 100;
inline constexpr int64_t kMaxPreviewRows = 1000;

struct PreviewRequest {
  std::optional<int64_t> version;  // default: the latest
  int64_t limit = kDefaultPreviewRows;
  std::optional<std::string> partition_filter;  // the share's
};

struct PreviewLimits {
  int64_t max_bytes = int64_t{64} << 20;
  int max_files = 100;
  int64_t max_millis = 10000;
  ValueLimits values;
};

struct PreviewColumn {
  std::string name;
  boost::json::value type;  // as the schema writes it
  bool partition = false;
};

struct TablePreview {
  int64_t version = 0;
  std::vector<PreviewColumn> columns;
  boost::json::array rows;      // each an array, in column order
  bool rows_truncated = false;  // more rows exist (or may: see `stopped`)
  std::vector<std::pair<int64_t, int64_t>> truncated_cells;  // (row, column) of cut values
  std::optional<std::string> stopped;                        // a bound ended the read early: which
  int64_t files_read = 0;
  int64_t bytes_read = 0;
};

Result<TablePreview> ReadTablePreview(const OpenedTable& table, const StorageRegistry& storage,
                                      const PreviewRequest& request,
                                      const PreviewLimits& limits = {});

}  // namespace lakeshare
