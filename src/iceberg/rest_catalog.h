// The one Iceberg REST catalog call lakeshare needs: load a table
// (GET {base}/v1/{prefix}/namespaces/{ns}/tables/{table}) and take the
// `metadata-location` of its LoadTableResult.
//
// The configured location is the table's full resource URL. Requests go
// through the project's HTTP client (storage/http_client.h: connect and
// total timeouts, bounded retries with backoff on throttling, 5xx and
// network failures, pooled connections). Errors: the catalog's 404 is
// kNotFound, other HTTP errors and network failures kUnavailable, an answer
// over 64 MiB kTooLarge, a malformed answer kCorruption. URLs in messages
// never carry their query string or user info. Thread-safe.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "storage/http_auth.h"
#include "storage/http_client.h"

namespace lakeshare::iceberg {

using HttpGetFn = std::function<Result<std::string>(const std::string& url)>;

// The client options for catalog requests: 30 s per attempt.
HttpClientOptions RestCatalogHttpOptions();

// GETs `url` from the catalog with `http`; the body of a 200.
Result<std::string> RestCatalogGet(HttpClient& http, const std::string& url);
// The same, authenticated by `auth` (a catalog that needs a login,
// storage/http_auth.h); 401 and 403 are kUnavailable saying the catalog
// refused the configured credentials.
Result<std::string> RestCatalogGet(HttpAuthenticator& auth, const std::string& url);

// The metadata-location the catalog reports for the table at `table_url`.
Result<std::string> LoadTableMetadataLocation(const std::string& table_url, const HttpGetFn& get);

// `url` without user info and query string (for messages).
std::string RedactUrl(const std::string& url);

}  // namespace lakeshare::iceberg
