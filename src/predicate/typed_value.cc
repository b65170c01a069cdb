#include "predicate/typed_value.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/strings.h"
#include "common/time_util.h"

namespace lakeshare {
namespace {

constexpr int64_t kMicrosPerHour = int64_t{3600} * 1000 * 1000;
// UTC offsets in use span -12:00 .. +14:00, so a zone-less local time L is
// some instant in [L - 14 h, L + 12 h].
constexpr int64_t kMaxEastOffsetMicros = 14 * kMicrosPerHour;
constexpr int64_t kMaxWestOffsetMicros = 12 * kMicrosPerHour;

// from_chars rejects a leading '+', which people write in literals.
std::string_view StripPlus(std::string_view s) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  return s;
}

// A number literal as written: a leading '+' allowed.
template <typename T>
bool ParseLiteralNumber(std::string_view s, T* out) {
  std::optional<T> v = ParseNumber<T>(StripPlus(s));
  if (v) *out = *v;
  return v.has_value();
}

size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

struct ParsedTimestamp {
  int64_t micros;
  int fraction_digits;
  bool has_zone;
};

// ParseTimestampMillis validates the text and gives milliseconds; the
// sub-millisecond digits and whether a zone was written are read here.
std::optional<ParsedTimestamp> ParseTimestamp(std::string_view text) {
  Result<int64_t> ms = ParseTimestampMillis(text);
  if (!ms.ok()) return std::nullopt;
  ParsedTimestamp t{*ms * 1000, 0, false};
  size_t time_start = text.find_first_of("T ");
  if (time_start == std::string_view::npos) return t;  // a bare date
  size_t dot = text.find('.', time_start);
  if (dot != std::string_view::npos) {
    int64_t sub_ms = 0;
    for (size_t i = dot + 1; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      ++t.fraction_digits;
      if (t.fraction_digits > 3 && t.fraction_digits <= 6) sub_ms = sub_ms * 10 + (text[i] - '0');
    }
    for (int i = std::max(t.fraction_digits, 3); i < 6; ++i) sub_ms *= 10;
    if (t.fraction_digits > 3) t.micros += sub_ms;
  }
  t.has_zone = text.find_first_of("Zz+", time_start) != std::string_view::npos ||
               text.find('-', time_start) != std::string_view::npos;
  return t;
}

}  // namespace

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kBool:
      return "bool";
    case ValueType::kInt:
      return "int";
    case ValueType::kLong:
      return "long";
    case ValueType::kString:
      return "string";
    case ValueType::kDate:
      return "date";
    case ValueType::kFloat:
      return "float";
    case ValueType::kDouble:
      return "double";
    case ValueType::kTimestamp:
      return "timestamp";
  }
  return "?";
}

std::optional<ValueType> ValueTypeFromName(std::string_view name) {
  for (ValueType t :
       {ValueType::kBool, ValueType::kInt, ValueType::kLong, ValueType::kString, ValueType::kDate,
        ValueType::kFloat, ValueType::kDouble, ValueType::kTimestamp}) {
    if (EqualsIgnoreCase(name, ValueTypeName(t))) return t;
  }
  return std::nullopt;
}

ValueRange::Domain DomainOf(ValueType type) {
  switch (type) {
    case ValueType::kFloat:
    case ValueType::kDouble:
      return ValueRange::Domain::kDouble;
    case ValueType::kString:
      return ValueRange::Domain::kString;
    default:
      return ValueRange::Domain::kInt;
  }
}

bool ValueRange::IsPoint() const {
  switch (domain) {
    case Domain::kInt:
      return ilo == ihi;
    case Domain::kDouble:
      return dlo == dhi;
    case Domain::kString:
      return !shi_is_prefix && slo == shi;
  }
  return false;
}

std::optional<ValueRange> ParseValueRange(ValueType type, std::string_view text, ValueSource source,
                                          int string_prefix_length) {
  ValueRange r;
  r.domain = DomainOf(type);
  switch (type) {
    case ValueType::kBool:
      if (EqualsIgnoreCase(text, "true")) {
        r.ilo = r.ihi = 1;
      } else if (EqualsIgnoreCase(text, "false")) {
        r.ilo = r.ihi = 0;
      } else {
        return std::nullopt;
      }
      return r;
    case ValueType::kInt:
    case ValueType::kLong: {
      int64_t v;
      if (!ParseLiteralNumber(text, &v)) return std::nullopt;
      // A file's value is what it is; only a literal must fit its declared type.
      if (type == ValueType::kInt && source == ValueSource::kLiteral &&
          (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())) {
        return std::nullopt;
      }
      r.ilo = r.ihi = v;
      return r;
    }
    case ValueType::kFloat:
    case ValueType::kDouble: {
      double d;
      if (!ParseLiteralNumber(text, &d) || std::isnan(d)) return std::nullopt;
      r.dlo = r.dhi = d;
      if (type == ValueType::kFloat) {
        // "1.1" names float32 1.10000002384 and double 1.1000000000000001;
        // a reader may compare either way, so the range holds both.
        float f;
        if (!ParseLiteralNumber(text, &f) || std::isnan(f)) return std::nullopt;
        r.dlo = std::min(d, static_cast<double>(f));
        r.dhi = std::max(d, static_cast<double>(f));
      }
      return r;
    }
    case ValueType::kString:
      r.slo = r.shi = text;
      r.shi_is_prefix = source == ValueSource::kStats && string_prefix_length > 0 &&
                        CountCodePoints(text) >= static_cast<size_t>(string_prefix_length);
      return r;
    case ValueType::kDate: {
      Result<int64_t> days = ParseDate(text);
      if (!days.ok()) return std::nullopt;
      r.ilo = r.ihi = *days;
      return r;
    }
    case ValueType::kTimestamp: {
      std::optional<ParsedTimestamp> t = ParseTimestamp(text);
      if (!t) return std::nullopt;
      r.ilo = r.ihi = t->micros;
      if (t->fraction_digits > 6) r.ihi += 1;  // nanoseconds beyond the µs we keep
      // Spark writes stats timestamps at millisecond precision, truncated.
      if (source == ValueSource::kStats && t->fraction_digits <= 3) r.ihi += 999;
      if (!t->has_zone) {
        r.ilo -= kMaxEastOffsetMicros;
        r.ihi += kMaxWestOffsetMicros;
      }
      return r;
    }
  }
  return std::nullopt;
}

}  // namespace lakeshare
