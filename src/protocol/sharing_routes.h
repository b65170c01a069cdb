// The Delta Sharing REST API as one table ("REST APIs" of Delta Sharing's PROTOCOL.md): each route
// is a method, a path pattern below the endpoint prefix and the endpoint
// that answers it. SharingService routes by this table alone; adding an
// endpoint is one row here plus its function.
//
// Share routes are answered once the recipient is authenticated; table
// routes also look the table up in the catalog first (so an invisible table
// is a 404 before a wrong method is a 405) and resolve its format.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "protocol/endpoint_context.h"
#include "server/http.h"

namespace lakeshare {

using ShareEndpoint = Result<HttpResponse> (*)(const EndpointContext&, const ShareCall&);
using TableEndpoint = Result<HttpResponse> (*)(const EndpointContext&, const TableCall&);

struct SharingRoute {
  std::string_view method;   // "GET", "HEAD" or "POST"
  std::string_view pattern;  // segments; "{share}", "{schema}", "{table}" capture one each
  ShareEndpoint share_endpoint = nullptr;  // exactly one of the two is set
  TableEndpoint table_endpoint = nullptr;
  // The table-exists probe (HEAD on the table): an unknown table is a bare
  // 404 without a body, whatever the method.
  bool bare_not_found = false;
  // A snapshot load and a stream of file lines: counted against the
  // recipient's concurrent answers (recipient_slots.h).
  bool costly = false;
};

// Every route, in no particular order (patterns do not overlap).
const std::vector<SharingRoute>& SharingRoutes();

// The routes whose pattern matches a path (one per method), and what the
// pattern captured.
struct RouteMatch {
  std::vector<const SharingRoute*> routes;
  std::string_view share;
  std::string_view schema;
  std::string_view table;

  bool is_table_route() const { return routes.front()->table_endpoint != nullptr; }
  bool bare_not_found() const;
  // The route for `method`, or nullptr (then the answer is a 405).
  const SharingRoute* ForMethod(std::string_view method) const;
  // The methods of the routes, for the Allow header ("GET", "HEAD, GET").
  std::string AllowedMethods() const;
};

// Matches the decoded path segments below the prefix; nullopt when no
// pattern has that shape. The match refers into `segments`.
std::optional<RouteMatch> MatchSharingRoute(const std::vector<std::string>& segments);

}  // namespace lakeshare
