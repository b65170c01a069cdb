// The admin API's routes for shares, their schemas and their tables: part
// of the table of admin_route.h.
#include <boost/json.hpp>

#include "admin/admin_json.h"
#include "admin/admin_route.h"
#include "admin/admin_route_builders.h"
#include "admin/admin_service.h"
#include "admin/list_page.h"
#include "common/names.h"

namespace lakeshare {

namespace {

namespace json = boost::json;
using Arg = CliArg;
using Cli = CliCommand;
using K = CliArg::Kind;
using T = FieldType;
using Limits = CatalogAdminLimits;

// ------------------------------------------------------------ fields

Field NameField(NameKind kind, bool required, std::string_view description) {
  return {.name = "name",
          .type = T::kString,
          .required = required,
          .description = description,
          .name_rules = kind};
}
Field DisplayNameField() {
  return {.name = "displayName",
          .type = T::kString,
          .description = "Shown instead of the name where clients support it (\"\" clears)",
          .max_length = Limits::kDisplayName};
}
Field CommentField() {
  return {.name = "comment",
          .type = T::kString,
          .description = "Free text (\"\" clears)",
          .max_length = Limits::kComment};
}
Field IdField(std::string_view what) {
  return {.name = "id", .type = T::kString, .description = what, .max_length = Limits::kId};
}

// The table fields add and update share; `add`: location is required.
std::vector<Field> TableFields(bool add) {
  return {
      {.name = "location",
       .type = T::kString,
       .required = add,
       .description = "Where the table lives: a path, or a URI (s3://, abfss://, gs://, ...; an "
                      "Iceberg REST catalog table URL)",
       .max_length = Limits::kLocation},
      {"format", T::kString, false, "delta (the default), iceberg or hudi, in any case"},
      {"historyShared", T::kBoolean, false,
       "Recipients may time-travel and read changes (default false)"},
      {.name = "startVersion",
       .type = T::kInteger,
       .description = "The first version recipients may read (default 0)",
       .minimum = 0},
      {.name = "hudiView",
       .type = T::kString,
       .description = "Hudi tables: snapshot (the default: log files applied, merge-on-read "
                      "slices served merged) or read_optimized (base files only, as the table's "
                      "description then says)",
       .max_length = 64,
       .enum_values = {"snapshot", "read_optimized"}},
      {.name = "locationMap",
       .type = T::kStringMap,
       .description =
           "Iceberg tables: recorded location prefixes -> real locations (absolute paths or "
           "URIs), for tables copied or mounted elsewhere, e.g. {\"/test-warehouse/\": "
           "\"/data/warehouse/\"}; the longest matching prefix wins. {} removes the map.",
       .max_length = kMaxLocationMapEntries},
      {.name = "partitionFilter",
       .type = T::kFilter,
       .description =
           "The partitions the share exposes: clauses joined by AND (col = 'text' | col = 12 | "
           "col IN ('a', 'b') | col IS [NOT] NULL), or the protocol's JSON predicate tree (text, "
           "or an object). Every column must be a partition column; a file is served only when "
           "the filter is TRUE for its partition values. \"\" removes the filter.",
       .max_length = Limits::kPartitionFilter},
      CommentField(),
      {"check", T::kBoolean, false,
       "false: store the location without reading the table (one that will exist later); by "
       "default the server reads it first and refuses a location it cannot read"},
  };
}

// CLI options of the table fields.
std::vector<Arg> TableArgs(bool add) {
  return {
      {K::kOption, "location", "--location", "Where the table lives (path or URI)"},
      {K::kOption, "format", "--format", "delta (default), iceberg or hudi"},
      {K::kOption, "historyShared", "--history", "true: allow time travel and change queries"},
      {K::kOption, "startVersion", "--start-version", "First version recipients may read"},
      {K::kOption, "hudiView", "--hudi-view",
       "Hudi tables: snapshot (default) or read_optimized (base files only)"},
      {K::kOption, "locationMap", "--location-map",
       add ? "Iceberg tables: recorded prefixes -> real locations, as a JSON object, e.g. "
             "'{\"/test-warehouse/\": \"/data/wh/\"}'"
           : "Iceberg tables: recorded prefixes -> real locations, as a JSON object ('{}' "
             "removes the map)"},
      {K::kOption, "partitionFilter", "--partition-filter",
       add ? "Partitions the share exposes, e.g. \"region = 'EU' AND year IN (2023, 2024)\" or a "
             "JSON predicate"
           : "Partitions the share exposes, e.g. \"region = 'EU' AND year IN (2023, 2024)\" or a "
             "JSON predicate (\"\" removes the filter)"},
      {K::kOption, "comment", "--comment"},
      {K::kClear, "check", "--no-check",
       "Do not read the table first (for a table that will exist later)"},
  };
}

Arg IfVersion() {
  return {K::kOption, "version", "--if-version",
          "Refuse the change if the object's version is no longer this"};
}

// ------------------------------------------------------------ shares

std::vector<CliArg> WithSearch(std::vector<CliArg> args) {
  args.push_back({K::kOption, "search", "--search"});
  return args;
}

Result<HttpResponse> ListShares(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(ListPage page, ListPage::Of(c.query));
  LS_ASSIGN_OR_RETURN(auto v, c.catalog.ListShares());
  return JsonAnswer(200, PageOf(v, page, NameOf<ShareRecord>, ShareJson));
}

Result<HttpResponse> CreateShare(AdminCall& c) {
  ShareSpec spec;
  spec.name = c.body.Required("name");
  c.object = "share:" + spec.name;
  spec.display_name = c.body.String("displayName");
  spec.comment = c.body.String("comment");
  spec.id = c.body.String("id");
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.CreateShare(spec));
  return JsonAnswer(201, ShareJson(r));
}

Result<HttpResponse> GetShare(AdminCall& c) {
  const std::string& share = c.Param("share");
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.GetShare(share));
  json::object o = ShareJson(r);
  if (auto recipients = c.catalog.ListShareRecipients(share); recipients.ok()) {
    o["recipients"] = StringArray(*recipients);
  }
  return JsonAnswer(200, o);
}

Result<HttpResponse> UpdateShare(AdminCall& c) {
  ShareUpdate u;
  u.name = c.body.String("name");
  u.display_name = c.body.String("displayName");
  u.comment = c.body.String("comment");
  LS_ASSIGN_OR_RETURN(auto version, ExpectedVersion(c));
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.UpdateShare(c.Param("share"), u, version));
  return JsonAnswer(200, ShareJson(r));
}

Result<HttpResponse> DeleteShare(AdminCall& c) {
  LS_RETURN_IF_ERROR(c.catalog.DeleteShare(c.Param("share")));
  return NoContent();
}

// ------------------------------------------------------------ schemas

Result<HttpResponse> ListSchemas(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(ListPage page, ListPage::Of(c.query));
  LS_ASSIGN_OR_RETURN(auto v, c.catalog.ListSchemas(c.Param("share")));
  return JsonAnswer(200, PageOf(v, page, NameOf<SchemaRecord>, SchemaJson));
}

Result<HttpResponse> CreateSchema(AdminCall& c) {
  const std::string& share = c.Param("share");
  const std::string& name = c.body.Required("name");
  c.object = "schema:" + share + "." + name;
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.CreateSchema(share, name));
  return JsonAnswer(201, SchemaJson(r));
}

Result<HttpResponse> GetSchema(AdminCall& c) {
  const std::string& share = c.Param("share");
  const std::string& schema = c.Param("schema");
  LS_ASSIGN_OR_RETURN(auto v, c.catalog.ListSchemas(share));
  for (const auto& s : v) {
    if (EqualsIgnoreCase(s.name, schema)) return JsonAnswer(200, SchemaJson(s));
  }
  return Status::NotFound("schema '" + share + "." + schema + "' not found");
}

Result<HttpResponse> RenameSchema(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(auto version, ExpectedVersion(c));
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.RenameSchema(c.Param("share"), c.Param("schema"),
                                                     c.body.Required("name"), version));
  return JsonAnswer(200, SchemaJson(r));
}

Result<HttpResponse> DeleteSchema(AdminCall& c) {
  LS_RETURN_IF_ERROR(c.catalog.DeleteSchema(c.Param("share"), c.Param("schema")));
  return NoContent();
}

// ------------------------------------------------------------ tables

// Reads the table at its (new) location before the catalog records it, so
// the provider learns of a bad location now rather than from a recipient.
Status CheckLocation(const AdminCall& c, const std::string& location, const std::string& format,
                     const std::optional<std::string>& partition_filter,
                     const std::string& hudi_view, const TableLocationMap& location_map) {
  // The settings' own rules first (the catalog applies them again): a bad
  // map entry is refused as such, not as a table unreadable through it.
  LS_RETURN_IF_ERROR(ValidateTableFormatSettings(format, hudi_view, location_map));
  if (!c.options.tables || !c.body.Bool("check").value_or(true)) return Status::OK();
  return c.options.tables
      ->Inspect(location, format, partition_filter, SharedTableOptions(hudi_view, location_map))
      .status();
}

Result<HttpResponse> ListTables(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(ListPage page, ListPage::Of(c.query));
  // Cut by the database: a schema of thousands of tables is not loaded
  // whole for a page of 50 (bench/console_scale.py).
  NameRange range{.search = page.search, .after = page.after, .limit = page.max_results + 1};
  LS_ASSIGN_OR_RETURN(auto v, c.catalog.ListTablesPage(c.Param("share"), c.Param("schema"), range));
  return JsonAnswer(200, PageOfCut(v, page, NameOf<TableRecord>, TableJson));
}

Result<HttpResponse> AddTable(AdminCall& c) {
  const std::string& share = c.Param("share");
  const std::string& schema = c.Param("schema");
  TableSpec spec;
  spec.name = c.body.Required("name");
  c.object = "table:" + share + "." + schema + "." + spec.name;
  spec.location = c.body.Required("location");
  if (auto format = c.body.String("format")) spec.format = *format;
  spec.history_shared = c.body.Bool("historyShared").value_or(false);
  spec.start_version = c.body.Int("startVersion").value_or(0);
  if (auto view = c.body.String("hudiView")) spec.hudi_view = *view;
  if (auto map = c.body.StringMap("locationMap")) spec.location_map = std::move(*map);
  spec.partition_filter = c.body.String("partitionFilter");
  spec.comment = c.body.String("comment");
  spec.id = c.body.String("id");
  spec.create_schema = true;
  // A missing share stays a 404, whatever the location.
  LS_RETURN_IF_ERROR(c.catalog.GetShare(share).status());
  LS_RETURN_IF_ERROR(CheckLocation(c, spec.location, spec.format, spec.partition_filter,
                                   spec.hudi_view, spec.location_map));
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.AddTable(share, schema, spec));
  return JsonAnswer(201, TableJson(r));
}

Result<HttpResponse> GetTable(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(auto r,
                      c.catalog.GetTable(c.Param("share"), c.Param("schema"), c.Param("table")));
  return JsonAnswer(200, TableJson(r));
}

Result<HttpResponse> UpdateTable(AdminCall& c) {
  TableUpdate u;
  u.name = c.body.String("name");
  u.location = c.body.String("location");
  u.format = c.body.String("format");
  u.history_shared = c.body.Bool("historyShared");
  u.start_version = c.body.Int("startVersion");
  u.hudi_view = c.body.String("hudiView");
  u.location_map = c.body.StringMap("locationMap");
  u.partition_filter = c.body.String("partitionFilter");
  u.comment = c.body.String("comment");
  LS_ASSIGN_OR_RETURN(auto version, ExpectedVersion(c));
  if (u.location || u.format || u.partition_filter || u.hudi_view || u.location_map) {
    LS_ASSIGN_OR_RETURN(auto old,
                        c.catalog.GetTable(c.Param("share"), c.Param("schema"), c.Param("table")));
    std::optional<std::string> filter = old.partition_filter;
    if (u.partition_filter) filter = *u.partition_filter;
    if (filter && filter->empty()) filter.reset();
    LS_RETURN_IF_ERROR(CheckLocation(
        c, u.location.value_or(old.location), u.format.value_or(old.format), filter,
        u.hudi_view.value_or(old.hudi_view), u.location_map.value_or(old.location_map)));
  }
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.UpdateTable(c.Param("share"), c.Param("schema"),
                                                    c.Param("table"), u, version));
  return JsonAnswer(200, TableJson(r));
}

Result<HttpResponse> RemoveTable(AdminCall& c) {
  LS_RETURN_IF_ERROR(c.catalog.RemoveTable(c.Param("share"), c.Param("schema"), c.Param("table")));
  return NoContent();
}

}  // namespace

std::vector<AdminRoute> ShareRoutes() {
  const RouteError exists{StatusCode::kAlreadyExists, "the name (or id) is taken"};
  const Arg share_arg{K::kPositional, "share", "share"};
  std::vector<AdminRoute> r;
  // ---------------------------------------------------------- shares
  r.push_back(
      ListRoute({.path = "/shares",
                 .id = "listShares",
                 .group = &kShareGroup,
                 .summary = "List shares",
                 .object = "shares",
                 .handler = ListShares},
                ShareListShape(),
                ListCommand({"share", "list"}, "List shares", {{K::kOption, "search", "--search"}},
                            {"name", "displayName", "comment"})));
  r.push_back(
      CreateRoute({.path = "/shares",
                   .id = "createShare",
                   .group = &kShareGroup,
                   .summary = "Create a share",
                   .object = "shares",
                   .handler = CreateShare},
                  {NameField(NameKind::kShare, true, "The share's name"), DisplayNameField(),
                   CommentField(), IdField("The share's id (default: a new UUID)")},
                  ShareShape(), {exists},
                  {.path = {"share", "create"},
                   .help = "Create a share",
                   .args = {{K::kPositional, "name", "share"},
                            {K::kOption, "displayName", "--display-name"},
                            {K::kOption, "comment", "--comment"},
                            {K::kOption, "id", "--id", "Share id (default: a new UUID)"}}}));
  r.push_back(ReadRoute(
      {.path = "/shares/{share}",
       .id = "getShare",
       .group = &kShareGroup,
       .summary = "Get a share and the recipients granted it",
       .object = "share:{share}",
       .handler = GetShare},
      ShareDetailShape(),
      {.path = {"share", "get"}, .help = "Show a share and its recipients", .args = {share_arg}}));
  r.push_back(UpdateRoute(
      {.path = "/shares/{share}",
       .id = "updateShare",
       .group = &kShareGroup,
       .summary = "Rename a share or change its display name or comment",
       .description = "Fields left out are kept.",
       .object = "share:{share}",
       .handler = UpdateShare},
      {NameField(NameKind::kShare, false, "A new name"), DisplayNameField(), CommentField()},
      ShareShape(), {exists},
      {.path = {"share", "update"},
       .help = "Rename a share or change its display name or comment",
       .args = {share_arg,
                {K::kOption, "name", "--name", "New name"},
                {K::kOption, "displayName", "--display-name", "(\"\" clears)"},
                {K::kOption, "comment", "--comment", "(\"\" clears)"},
                IfVersion()}}));
  r.push_back(DeleteRoute(
      {.path = "/shares/{share}",
       .id = "deleteShare",
       .group = &kShareGroup,
       .summary = "Delete a share with its schemas, tables and grants",
       .object = "share:{share}",
       .handler = DeleteShare},
      DoneCommand({"share", "delete"}, "Delete a share with its schemas, tables and grants",
                  {share_arg}, "deleted share {share}")));
  // ---------------------------------------------------------- schemas
  const std::vector<Arg> schema_args = {share_arg, {K::kPositional, "schema", "schema"}};
  r.push_back(
      ListRoute({.path = "/shares/{share}/schemas",
                 .id = "listSchemas",
                 .group = &kSchemaGroup,
                 .summary = "List the schemas of a share",
                 .object = "share:{share}",
                 .handler = ListSchemas},
                SchemaListShape(),
                ListCommand({"schema", "list"}, "List the schemas of a share",
                            {share_arg, {K::kOption, "search", "--search"}}, {"share", "name"})));
  r.push_back(CreateRoute({.path = "/shares/{share}/schemas",
                           .id = "createSchema",
                           .group = &kSchemaGroup,
                           .summary = "Create a schema",
                           .object = "share:{share}",
                           .handler = CreateSchema},
                          {NameField(NameKind::kSchema, true, "The schema's name")}, SchemaShape(),
                          {exists},
                          {.path = {"schema", "create"},
                           .help = "Create a schema",
                           .args = {share_arg, {K::kPositional, "name", "schema"}}}));
  r.push_back(ReadRoute({.path = "/shares/{share}/schemas/{schema}",
                         .id = "getSchema",
                         .group = &kSchemaGroup,
                         .summary = "Get a schema",
                         .object = "schema:{share}.{schema}",
                         .handler = GetSchema},
                        SchemaShape(),
                        {.path = {"schema", "get"}, .help = "Show a schema", .args = schema_args}));
  std::vector<Arg> rename_args = schema_args;
  rename_args.push_back({K::kPositional, "name", "new-name"});
  rename_args.push_back(IfVersion());
  r.push_back(UpdateRoute(
      {.path = "/shares/{share}/schemas/{schema}",
       .id = "renameSchema",
       .group = &kSchemaGroup,
       .summary = "Rename a schema",
       .object = "schema:{share}.{schema}",
       .handler = RenameSchema},
      {NameField(NameKind::kSchema, true, "The new name")}, SchemaShape(), {exists},
      {.path = {"schema", "rename"}, .help = "Rename a schema", .args = std::move(rename_args)}));
  r.push_back(DeleteRoute({.path = "/shares/{share}/schemas/{schema}",
                           .id = "deleteSchema",
                           .group = &kSchemaGroup,
                           .summary = "Delete a schema and its tables",
                           .object = "schema:{share}.{schema}",
                           .handler = DeleteSchema},
                          DoneCommand({"schema", "delete"}, "Delete a schema and its tables",
                                      schema_args, "deleted schema {share}.{schema}")));
  // ---------------------------------------------------------- tables
  r.push_back(ListRoute(
      {.path = "/shares/{share}/schemas/{schema}/tables",
       .id = "listTables",
       .group = &kTableGroup,
       .summary = "List the tables of a schema",
       .object = "schema:{share}.{schema}",
       .handler = ListTables},
      TableListShape(),
      ListCommand({"table", "list"}, "List the tables of a schema", WithSearch(schema_args),
                  {"name", "location", "format", "historyShared", "partitionFilter"})));
  std::vector<Field> add_fields = {
      NameField(NameKind::kTable, true, "The name it is shared under")};
  for (Field& f : TableFields(true)) add_fields.push_back(std::move(f));
  add_fields.push_back(IdField("The table's id (default: a new UUID)"));
  std::vector<Arg> add_args = schema_args;
  add_args.push_back({K::kPositional, "name", "table", "The name it is shared under"});
  for (Arg& a : TableArgs(true)) add_args.push_back(a);
  add_args.push_back({K::kOption, "id", "--id", "Table id (default: a new UUID)"});
  r.push_back(CreateRoute(
      {.path = "/shares/{share}/schemas/{schema}/tables",
       .id = "addTable",
       .group = &kTableGroup,
       .summary = "Share a table",
       .description = "Creates the schema too when the share has none of that name. The table "
                      "is read first (as POST /inspect-table does) and a location the server "
                      "cannot read is refused with what is wrong, unless check is false.",
       .object = "schema:{share}.{schema}",
       .handler = AddTable},
      std::move(add_fields), TableShape(), {exists},
      {.path = {"table", "add"}, .help = "Share a table", .args = std::move(add_args)}));
  std::vector<Arg> table_args = schema_args;
  table_args.push_back({K::kPositional, "table", "table", "The name it is shared under"});
  r.push_back(ReadRoute({.path = "/shares/{share}/schemas/{schema}/tables/{table}",
                         .id = "getTable",
                         .group = &kTableGroup,
                         .summary = "Get a shared table",
                         .object = "table:{share}.{schema}.{table}",
                         .handler = GetTable},
                        TableShape(),
                        {.path = {"table", "get"}, .help = "Show a table", .args = table_args}));
  std::vector<Field> update_fields = {NameField(NameKind::kTable, false, "A new name")};
  for (Field& f : TableFields(false)) update_fields.push_back(std::move(f));
  std::vector<Arg> update_args = table_args;
  update_args.push_back({K::kOption, "name", "--name", "New name"});
  for (Arg& a : TableArgs(false)) update_args.push_back(a);
  update_args.push_back(IfVersion());
  r.push_back(UpdateRoute({.path = "/shares/{share}/schemas/{schema}/tables/{table}",
                           .id = "updateTable",
                           .group = &kTableGroup,
                           .summary = "Change a shared table",
                           .description = "Fields left out are kept. A new location, format or "
                                          "partition filter is checked as when adding.",
                           .object = "table:{share}.{schema}.{table}",
                           .handler = UpdateTable},
                          std::move(update_fields), TableShape(), {exists},
                          {.path = {"table", "update"},
                           .help = "Change a shared table",
                           .args = std::move(update_args)}));
  r.push_back(DeleteRoute({.path = "/shares/{share}/schemas/{schema}/tables/{table}",
                           .id = "removeTable",
                           .group = &kTableGroup,
                           .summary = "Stop sharing a table",
                           .object = "table:{share}.{schema}.{table}",
                           .handler = RemoveTable},
                          DoneCommand({"table", "remove"}, "Stop sharing a table", table_args,
                                      "removed table {share}.{schema}.{table}")));
  return r;
}

}  // namespace lakeshare
