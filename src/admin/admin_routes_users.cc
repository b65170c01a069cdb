// The admin API's routes for its users (admins only) and the audit log:
// part of the table of admin_route.h.
#include <boost/json.hpp>

#include "admin/admin_json.h"
#include "admin/admin_route.h"
#include "admin/admin_route_builders.h"
#include "admin/list_page.h"

namespace lakeshare {

namespace {

namespace json = boost::json;
using Cli = CliCommand;
using K = CliArg::Kind;
using T = FieldType;

constexpr std::string_view kNewPasswordEnv = "LAKESHARE_NEW_PASSWORD";

Field RoleField(std::string_view description) {
  return {.name = "role",
          .type = T::kString,
          .description = description,
          .enum_values = {"admin", "viewer"}};
}
Field PasswordField(bool required, std::string_view description) {
  return {.name = "password",
          .type = T::kString,
          .required = required,
          .description = description,
          .secret = true};
}

// ------------------------------------------------------------ users

Result<HttpResponse> ListUsers(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(ListPage page, ListPage::Of(c.query));
  LS_ASSIGN_OR_RETURN(auto v, c.catalog.ListAdminUsers());
  return JsonAnswer(200, PageOf(v, page, NameOf<AdminUserRecord>, UserJson));
}

Result<HttpResponse> CreateUser(AdminCall& c) {
  const std::string& name = c.body.Required("name");
  c.object = "user:" + name;
  LS_ASSIGN_OR_RETURN(AdminRole role, ParseAdminRole(c.body.String("role").value_or("viewer")));
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.CreateAdminUser(name, c.body.Required("password"), role));
  return JsonAnswer(201, UserJson(r));
}

Result<HttpResponse> GetUser(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.GetAdminUser(c.Param("user")));
  return JsonAnswer(200, UserJson(r));
}

Result<HttpResponse> UpdateUser(AdminCall& c) {
  const std::string& user = c.Param("user");
  LS_ASSIGN_OR_RETURN(auto version, ExpectedVersion(c));
  if (auto password = c.body.String("password")) {
    // Ends the user's sessions but the caller's own.
    LS_RETURN_IF_ERROR(c.catalog.ChangeAdminPassword(user, *password, c.bearer));
  }
  if (auto role_text = c.body.String("role")) {
    LS_ASSIGN_OR_RETURN(AdminRole role, ParseAdminRole(*role_text));
    LS_RETURN_IF_ERROR(c.catalog.SetAdminRole(user, role, version).status());
  }
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.GetAdminUser(user));
  return JsonAnswer(200, UserJson(r));
}

Result<HttpResponse> DeleteUser(AdminCall& c) {
  LS_RETURN_IF_ERROR(c.catalog.DeleteAdminUser(c.Param("user")));  // and its sessions
  return NoContent();
}

// ------------------------------------------------------------ audit

Result<HttpResponse> QueryAudit(AdminCall& c) {
  AuditQuery q;
  q.actor_name = c.query.String("actor");
  q.actor_kind = c.query.String("actorKind");
  q.action = c.query.String("action");
  q.object = c.query.String("object");
  q.outcome = c.query.String("outcome");
  q.from_ms = c.query.Int("from");
  q.to_ms = c.query.Int("to");
  q.page_token = c.query.Int("pageToken");
  if (auto n = c.query.Int("maxResults")) q.limit = static_cast<int>(*n);
  LS_ASSIGN_OR_RETURN(auto page, c.catalog.QueryAudit(q));
  json::object o = Items(page.entries, AuditJson);
  if (page.next_page_token) o["nextPageToken"] = std::to_string(*page.next_page_token);
  return JsonAnswer(200, o);
}

}  // namespace

std::vector<AdminRoute> UserRoutes() {
  std::vector<AdminRoute> r;
  // ---------------------------------------------------------- users
  const CliArg user_arg{K::kPositional, "user", "user"};
  r.push_back(
      ListRoute({.path = "/users",
                 .id = "listUsers",
                 .group = &kUserGroup,
                 .summary = "List the users of this API",
                 .object = "users",
                 .handler = ListUsers,
                 .access = RouteAccess::kAdmin},
                UserListShape(),
                ListCommand({"user", "list"}, "List admin users",
                            {{K::kOption, "search", "--search"}}, {"name", "role", "createdAt"})));
  r.push_back(CreateRoute(
      {.path = "/users",
       .id = "createUser",
       .group = &kUserGroup,
       .summary = "Create a user",
       .object = "users",
       .handler = CreateUser},
      {{"name", T::kString, true,
        "The user's name (1 to 255 bytes without spaces, '/' or control characters)"},
       PasswordField(true, "Its password (at least 12 characters)"),
       RoleField("admin, or viewer (the default: reads only)")},
      UserShape(), {{StatusCode::kAlreadyExists, "the name is taken"}},
      {.path = {"user", "create"},
       .help = "Create a user; the password is read from $LAKESHARE_NEW_PASSWORD or the "
               "next line of stdin",
       .args = {{K::kPositional, "name", "user"},
                {K::kOption, "role", "--role", "admin or viewer (default)"},
                {K::kSecret, "password", "New user's password: ", "", kNewPasswordEnv}}}));
  r.push_back(ReadRoute({.path = "/users/{user}",
                         .id = "getUser",
                         .group = &kUserGroup,
                         .summary = "Get a user",
                         .object = "user:{user}",
                         .handler = GetUser,
                         .access = RouteAccess::kAdmin},
                        UserShape(),
                        {.path = {"user", "get"}, .help = "Show a user", .args = {user_arg}}));
  r.push_back({
      .method = "PATCH",
      .also = {"PUT"},
      .path = "/users/{user}",
      .id = "updateUser",
      .action = "updateUser",
      .group = &kUserGroup,
      .summary = "Change a user's password and/or role",
      .description = "A new password ends the user's sessions except the caller's own; a new "
                     "role ends all of them. The last admin cannot be demoted.",
      .body = {"",
               "",
               {PasswordField(false, "A new password (at least 12 characters)"),
                RoleField("A new role"), VersionField()}},
      .if_match = true,
      .response = &UserShape(),
      .errors = {{StatusCode::kFailedPrecondition, "the user is the last admin"}},
      .object = "user:{user}",
      .handler = UpdateUser,
      .cli = {{.path = {"user", "set-role"},
               .help = "Change a user's role (ends their sessions)",
               .args = {{K::kPositional, "user", "user"},
                        {K::kPositional, "role", "role"},
                        {K::kOption, "version", "--if-version",
                         "Refuse the change if the object's version is no longer this"}}},
              {.path = {"user", "set-password"},
               .help = "Change a user's password ($LAKESHARE_NEW_PASSWORD or the next line of "
                       "stdin; ends their sessions)",
               .args = {{K::kPositional, "user", "user"},
                        {K::kSecret, "password", "New password: ", "", kNewPasswordEnv}},
               .output = Cli::Output::kDone,
               .done = "password changed for {user}"}},
  });
  AdminRoute remove = DeleteRoute(
      {.path = "/users/{user}",
       .id = "deleteUser",
       .group = &kUserGroup,
       .summary = "Delete a user and end its sessions",
       .description = "The last admin cannot be deleted.",
       .object = "user:{user}",
       .handler = DeleteUser},
      DoneCommand({"user", "delete"}, "Delete a user", {user_arg}, "deleted user {user}"));
  remove.errors = {{StatusCode::kFailedPrecondition, "the user is the last admin"}};
  r.push_back(std::move(remove));
  // ---------------------------------------------------------- audit
  r.push_back({
      .method = "GET",
      .path = "/audit",
      .id = "queryAudit",
      .action = "queryAudit",
      .access = RouteAccess::kViewer,
      .group = &kAuditGroup,
      .summary = "Query the audit log, newest first",
      .description = "Filters are exact matches and combine with AND; the time range is "
                     "[from, to).",
      .query = {{"actor", T::kString, false, "A recipient's or admin user's name"},
                {"actorKind", T::kString, false, "recipient, admin, anonymous or system"},
                {"action", T::kString, false, "e.g. queryTable, createShare"},
                {"object", T::kString, false, "e.g. table:share.schema.table"},
                {"outcome", T::kString, false, "ok, denied, error or aborted"},
                {"from", T::kTime, false, "Since"},
                {"to", T::kTime, false, "Before"},
                {"pageToken", T::kInteger, false, "The nextPageToken of the previous page"},
                {.name = "maxResults",
                 .type = T::kInteger,
                 .description = "Entries per page (default 100)",
                 .minimum = 1,
                 .maximum = 1000}},
      .response = &AuditPageShape(),
      .object = "audit",
      .handler = QueryAudit,
      .cli = {{.path = {"audit"},
               .help = "Query the audit log (newest first)",
               .args = {{K::kOption, "actor", "--actor", "Recipient or admin user name"},
                        {K::kOption, "actorKind", "--actor-kind",
                         "recipient, admin, anonymous, system"},
                        {K::kOption, "action", "--action", "e.g. queryTable, createShare"},
                        {K::kOption, "object", "--object", "e.g. table:share.schema.table"},
                        {K::kOption, "outcome", "--outcome", "ok, denied, error, aborted"},
                        {K::kOption, "from", "--from", "Since (ISO-8601 or epoch ms)"},
                        {K::kOption, "to", "--to", "Before (ISO-8601 or epoch ms)"},
                        {K::kOption, "maxResults", "--limit",
                         "Entries per page (1..1000, default 100)"},
                        {K::kOption, "pageToken", "--page-token", "Continue where a page ended"}},
               .output = Cli::Output::kList,
               .columns = {"time", "actorKind", "actor", "action", "object", "outcome", "numFiles",
                           "remoteAddress", "detail"},
               .extra = Cli::Extra::kAllPages}},
  });
  return r;
}

}  // namespace lakeshare
