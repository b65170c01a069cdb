// The admin API's routes for shares, their schemas and their tables: part
// of the table of admin_route.h.
#include <boost/json.hpp>

#include "admin/admin_json.h"
#include "admin/admin_route.h"
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
      {.name = "partitionFilter",
       .type = T::kFilter,
       .description =
           "The partitions the share exposes: clauses joined by AND (col = 'text' | col = 12 | "
           "col IN ('a', 'b') | col IS [NOT] NULL), or the protocol's JSON predicate tree (text, "
           "or an object). Every column must be a partition column; a file is served only when "
           "the filter is TRUE for its partition values. \"\" removes the filter.",
       .max_length = Limits::kPartitionFilter},
      CommentField(),
  };
}

// CLI options of the table fields.
std::vector<Arg> TableArgs(bool add) {
  return {
      {K::kOption, "location", "--location", "Where the table lives (path or URI)"},
      {K::kOption, "format", "--format", "delta (default), iceberg or hudi"},
      {K::kOption, "historyShared", "--history", "true: allow time travel and change queries"},
      {K::kOption, "startVersion", "--start-version", "First version recipients may read"},
      {K::kOption, "partitionFilter", "--partition-filter",
       add ? "Partitions the share exposes, e.g. \"region = 'EU' AND year IN (2023, 2024)\" or a "
             "JSON predicate"
           : "Partitions the share exposes, e.g. \"region = 'EU' AND year IN (2023, 2024)\" or a "
             "JSON predicate (\"\" removes the filter)"},
      {K::kOption, "comment", "--comment"},
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

Result<HttpResponse> ListTables(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(ListPage page, ListPage::Of(c.query));
  LS_ASSIGN_OR_RETURN(auto v,
                      c.catalog.ListTables(c.Param("share"), std::string_view(c.Param("schema"))));
  return JsonAnswer(200, PageOf(v, page, NameOf<TableRecord>, TableJson));
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
  spec.partition_filter = c.body.String("partitionFilter");
  spec.comment = c.body.String("comment");
  spec.id = c.body.String("id");
  spec.create_schema = true;
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
  u.partition_filter = c.body.String("partitionFilter");
  u.comment = c.body.String("comment");
  LS_ASSIGN_OR_RETURN(auto version, ExpectedVersion(c));
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
  const RouteError exists{StatusCode::kFailedPrecondition, "the name (or id) is taken"};
  std::vector<AdminRoute> r;
  // ---------------------------------------------------------- shares
  r.push_back({
      .method = "GET",
      .path = "/shares",
      .id = "listShares",
      .action = "listShares",
      .access = RouteAccess::kViewer,
      .group = &kShareGroup,
      .summary = "List shares",
      .query = ListPageQuery(),
      .response = &ShareListShape(),
      .object = "shares",
      .handler = ListShares,
      .cli = {{.path = {"share", "list"},
               .help = "List shares",
               .args = {{K::kOption, "search", "--search"}},
               .output = Cli::Output::kList,
               .columns = {"name", "displayName", "comment"}}},
  });
  r.push_back({
      .method = "POST",
      .path = "/shares",
      .id = "createShare",
      .action = "createShare",
      .group = &kShareGroup,
      .summary = "Create a share",
      .body = {"",
               "",
               {NameField(NameKind::kShare, true, "The share's name"), DisplayNameField(),
                CommentField(), IdField("The share's id (default: a new UUID)")}},
      .status = 201,
      .response = &ShareShape(),
      .errors = {exists},
      .object = "shares",
      .handler = CreateShare,
      .cli = {{.path = {"share", "create"},
               .help = "Create a share",
               .args = {{K::kPositional, "name", "share"},
                        {K::kOption, "displayName", "--display-name"},
                        {K::kOption, "comment", "--comment"},
                        {K::kOption, "id", "--id", "Share id (default: a new UUID)"}}}},
  });
  r.push_back({
      .method = "GET",
      .path = "/shares/{share}",
      .id = "getShare",
      .action = "getShare",
      .access = RouteAccess::kViewer,
      .group = &kShareGroup,
      .summary = "Get a share and the recipients granted it",
      .response = &ShareDetailShape(),
      .object = "share:{share}",
      .handler = GetShare,
      .cli = {{.path = {"share", "get"},
               .help = "Show a share and its recipients",
               .args = {{K::kPositional, "share", "share"}}}},
  });
  r.push_back({
      .method = "PATCH",
      .also = {"PUT"},
      .path = "/shares/{share}",
      .id = "updateShare",
      .action = "updateShare",
      .group = &kShareGroup,
      .summary = "Rename a share or change its display name or comment",
      .description = "Fields left out are kept.",
      .body = {"",
               "",
               {NameField(NameKind::kShare, false, "A new name"), DisplayNameField(),
                CommentField(), VersionField()}},
      .if_match = true,
      .response = &ShareShape(),
      .errors = {exists},
      .object = "share:{share}",
      .handler = UpdateShare,
      .cli = {{.path = {"share", "update"},
               .help = "Rename a share or change its display name or comment",
               .args = {{K::kPositional, "share", "share"},
                        {K::kOption, "name", "--name", "New name"},
                        {K::kOption, "displayName", "--display-name", "(\"\" clears)"},
                        {K::kOption, "comment", "--comment", "(\"\" clears)"},
                        IfVersion()}}},
  });
  r.push_back({
      .method = "DELETE",
      .path = "/shares/{share}",
      .id = "deleteShare",
      .action = "deleteShare",
      .group = &kShareGroup,
      .summary = "Delete a share with its schemas, tables and grants",
      .status = 204,
      .object = "share:{share}",
      .handler = DeleteShare,
      .cli = {{.path = {"share", "delete"},
               .help = "Delete a share with its schemas, tables and grants",
               .args = {{K::kPositional, "share", "share"}},
               .output = Cli::Output::kDone,
               .done = "deleted share {share}"}},
  });
  // ---------------------------------------------------------- schemas
  r.push_back({
      .method = "GET",
      .path = "/shares/{share}/schemas",
      .id = "listSchemas",
      .action = "listSchemas",
      .access = RouteAccess::kViewer,
      .group = &kSchemaGroup,
      .summary = "List the schemas of a share",
      .query = ListPageQuery(),
      .response = &SchemaListShape(),
      .object = "share:{share}",
      .handler = ListSchemas,
      .cli = {{.path = {"schema", "list"},
               .help = "List the schemas of a share",
               .args = {{K::kPositional, "share", "share"}, {K::kOption, "search", "--search"}},
               .output = Cli::Output::kList,
               .columns = {"share", "name"}}},
  });
  r.push_back({
      .method = "POST",
      .path = "/shares/{share}/schemas",
      .id = "createSchema",
      .action = "createSchema",
      .group = &kSchemaGroup,
      .summary = "Create a schema",
      .body = {"", "", {NameField(NameKind::kSchema, true, "The schema's name")}},
      .status = 201,
      .response = &SchemaShape(),
      .errors = {exists},
      .object = "share:{share}",
      .handler = CreateSchema,
      .cli = {{.path = {"schema", "create"},
               .help = "Create a schema",
               .args = {{K::kPositional, "share", "share"}, {K::kPositional, "name", "schema"}}}},
  });
  r.push_back({
      .method = "GET",
      .path = "/shares/{share}/schemas/{schema}",
      .id = "getSchema",
      .action = "getSchema",
      .access = RouteAccess::kViewer,
      .group = &kSchemaGroup,
      .summary = "Get a schema",
      .response = &SchemaShape(),
      .object = "schema:{share}.{schema}",
      .handler = GetSchema,
      .cli = {{.path = {"schema", "get"},
               .help = "Show a schema",
               .args = {{K::kPositional, "share", "share"}, {K::kPositional, "schema", "schema"}}}},
  });
  r.push_back({
      .method = "PATCH",
      .also = {"PUT"},
      .path = "/shares/{share}/schemas/{schema}",
      .id = "renameSchema",
      .action = "renameSchema",
      .group = &kSchemaGroup,
      .summary = "Rename a schema",
      .body = {"", "", {NameField(NameKind::kSchema, true, "The new name"), VersionField()}},
      .if_match = true,
      .response = &SchemaShape(),
      .errors = {exists},
      .object = "schema:{share}.{schema}",
      .handler = RenameSchema,
      .cli = {{.path = {"schema", "rename"},
               .help = "Rename a schema",
               .args = {{K::kPositional, "share", "share"},
                        {K::kPositional, "schema", "schema"},
                        {K::kPositional, "name", "new-name"},
                        IfVersion()}}},
  });
  r.push_back({
      .method = "DELETE",
      .path = "/shares/{share}/schemas/{schema}",
      .id = "deleteSchema",
      .action = "deleteSchema",
      .group = &kSchemaGroup,
      .summary = "Delete a schema and its tables",
      .status = 204,
      .object = "schema:{share}.{schema}",
      .handler = DeleteSchema,
      .cli = {{.path = {"schema", "delete"},
               .help = "Delete a schema and its tables",
               .args = {{K::kPositional, "share", "share"}, {K::kPositional, "schema", "schema"}},
               .output = Cli::Output::kDone,
               .done = "deleted schema {share}.{schema}"}},
  });
  // ---------------------------------------------------------- tables
  const std::vector<Arg> schema_args = {{K::kPositional, "share", "share"},
                                        {K::kPositional, "schema", "schema"}};
  r.push_back({
      .method = "GET",
      .path = "/shares/{share}/schemas/{schema}/tables",
      .id = "listTables",
      .action = "listTables",
      .access = RouteAccess::kViewer,
      .group = &kTableGroup,
      .summary = "List the tables of a schema",
      .query = ListPageQuery(),
      .response = &TableListShape(),
      .object = "schema:{share}.{schema}",
      .handler = ListTables,
      .cli = {{.path = {"table", "list"},
               .help = "List the tables of a schema",
               .args = WithSearch(schema_args),
               .output = Cli::Output::kList,
               .columns = {"name", "location", "format", "historyShared", "partitionFilter"}}},
  });
  std::vector<Field> add_fields = {
      NameField(NameKind::kTable, true, "The name it is shared under")};
  for (Field& f : TableFields(true)) add_fields.push_back(std::move(f));
  add_fields.push_back(IdField("The table's id (default: a new UUID)"));
  std::vector<Arg> add_args = schema_args;
  add_args.push_back({K::kPositional, "name", "table", "The name it is shared under"});
  for (Arg& a : TableArgs(true)) add_args.push_back(a);
  add_args.push_back({K::kOption, "id", "--id", "Table id (default: a new UUID)"});
  r.push_back({
      .method = "POST",
      .path = "/shares/{share}/schemas/{schema}/tables",
      .id = "addTable",
      .action = "addTable",
      .group = &kTableGroup,
      .summary = "Share a table",
      .description = "Creates the schema too when the share has none of that name. The table "
                     "itself is not read here: a bad location shows when recipients read it.",
      .body = {"", "", std::move(add_fields)},
      .status = 201,
      .response = &TableShape(),
      .errors = {exists},
      .object = "schema:{share}.{schema}",
      .handler = AddTable,
      .cli = {{.path = {"table", "add"}, .help = "Share a table", .args = std::move(add_args)}},
  });
  std::vector<Arg> table_args = schema_args;
  table_args.push_back({K::kPositional, "table", "table", "The name it is shared under"});
  r.push_back({
      .method = "GET",
      .path = "/shares/{share}/schemas/{schema}/tables/{table}",
      .id = "getTable",
      .action = "getTable",
      .access = RouteAccess::kViewer,
      .group = &kTableGroup,
      .summary = "Get a shared table",
      .response = &TableShape(),
      .object = "table:{share}.{schema}.{table}",
      .handler = GetTable,
      .cli = {{.path = {"table", "get"}, .help = "Show a table", .args = table_args}},
  });
  std::vector<Field> update_fields = {NameField(NameKind::kTable, false, "A new name")};
  for (Field& f : TableFields(false)) update_fields.push_back(std::move(f));
  update_fields.push_back(VersionField());
  std::vector<Arg> update_args = table_args;
  update_args.push_back({K::kOption, "name", "--name", "New name"});
  for (Arg& a : TableArgs(false)) update_args.push_back(a);
  update_args.push_back(IfVersion());
  r.push_back({
      .method = "PATCH",
      .also = {"PUT"},
      .path = "/shares/{share}/schemas/{schema}/tables/{table}",
      .id = "updateTable",
      .action = "updateTable",
      .group = &kTableGroup,
      .summary = "Change a shared table",
      .description = "Fields left out are kept.",
      .body = {"", "", std::move(update_fields)},
      .if_match = true,
      .response = &TableShape(),
      .errors = {exists},
      .object = "table:{share}.{schema}.{table}",
      .handler = UpdateTable,
      .cli = {{.path = {"table", "update"},
               .help = "Change a shared table",
               .args = std::move(update_args)}},
  });
  r.push_back({
      .method = "DELETE",
      .path = "/shares/{share}/schemas/{schema}/tables/{table}",
      .id = "removeTable",
      .action = "removeTable",
      .group = &kTableGroup,
      .summary = "Stop sharing a table",
      .status = 204,
      .object = "table:{share}.{schema}.{table}",
      .handler = RemoveTable,
      .cli = {{.path = {"table", "remove"},
               .help = "Stop sharing a table",
               .args = table_args,
               .output = Cli::Output::kDone,
               .done = "removed table {share}.{schema}.{table}"}},
  });
  return r;
}

}  // namespace lakeshare
