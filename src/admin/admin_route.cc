#include "admin/admin_route.h"

#include <boost/json.hpp>

#include "admin/admin_service.h"
#include "common/strings.h"

namespace lakeshare {

std::string_view RouteAccessName(RouteAccess access) {
  switch (access) {
    case RouteAccess::kPublic:
      return "public";
    case RouteAccess::kAnySession:
      return "session";
    case RouteAccess::kViewer:
      return "viewer";
    case RouteAccess::kAdmin:
      return "admin";
  }
  return "admin";
}

std::vector<std::string_view> AdminRoute::Methods() const {
  std::vector<std::string_view> out{method};
  out.insert(out.end(), also.begin(), also.end());
  return out;
}

std::vector<std::string_view> AdminRoute::PathParams() const {
  std::vector<std::string_view> out;
  std::string_view p = path;
  for (size_t open = p.find('{'); open != std::string_view::npos; open = p.find('{', open)) {
    size_t close = p.find('}', open);
    if (close == std::string_view::npos) break;
    out.push_back(p.substr(open + 1, close - open - 1));
    open = close;
  }
  return out;
}

const std::vector<AdminRoute>& AdminRoutes() {
  static const std::vector<AdminRoute> kRoutes = [] {
    std::vector<AdminRoute> all;
    for (auto part : {SessionRoutes, OverviewRoutes, ShareRoutes, TableReadRoutes, RecipientRoutes,
                      OAuthRoutes, LinkRoutes, UserRoutes, IcebergCatalogRoutes}) {
      for (AdminRoute& r : part()) all.push_back(std::move(r));
    }
    return all;
  }();
  return kRoutes;
}

std::vector<RouteError> RouteErrors(const AdminRoute& route) {
  std::vector<RouteError> out;
  const bool params = !route.PathParams().empty();
  if (params) out.push_back({StatusCode::kInvalidArgument, "a malformed escape in the path"});
  if (route.HasBody()) {
    out.push_back({StatusCode::kInvalidArgument,
                   "the body is not a JSON object, or a field is missing, of the wrong type or "
                   "invalid"});
  }
  if (!route.query.empty()) {
    out.push_back({StatusCode::kInvalidArgument, "a query parameter is invalid"});
  }
  if (route.body.Find("version") != nullptr) {
    out.push_back({StatusCode::kFailedPrecondition,
                   "the object changed since the version given (version or If-Match)"});
  }
  if (route.access != RouteAccess::kPublic) {
    out.push_back({StatusCode::kUnauthenticated, "no valid session token"});
  }
  if (route.access == RouteAccess::kAdmin) {
    out.push_back({StatusCode::kPermissionDenied, "the session is a viewer's"});
  }
  if (params) {
    out.push_back({StatusCode::kNotFound, "an object the path names does not exist"});
  }
  if (route.HasBody()) {
    out.push_back({StatusCode::kTooLarge, "the body is larger than the server accepts"});
  }
  out.push_back({StatusCode::kUnavailable, "the catalog database cannot be reached"});
  out.push_back({StatusCode::kInternal, "a bug (the details are in the server log only)"});
  out.insert(out.end(), route.errors.begin(), route.errors.end());
  return out;
}

namespace {

// The body field `target` names; "token.expirationTime" is a field of the
// nested object "token".
const Field* BodyField(const Shape& body, std::string_view target) {
  size_t dot = target.find('.');
  if (dot == std::string_view::npos) return body.Find(target);
  const Field* outer = body.Find(target.substr(0, dot));
  if (outer == nullptr || outer->type != FieldType::kObject || outer->shape == nullptr) {
    return nullptr;
  }
  return outer->shape->Find(target.substr(dot + 1));
}

}  // namespace

ArgTarget TargetOf(const AdminRoute& route, std::string_view target) {
  for (std::string_view p : route.PathParams()) {
    if (p == target) return ArgTarget::kPath;
  }
  if (BodyField(route.body, target) != nullptr) return ArgTarget::kBody;
  for (const Field& f : route.query) {
    if (f.name == target) return ArgTarget::kQuery;
  }
  return ArgTarget::kNone;
}

const Field* TargetField(const AdminRoute& route, std::string_view target) {
  switch (TargetOf(route, target)) {
    case ArgTarget::kBody:
      return BodyField(route.body, target);
    case ArgTarget::kQuery:
      for (const Field& f : route.query) {
        if (f.name == target) return &f;
      }
      break;
    default:
      break;
  }
  return nullptr;
}

std::string CliUsage(const CliCommand& command) {
  std::string out = "lakeshare admin";
  for (std::string_view p : command.path) out += " " + std::string(p);
  for (const CliArg& a : command.args) {
    std::string flag(a.flag);
    switch (a.kind) {
      case CliArg::Kind::kPositional:
        out += " <" + flag + ">";
        break;
      case CliArg::Kind::kOptionalPositional:
        out += " [<" + flag + ">]";
        break;
      case CliArg::Kind::kOption:
      case CliArg::Kind::kDurationFromNow:
        out += " [" + flag + " VALUE]";
        break;
      case CliArg::Kind::kSecretFile:
        out += " [" + flag + " FILE]";
        break;
      case CliArg::Kind::kClear:
        out += " [" + flag + "]";
        break;
      case CliArg::Kind::kSecret:
        break;
    }
  }
  switch (command.extra) {
    case CliCommand::Extra::kAllPages:
    case CliCommand::Extra::kRevokeAll:
      out += " [--all]";
      break;
    default:
      break;
  }
  if (command.output == CliCommand::Output::kProfile ||
      command.output == CliCommand::Output::kObjectAndProfile) {
    out += " [-o FILE]";
  }
  return out;
}

// ------------------------------------------------------------ AdminCall

const std::string& AdminCall::Param(std::string_view name) const {
  static const std::string kNone;
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return kNone;
}

std::string AdminCall::BaseUrl() const {
  std::string b = options.public_endpoint_url;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b;
}

std::string AdminCall::ProfileEndpoint() const { return BaseUrl() + options.sharing_prefix; }

HttpResponse JsonAnswer(int status, const boost::json::value& body) {
  HttpResponse r;
  r.status = status;
  r.SetHeader("Content-Type", "application/json");
  r.SetHeader("Cache-Control", "no-store");
  r.body = boost::json::serialize(body);
  return r;
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Result<std::optional<int64_t>> ExpectedVersion(const AdminCall& call) {
  if (const std::string* h = call.request.Header("if-match"); h && !h->empty()) {
    std::string_view t = *h;
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    std::optional<int64_t> v = ParseNumber<int64_t>(t);
    if (!v) return Status::InvalidArgument("'If-Match' must be an integer");
    return v;
  }
  return call.body.Int("version");
}

Field VersionField() {
  return {"version", FieldType::kInteger, false,
          "The version you read: the change is refused (400) if the object changed since "
          "(or send If-Match)"};
}

}  // namespace lakeshare
