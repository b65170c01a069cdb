// The admin REST API under /api/v1: catalog writes (shares, schemas, tables,
// recipients, tokens, grants, activation links), admin users, the audit log
// and an OpenAPI description. Transport-neutral: the HTTP server routes every
// request whose path starts with /api/v1/ to AdminService::Handle.
//
// Authentication: POST /api/v1/login exchanges an admin user's name and
// password for a short-lived session token; every other endpoint except
// GET /api/v1/openapi.json and GET /api/v1/activate/{secret} needs
// "Authorization: Bearer <session>". Sessions live in the catalog database
// (only the token's hash; see CatalogAdmin::CreateAdminSession), so every
// server on one database honours every login, and a logout, a deleted user,
// a changed role or a changed password (which ends the user's other
// sessions) counts everywhere at once; each request costs one indexed
// lookup. Viewers may only read; /api/v1/users is for admins only. Every
// request is appended to the audit log (never with secrets).
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/login_throttle.h"
#include "catalog/sql_catalog_admin.h"
#include "server/http.h"

namespace lakeshare {

struct AdminServiceOptions {
  // How long a session token lives after login (absolute: use does not
  // extend it).
  int64_t session_ttl_ms = 60 * 60 * 1000;
  // The server's public base URL, e.g. "https://share.example.com" (no
  // trailing slash needed). Profiles point at <base><sharing_prefix>;
  // activation links at <base>/api/v1/activate/<secret>.
  std::string public_endpoint_url{};
  std::string sharing_prefix = "/delta-sharing";
  // Default lifetime of an activation link when the request names none.
  int64_t activation_link_ttl_ms = 7LL * 24 * 60 * 60 * 1000;
  // Clock in milliseconds since the epoch (tests override it).
  std::function<int64_t()> clock{};
  // How failed logins slow down the next ones (auth/login_throttle.h).
  LoginThrottleOptions login_throttle{};
};

class AdminService {
 public:
  AdminService(std::shared_ptr<CatalogAdmin> admin, AdminServiceOptions options = {});

  // Handles a request whose path starts with /api/v1/; anything unknown is 404.
  HttpResponse Handle(HttpRequest& request);

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

  struct Session {
    std::string user;
    AdminRole role = AdminRole::kViewer;
    int64_t expires_ms = 0;
  };
  struct Call;  // one request being served (defined in the .cc)

 private:
  int64_t Now() const;
  std::string ProfileEndpoint() const;
  std::string BaseUrl() const;

  HttpResponse Dispatch(Call& call);
  void Audit(const Call& call, int status);

  std::shared_ptr<CatalogAdmin> admin_;
  AdminServiceOptions options_;
  LoginThrottle login_throttle_;
  // The session of a bearer token: a local one, else the database's.
  // nullopt if there is none; an error if the database cannot tell.
  Result<std::optional<Session>> FindSession(std::string_view token, int64_t now);

  std::mutex mu_;
  std::unordered_map<std::string, Session> local_sessions_;  // by HashToken(token)
};

// The OpenAPI 3 description served at GET /api/v1/openapi.json.
std::string_view AdminOpenApiJson();

}  // namespace lakeshare
