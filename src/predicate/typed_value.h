// Typed values of the Delta Sharing predicate language, in the form the
// evaluator compares them: every text (a literal, a partition value, a stats
// min/max) becomes a closed range [lo, hi] of a comparable domain.
//
// A range instead of a point lets each source state its own imprecision
// safely: Spark truncates stats timestamps to milliseconds (hi += 999 µs),
// Delta truncates long stats strings to a prefix (hi is "any string starting
// with shi"), float columns print float32 values as short decimals (both the
// float and the double reading are kept), and a timestamp without a zone may
// be in any zone (±14 h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/names.h"

namespace lakeshare {

// The `valueType` of a predicate leaf.
enum class ValueType : uint8_t { kBool, kInt, kLong, kString, kDate, kFloat, kDouble, kTimestamp };

// "bool", "int", ... as in the protocol.
std::string_view ValueTypeName(ValueType type);
// Case-insensitive inverse of ValueTypeName.
std::optional<ValueType> ValueTypeFromName(std::string_view name);

// Where a text comes from; decides how much imprecision its range carries.
enum class ValueSource : uint8_t { kLiteral, kPartition, kStats };

// Delta's default `delta.dataSkippingStringPrefixLength`: a stats max string
// with at least this many code points may be a truncated prefix.
inline constexpr int kDefaultStringStatsPrefixLength = 32;

// A closed range [lo, hi] of one comparison domain. Strings are views into
// the parsed text: the range lives no longer than that text.
struct ValueRange {
  enum class Domain : uint8_t {
    kInt,     // bool (0/1), int, long, date (days), timestamp (µs since the epoch)
    kDouble,  // float, double (never NaN)
    kString,  // bytewise (unsigned) order, like Spark's UTF8String
  };
  Domain domain = Domain::kInt;
  int64_t ilo = 0, ihi = 0;
  double dlo = 0, dhi = 0;
  std::string_view slo, shi;
  // The true upper bound is some unknown string that starts with `shi`.
  bool shi_is_prefix = false;

  // True when the range holds exactly one value.
  bool IsPoint() const;
};

ValueRange::Domain DomainOf(ValueType type);

// Parses `text` as a value of `type`. nullopt when it does not parse (or is
// NaN): a literal is then invalid, a file value unknown.
// `string_prefix_length` only matters for kStats strings.
std::optional<ValueRange> ParseValueRange(
    ValueType type, std::string_view text, ValueSource source,
    int string_prefix_length = kDefaultStringStatsPrefixLength);

}  // namespace lakeshare
