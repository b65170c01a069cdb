#include "common/time_util.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace lakeshare {
namespace {

// Reads exactly `width` digits (or 1..width when `flexible`) at *pos.
bool ReadInt(std::string_view s, size_t* pos, int min_width, int max_width, int64_t* out) {
  size_t start = *pos;
  int64_t v = 0;
  int n = 0;
  while (*pos < s.size() && n < max_width && s[*pos] >= '0' && s[*pos] <= '9') {
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
    ++n;
  }
  if (n < min_width) {
    *pos = start;
    return false;
  }
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos < s.size() && s[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

Result<int64_t> ParseTimestampMillis(std::string_view s) {
  auto bad = [&] { return Status::InvalidArgument("invalid timestamp '" + std::string(s) + "'"); };
  size_t pos = 0;
  int64_t y, mo, d, h = 0, mi = 0, sec = 0;
  // Legacy form allows one-digit months and days.
  if (!ReadInt(s, &pos, 4, 4, &y) || !Expect(s, &pos, '-') || !ReadInt(s, &pos, 1, 2, &mo) ||
      !Expect(s, &pos, '-') || !ReadInt(s, &pos, 1, 2, &d)) {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(mo))) return bad();
  bool iso = false;
  int64_t frac_ms = 0;
  int64_t offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] == 'T') {
      iso = true;
    } else if (s[pos] != ' ') {
      return bad();
    }
    ++pos;
    if (!ReadInt(s, &pos, 2, 2, &h) || !Expect(s, &pos, ':') || !ReadInt(s, &pos, 2, 2, &mi)) {
      return bad();
    }
    if (Expect(s, &pos, ':') && !ReadInt(s, &pos, 2, 2, &sec)) return bad();
    if (h > 23 || mi > 59 || sec > 60) return bad();
    if (Expect(s, &pos, '.')) {
      size_t start = pos;
      int digits = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 3) frac_ms = frac_ms * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (pos == start || digits > 9) return bad();
      for (int i = digits; i < 3; ++i) frac_ms *= 10;
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        int64_t oh, om = 0;
        if (!ReadInt(s, &pos, 2, 2, &oh)) return bad();
        if (Expect(s, &pos, ':')) {
          if (!ReadInt(s, &pos, 2, 2, &om)) return bad();
        } else {
          ReadInt(s, &pos, 2, 2, &om);
        }
        if (oh > 18 || om > 59) return bad();
        offset_min = sign * (oh * 60 + om);
      } else {
        return bad();
      }
    } else if (iso) {
      return bad();  // ISO form requires an explicit zone
    }
  }
  if (pos != s.size()) return bad();
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  return secs * 1000 + frac_ms;
}

std::string FormatIso8601Millis(int64_t millis) {
  int64_t secs = millis >= 0 ? millis / 1000 : (millis - 999) / 1000;
  int64_t ms = millis - secs * 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60),
                static_cast<long long>(ms));
  return buf;
}

Result<int64_t> ParseDate(std::string_view s) {
  size_t pos = 0;
  int64_t y, m, d;
  if (!ReadInt(s, &pos, 4, 4, &y) || !Expect(s, &pos, '-') || !ReadInt(s, &pos, 1, 2, &m) ||
      !Expect(s, &pos, '-') || !ReadInt(s, &pos, 1, 2, &d) || pos != s.size() || m < 1 || m > 12 ||
      d < 1 || d > DaysInMonth(y, static_cast<unsigned>(m))) {
    return Status::InvalidArgument("invalid date '" + std::string(s) + "'");
  }
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string FormatDate(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

}  // namespace lakeshare
