// The admin API's routes for sessions (login, logout) and its own
// description: part of the table of admin_route.h.
#include <algorithm>
#include <boost/json.hpp>

#include "admin/admin_cookie.h"
#include "admin/admin_json.h"
#include "admin/admin_route.h"
#include "admin/admin_service.h"
#include "server/errors.h"

namespace lakeshare {

namespace {

namespace json = boost::json;
using Cli = CliCommand;
using T = FieldType;

// Cookies only travel over https when the server is reached that way.
bool SecureCookies(const AdminCall& c) { return c.BaseUrl().rfind("https://", 0) == 0; }

Result<HttpResponse> Login(AdminCall& c) {
  // A browser sends a cross-origin form or text/plain POST without asking
  // first: refused, so no other site can log its visitors in (login CSRF) or
  // guess passwords through them.
  if (Status same = CheckSameOrigin(c.request, c.options.public_endpoint_url); !same.ok()) {
    c.detail = same.message();
    return ErrorResponse(403, kCsrfRejected, same.message());
  }
  // No Content-Type at all is allowed: a browser sends one with every body
  // a page can post cross-origin unasked, and Origin with any other.
  if (const std::string* type = c.request.Header("content-type");
      type != nullptr && !IsJsonContentType(type)) {
    c.detail = "login body not sent as application/json";
    return ErrorResponse(415, "UNSUPPORTED_MEDIA_TYPE",
                         "the login body must be sent with Content-Type: application/json");
  }
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
  o["expiresAt"] = login.session.expires_ms;
  o["role"] = std::string(AdminRoleName(login.user.role));
  o["username"] = login.user.name;
  if (c.body.Bool("cookie").value_or(false)) {
    // The browser keeps the token where page scripts cannot read it.
    o["csrfToken"] = CsrfToken(c.options.csrf_key, login.token);
    const int64_t max_age_s = std::max<int64_t>(0, (login.session.expires_ms - c.now) / 1000);
    c.headers.emplace_back("Set-Cookie", SessionCookie(login.token, max_age_s, SecureCookies(c)));
  } else {
    o["token"] = login.token;
  }
  return JsonAnswer(200, o);
}

Result<HttpResponse> GetSession(AdminCall& c) {
  json::object o;
  o["username"] = c.session->user;
  o["role"] = std::string(AdminRoleName(c.session->role));
  o["expiresAt"] = c.session->expires_ms;
  o["csrfToken"] = CsrfToken(c.options.csrf_key, c.bearer);
  return JsonAnswer(200, o);
}

Result<HttpResponse> Logout(AdminCall& c) {
  LS_RETURN_IF_ERROR(c.sessions.End(c.bearer));
  HttpResponse r = NoContent();
  r.SetHeader("Set-Cookie", ClearedSessionCookie(SecureCookies(c)));
  return r;
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
      .body =
          {"",
           "",
           {{"username", T::kString, true, "The admin user's name"},
            {.name = "password",
             .type = T::kString,
             .required = true,
             .description = "Its password",
             .secret = true},
            {"cookie", T::kBoolean, false,
             "true: the session comes as an HttpOnly SameSite=Strict cookie (lakeshare_session) "
             "and the answer holds its csrfToken instead of the token (the web console)"}}},
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
      .method = "GET",
      .path = "/session",
      .id = "getSession",
      .action = "getSession",
      .access = RouteAccess::kAnySession,
      .group = &kSessionGroup,
      .summary = "The caller's session",
      .description = "Who is logged in, until when, and the session's CSRF token (what the web "
                     "console asks after a reload: its cookie is unreadable to it).",
      .response = &CurrentSessionShape(),
      .audited = false,
      .handler = GetSession,
      .cli = {{.path = {"whoami"}, .help = "Show the session of $LAKESHARE_ADMIN_TOKEN"}},
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
