// The admin API's routes that read tables (admin/table_inspection.h): the
// check of a location before it is shared, what the server reads of a shared
// table, and its version history. Part of the table of admin_route.h.
#include <boost/json.hpp>

#include "admin/admin_route.h"
#include "admin/admin_route_builders.h"
#include "admin/admin_service.h"
#include "admin/table_inspection.h"
#include "catalog/sql_catalog_admin.h"

namespace lakeshare {

namespace {

namespace json = boost::json;
using K = CliArg::Kind;
using T = FieldType;

// ------------------------------------------------------------ shapes

const Shape& PartitionFilterSummaryShape() {
  static const Shape kShape{
      "PartitionFilterSummary",
      "What a partition filter keeps of the table",
      {{"partitionsTotal", T::kInteger, true, "Distinct partitions of the table"},
       {"partitionsKept", T::kInteger, true, "Partitions the filter keeps"},
       {"filesKept", T::kInteger, true, "Data files of the kept partitions"},
       {"kept", T::kAny, true, "The first 20 kept partitions: objects of column -> value"}}};
  return kShape;
}

const Shape& InspectionShape() {
  static const Shape kShape = [] {
    Shape s{"TableInspection",
            "What the server reads of a table: what recipients would be served",
            {{"location", T::kString, true, "The location read"},
             {"format", T::kString, true, "delta, iceberg or hudi"},
             {"version", T::kInteger, true, "The latest version"},
             {"timestamp", T::kEpochMillis, true, "When the latest version was committed"},
             {"schema", T::kAny, true, "The table's schema (Spark JSON struct type)"},
             {"partitionColumns", T::kStringList, true, "Partition columns, in order"},
             {"numFiles", T::kInteger, true, "Data files of the latest version"},
             {"sizeBytes", T::kInteger, true, "Their total size"},
             {"readerFeatures", T::kStringList, false, "Table features readers must know"},
             {"unreadableReason", T::kString, false,
              "Set when the server can read the table but cannot serve its rows (why)"}}};
    Field pf{"partitionFilter", T::kObject, false, "With a partition filter: what it keeps"};
    pf.shape = &PartitionFilterSummaryShape();
    s.fields.push_back(pf);
    return s;
  }();
  return kShape;
}

const Shape& CommitShape() {
  static const Shape kShape{
      "TableCommit",
      "One version of a table",
      {{"version", T::kInteger, true, "The version"},
       {"timestamp", T::kEpochMillis, true, "When it was committed"},
       {"operation", T::kString, false, "What the writer recorded (WRITE, MERGE, append, ...)"},
       {"filesAdded", T::kInteger, true, "Data files it added"},
       {"filesRemoved", T::kInteger, true, "Data files it removed"}}};
  return kShape;
}

const Shape& HistoryShape() {
  static const Shape kShape = [] {
    Field items{"items", T::kObjectList, true, "Versions, newest first"};
    items.shape = &CommitShape();
    return Shape{"TableHistory",
                 "A page of a table's versions",
                 {items,
                  {"nextPageToken", T::kString, false,
                   "Set when older versions follow: pass it as pageToken"}}};
  }();
  return kShape;
}

const Shape& PreviewColumnShape() {
  static const Shape kShape{"PreviewColumn",
                            "A column of a table preview",
                            {{"name", T::kString, true, "The column's (logical) name"},
                             {"type", T::kAny, true, "Its type as the schema writes it"},
                             {"partition", T::kBoolean, true, "A partition column"}}};
  return kShape;
}

const Shape& PreviewShape() {
  static const Shape kShape = [] {
    Field columns{"columns", T::kObjectList, true, "The columns, in schema order"};
    columns.shape = &PreviewColumnShape();
    return Shape{
        "TablePreview",
        "The first rows of a version as a recipient reads them",
        {{"version", T::kInteger, true, "The version read"},
         columns,
         {"rows", T::kAny, true,
          "Rows: arrays of values in column order (binary as base64, dates and timestamps "
          "ISO-8601, decimals as exact strings, maps with string keys as objects)"},
         {"rowsTruncated", T::kBoolean, true, "More rows exist than are shown"},
         {"truncatedValues", T::kInteger, true, "Values cut because they are large"},
         {"truncatedCells", T::kAny, true, "[row, column] of each cut value"},
         {"stopped", T::kString, false, "Set when a read bound ended the preview early: which"},
         {"filesRead", T::kInteger, true, "Data files opened"},
         {"bytesRead", T::kInteger, true, "Bytes read from storage"}}};
  }();
  return kShape;
}

// ------------------------------------------------------------ handlers

Result<TableInspector*> Inspector(const AdminCall& c) {
  if (!c.options.tables) {
    return Status::Unsupported("this server was started without table readers");
  }
  return c.options.tables.get();
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(json::string(s));
  return a;
}

json::object InspectionJson(const std::string& location, const TableInspection& t) {
  json::object o;
  o["location"] = location;
  o["format"] = t.format;
  o["version"] = t.version;
  o["timestamp"] = t.timestamp_ms;
  boost::system::error_code ec;
  json::value schema = json::parse(t.schema_string, ec);
  o["schema"] = ec ? json::value(t.schema_string) : std::move(schema);
  o["partitionColumns"] = Strings(t.partition_columns);
  o["numFiles"] = t.num_files;
  o["sizeBytes"] = t.size_bytes;
  if (!t.reader_features.empty()) o["readerFeatures"] = Strings(t.reader_features);
  if (t.unreadable_reason) o["unreadableReason"] = *t.unreadable_reason;
  if (t.partition_filter) {
    const PartitionFilterSummary& p = *t.partition_filter;
    json::array kept;
    for (const auto& partition : p.kept) {
      json::object k;
      for (const auto& [column, value] : partition) {
        k[column] = value ? json::value(*value) : json::value(nullptr);
      }
      kept.emplace_back(std::move(k));
    }
    o["partitionFilter"] = json::object{{"partitionsTotal", p.partitions_total},
                                        {"partitionsKept", p.partitions_kept},
                                        {"filesKept", p.files_kept},
                                        {"kept", std::move(kept)}};
  }
  return o;
}

Result<HttpResponse> InspectLocation(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(TableInspector * inspector, Inspector(c));
  const std::string& location = c.body.Required("location");
  c.object = "location:" + location;
  // The settings a table would be added with, so that a table copied
  // elsewhere (a location map) or read-optimized reads as it would be shared.
  const std::string format = c.body.String("format").value_or("delta");
  const std::string hudi_view = c.body.String("hudiView").value_or("snapshot");
  const TableLocationMap map = c.body.StringMap("locationMap").value_or(TableLocationMap{});
  LS_RETURN_IF_ERROR(ValidateTableFormatSettings(format, hudi_view, map));
  LS_ASSIGN_OR_RETURN(auto t, inspector->Inspect(location, format, c.body.String("partitionFilter"),
                                                 SharedTableOptions(hudi_view, map)));
  return JsonAnswer(200, InspectionJson(location, t));
}

Result<HttpResponse> InspectSharedTable(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(TableInspector * inspector, Inspector(c));
  LS_ASSIGN_OR_RETURN(auto r,
                      c.catalog.GetTable(c.Param("share"), c.Param("schema"), c.Param("table")));
  LS_ASSIGN_OR_RETURN(auto t, inspector->Inspect(r.location, r.format, r.partition_filter,
                                                 SharedTableOptions(r.hudi_view, r.location_map)));
  return JsonAnswer(200, InspectionJson(r.location, t));
}

Result<HttpResponse> TableHistory(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(TableInspector * inspector, Inspector(c));
  LS_ASSIGN_OR_RETURN(auto r,
                      c.catalog.GetTable(c.Param("share"), c.Param("schema"), c.Param("table")));
  std::optional<int64_t> before;
  if (auto token = c.query.String("pageToken")) {
    int64_t v = -1;
    try {
      size_t used = 0;
      v = std::stoll(*token, &used);
      if (used != token->size()) v = -1;
    } catch (const std::exception&) {
      v = -1;
    }
    if (v < 1) return Status::InvalidArgument("pageToken is not one this server gave");
    before = v;
  }
  LS_ASSIGN_OR_RETURN(
      auto page,
      inspector->History(r.location, r.format, before, c.query.Int("maxResults").value_or(20),
                         SharedTableOptions(r.hudi_view, r.location_map)));
  json::array items;
  for (const TableCommit& v : page.commits) {
    json::object o{{"version", v.version},
                   {"timestamp", v.timestamp_ms},
                   {"filesAdded", v.files_added},
                   {"filesRemoved", v.files_removed}};
    if (v.operation) o["operation"] = *v.operation;
    items.emplace_back(std::move(o));
  }
  json::object out{{"items", std::move(items)}};
  if (page.next_before) out["nextPageToken"] = std::to_string(*page.next_before);
  return JsonAnswer(200, out);
}

Result<HttpResponse> PreviewTable(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(TableInspector * inspector, Inspector(c));
  LS_ASSIGN_OR_RETURN(auto r,
                      c.catalog.GetTable(c.Param("share"), c.Param("schema"), c.Param("table")));
  PreviewRequest request{.version = c.query.Int("version"),
                         .limit = c.query.Int("limit").value_or(kDefaultPreviewRows),
                         .partition_filter = r.partition_filter};
  LS_ASSIGN_OR_RETURN(TablePreview p,
                      inspector->Preview(r.location, r.format, request,
                                         SharedTableOptions(r.hudi_view, r.location_map)));
  json::array columns;
  for (const PreviewColumn& col : p.columns) {
    columns.emplace_back(
        json::object{{"name", col.name}, {"type", col.type}, {"partition", col.partition}});
  }
  json::array cells;
  for (const auto& [row, column] : p.truncated_cells) cells.emplace_back(json::array{row, column});
  json::object out{{"version", p.version},
                   {"columns", std::move(columns)},
                   {"rows", std::move(p.rows)},
                   {"rowsTruncated", p.rows_truncated},
                   {"truncatedValues", static_cast<int64_t>(p.truncated_cells.size())},
                   {"truncatedCells", std::move(cells)},
                   {"filesRead", p.files_read},
                   {"bytesRead", p.bytes_read}};
  if (p.stopped) out["stopped"] = *p.stopped;
  return JsonAnswer(200, out);
}

}  // namespace

std::vector<AdminRoute> TableReadRoutes() {
  const std::vector<CliArg> table_args = {{K::kPositional, "share", "share"},
                                          {K::kPositional, "schema", "schema"},
                                          {K::kPositional, "table", "table"}};
  const RouteError unreadable{StatusCode::kFailedPrecondition,
                              "the table cannot be read: the message says why (a relative path, "
                              "no such folder, no _delta_log, unreadable metadata, no "
                              "credentials for the bucket)"};
  const RouteError busy{StatusCode::kTooManyRequests, "other tables are being read"};
  std::vector<AdminRoute> r;
  AdminRoute check{
      .method = "POST",
      .path = "/inspect-table",
      .id = "inspectTable",
      .action = "inspectTable",
      .access = RouteAccess::kAdmin,
      .group = &kTableGroup,
      .summary = "Read a table before sharing it",
      .description =
          "Reads the table at a location as recipients would be served it: its "
          "format, latest version, schema, partition columns, files and size, or "
          "exactly what is wrong with it. Nothing is written.",
      .response = &InspectionShape(),
      .errors = {unreadable, busy},
      .object = "tables",
      .handler = InspectLocation,
      .cli =
          {{.path = {"table", "check"},
            .help = "Read a table at a location before sharing it",
            .args = {{K::kPositional, "location", "location"},
                     {K::kOption, "format", "--format", "delta (default), iceberg or hudi"},
                     {K::kOption, "partitionFilter", "--partition-filter",
                      "A partition filter to try"},
                     {K::kOption, "hudiView", "--hudi-view",
                      "Hudi tables: snapshot (default) or read_optimized"},
                     {K::kOption, "locationMap", "--location-map",
                      "Iceberg tables: recorded prefixes -> real locations, as a JSON object"}}}},
  };
  check.body.fields = {{.name = "location",
                        .type = T::kString,
                        .required = true,
                        .description = "Where the table lives: an absolute path or a URI",
                        .max_length = CatalogAdminLimits::kLocation},
                       {"format", T::kString, false, "delta (the default), iceberg or hudi"},
                       {.name = "partitionFilter",
                        .type = T::kFilter,
                        .description = "A partition filter to try: the answer says what it keeps",
                        .max_length = CatalogAdminLimits::kPartitionFilter},
                       {.name = "hudiView",
                        .type = T::kString,
                        .description = "Hudi tables: the view to read (snapshot, the default, or "
                                       "read_optimized), as a table added with it is served",
                        .max_length = 64,
                        .enum_values = {"snapshot", "read_optimized"}},
                       {.name = "locationMap",
                        .type = T::kStringMap,
                        .description = "Iceberg tables: recorded location prefixes -> real "
                                       "locations to read through, as a table added with it is "
                                       "served",
                        .max_length = kMaxLocationMapEntries}};
  r.push_back(std::move(check));
  AdminRoute inspect = ReadRoute({.path = "/shares/{share}/schemas/{schema}/tables/{table}/inspect",
                                  .id = "inspectSharedTable",
                                  .group = &kTableGroup,
                                  .summary = "Read a shared table as recipients are served it",
                                  .object = "table:{share}.{schema}.{table}",
                                  .handler = InspectSharedTable},
                                 InspectionShape(),
                                 {.path = {"table", "inspect"},
                                  .help = "Read a shared table as recipients are served it",
                                  .args = table_args});
  inspect.errors = {unreadable, busy};
  r.push_back(std::move(inspect));
  AdminRoute history = ReadRoute(
      {.path = "/shares/{share}/schemas/{schema}/tables/{table}/history",
       .id = "tableHistory",
       .group = &kTableGroup,
       .summary = "A shared table's versions, newest first",
       .description = "Version, commit time, operation and the data files each version added "
                      "and removed (Delta, Iceberg and Hudi). Versions the table no longer holds "
                      "(vacuumed, expired) are not listed.",
       .object = "table:{share}.{schema}.{table}",
       .handler = TableHistory},
      HistoryShape(),
      ListCommand({"table", "history"}, "List a shared table's versions, newest first", table_args,
                  {"version", "timestamp", "operation", "filesAdded", "filesRemoved"}));
  history.query = {{.name = "maxResults",
                    .type = T::kInteger,
                    .description = "Versions per page (default 20)",
                    .minimum = 1,
                    .maximum = kMaxHistoryPage},
                   {"pageToken", T::kString, false, "The nextPageToken of the previous page"}};
  history.errors = {unreadable, busy};
  r.push_back(std::move(history));
  AdminRoute preview = ReadRoute(
      {.path = "/shares/{share}/schemas/{schema}/tables/{table}/preview",
       .id = "previewTable",
       .group = &kTableGroup,
       .summary = "The first rows of a shared table, as a recipient reads them",
       .description = "Read by the server: the share's partition filter applied, rows deleted "
                      "by deletion vectors left out, column mapping undone, partition values "
                      "from the table's log. Large values are cut. Bounded: at most 64 MiB read, "
                      "100 files opened and 10 s spent; a bound met after some rows ends the "
                      "preview early (`stopped`).",
       .object = "table:{share}.{schema}.{table}",
       .handler = PreviewTable},
      PreviewShape(),
      {.path = {"table", "preview"},
       .help = "Show the first rows of a shared table as a recipient reads them",
       .args = {{K::kPositional, "share", "share"},
                {K::kPositional, "schema", "schema"},
                {K::kPositional, "table", "table"},
                {K::kOption, "version", "--version"},
                {K::kOption, "limit", "--limit"}},
       .output = CliCommand::Output::kRaw});
  preview.query = {{.name = "version",
                    .type = T::kInteger,
                    .description = "The version to read (default: the latest)",
                    .minimum = 0},
                   {.name = "limit",
                    .type = T::kInteger,
                    .description = "Rows (default 100)",
                    .minimum = 1,
                    .maximum = kMaxPreviewRows}};
  preview.errors = {unreadable,
                    busy,
                    {StatusCode::kTooLarge, "a single row group exceeds the preview's read budget"},
                    {StatusCode::kCorruption, "a data file or deletion vector is damaged"}};
  r.push_back(std::move(preview));
  return r;
}

}  // namespace lakeshare
