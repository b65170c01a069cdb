// Reads a table the way the sharing side will, before or after it is shared:
// the provider's check of a location (POST /api/v1/inspect-table, GET
// …/tables/{t}/inspect, and adding or moving a table) and the console's
// version history. Tables are opened through the table-format registry
// (table/table_format_registry.h) and the storage registry, the same
// interfaces the protocol side uses, so what the check reports is what a
// recipient would get.
//
// Bounds: a provider names the table, so the work is bounded: at most
// `max_concurrent` inspections run at once (others wait up to `max_wait_ms`,
// then are kTooManyRequests),
// opened tables are kept (up to `max_open_tables`) so their snapshot caches
// serve repeated checks, and a history page reads at most kMaxHistoryPage
// commits.
//
// Errors: every problem with the table itself (relative path, missing
// folder, no `_delta_log`, unreadable metadata, a bucket without
// credentials) is kFailedPrecondition whose message names the location, the
// format and the cause: the caller shows it as it is. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "admin/table_preview.h"
#include "catalog/table_location_map.h"
#include "common/status.h"
#include "storage/storage_registry.h"
#include "table/table_format.h"
#include "table/table_format_registry.h"

namespace lakeshare {

// What a share's partition filter keeps of a table.
struct PartitionFilterSummary {
  int64_t partitions_total = 0;
  int64_t partitions_kept = 0;
  int64_t files_kept = 0;
  // The first kept partitions (column -> value; nullopt: null), at most 20.
  std::vector<std::vector<std::pair<std::string, std::optional<std::string>>>> kept;
};

struct TableInspection {
  std::string format;
  int64_t version = 0;
  int64_t timestamp_ms = 0;
  std::string schema_string;  // Spark-JSON struct type
  std::vector<std::string> partition_columns;
  int64_t num_files = 0;
  int64_t size_bytes = 0;
  std::vector<std::string> reader_features;
  std::optional<std::string> unreadable_reason;  // served to nobody: why
  std::optional<PartitionFilterSummary> partition_filter;
};

// One commit of a table's history.
struct TableCommit {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
  std::optional<std::string> operation;
  int64_t files_added = 0;
  int64_t files_removed = 0;
};

struct TableHistoryPage {
  std::vector<TableCommit> commits;    // newest first
  std::optional<int64_t> next_before;  // the next page's commits are older than this
};

struct TableInspectorOptions {
  int max_concurrent = 2;
  int64_t max_wait_ms = 15000;
  size_t max_open_tables = 64;
  PreviewLimits preview;
};

inline constexpr int64_t kMaxHistoryPage = 100;

// A shared table's format options as the catalog gives them to the format
// (TableOpenContext::table_options, e.g. Hudi's "hudiView").
using TableOptions = std::map<std::string, std::string>;
// The options of a table shared with Hudi view `hudi_view` ("snapshot" or
// "read_optimized", any case): empty for the default, snapshot.
TableOptions HudiViewOptions(const std::string& hudi_view);
// The options of a table shared with Hudi view `hudi_view` and Iceberg
// location map `location_map` (empty: none), as the catalogs give them.
TableOptions SharedTableOptions(const std::string& hudi_view, const TableLocationMap& location_map);

class TableInspector {
 public:
  TableInspector(std::shared_ptr<StorageRegistry> storage,
                 std::shared_ptr<const TableFormatRegistry> formats,
                 TableInspectorOptions options = {});

  // The table at `location` in `format` ("delta", "iceberg", "hudi"; any
  // case), at its latest version; with `partition_filter`, what the filter
  // keeps (a filter that does not parse or names a non-partition column is
  // kInvalidArgument / kFailedPrecondition).
  // `table_options` are the table's format options (a Hudi view).
  Result<TableInspection> Inspect(const std::string& location, const std::string& format,
                                  const std::optional<std::string>& partition_filter = {},
                                  const TableOptions& table_options = {});

  // Up to `max_results` commits (1..kMaxHistoryPage) older than `before`
  // (default: from the latest), newest first. Commits the table no longer
  // holds (vacuumed, expired) end the history.
  Result<TableHistoryPage> History(const std::string& location, const std::string& format,
                                   std::optional<int64_t> before, int64_t max_results,
                                   const TableOptions& table_options = {});

  // The first rows of a version as recipients would read them (see
  // table_preview.h; bounded by options.preview). A version outside the
  // table is kInvalidArgument; other problems with the table as Inspect's.
  Result<TablePreview> Preview(const std::string& location, const std::string& format,
                               const PreviewRequest& request,
                               const TableOptions& table_options = {});

  // The opened table (for callers reading more of it); errors as Inspect's.
  Result<std::shared_ptr<TableFormat>> Open(const std::string& location, const std::string& format,
                                            const TableOptions& table_options = {});

 private:
  class Slot;
  Result<std::shared_ptr<TableFormat>> OpenLocked(const std::string& location,
                                                  const std::string& format,
                                                  const TableOptions& table_options);
  Result<OpenedTable> OpenTableLocked(const std::string& location, const std::string& format,
                                      const TableOptions& table_options);

  std::shared_ptr<StorageRegistry> storage_;
  std::shared_ptr<const TableFormatRegistry> formats_;
  TableInspectorOptions options_;
  std::mutex mu_;
  std::condition_variable slot_free_;
  int running_ = 0;
  std::map<std::string, OpenedTable> open_;  // by "format|key"
};

}  // namespace lakeshare
