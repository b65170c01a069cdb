// The list endpoints ("List Shares" … "List all Tables in a Share" of Delta Sharing's PROTOCOL.md):
// shares, one share, a share's schemas, a schema's tables, a share's tables. Lists are paged by
// maxResults/pageToken (page_token.h); items are what the catalog lets the
// recipient see.
#pragma once

#include "common/status.h"
#include "protocol/endpoint_context.h"
#include "server/http.h"

namespace lakeshare {

// GET /shares
Result<HttpResponse> ListShares(const EndpointContext& ctx, const ShareCall& call);
// GET /shares/{share}
Result<HttpResponse> GetShare(const EndpointContext& ctx, const ShareCall& call);
// GET /shares/{share}/schemas
Result<HttpResponse> ListSchemas(const EndpointContext& ctx, const ShareCall& call);
// GET /shares/{share}/schemas/{schema}/tables
Result<HttpResponse> ListTables(const EndpointContext& ctx, const ShareCall& call);
// GET /shares/{share}/all-tables
Result<HttpResponse> ListAllTables(const EndpointContext& ctx, const ShareCall& call);

}  // namespace lakeshare
