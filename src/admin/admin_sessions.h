// Sessions of the admin API: logging in (password check, slowed down by a
// LoginThrottle), finding the session of a bearer token, logging out.
//
// Sessions live in the catalog database (only the token's hash; see
// CatalogAdmin::CreateAdminSession), so every server on one database honours
// every login, and a logout, a deleted user, a changed role or a changed
// password counts everywhere at once. Local sessions (OpenLocal) are the
// exception: for a trusted in-process caller, kept in this process's memory.
//
// Thread-safe. Errors: kUnauthenticated for a wrong name or password (one
// message for both), kTooManyRequests is the caller's to raise (LoginWaitMs),
// the database's errors otherwise (a 5xx, never mistaken for a 401).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/login_throttle.h"
#include "catalog/sql_catalog_admin.h"

namespace lakeshare {

struct AdminSession {
  std::string user;
  AdminRole role = AdminRole::kViewer;
  int64_t expires_ms = 0;
};

struct AdminLogin {
  std::string token;  // the bearer token, in plain text this once
  AdminSession session;
  AdminUserRecord user;
};

class AdminSessions {
 public:
  AdminSessions(std::shared_ptr<CatalogAdmin> catalog, int64_t ttl_ms,
                LoginThrottleOptions throttle = {});

  // 0 if a login of `user` from `address` may be checked now, else how many
  // milliseconds the client must wait first (even with the right password).
  int64_t LoginWaitMs(std::string_view user, std::string_view address, int64_t now_ms);
  // Checks the password (a failure counts towards the throttle) and opens a
  // session in the database; expired sessions are pruned on the way.
  Result<AdminLogin> Login(std::string_view user, std::string_view password,
                           std::string_view address, int64_t now_ms);
  // A session without a password, in this process only (see
  // AdminService::OpenLocalSession). Returns the bearer token.
  std::string OpenLocal(const std::string& user, AdminRole role, int64_t now_ms);
  // The live session of `token`: a local one, else the database's.
  Result<std::optional<AdminSession>> Find(std::string_view token, int64_t now_ms);
  // Logout: ends the session of `token` (not an error if there is none).
  Status End(std::string_view token);
  // Live sessions: the database's (of every server) plus the local ones.
  Result<int64_t> Count(int64_t now_ms);

 private:
  std::shared_ptr<CatalogAdmin> catalog_;
  const int64_t ttl_ms_;
  LoginThrottle throttle_;
  std::mutex mu_;
  std::unordered_map<std::string, AdminSession> local_;  // by HashToken(token)
};

}  // namespace lakeshare
