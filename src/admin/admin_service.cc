#include "admin/admin_service.h"

#include <algorithm>
#include <any>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "admin/admin_cookie.h"
#include "admin/admin_route.h"
#include "admin/openapi.h"
#include "auth/token.h"
#include "catalog/denied_request_tally.h"
#include "common/crypto.h"
#include "common/time_util.h"
#include "server/errors.h"

namespace lakeshare {

namespace {

// What CheckHead leaves in HttpRequest::head_context: the session it found,
// so the handler does not look it up again.
struct HeadSession {
  const AdminService* service = nullptr;  // the service that checked
  AdminSession session;
  std::string bearer;
  bool cookie_session = false;
};

constexpr std::string_view kPrefix = "/api/v1/";
constexpr size_t kMaxSegments = 32;  // far more than any route has

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes one path segment ('+' stays a plus).
Result<std::string> DecodeSegment(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return Status::InvalidArgument("malformed percent-escape in path");
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("malformed percent-escape in path");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// The decoded segments after /api/v1/ (a trailing '/' is ignored).
Result<std::vector<std::string>> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  path.remove_prefix(kPrefix.size());
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  while (!path.empty()) {
    if (out.size() == kMaxSegments) return Status::NotFound("no such endpoint");
    size_t slash = path.find('/');
    LS_ASSIGN_OR_RETURN(std::string decoded, DecodeSegment(path.substr(0, slash)));
    if (decoded.empty()) return Status::InvalidArgument("empty path segment");
    out.push_back(std::move(decoded));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::vector<std::string_view> PatternSegments(std::string_view pattern) {
  std::vector<std::string_view> out;
  while (!pattern.empty() && pattern.front() == '/') pattern.remove_prefix(1);
  while (!pattern.empty()) {
    size_t slash = pattern.find('/');
    out.push_back(pattern.substr(0, slash));
    if (slash == std::string_view::npos) break;
    pattern.remove_prefix(slash + 1);
  }
  return out;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// How specific `route`'s pattern is for `seg` (lower: a literal where another
// pattern has a parameter, earlier segments first), or nullopt if it does
// not match: /tokens/rotate wins over /tokens/{id}.
std::optional<uint64_t> MatchRank(const AdminRoute& route, const std::vector<std::string>& seg) {
  std::vector<std::string_view> pattern = PatternSegments(route.path);
  if (pattern.size() != seg.size()) return std::nullopt;
  uint64_t rank = 0;
  for (size_t i = 0; i < seg.size(); ++i) {
    if (IsParam(pattern[i])) {
      rank |= uint64_t{1} << (kMaxSegments - i);
    } else if (pattern[i] != seg[i]) {
      return std::nullopt;
    }
  }
  return rank;
}

// Every route of the pattern that matches `seg` best (one per method).
std::vector<const AdminRoute*> RoutesOfPath(const std::vector<AdminRoute>& routes,
                                            const std::vector<std::string>& seg) {
  std::vector<const AdminRoute*> best;
  uint64_t best_rank = UINT64_MAX;
  for (const AdminRoute& r : routes) {
    std::optional<uint64_t> rank = MatchRank(r, seg);
    if (!rank || *rank > best_rank) continue;
    if (*rank < best_rank) best.clear();
    best_rank = *rank;
    best.push_back(&r);
  }
  return best;
}

std::vector<std::pair<std::string_view, std::string>> ParamsOf(
    const AdminRoute& route, const std::vector<std::string>& seg) {
  std::vector<std::pair<std::string_view, std::string>> out;
  std::vector<std::string_view> pattern = PatternSegments(route.path);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (IsParam(pattern[i])) out.emplace_back(pattern[i].substr(1, pattern[i].size() - 2), seg[i]);
  }
  return out;
}

// "share:{share}" with the path's values.
std::string Expand(std::string_view tmpl, const AdminCall& call) {
  std::string out;
  while (!tmpl.empty()) {
    size_t open = tmpl.find('{');
    size_t close = open == std::string_view::npos ? open : tmpl.find('}', open);
    if (close == std::string_view::npos) break;
    out += tmpl.substr(0, open);
    out += call.Param(tmpl.substr(open + 1, close - open - 1));
    tmpl.remove_prefix(close + 1);
  }
  out += tmpl;
  return out;
}

bool IsRead(std::string_view method) { return method == "GET" || method == "HEAD"; }

template <typename P>
bool All(const std::vector<const AdminRoute*>& routes, P p) {
  return !routes.empty() && std::all_of(routes.begin(), routes.end(), p);
}

// Who may learn that a path has no route for a method: a write needs an
// admin, unless every route of the path is for any session (logout); a read,
// what the path's reads need (admin for users, else a viewer).
RouteAccess AccessWithoutRoute(std::string_view method,
                               const std::vector<const AdminRoute*>& routes) {
  if (All(routes, [](const AdminRoute* r) { return r->access == RouteAccess::kAnySession; })) {
    return RouteAccess::kAnySession;
  }
  if (!IsRead(method)) return RouteAccess::kAdmin;
  std::vector<const AdminRoute*> reads;
  for (const AdminRoute* r : routes) {
    if (IsRead(r->method)) reads.push_back(r);
  }
  return All(reads, [](const AdminRoute* r) { return r->access == RouteAccess::kAdmin; })
             ? RouteAccess::kAdmin
             : RouteAccess::kViewer;
}

// kPermissionDenied unless `session` may make the request: `route` if the
// path has one for the method, else the path's `routes`.
Status Authorize(const AdminSession& session, std::string_view method, const AdminRoute* route,
                 const std::vector<const AdminRoute*>& routes) {
  RouteAccess need = route != nullptr ? route->access : AccessWithoutRoute(method, routes);
  if (need != RouteAccess::kAdmin || session.role == AdminRole::kAdmin) return Status::OK();
  const RouteGroup* group = route != nullptr ? route->group
                            : routes.empty() ? nullptr
                                             : routes[0]->group;
  if (IsRead(method) && group != nullptr) {
    return Status::PermissionDenied("only admins may manage " + std::string(group->tag));
  }
  return Status::PermissionDenied("viewers may only read");
}

// 405, naming the methods the path serves.
HttpResponse MethodNotAllowed(const std::vector<const AdminRoute*>& routes) {
  std::string allow;
  for (const AdminRoute* r : routes) {
    for (std::string_view m : r->Methods()) allow += (allow.empty() ? "" : ", ") + std::string(m);
  }
  HttpResponse resp = ErrorResponse(405, "METHOD_NOT_ALLOWED", "method not allowed");
  resp.SetHeader("Allow", allow);
  return resp;
}

}  // namespace

AdminService::AdminService(std::shared_ptr<CatalogAdmin> admin, AdminServiceOptions options)
    : admin_(std::move(admin)),
      options_(std::move(options)),
      routes_(options_.routes != nullptr ? *options_.routes : AdminRoutes()),
      sessions_(admin_, options_.session_ttl_ms, options_.login_throttle),
      openapi_json_(AdminOpenApiJson(routes_)) {
  if (options_.csrf_key.empty()) options_.csrf_key = RandomBytes(32);
}

AdminService::~AdminService() = default;

int64_t AdminService::Now() const { return options_.clock ? options_.clock() : NowMillis(); }

Result<int64_t> AdminService::SessionCount() { return sessions_.Count(Now()); }

std::string AdminService::OpenLocalSession(const std::string& user, AdminRole role) {
  return sessions_.OpenLocal(user, role, Now());
}

HttpResponse AdminService::Handle(HttpRequest& request) {
  AdminCall call{request, *admin_, sessions_, options_, openapi_json_, Now()};
  HttpResponse resp;
  // The exception boundary: whatever a handler (or a library under it)
  // throws, the client gets a 500 and the audit log its record.
  try {
    resp = Serve(call);
  } catch (const std::exception& e) {
    call.detail = "internal error";
    resp = ErrorResponse(Status::Internal("admin API, " + call.action + ": " + e.what()));
  } catch (...) {
    call.detail = "internal error";
    resp = ErrorResponse(Status::Internal("admin API, " + call.action + ": unknown exception"));
  }
  if (call.audited) Audit(call, resp.status);
  return resp;
}

HttpResponse AdminService::Serve(AdminCall& call) {
  Result<HttpResponse> routed = Route(call);
  HttpResponse resp;
  if (routed.ok()) {
    resp = std::move(routed).value();
  } else {
    call.detail = routed.status().message();
    resp = ErrorResponse(routed.status());
  }
  for (auto& [name, value] : call.headers) resp.SetHeader(name, value);
  return resp;
}

std::optional<HttpResponse> AdminService::CheckHead(HttpRequest& head) {
  AdminCall call{head, *admin_, sessions_, options_, openapi_json_, Now()};
  Status admitted;
  try {
    admitted = Admit(call).status();
  } catch (const std::exception&) {
    return std::nullopt;  // Handle reports it, with the body
  }
  if (admitted.ok() && call.session) {
    head.head_context =
        HeadSession{this, *std::move(call.session), std::move(call.bearer), call.cookie_session};
  }
  if (admitted.code() != StatusCode::kUnauthenticated) return std::nullopt;
  call.detail = admitted.message();
  HttpResponse resp = ErrorResponse(admitted);
  for (auto& [name, value] : call.headers) resp.SetHeader(name, value);
  if (call.audited) Audit(call, resp.status);
  return resp;
}

Result<AdminService::Admission> AdminService::Admit(AdminCall& call) {
  const HttpRequest& req = call.request;
  if (req.path.rfind(kPrefix, 0) != 0) return Status::NotFound("no such endpoint");
  Admission a;
  LS_ASSIGN_OR_RETURN(a.seg, SplitPath(req.path));
  if (a.seg.empty()) return Status::NotFound("no such endpoint");
  const std::vector<std::string>& seg = a.seg;

  a.of_path = RoutesOfPath(routes_, seg);
  const std::vector<const AdminRoute*>& of_path = a.of_path;
  const AdminRoute* route = nullptr;
  for (const AdminRoute* r : of_path) {
    for (std::string_view m : r->Methods()) {
      if (m == req.method) route = r;
    }
  }
  call.route = route;
  // Until the caller may use the route, the audit log names only the method
  // and the area: refusals do not borrow the names of the operations.
  call.action = req.method + " " + seg[0];
  // A method the path does not serve is audited (it may be a refused write)
  // unless the path is the public, unaudited kind (the OpenAPI document).
  call.audited = route != nullptr ? route->audited : !All(of_path, [](const AdminRoute* r) {
    return !r->audited && r->access == RouteAccess::kPublic;
  });

  a.is_public =
      route != nullptr
          ? route->access == RouteAccess::kPublic
          : All(of_path, [](const AdminRoute* r) { return r->access == RouteAccess::kPublic; });
  if (a.is_public && route == nullptr) call.actor_kind = "anonymous";
  if (!a.is_public) LS_RETURN_IF_ERROR(Authenticate(call));
  return a;
}

Result<HttpResponse> AdminService::Route(AdminCall& call) {
  const HttpRequest& req = call.request;
  LS_ASSIGN_OR_RETURN(const Admission a, Admit(call));
  const std::vector<std::string>& seg = a.seg;
  const std::vector<const AdminRoute*>& of_path = a.of_path;
  const AdminRoute* route = call.route;
  if (!a.is_public) {
    if (call.cookie_session && !IsRead(req.method)) {
      Status csrf = CheckCsrf(req, options_.csrf_key, call.bearer, options_.public_endpoint_url);
      if (!csrf.ok()) {
        call.detail = csrf.message();
        return ErrorResponse(403, kCsrfRejected, csrf.message());
      }
    }
    LS_RETURN_IF_ERROR(Authorize(*call.session, req.method, route, of_path));
  }
  if (route == nullptr) {
    if (of_path.empty()) return Status::NotFound("no such endpoint");
    call.detail = "method not allowed";
    return MethodNotAllowed(of_path);
  }
  call.action = route->action;
  call.params = ParamsOf(*route, seg);
  if (!route->object.empty()) call.object = Expand(route->object, call);
  if (route->HasBody()) {
    LS_ASSIGN_OR_RETURN(call.body, ParseBody(route->body, req.body, route->body_optional));
  }
  if (!route->query.empty()) {
    LS_ASSIGN_OR_RETURN(call.query, ParseQuery(route->query, req));
  }
  return route->handler(call);
}

Status AdminService::Authenticate(AdminCall& call) {
  if (const auto* found = std::any_cast<HeadSession>(&call.request.head_context);
      found != nullptr && found->service == this) {
    call.session = found->session;
    call.bearer = found->bearer;
    call.cookie_session = found->cookie_session;
    return Status::OK();
  }
  if (const std::string* auth = call.request.Header("authorization")) {
    call.bearer = std::string(ParseBearerToken(*auth).value_or(std::string_view()));
  } else {
    call.bearer = SessionCookieToken(call.request);
    call.cookie_session = !call.bearer.empty();
  }
  if (!call.bearer.empty()) {
    auto found = sessions_.Find(call.bearer, call.now);
    if (!found.ok()) {
      call.actor_kind = "anonymous";
      return found.status();  // the database cannot tell: a 5xx, not a 401
    }
    call.session = std::move(found).value();
  }
  if (!call.session) {
    call.actor_kind = "anonymous";
    return Status::Unauthenticated("a valid admin session token is required");
  }
  return Status::OK();
}

void AdminService::Audit(const AdminCall& call, int status) {
  AuditEntry e;
  e.actor_kind = call.actor_kind;
  e.actor_name = call.session ? std::optional<std::string>(call.session->user) : call.actor_name;
  e.action = call.action;
  e.object = call.object;
  e.outcome = status < 400 ? "ok" : (status == 401 || status == 403) ? "denied" : "error";
  e.detail = call.detail;
  if (!call.request.remote_address.empty()) e.remote_address = call.request.remote_address;
  if (!call.request.request_id.empty()) e.request_id = call.request.request_id;
  if (options_.denied_audit && DeniedRequestTally::Counts(e)) {
    options_.denied_audit->Submit(std::move(e));
    return;
  }
  (void)admin_->AppendAudit(e);  // auditing must not fail the request
}

}  // namespace lakeshare
