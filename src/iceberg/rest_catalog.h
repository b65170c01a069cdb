// The one Iceberg REST catalog call lakeshare needs: load a table
// (GET {base}/v1/{prefix}/namespaces/{ns}/tables/{table}) and take the
// `metadata-location` of its LoadTableResult.
//
// The configured location is the table's full resource URL. Errors: the
// catalog's 404 is kNotFound, other HTTP errors and network failures
// kUnavailable, a malformed answer kCorruption. URLs in messages never carry
// their query string or user info. Thread-safe.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"

namespace lakeshare::iceberg {

using HttpGetFn = std::function<Result<std::string>(const std::string& url)>;

// GET with libcurl (30 s timeout, redirects not followed); the body of a 200.
// A 404 is kNotFound, other statuses kUnavailable.
Result<std::string> HttpGet(const std::string& url);

// The metadata-location the catalog reports for the table at `table_url`.
Result<std::string> LoadTableMetadataLocation(const std::string& table_url, const HttpGetFn& get);

// `url` without user info and query string (for messages).
std::string RedactUrl(const std::string& url);

}  // namespace lakeshare::iceberg
