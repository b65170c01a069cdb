#include "storage/http_date.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "common/strings.h"
#include "common/time_util.h"
#include "storage/http_client.h"

namespace lakeshare {
namespace {

const char* const kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // from 1970-01-01
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string FormatHttpDate(int64_t unix_s) {
  int64_t days = FloorDiv(unix_s, 86400);
  int64_t secs = unix_s - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02d:%02d:%02d GMT",
                kDays[((days % 7) + 7) % 7], d, kMonths[m - 1], static_cast<long long>(y),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

std::string FormatIsoSeconds(int64_t unix_s) {
  int64_t days = FloorDiv(unix_s, 86400);
  int64_t secs = unix_s - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m,
                d, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

std::optional<int64_t> ParseHttpDateMillis(std::string_view text) {
  // "Wed, 12 Oct 2009 17:50:00 GMT"
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  auto num = [&](size_t pos, size_t len, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int day, year, hh, mm, ss;
  if (!num(5, 2, &day) || !num(12, 4, &year) || !num(17, 2, &hh) || !num(20, 2, &mm) ||
      !num(23, 2, &ss) || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' || text[19] != ':' ||
      text[22] != ':') {
    return std::nullopt;
  }
  unsigned month = 0;
  for (unsigned i = 0; i < 12; ++i) {
    if (text.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  if (month == 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  int64_t days = DaysFromCivil(year, month, static_cast<unsigned>(day));
  return (days * 86400 + hh * 3600 + mm * 60 + ss) * 1000;
}

Result<FileInfo> FileInfoFromHead(const std::string& path, const HttpAnswer& a) {
  FileInfo info;
  info.path = path;
  const std::string* len = a.Header("content-length");
  if (len == nullptr) return Status::IOError(path + ": the store sent no Content-Length");
  std::optional<int64_t> size = ParseNumber<int64_t>(TrimWhitespace(*len));
  if (!size || *size < 0) {
    return Status::IOError(path + ": the store sent an invalid Content-Length");
  }
  info.size = *size;
  if (const std::string* lm = a.Header("last-modified")) {
    info.modification_time_ms = ParseHttpDateMillis(*lm).value_or(0);
  }
  return info;
}

}  // namespace lakeshare
