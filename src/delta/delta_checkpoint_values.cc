#include "delta/delta_checkpoint_values.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/json_writer.h"
#include "common/time_util.h"

namespace lakeshare {
namespace {

using parquet::LogicalInfo;
using parquet::RecordNode;
using parquet::SchemaNode;
using parquet::Type;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool IsTimestamp(const SchemaNode& n) {
  return n.physical_type == Type::kInt96 || n.logical.kind == LogicalInfo::Kind::kTimestamp;
}

void AppendDate(int64_t days, std::string* out) { out->append(FormatDate(days)); }

// "yyyy-mm-dd" + sep + "hh:mm:ss"; returns the microseconds within the second.
int64_t AppendDateTime(int64_t micros, char sep, std::string* out) {
  int64_t seconds = FloorDiv(micros, 1000000);
  int64_t frac = micros - seconds * 1000000;
  int64_t days = FloorDiv(seconds, 86400);
  int64_t sod = seconds - days * 86400;
  AppendDate(days, out);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%c%02d:%02d:%02d", sep, static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  out->append(buf);
  return frac;
}

bool IsStruct(const RecordNode& n) {
  const LogicalInfo::Kind k = n.schema_node().logical.kind;
  return !n.is_leaf() && !n.is_repeated() && k != LogicalInfo::Kind::kList &&
         k != LogicalInfo::Kind::kMap;
}

void AppendLeafJson(const RecordNode& leaf, int64_t slot, std::string* out) {
  const SchemaNode& n = leaf.schema_node();
  if (IsTimestamp(n)) {
    out->push_back('"');
    int64_t micros = leaf.TimestampMicros(slot);
    int64_t frac = AppendDateTime(micros, 'T', out);
    char buf[8];
    std::snprintf(buf, sizeof(buf), ".%03d", static_cast<int>(frac / 1000));
    out->append(buf);
    out->append("Z\"");
    return;
  }
  switch (n.logical.kind) {
    case LogicalInfo::Kind::kDate:
      out->push_back('"');
      AppendDate(leaf.Int64(slot), out);
      out->push_back('"');
      return;
    case LogicalInfo::Kind::kDecimal: {
      std::optional<__int128> unscaled = leaf.DecimalUnscaled(slot);
      out->append(unscaled ? parquet::FormatDecimal(*unscaled, n.logical.scale) : "null");
      return;
    }
    default:
      break;
  }
  switch (n.physical_type) {
    case Type::kBoolean:
      out->append(leaf.Bool(slot) ? "true" : "false");
      return;
    case Type::kInt32:
    case Type::kInt64:
      out->append(std::to_string(leaf.Int64(slot)));
      return;
    case Type::kFloat:
    case Type::kDouble: {
      double v = leaf.Double(slot);
      std::string text = FormatFloatingPoint(v, n.physical_type == Type::kFloat);
      if (std::isfinite(v)) {
        out->append(text);
      } else {
        AppendJsonString(out, text);
      }
      return;
    }
    case Type::kByteArray:
    case Type::kFixedLenByteArray:
      AppendJsonString(out, leaf.String(slot));
      return;
    case Type::kInt96:
      break;  // handled as a timestamp above
  }
  out->append("null");
}

}  // namespace

std::string FormatFloatingPoint(double v, bool single_precision) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  std::to_chars_result r = single_precision
                               ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(v))
                               : std::to_chars(buf, buf + sizeof(buf), v);
  std::string text(buf, r.ptr);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

void AppendParsedStatsJson(const RecordNode& stats, int64_t slot, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const RecordNode& child : stats.children()) {
    if (!child.IsValid(slot)) continue;
    if (!child.is_leaf() && !IsStruct(child)) continue;  // lists/maps have no stats
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, child.name());
    out->push_back(':');
    if (child.is_leaf()) {
      AppendLeafJson(child, slot, out);
    } else {
      AppendParsedStatsJson(child, slot, out);
    }
  }
  out->push_back('}');
}

std::optional<std::string> ParsedPartitionValue(const RecordNode& value, int64_t slot) {
  if (!value.is_leaf() || !value.IsValid(slot)) return std::nullopt;
  const SchemaNode& n = value.schema_node();
  std::string out;
  if (IsTimestamp(n)) {
    int64_t frac = AppendDateTime(value.TimestampMicros(slot), ' ', &out);
    if (frac != 0) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), ".%06d", static_cast<int>(frac));
      std::string f(buf);
      while (f.back() == '0') f.pop_back();
      out += f;
    }
    return out;
  }
  switch (n.logical.kind) {
    case LogicalInfo::Kind::kDate:
      AppendDate(value.Int64(slot), &out);
      return out;
    case LogicalInfo::Kind::kDecimal: {
      std::optional<__int128> unscaled = value.DecimalUnscaled(slot);
      if (!unscaled) return std::nullopt;
      return parquet::FormatDecimal(*unscaled, n.logical.scale);
    }
    default:
      break;
  }
  switch (n.physical_type) {
    case Type::kBoolean:
      return std::string(value.Bool(slot) ? "true" : "false");
    case Type::kInt32:
    case Type::kInt64:
      return std::to_string(value.Int64(slot));
    case Type::kFloat:
    case Type::kDouble:
      return FormatFloatingPoint(value.Double(slot), n.physical_type == Type::kFloat);
    case Type::kByteArray:
    case Type::kFixedLenByteArray:
      return std::string(value.String(slot));
    case Type::kInt96:
      break;
  }
  return std::nullopt;
}

}  // namespace lakeshare
