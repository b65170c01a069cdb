// What the sharing endpoints (list_endpoints.h, table_info_endpoints.h,
// query_endpoint.h, changes_endpoint.h) are given, and the helpers they
// share. Endpoints return Result<HttpResponse>: an error Status becomes the
// protocol's error in one place (server/errors.h); errors of a table's own
// data go through InTable first so they name the table, never its location.
// Everything here is used on worker threads, concurrently: the context is
// immutable apart from the catalog, which is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "common/status.h"
#include "protocol/capabilities.h"
#include "protocol/page_token.h"
#include "protocol/query_token.h"
#include "protocol/sharing_options.h"
#include "protocol/table_resolver.h"
#include "server/http.h"

namespace lakeshare {

// Owned by the SharingService; one for all requests.
struct EndpointContext {
  const SharingServiceOptions& options;
  Catalog& catalog;
  const PageTokenCodec& page_tokens;
  const QueryTokenCodec& query_tokens;
};

// A request to a share-level endpoint, authenticated.
struct ShareCall {
  const HttpRequest& request;
  const Principal& who;
  std::string_view share;   // the path's {share}, decoded ("" for /shares)
  std::string_view schema;  // the path's {schema}, decoded, where the route has one
};

// A resolved, authorised table of one request.
struct TableRef {
  TableInfo info;
  ResolvedTable resolved;
  Principal who;
  // Set by TableStatus when the table failed through its provider's fault:
  // the whole reason, for the audit (the recipient is told less).
  mutable std::string provider_fault;
  std::string FullName() const { return info.share + "." + info.schema + "." + info.name; }
};

// A request to a table endpoint.
struct TableCall {
  const HttpRequest& request;
  const TableRef& table;
};

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";
inline constexpr std::string_view kNdjsonContentType = "application/x-ndjson; charset=utf-8";

// A 200 with a JSON body.
HttpResponse JsonResponse(std::string body);

// A failure of the table's own data or format, as the recipient may see it:
// the table's storage locations replaced by "<table>", and the table named.
// A failure the provider must fix (no table at the location: kNotFound,
// kPermissionDenied) becomes kNotFound "table ... is unavailable" (not a
// request error); its whole reason goes to the server log and
// t.provider_fault.
Status TableStatus(const TableRef& t, const Status& status);
// The same for a table whose location cannot even be opened (a relative
// path, a scheme or store without credentials, an unknown format): every
// failure but a store's transient one (kIOError, kUnavailable) is the
// provider's.
Status TableOpenStatus(const TableRef& t, const Status& status);
template <typename T>
Result<T> InTable(const TableRef& t, Result<T> result) {
  if (result.ok()) return result;
  return TableStatus(t, result.status());
}
inline Status InTable(const TableRef& t, const Status& status) {
  return status.ok() ? status : TableStatus(t, status);
}

// The base of the URLs this server signs itself: public_url, else the
// listener's scheme and the (validated) Host header, plus the endpoint prefix.
std::string BaseUrl(const EndpointContext& ctx, const HttpRequest& request);
// When the signed URLs of an answer made at `now_ms` expire: the configured
// lifetime, no later than the recipient's token, as the store allows.
int64_t UrlExpiration(const EndpointContext& ctx, const TableRef& t, int64_t now_ms);

// The delta-sharing-capabilities request header, parsed.
ClientCapabilities RequestCapabilities(const HttpRequest& request);

}  // namespace lakeshare
