// HTTP dates (RFC 7231 IMF-fixdate, "Wed, 12 Oct 2009 17:50:00 GMT"), as
// stores send them in Last-Modified and Azure wants them in x-ms-date.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/storage.h"

namespace lakeshare {

struct HttpAnswer;
// The FileInfo of `path` from a store's answer to HEAD (Content-Length,
// Last-Modified); kIOError when the length is missing or malformed.
Result<FileInfo> FileInfoFromHead(const std::string& path, const HttpAnswer& answer);

std::string FormatHttpDate(int64_t unix_s);
// Milliseconds since the epoch; nullopt when `text` is not an IMF-fixdate.
std::optional<int64_t> ParseHttpDateMillis(std::string_view text);
// "2015-08-30T12:36:00Z" (ISO 8601, UTC, whole seconds), as SAS tokens use.
std::string FormatIsoSeconds(int64_t unix_s);

}  // namespace lakeshare
