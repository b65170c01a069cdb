#include "demo/demo_delta_values.h"

#include <charconv>
#include <cstdio>

#include "common/json_writer.h"
#include "common/time_util.h"

namespace lakeshare {
namespace {

namespace pq = lakeshare::parquet;

const char* SparkTypeName(DemoFieldType t) {
  switch (t) {
    case DemoFieldType::kLong:
      return "long";
    case DemoFieldType::kInteger:
      return "integer";
    case DemoFieldType::kDouble:
      return "double";
    case DemoFieldType::kString:
      return "string";
    case DemoFieldType::kDate:
      return "date";
    case DemoFieldType::kTimestamp:
      return "timestamp";
    case DemoFieldType::kBoolean:
      return "boolean";
  }
  return "string";
}

// Java's Double.toString for the magnitudes we write: shortest round-trip
// digits, always with a fractional part ("100.0", "12.5").
std::string FormatJsonDouble(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string FormatTimestampMicros(int64_t micros) {
  int64_t millis = micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);
  return FormatIso8601Millis(millis);
}

void WriteStatValue(JsonWriter* w, const DemoValue& v, DemoFieldType t) {
  switch (t) {
    case DemoFieldType::kLong:
      w->Int(std::get<int64_t>(v));
      break;
    case DemoFieldType::kInteger:
      w->Int(std::get<int32_t>(v));
      break;
    case DemoFieldType::kDouble:
      w->Raw(FormatJsonDouble(std::get<double>(v)));
      break;
    case DemoFieldType::kString:
      w->String(std::get<std::string>(v));
      break;
    case DemoFieldType::kDate:
      w->String(FormatDate(std::get<int32_t>(v)));
      break;
    case DemoFieldType::kTimestamp:
      w->String(FormatTimestampMicros(std::get<int64_t>(v)));
      break;
    case DemoFieldType::kBoolean:
      w->Bool(std::get<bool>(v));
      break;
  }
}

template <typename T>
pq::ColumnData Typed(const std::vector<DemoRow>& rows, size_t c) {
  std::vector<T> values;
  std::vector<bool> validity;
  for (const DemoRow& r : rows) {
    const T* v = std::get_if<T>(&r[c]);
    values.push_back(v ? *v : T{});
    validity.push_back(v != nullptr);
  }
  return {std::move(values), std::move(validity)};
}

}  // namespace

std::optional<std::string> DemoConfiguration(const DemoTableSpec& spec, const std::string& key) {
  for (const auto& [k, v] : spec.configuration) {
    if (k == key) return v;
  }
  return std::nullopt;
}

bool IsDemoPartitionColumn(const DemoTableSpec& spec, const std::string& name) {
  for (const auto& p : spec.partition_columns) {
    if (p == name) return true;
  }
  return false;
}

const std::string& DemoPhysicalName(const DemoField& field) {
  return field.physical_name.empty() ? field.name : field.physical_name;
}

pq::ColumnType DemoParquetType(DemoFieldType type) {
  switch (type) {
    case DemoFieldType::kLong:
      return pq::ColumnType::kInt64;
    case DemoFieldType::kInteger:
      return pq::ColumnType::kInt32;
    case DemoFieldType::kDouble:
      return pq::ColumnType::kDouble;
    case DemoFieldType::kString:
      return pq::ColumnType::kString;
    case DemoFieldType::kDate:
      return pq::ColumnType::kDate;
    case DemoFieldType::kTimestamp:
      return pq::ColumnType::kTimestampMicros;
    case DemoFieldType::kBoolean:
      return pq::ColumnType::kBoolean;
  }
  return pq::ColumnType::kString;
}

pq::ColumnData DemoColumn(const DemoTableSpec& spec, const std::vector<DemoRow>& rows, size_t c) {
  switch (spec.fields[c].type) {
    case DemoFieldType::kLong:
    case DemoFieldType::kTimestamp:
      return Typed<int64_t>(rows, c);
    case DemoFieldType::kInteger:
    case DemoFieldType::kDate:
      return Typed<int32_t>(rows, c);
    case DemoFieldType::kDouble:
      return Typed<double>(rows, c);
    case DemoFieldType::kString:
      return Typed<std::string>(rows, c);
    case DemoFieldType::kBoolean:
      return Typed<bool>(rows, c);
  }
  return {};
}

std::optional<std::string> DemoPartitionValue(const DemoValue& value, DemoFieldType type) {
  if (std::holds_alternative<std::monostate>(value)) return std::nullopt;
  switch (type) {
    case DemoFieldType::kString:
      return std::get<std::string>(value);
    case DemoFieldType::kInteger:
      return std::to_string(std::get<int32_t>(value));
    case DemoFieldType::kLong:
      return std::to_string(std::get<int64_t>(value));
    case DemoFieldType::kBoolean:
      return std::get<bool>(value) ? "true" : "false";
    case DemoFieldType::kDate:
      return FormatDate(std::get<int32_t>(value));
    case DemoFieldType::kDouble:
      return FormatJsonDouble(std::get<double>(value));
    case DemoFieldType::kTimestamp: {
      // "yyyy-mm-dd hh:mm:ss.ffffff" (UTC).
      int64_t micros = std::get<int64_t>(value);
      std::string iso = FormatTimestampMicros(micros);  // ...THH:MM:SS.mmmZ
      char frac[8];
      std::snprintf(frac, sizeof(frac), "%06lld",
                    static_cast<long long>(((micros % 1'000'000) + 1'000'000) % 1'000'000));
      return iso.substr(0, 10) + " " + iso.substr(11, 8) + "." + frac;
    }
  }
  return std::nullopt;
}

std::string DemoSchemaString(const DemoTableSpec& spec) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("type").String("struct").Key("fields").BeginArray();
  for (const DemoField& f : spec.fields) {
    w.BeginObject();
    w.Key("name").String(f.name);
    w.Key("type").String(SparkTypeName(f.type));
    w.Key("nullable").Bool(f.nullable);
    w.Key("metadata").BeginObject();
    if (!f.comment.empty()) w.Key("comment").String(f.comment);
    if (!f.physical_name.empty()) {
      w.Key("delta.columnMapping.id").Int(f.id);
      w.Key("delta.columnMapping.physicalName").String(f.physical_name);
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

std::string DemoStatsJson(const DemoTableSpec& spec, const std::vector<DemoRow>& rows,
                          std::optional<bool> tight_bounds) {
  struct ColumnStats {
    std::optional<DemoValue> min, max;
    int64_t nulls = 0;
  };
  std::vector<ColumnStats> cols(spec.fields.size());
  for (const DemoRow& row : rows) {
    for (size_t c = 0; c < spec.fields.size(); ++c) {
      const DemoValue& v = row[c];
      if (std::holds_alternative<std::monostate>(v)) {
        ++cols[c].nulls;
        continue;
      }
      // Same-alternative variant comparison; std::string compares as
      // unsigned bytes, like Spark's UTF8String.
      if (!cols[c].min || v < *cols[c].min) cols[c].min = v;
      if (!cols[c].max || *cols[c].max < v) cols[c].max = v;
    }
  }
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("numRecords").Int(static_cast<int64_t>(rows.size()));
  for (bool min : {true, false}) {
    w.Key(min ? "minValues" : "maxValues").BeginObject();
    for (size_t c = 0; c < spec.fields.size(); ++c) {
      const DemoField& f = spec.fields[c];
      if (IsDemoPartitionColumn(spec, f.name) || f.type == DemoFieldType::kBoolean) continue;
      const auto& bound = min ? cols[c].min : cols[c].max;
      if (!bound) continue;
      w.Key(DemoPhysicalName(f));
      WriteStatValue(&w, *bound, f.type);
    }
    w.EndObject();
  }
  w.Key("nullCount").BeginObject();
  for (size_t c = 0; c < spec.fields.size(); ++c) {
    if (IsDemoPartitionColumn(spec, spec.fields[c].name)) continue;
    w.Key(DemoPhysicalName(spec.fields[c])).Int(cols[c].nulls);
  }
  w.EndObject();
  if (tight_bounds) w.Key("tightBounds").Bool(*tight_bounds);
  w.EndObject();
  return out;
}

}  // namespace lakeshare
