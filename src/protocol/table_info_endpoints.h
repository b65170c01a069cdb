// The table endpoints that describe a table without listing its files:
// its version (HEAD table, GET /version) and its metadata (GET /metadata,
// the NDJSON head of a query answer).
#pragma once

#include "common/status.h"
#include "protocol/endpoint_context.h"
#include "server/http.h"

namespace lakeshare {

// HEAD …/tables/{table} and GET …/version[?startingTimestamp=]: the
// Delta-Table-Version header, no body.
Result<HttpResponse> GetTableVersion(const EndpointContext& ctx, const TableCall& call);
// GET …/metadata[?version=|?timestamp=]: protocol and metaData lines.
Result<HttpResponse> GetTableMetadata(const EndpointContext& ctx, const TableCall& call);

}  // namespace lakeshare
