// Time helpers: wall clock in milliseconds and the timestamp formats of the
// Delta Sharing protocol (ISO 8601, e.g. 2022-01-01T00:00:00Z, as PROTOCOL.md
// asks in "Read Data from a Table"; also the reference server's other forms).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare {

int64_t NowMillis();

// Parses an ISO-8601 timestamp with a zone ("2022-01-01T00:00:00Z",
// "2022-01-01T00:00:00.123-08:00") or the legacy "yyyy-[m]m-[d]d hh:mm:ss[.f]"
// form (taken as UTC). Returns milliseconds since the epoch.
Result<int64_t> ParseTimestampMillis(std::string_view text);

// Formats as "2022-01-01T00:00:00.000Z" (UTC, millisecond precision).
std::string FormatIso8601Millis(int64_t millis);

// Days since 1970-01-01 for a civil date, and back (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

// Parses "yyyy-mm-dd" into days since the epoch.
Result<int64_t> ParseDate(std::string_view text);
std::string FormatDate(int64_t days);

}  // namespace lakeshare
