#include "protocol/sharing_routes.h"

#include "protocol/changes_endpoint.h"
#include "protocol/list_endpoints.h"
#include "protocol/query_endpoint.h"
#include "protocol/table_info_endpoints.h"

namespace lakeshare {
namespace {

constexpr std::string_view kTable = "shares/{share}/schemas/{schema}/tables/{table}";

std::vector<std::string_view> Split(std::string_view pattern) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t slash = pattern.find('/');
    parts.push_back(pattern.substr(0, slash));
    if (slash == std::string_view::npos) return parts;
    pattern.remove_prefix(slash + 1);
  }
}

}  // namespace

const std::vector<SharingRoute>& SharingRoutes() {
  static const std::vector<SharingRoute> kRoutes = {
      {"GET", "shares", ListShares},
      {"GET", "shares/{share}", GetShare},
      {"GET", "shares/{share}/schemas", ListSchemas},
      {"GET", "shares/{share}/schemas/{schema}/tables", ListTables},
      {"GET", "shares/{share}/all-tables", ListAllTables},
      {"HEAD", kTable, nullptr, GetTableVersion, /*bare_not_found=*/true},
      {"GET", "shares/{share}/schemas/{schema}/tables/{table}/version", nullptr, GetTableVersion},
      {"GET", "shares/{share}/schemas/{schema}/tables/{table}/metadata", nullptr, GetTableMetadata},
      {"POST", "shares/{share}/schemas/{schema}/tables/{table}/query", nullptr, QueryTable,
       /*bare_not_found=*/false, /*costly=*/true},
      {"GET", "shares/{share}/schemas/{schema}/tables/{table}/changes", nullptr, GetTableChanges,
       /*bare_not_found=*/false, /*costly=*/true},
  };
  return kRoutes;
}

bool RouteMatch::bare_not_found() const {
  for (const SharingRoute* route : routes) {
    if (route->bare_not_found) return true;
  }
  return false;
}

const SharingRoute* RouteMatch::ForMethod(std::string_view method) const {
  for (const SharingRoute* route : routes) {
    if (route->method == method) return route;
  }
  return nullptr;
}

std::string RouteMatch::AllowedMethods() const {
  std::string allowed;
  for (const SharingRoute* route : routes) {
    if (!allowed.empty()) allowed += ", ";
    allowed += route->method;
  }
  return allowed;
}

std::optional<RouteMatch> MatchSharingRoute(const std::vector<std::string>& segments) {
  RouteMatch match;
  for (const SharingRoute& route : SharingRoutes()) {
    std::vector<std::string_view> parts = Split(route.pattern);
    if (parts.size() != segments.size()) continue;
    RouteMatch candidate;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      if (parts[i] == "{share}") {
        candidate.share = segments[i];
      } else if (parts[i] == "{schema}") {
        candidate.schema = segments[i];
      } else if (parts[i] == "{table}") {
        candidate.table = segments[i];
      } else {
        ok = parts[i] == segments[i];
      }
    }
    if (!ok) continue;
    candidate.routes = std::move(match.routes);
    candidate.routes.push_back(&route);
    match = std::move(candidate);
  }
  if (match.routes.empty()) return std::nullopt;
  return match;
}

}  // namespace lakeshare
