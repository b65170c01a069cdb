// The body of POST …/query, parsed and validated (Delta Sharing's PROTOCOL.md, "Read Data
// from a Table", "Request Body"; plus the reference server's maxFiles,
// pageToken, includeRefreshToken and refreshToken).
// Unknown fields are ignored; wrong types are kInvalidArgument; a body that is
// not a JSON object is reported as malformed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace lakeshare {

struct QueryRequest {
  std::vector<std::string> predicate_hints;
  std::optional<std::string> json_predicate_hints;  // JSON text (string or object in the body)
  std::optional<int64_t> limit_hint;
  std::optional<int64_t> version;
  std::optional<std::string> timestamp;
  std::optional<int64_t> starting_version;
  std::optional<int64_t> ending_version;
  bool include_historical_protocol = false;  // with startingVersion, delta format only
  std::optional<int64_t> max_files;
  std::optional<std::string> page_token;
  bool include_refresh_token = false;
  std::optional<std::string> refresh_token;
};

// Parses the request body ("" means {}). On error, *malformed tells whether
// the body was not a JSON object at all (MALFORMED_REQUEST) rather than a
// field with a bad value (INVALID_PARAMETER_VALUE).
Result<QueryRequest> ParseQueryRequest(std::string_view body, bool* malformed);

}  // namespace lakeshare
