// The admin API's overview route (the console's first page): part of the
// table of admin_route.h.
#include <boost/json.hpp>

#include "admin/admin_json.h"
#include "admin/admin_route.h"
#include "common/time_util.h"

namespace lakeshare {

namespace {

namespace json = boost::json;

constexpr int64_t kExpiringWithinMs = 7LL * 24 * 60 * 60 * 1000;
constexpr int kMaxExpiring = 20;
constexpr int kRecentAudit = 10;

Result<HttpResponse> GetOverview(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(CatalogOverview view,
                      c.catalog.Overview(c.now, c.now + kExpiringWithinMs, kMaxExpiring));
  AuditQuery recent;
  recent.limit = kRecentAudit;
  LS_ASSIGN_OR_RETURN(AuditPage audit, c.catalog.QueryAudit(recent));
  json::object counts;
  counts["shares"] = view.shares;
  counts["schemas"] = view.schemas;
  counts["tables"] = view.tables;
  counts["recipients"] = view.recipients;
  counts["activeTokens"] = view.active_tokens;
  counts["oauthAccessTokens"] = view.oauth_access_tokens;
  json::array expiring;
  for (const ExpiringToken& t : view.expiring_tokens) {
    expiring.push_back(json::object{{"recipient", t.recipient},
                                    {"id", t.id},
                                    {"expirationTime", FormatIso8601Millis(t.expiration_ms)}});
  }
  json::array entries;
  for (const AuditEntry& e : audit.entries) entries.push_back(AuditJson(e));
  json::object o;
  o["counts"] = std::move(counts);
  o["expiringTokens"] = std::move(expiring);
  o["recentAudit"] = std::move(entries);
  o["server"] = json::object{{"version", LAKESHARE_VERSION}, {"catalogBackend", view.backend}};
  return JsonAnswer(200, o);
}

}  // namespace

std::vector<AdminRoute> OverviewRoutes() {
  std::vector<AdminRoute> routes;
  routes.push_back({
      .method = "GET",
      .path = "/overview",
      .id = "getOverview",
      .action = "getOverview",
      .access = RouteAccess::kViewer,
      .group = &kOverviewGroup,
      .summary = "The catalog at a glance",
      .description = "Counts, live tokens expiring within 7 days (soonest first, at most 20), the "
                     "10 newest audit entries, this server's version and catalog database.",
      .response = &OverviewShape(),
      .audited = false,
      .handler = GetOverview,
      .cli = {{.path = {"overview"}, .help = "Show the catalog at a glance"}},
  });
  return routes;
}

}  // namespace lakeshare
