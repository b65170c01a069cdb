// Clients of the admin REST API, for `lakeshare admin`: HTTP(S) to a
// running server, or in process on the catalog database when the server is
// down — the same AdminService answers both ways, so they behave alike.
//
// Not thread-safe (one command at a time).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "admin/admin_service.h"
#include "common/status.h"

namespace lakeshare {

struct AdminApiResponse {
  int status = 0;
  std::string body;
};

class AdminApi {
 public:
  virtual ~AdminApi() = default;
  // `target` is below /api/v1, with its query string ("/shares",
  // "/audit?actor=x"); `body` is JSON text or empty. An error Status only
  // when no answer came (unreachable server: kUnavailable); HTTP errors are
  // answers.
  virtual Result<AdminApiResponse> Call(std::string_view method, std::string_view target,
                                        std::string_view body) = 0;
};

struct HttpAdminApiOptions {
  std::string base_url;                // http(s)://host[:port][/path prefix]
  std::optional<std::string> ca_file;  // https: trust these CAs instead of the system's
  int timeout_seconds = 60;
};

class HttpAdminApi : public AdminApi {
 public:
  // kInvalidArgument for a URL that is not http(s)://host...
  static Result<std::unique_ptr<HttpAdminApi>> Create(HttpAdminApiOptions options);
  ~HttpAdminApi() override;

  Result<AdminApiResponse> Call(std::string_view method, std::string_view target,
                                std::string_view body) override;

  // POST /login; later calls carry the session. kUnauthenticated for a
  // wrong name or password.
  Status Login(std::string_view user, std::string_view password);
  // Uses an existing session token (from `lakeshare admin login`).
  void UseSession(std::string token) { session_ = std::move(token); }
  const std::string& session() const { return session_; }

  struct Impl;

 private:
  explicit HttpAdminApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string session_;
};

// Calls `service` directly, as the local admin `actor` (recorded in the
// audit log), with a session opened without a password.
class LocalAdminApi : public AdminApi {
 public:
  LocalAdminApi(std::shared_ptr<AdminService> service, const std::string& actor);

  Result<AdminApiResponse> Call(std::string_view method, std::string_view target,
                                std::string_view body) override;

 private:
  std::shared_ptr<AdminService> service_;
  std::string session_;
};

}  // namespace lakeshare
