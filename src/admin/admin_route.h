// The admin API as one table. Each AdminRoute says what a request looks like
// (method, path pattern, body and query fields), who may make it, what it
// answers and with which errors, what the audit log calls it, which handler
// serves it, and which `lakeshare admin` commands reach it. From the table
// AdminService routes (admin_service.h), AdminOpenApiJson() writes the OpenAPI
// document (openapi.h) and cli/admin_command.cc builds its commands;
// admin_routes_test.cc proves the three agree.
//
// Adding a route is adding one entry to its area's list (admin_routes_*.cc),
// with the handler beside it: the router, the document and the CLI follow.
// Handlers return Result<HttpResponse>: an error Status becomes the JSON
// error of server/errors.h (and the audit record's detail); an exception
// becomes a 500 with a generic message, still audited.
//
// The table is built once, on first use, and never changes (thread-safe).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/admin_sessions.h"
#include "admin/api_schema.h"
#include "catalog/sql_catalog_admin.h"
#include "common/status.h"
#include "server/http.h"

namespace lakeshare {

struct AdminServiceOptions;

// Who may make a request.
enum class RouteAccess {
  kPublic,      // anyone: logging in, this description, redeeming an activation link
  kAnySession,  // any session (logging out)
  kViewer,      // sessions of viewers and admins: reads
  kAdmin,       // admins only: writes, and everything about users
};
std::string_view RouteAccessName(RouteAccess access);  // "public", "session", "viewer", "admin"

// A tag of the OpenAPI document, and the `lakeshare admin` group of its
// commands ("" when they sit at the top level).
struct RouteGroup {
  std::string_view tag;
  std::string_view cli;
  std::string_view description;
};
inline constexpr RouteGroup kSessionGroup{"sessions", "", "Logging in and out"};
inline constexpr RouteGroup kApiGroup{"api", "", "This description"};
inline constexpr RouteGroup kShareGroup{"shares", "share", "Shares"};
inline constexpr RouteGroup kSchemaGroup{"schemas", "schema", "Schemas of a share"};
inline constexpr RouteGroup kTableGroup{"tables", "table", "Shared tables"};
inline constexpr RouteGroup kRecipientGroup{"recipients", "recipient", "Recipients"};
inline constexpr RouteGroup kGrantGroup{"grants", "grant", "Which shares a recipient may read"};
inline constexpr RouteGroup kTokenGroup{"tokens", "token", "Recipient tokens and profile files"};
inline constexpr RouteGroup kOAuthGroup{"oauth clients", "oauth",
                                        "Recipients' OAuth clients (profile format version 2)"};
inline constexpr RouteGroup kLinkGroup{"activation links", "link",
                                       "One-time activation links (profile downloads)"};
inline constexpr RouteGroup kUserGroup{"users", "user", "Users of the admin API (admins only)"};
inline constexpr RouteGroup kIcebergCatalogGroup{
    "iceberg catalogs", "iceberg-catalog",
    "Iceberg catalog services and how to log in to them (secrets are write-only)"};
inline constexpr RouteGroup kAuditGroup{"audit", "", "The audit log"};
inline constexpr RouteGroup kOverviewGroup{"overview", "", "The catalog at a glance"};
inline constexpr const RouteGroup* kRouteGroups[] = {
    &kSessionGroup,   &kApiGroup,   &kShareGroup,    &kSchemaGroup,        &kTableGroup,
    &kRecipientGroup, &kGrantGroup, &kTokenGroup,    &kOAuthGroup,         &kLinkGroup,
    &kUserGroup,      &kAuditGroup, &kOverviewGroup, &kIcebergCatalogGroup};

// An error a route may answer: the Status code that causes it (server/errors.h
// turns it into the HTTP status and errorCode) and when.
struct RouteError {
  StatusCode code;
  std::string_view when;
  std::string_view header{};  // a header the error carries, e.g. Retry-After
};

// How one command-line argument fills the request. `target` names a path
// parameter, a body field or a query parameter of the route (looked up in
// that order; "object.field" names a field of a nested body object); the
// field's type types the option.
struct CliArg {
  enum class Kind {
    kPositional,          // required, e.g. <share>
    kOptionalPositional,  // may be left out (a flag of the command says what instead)
    kOption,              // --flag VALUE (string lists: repeatable; booleans: true|false)
    kDurationFromNow,     // --flag 90s|15m|12h|30d: the (time) field is now + that
    kClear,               // --flag, no value: the field is sent empty ([], "", false or {})
    kSecret,              // never on the command line: $env, else a line of stdin
    // --flag FILE: the secret is FILE's text ("-": stdin; one final line
    // break dropped), else $env when set, else not sent (optional secrets)
    kSecretFile,
  };
  Kind kind = Kind::kOption;
  std::string_view target;
  std::string_view flag{};  // "--display-name", the positional's name, kSecret: the prompt
  std::string_view help{};  // default: the field's description
  std::string_view env{};   // kSecret, kSecretFile: the environment variable
};

// One `lakeshare admin` command. Two arguments naming one target are
// alternatives (--expires / --expires-in): giving both is an error.
struct CliCommand {
  enum class Output {
    kObject,            // key: value lines
    kList,              // a table of the answer's items
    kDone,              // the `done` message
    kRaw,               // the answer as it is (a document)
    kProfile,           // a profile file: printed, or written (0600) to -o FILE
    kObjectAndProfile,  // key: value lines; a "profile" field as kProfile does
  };
  enum class Extra {
    kNone,
    kLogin,      // logs in with --user and prints the session token
    kLogout,     // ends the session of $LAKESHARE_ADMIN_TOKEN (needs --url)
    kAllPages,   // --all: follows nextPageToken and prints every item
    kRevokeAll,  // --all instead of the id: every live item of the collection
  };
  std::vector<std::string_view> path;  // {"share", "create"}; {"audit"} at the top level
  std::string_view help;
  std::vector<CliArg> args{};
  Output output = Output::kObject;
  std::vector<std::string_view> columns{};  // kList (default: every field)
  std::string_view done{};                  // kDone; "{target}" replaced by its argument
  Extra extra = Extra::kNone;
};

struct AdminCall;
using AdminHandler = Result<HttpResponse> (*)(AdminCall& call);

struct AdminRoute {
  std::string_view method;             // "GET", "POST", "PATCH", "PUT" or "DELETE"
  std::vector<std::string_view> also;  // more methods served alike (PUT for PATCH)
  std::string_view path;               // below /api/v1, e.g. "/shares/{share}"
  std::string_view id;                 // unique; the OpenAPI operationId
  std::string_view action;             // what the audit log calls it
  RouteAccess access = RouteAccess::kAdmin;
  const RouteGroup* group = nullptr;
  std::string_view summary;
  std::string_view description{};
  Shape body{};                      // request body fields (none: the body is not read)
  bool body_optional = false;        // an empty body counts as {}
  bool if_match = false;             // "If-Match: <version>" instead of the body's version
  std::vector<Field> query{};        // query parameters
  int status = 200;                  // on success
  const Shape* response = nullptr;   // nullptr: no body
  std::vector<RouteError> errors{};  // beyond those of every route of its kind (RouteErrors)
  std::string_view object{};         // audit object; "{param}" replaced (handlers may refine)
  bool audited = true;
  AdminHandler handler = nullptr;
  std::vector<CliCommand> cli{};
  std::string_view same_as{};  // reached from the CLI through this other route's id

  bool HasBody() const { return !body.fields.empty(); }
  std::vector<std::string_view> Methods() const;     // method, then also
  std::vector<std::string_view> PathParams() const;  // {"share", "schema"}
};

// The table: every route of the admin API, in the document's order.
const std::vector<AdminRoute>& AdminRoutes();
// The areas' parts of it (admin_routes_*.cc).
std::vector<AdminRoute> SessionRoutes();
std::vector<AdminRoute> OverviewRoutes();
std::vector<AdminRoute> ShareRoutes();
std::vector<AdminRoute> TableReadRoutes();  // admin_routes_tables.cc
std::vector<AdminRoute> RecipientRoutes();
std::vector<AdminRoute> OAuthRoutes();  // admin_routes_oauth.cc
std::vector<AdminRoute> LinkRoutes();
std::vector<AdminRoute> UserRoutes();
std::vector<AdminRoute> IcebergCatalogRoutes();  // admin_routes_iceberg_catalogs.cc

// Every error `route` may answer: those its access, body, query and path
// parameters imply, then its own.
std::vector<RouteError> RouteErrors(const AdminRoute& route);

// Where a CLI argument's `target` goes in `route`'s request.
enum class ArgTarget { kNone, kPath, kBody, kQuery };
ArgTarget TargetOf(const AdminRoute& route, std::string_view target);
// The body field or query parameter `target` names (nullptr for path
// parameters and unknown names).
const Field* TargetField(const AdminRoute& route, std::string_view target);
// How a CLI command is typed, e.g. "lakeshare admin share get <share>
// [--comment VALUE]" (the OpenAPI document lists these).
std::string CliUsage(const CliCommand& command);

// What a handler works with: one request, as routed. Built by AdminService.
struct AdminCall {
  const HttpRequest& request;
  CatalogAdmin& catalog;
  AdminSessions& sessions;
  const AdminServiceOptions& options;
  const std::string& openapi_json;
  int64_t now = 0;
  const AdminRoute* route = nullptr;
  std::vector<std::pair<std::string_view, std::string>> params{};  // decoded path parameters
  FieldValues body{};
  FieldValues query{};
  std::optional<AdminSession> session{};  // unset on public routes
  std::string bearer{};                   // the session's token
  bool cookie_session = false;            // it came in the session cookie
  // The audit record (never with secrets).
  std::string action = "unknown";
  std::optional<std::string> object{};
  std::string actor_kind = "admin";
  std::optional<std::string> actor_name{};
  std::optional<std::string> detail{};
  bool audited = true;
  // Headers for the response, an error response too (e.g. Retry-After).
  std::vector<std::pair<std::string, std::string>> headers{};

  const std::string& Param(std::string_view name) const;
  std::string BaseUrl() const;          // the server's public URL, no trailing '/'
  std::string ProfileEndpoint() const;  // what profiles point at
};

// Answers for handlers.
HttpResponse JsonAnswer(int status, const boost::json::value& body);
HttpResponse NoContent();
// Optimistic concurrency: "If-Match: <version>", else the body's "version".
Result<std::optional<int64_t>> ExpectedVersion(const AdminCall& call);
// The field every update takes for ExpectedVersion.
Field VersionField();

}  // namespace lakeshare
