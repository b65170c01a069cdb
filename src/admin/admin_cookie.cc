#include "admin/admin_cookie.h"

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/names.h"
#include "common/strings.h"

namespace lakeshare {

namespace {

// "https://host:port/path" -> "host:port"; "" if not a URL.
std::string_view HostOf(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  url.remove_prefix(scheme + 3);
  return url.substr(0, url.find('/'));
}

}  // namespace

std::string SessionCookieToken(const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (name != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = TrimOws(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && TrimOws(pair.substr(0, eq)) == kSessionCookieName) {
        return std::string(TrimOws(pair.substr(eq + 1)));
      }
    }
  }
  return "";
}

std::string SessionCookie(std::string_view token, int64_t max_age_s, bool secure) {
  return std::string(kSessionCookieName) + "=" + std::string(token) +
         "; Path=/api/v1; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s) +
         (secure ? "; Secure" : "");
}

std::string ClearedSessionCookie(bool secure) { return SessionCookie("", 0, secure); }

std::string CsrfToken(std::string_view key, std::string_view token) {
  return HexEncode(HmacSha256(key, std::string("csrf:") + std::string(token)));
}

Status CheckCsrf(const HttpRequest& request, std::string_view key, std::string_view token,
                 std::string_view public_url) {
  const std::string* sent = request.Header("x-csrf-token");
  if (sent == nullptr || !ConstantTimeEquals(*sent, CsrfToken(key, token))) {
    return Status::PermissionDenied("a cookie session's writes need its X-CSRF-Token");
  }
  if (const std::string* site = request.Header("sec-fetch-site");
      site != nullptr && *site != "same-origin") {
    return Status::PermissionDenied("cross-site request refused (Sec-Fetch-Site: " + *site + ")");
  }
  return CheckSameOrigin(request, public_url);
}

Status CheckSameOrigin(const HttpRequest& request, std::string_view public_url) {
  if (const std::string* site = request.Header("sec-fetch-site");
      site != nullptr && *site != "same-origin" && *site != "none") {
    return Status::PermissionDenied("cross-site request refused (Sec-Fetch-Site: " + *site + ")");
  }
  if (const std::string* origin = request.Header("origin"); origin != nullptr) {
    const std::string_view from = HostOf(*origin);
    const std::string* host = request.Header("host");
    const bool ours = !from.empty() && ((host != nullptr && EqualsIgnoreCase(from, *host)) ||
                                        EqualsIgnoreCase(from, HostOf(public_url)));
    if (!ours) return Status::PermissionDenied("request from another origin refused");
  }
  return Status::OK();
}

bool IsJsonContentType(const std::string* content_type) {
  if (content_type == nullptr) return false;
  std::string_view type =
      TrimOws(std::string_view(*content_type).substr(0, content_type->find(';')));
  return EqualsIgnoreCase(type, "application/json");
}

}  // namespace lakeshare
