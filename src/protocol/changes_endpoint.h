// Answers about a range of commits: GET …/changes (change data feed) and
// POST …/query with startingVersion (streaming), which share one path
// (AnswerChanges) and one stream (changes_stream.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "protocol/changes_stream.h"
#include "protocol/endpoint_context.h"
#include "server/http.h"

namespace lakeshare {

// The parameters of a change answer, from either endpoint.
struct ChangeRequest {
  ChangeMode mode = ChangeMode::kChangeDataFeed;
  std::optional<int64_t> starting_version;
  std::optional<std::string> starting_timestamp;
  std::optional<int64_t> ending_version;
  std::optional<std::string> ending_timestamp;
  bool include_historical_metadata = false;
  bool include_historical_protocol = false;  // delta format only
  std::optional<int64_t> max_files;
  std::optional<std::string> page_token;
  std::string digest;  // of the parameters, for page tokens
};

// GET …/changes?startingVersion=…
Result<HttpResponse> GetTableChanges(const EndpointContext& ctx, const TableCall& call);

// Commits start..end of the table as NDJSON, paged by max_files.
Result<HttpResponse> AnswerChanges(const EndpointContext& ctx, const TableCall& call,
                                   const ChangeRequest& c);

}  // namespace lakeshare
