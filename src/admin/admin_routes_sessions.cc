// The admin API's routes for sessions (login, logout) and its own
// description: part of the table of admin_route.h.
#include <boost/json.hpp>

#include "admin/admin_json.h"
#include "admin/admin_route.h"

namespace lakeshare {

namespace {

namespace json = boost::json;
using Cli = CliCommand;
using T = FieldType;

Result<HttpResponse> Login(AdminCall& c) {
  const std::string& user = c.body.Required("username");
  c.actor_name = user;
  c.object = "user:" + user;
  // Checked before the password: while a wait is due even the right one is refused.
  if (int64_t wait = c.sessions.LoginWaitMs(user, c.request.remote_address, c.now); wait > 0) {
    const std::string seconds = std::to_string((wait + 999) / 1000);
    c.headers.emplace_back("Retry-After", seconds);
    return Status::TooManyRequests("too many failed logins: try again in " + seconds + " s");
  }
  LS_ASSIGN_OR_RETURN(AdminLogin login, c.sessions.Login(user, c.body.Required("password"),
                                                         c.request.remote_address, c.now));
  c.session = login.session;
  json::object o;
  o["token"] = login.token;
  o["expiresAt"] = login.session.expires_ms;
  o["role"] = std::string(AdminRoleName(login.user.role));
  o["username"] = login.user.name;
  return JsonAnswer(200, o);
}

Result<HttpResponse> Logout(AdminCall& c) {
  LS_RETURN_IF_ERROR(c.sessions.End(c.bearer));
  return NoContent();
}

Result<HttpResponse> OpenApi(AdminCall& c) {
  HttpResponse r;
  r.SetHeader("Content-Type", "application/json");
  r.body = c.openapi_json;
  return r;
}

}  // namespace

std::vector<AdminRoute> SessionRoutes() {
  std::vector<AdminRoute> routes;
  routes.push_back({
      .method = "POST",
      .path = "/login",
      .id = "login",
      .action = "login",
      .access = RouteAccess::kPublic,
      .group = &kSessionGroup,
      .summary = "Start a session",
      .description = "Exchanges an admin user's name and password for a session token. After "
                     "5 failed logins of a name (20 from an address) every attempt must wait, "
                     "from 1 s doubling to 15 min, even with the right password.",
      .body = {"",
               "",
               {{"username", T::kString, true, "The admin user's name"},
                {.name = "password",
                 .type = T::kString,
                 .required = true,
                 .description = "Its password",
                 .secret = true}}},
      .response = &SessionShape(),
      .errors = {{StatusCode::kUnauthenticated, "wrong name or password (one answer for both)"},
                 {StatusCode::kTooManyRequests,
                  "too many failed logins of this name or from this address: wait Retry-After "
                  "seconds",
                  "Retry-After"}},
      .handler = Login,
      .cli = {{.path = {"login"},
               .help = "Log in and print a session token (for $LAKESHARE_ADMIN_TOKEN)",
               .output = Cli::Output::kRaw,
               .extra = Cli::Extra::kLogin}},
  });
  routes.push_back({
      .method = "POST",
      .path = "/logout",
      .id = "logout",
      .action = "logout",
      .access = RouteAccess::kAnySession,
      .group = &kSessionGroup,
      .summary = "End the session (on every server)",
      .status = 204,
      .handler = Logout,
      .cli = {{.path = {"logout"},
               .help = "End the session of $LAKESHARE_ADMIN_TOKEN",
               .output = Cli::Output::kDone,
               .done = "logged out",
               .extra = Cli::Extra::kLogout}},
  });
  routes.push_back({
      .method = "GET",
      .also = {"HEAD"},
      .path = "/openapi.json",
      .id = "getOpenApi",
      .action = "getOpenApi",
      .access = RouteAccess::kPublic,
      .group = &kApiGroup,
      .summary = "This document",
      .response = &OpenApiDocumentShape(),
      .audited = false,
      .handler = OpenApi,
      .cli = {{.path = {"openapi"},
               .help = "Print the OpenAPI description of the admin API",
               .output = Cli::Output::kRaw}},
  });
  return routes;
}

}  // namespace lakeshare
