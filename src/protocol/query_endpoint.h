// POST …/query: the files of a snapshot (latest, version or timestamp),
// filtered by predicate hints and the share's partition filter, with signed
// URLs, streamed and paged (maxFiles/pageToken, refresh tokens). A body
// with startingVersion is a streaming query, answered as changes
// (changes_endpoint.h).
#pragma once

#include "common/status.h"
#include "protocol/endpoint_context.h"
#include "server/http.h"

namespace lakeshare {

Result<HttpResponse> QueryTable(const EndpointContext& ctx, const TableCall& call);

}  // namespace lakeshare
