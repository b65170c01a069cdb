// Parses the `jsonPredicateHints` of a /query request (Delta Sharing's PROTOCOL.md, "JSON
// predicates for Filtering")
// into a Predicate.
//
// A node is {"op", "children", "name", "value", "valueType"}; unknown keys are
// ignored. Input over 1 MB, nesting over kMaxPredicateDepth nodes, malformed
// JSON and every invalid tree give InvalidArgument naming the offending node
// ("$.children[1]: ..."). The spec asks servers to skip filtering then, not to
// fail the request. Never throws.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "predicate/predicate.h"

namespace lakeshare {

inline constexpr size_t kMaxJsonPredicateBytes = size_t{1} << 20;

Result<Predicate> ParseJsonPredicate(std::string_view json_text);

// The field as it arrived in the request body: a JSON string holding the tree
// (what clients send) or the tree itself as an object (what the OpenAPI
// description says).
Result<Predicate> ParseJsonPredicateField(const boost::json::value& field);

}  // namespace lakeshare
