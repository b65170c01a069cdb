// Cookie sessions of the admin API, for the web console: the session token
// in an HttpOnly SameSite=Strict cookie (so page scripts never hold it) and
// the CSRF check that cookie-authenticated writes must pass. Bearer sessions
// (the CLI, scripts) need neither.
//
// A CSRF token is an HMAC of the session token under a server key: every
// replica that shares the key accepts it, and only a page that was told it
// (the login answer, GET /session) can send it. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http.h"

namespace lakeshare {

inline constexpr std::string_view kSessionCookieName = "lakeshare_session";
inline constexpr std::string_view kCsrfRejected = "CSRF_REJECTED";

// The session token of the request's Cookie header ("" if none).
std::string SessionCookieToken(const HttpRequest& request);
// Set-Cookie values: the session, living `max_age_s`; and its removal.
// `secure` adds "; Secure" (the server is reached over https).
std::string SessionCookie(std::string_view token, int64_t max_age_s, bool secure);
std::string ClearedSessionCookie(bool secure);
// The CSRF token of the session `token` (hex).
std::string CsrfToken(std::string_view key, std::string_view token);
// OK if a cookie-authenticated write may proceed: X-CSRF-Token is the
// session's, and what the browser says of the origin (Origin, when sent:
// the request's Host or `public_url`'s; Sec-Fetch-Site, when sent:
// same-origin) is this server. kPermissionDenied, saying which, otherwise.
Status CheckCsrf(const HttpRequest& request, std::string_view key, std::string_view token,
                 std::string_view public_url);
// The origin part of CheckCsrf alone (Origin and Sec-Fetch-Site, when sent,
// name this server; Sec-Fetch-Site "none", a navigation the user made, too):
// what the login checks, where no session exists yet.
Status CheckSameOrigin(const HttpRequest& request, std::string_view public_url);
// Whether a Content-Type header (nullptr: absent) is application/json, with
// or without parameters.
bool IsJsonContentType(const std::string* content_type);

}  // namespace lakeshare
