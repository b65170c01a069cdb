// The admin REST API under /api/v1: catalog writes (shares, schemas, tables,
// recipients, tokens, grants, activation links), admin users, the audit log
// and an OpenAPI description. Transport-neutral: the HTTP server routes every
// request whose path starts with /api/v1/ to AdminService::Handle.
//
// The routes are those of the table in admin/admin_route.h; this class finds
// a request's route, checks its session and role, validates its body and
// query against the route's fields, calls the route's handler and records the
// request in the audit log (never with secrets) — also when the handler
// throws: that is a 500 with a generic message, the details go to the log.
//
// Authentication: POST /api/v1/login exchanges an admin user's name and
// password for a short-lived session token (admin/admin_sessions.h); every
// other route except the public ones (the OpenAPI document, looking at and
// redeeming an activation link) needs "Authorization: Bearer <session>", or the session
// cookie of a login with "cookie": true, whose writes must then pass the CSRF
// check of admin/admin_cookie.h (403 CSRF_REJECTED). Without one,
// even unknown paths answer 401. Viewers may only read; users are for admins.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin/admin_sessions.h"
#include "admin/table_inspection.h"
#include "auth/login_throttle.h"
#include "catalog/audit_writer.h"
#include "catalog/sql_catalog_admin.h"
#include "server/http.h"
#include "storage/cloud_config.h"

namespace lakeshare {

struct AdminRoute;
struct AdminCall;

struct AdminServiceOptions {
  // How long a session token lives after login (absolute: use does not
  // extend it).
  int64_t session_ttl_ms = 60 * 60 * 1000;
  // The server's public base URL, e.g. "https://share.example.com" (no
  // trailing slash needed). Profiles point at <base><sharing_prefix>;
  // activation links at <base>/console/activate#<secret>.
  std::string public_endpoint_url{};
  std::string sharing_prefix = "/delta-sharing";
  // Default lifetime of an activation link when the request names none.
  int64_t activation_link_ttl_ms = 7LL * 24 * 60 * 60 * 1000;
  // Where denied anonymous requests are audited: counted per address by the
  // background writer (audit_writer.h), not a synchronous row each, so an
  // unauthenticated client cannot make the server write for every request.
  // Null: written like the others.
  std::shared_ptr<AuditWriter> denied_audit{};
  // Clock in milliseconds since the epoch (tests override it).
  std::function<int64_t()> clock{};
  // How failed logins slow down the next ones (auth/login_throttle.h).
  LoginThrottleOptions login_throttle{};
  // Key of the CSRF tokens of cookie sessions (admin/admin_cookie.h): the
  // same on every replica. Empty: a random key of this process.
  std::string csrf_key{};
  // Reads tables for the inspection and history routes and for the check
  // of a table's location when it is added or moved. Null: those routes
  // answer 400 and locations are stored unchecked.
  std::shared_ptr<TableInspector> tables{};
  // The config file's `icebergCatalogs:`: names and REST uris the catalog
  // database's connections may not take (catalog/iceberg_catalog_store.h).
  std::vector<CatalogConnectionConfig> config_iceberg_catalogs{};
  // Called after a write to the database's Iceberg catalog connections, so
  // the server applies it now (null: nothing to tell).
  std::function<void()> iceberg_catalogs_changed{};
  // The routes served (default: AdminRoutes()); tests add their own.
  const std::vector<AdminRoute>* routes = nullptr;
};

class AdminService {
 public:
  AdminService(std::shared_ptr<CatalogAdmin> admin, AdminServiceOptions options = {});
  ~AdminService();

  // Handles a request whose path starts with /api/v1/; anything unknown is 404.
  HttpResponse Handle(HttpRequest& request);
  // For ServerOptions::head_check: the 401 (audited as Handle would) of a
  // request to a route that needs a session, sent without a valid one,
  // before its body is read; nullopt otherwise (public routes: login,
  // activation links). Never throws. The session it finds goes in
  // head.head_context, and Handle of the same request on this service takes
  // it from there instead of looking it up again.
  std::optional<HttpResponse> CheckHead(HttpRequest& head);

  // Number of live sessions: those in the database (of every server) plus
  // this process's local ones (for tests and metrics).
  Result<int64_t> SessionCount();

  // Starts a session without a password, for a trusted in-process caller:
  // `lakeshare admin --config` works on the database directly, and whoever
  // can open the database needs no password. Returns the bearer token. Such
  // sessions stay in this process's memory (no other server could ever be
  // handed one), are not tied to an admin user (`user` is just the name the
  // audit log records) and end with the process or at logout.
  std::string OpenLocalSession(const std::string& user, AdminRole role);

 private:
  int64_t Now() const;
  // The part of routing that needs no body: the request's route (in
  // call.route), its audit flags and, unless public, its session.
  struct Admission {
    std::vector<std::string> seg;            // decoded path segments after /api/v1/
    std::vector<const AdminRoute*> of_path;  // the routes of the path, any method
    bool is_public = false;
  };
  HttpResponse Serve(AdminCall& call);
  Result<Admission> Admit(AdminCall& call);
  Result<HttpResponse> Route(AdminCall& call);
  Status Authenticate(AdminCall& call);
  void Audit(const AdminCall& call, int status);

  std::shared_ptr<CatalogAdmin> admin_;
  AdminServiceOptions options_;
  const std::vector<AdminRoute>& routes_;
  AdminSessions sessions_;
  const std::string openapi_json_;
};

}  // namespace lakeshare
