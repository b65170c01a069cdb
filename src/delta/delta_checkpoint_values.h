// Typed checkpoint columns rendered the way the JSON log spells them:
// `add.stats_parsed` back to the compact stats JSON string, and
// `add.partitionValues_parsed` fields back to partition value strings.
//
// Stats JSON (what Spark's to_json writes for the stats struct): fields in
// schema order, null fields left out, nested structs as nested objects;
// integers and decimals as JSON numbers ("-5.67800": the decimal's scale),
// floating point as the shortest text that reads back to the same value
// ("1.5", "100.0"; NaN and infinities as the strings "NaN", "Infinity",
// "-Infinity"), dates as "yyyy-mm-dd", timestamps as
// "yyyy-mm-ddThh:mm:ss.SSSZ" in UTC, truncated to milliseconds (writers such
// as delta-rs leave isAdjustedToUTC unset on Delta `timestamp` columns, so
// the annotation cannot tell timestamp_ntz apart: those get the Z too);
// strings
// and binaries as JSON strings; lists and maps (never in Delta stats) left
// out.
//
// Partition values (the Delta protocol's string forms): integers and
// decimals in decimal text, booleans "true"/"false", floating point as
// above, dates "yyyy-mm-dd", timestamps "yyyy-mm-dd hh:mm:ss[.ffffff]" in
// UTC (fraction without trailing zeros), strings and binaries verbatim.
//
// Pure functions of immutable record views; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "parquet/record_view.h"

namespace lakeshare {

// Appends the JSON object of struct node `stats` at `slot` (which must be
// valid there).
void AppendParsedStatsJson(const parquet::RecordNode& stats, int64_t slot, std::string* out);

// The partition value string of leaf `value` at `slot`; nullopt when null.
std::optional<std::string> ParsedPartitionValue(const parquet::RecordNode& value, int64_t slot);

// The shortest decimal text that reads back as `v` (with ".0" when it would
// otherwise look like an integer), "NaN", "Infinity" or "-Infinity".
std::string FormatFloatingPoint(double v, bool single_precision);

}  // namespace lakeshare
