#include "protocol/query_request.h"

#include <boost/json.hpp>

namespace lakeshare {
namespace {

namespace json = boost::json;

Status BadField(const char* key, const char* want) {
  return Status::InvalidArgument(std::string("'") + key + "' must be " + want);
}

Status ReadInt(const json::object& o, const char* key, int64_t min, std::optional<int64_t>* out) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return Status::OK();
  const json::value& v = it->value();
  if (v.is_int64()) {
    *out = v.as_int64();
  } else if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    *out = static_cast<int64_t>(v.as_uint64());
  } else {
    return BadField(key, "an integer");
  }
  if (**out < min) {
    return Status::InvalidArgument(std::string("'") + key + "' must be at least " +
                                   std::to_string(min));
  }
  return Status::OK();
}

Status ReadString(const json::object& o, const char* key, std::optional<std::string>* out) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return Status::OK();
  if (!it->value().is_string()) return BadField(key, "a string");
  *out = std::string(it->value().as_string());
  return Status::OK();
}

Status ReadBool(const json::object& o, const char* key, bool* out) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return Status::OK();
  if (!it->value().is_bool()) return BadField(key, "true or false");
  *out = it->value().as_bool();
  return Status::OK();
}

}  // namespace

Result<QueryRequest> ParseQueryRequest(std::string_view body, bool* malformed) {
  *malformed = false;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return QueryRequest{};
  json::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec || !v.is_object()) {
    *malformed = true;
    return Status::InvalidArgument(ec ? "the request body is not valid JSON: " + ec.message()
                                      : std::string("the request body must be a JSON object"));
  }
  const json::object& o = v.as_object();
  QueryRequest q;
  if (auto it = o.find("predicateHints"); it != o.end() && !it->value().is_null()) {
    if (!it->value().is_array()) return BadField("predicateHints", "a list of strings");
    for (const auto& h : it->value().as_array()) {
      if (!h.is_string()) return BadField("predicateHints", "a list of strings");
      q.predicate_hints.emplace_back(h.as_string());
    }
  }
  if (auto it = o.find("jsonPredicateHints"); it != o.end() && !it->value().is_null()) {
    // The protocol says a string holding JSON; the OpenAPI file says an object.
    if (it->value().is_string()) {
      q.json_predicate_hints = std::string(it->value().as_string());
    } else if (it->value().is_object()) {
      q.json_predicate_hints = json::serialize(it->value());
    } else {
      return BadField("jsonPredicateHints", "a JSON string or object");
    }
  }
  LS_RETURN_IF_ERROR(ReadInt(o, "limitHint", 0, &q.limit_hint));
  LS_RETURN_IF_ERROR(ReadInt(o, "version", 0, &q.version));
  LS_RETURN_IF_ERROR(ReadString(o, "timestamp", &q.timestamp));
  LS_RETURN_IF_ERROR(ReadInt(o, "startingVersion", 0, &q.starting_version));
  LS_RETURN_IF_ERROR(ReadInt(o, "endingVersion", 0, &q.ending_version));
  LS_RETURN_IF_ERROR(ReadInt(o, "maxFiles", 1, &q.max_files));
  LS_RETURN_IF_ERROR(ReadString(o, "pageToken", &q.page_token));
  LS_RETURN_IF_ERROR(ReadBool(o, "includeRefreshToken", &q.include_refresh_token));
  LS_RETURN_IF_ERROR(ReadBool(o, "includeHistoricalProtocol", &q.include_historical_protocol));
  LS_RETURN_IF_ERROR(ReadString(o, "refreshToken", &q.refresh_token));

  int selectors = (q.version ? 1 : 0) + (q.timestamp ? 1 : 0) + (q.starting_version ? 1 : 0);
  if (selectors > 1) {
    return Status::InvalidArgument(
        "Please only provide one of: version, timestamp, startingVersion");
  }
  if (q.ending_version && !q.starting_version) {
    return Status::InvalidArgument("'endingVersion' is only allowed with 'startingVersion'");
  }
  if (q.starting_version && q.ending_version && *q.ending_version < *q.starting_version) {
    return Status::InvalidArgument("'endingVersion' must not be smaller than 'startingVersion'");
  }
  return q;
}

}  // namespace lakeshare
