#include "iceberg/iceberg_schema.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "parquet/parquet_writer.h"

namespace lakeshare::iceberg {
namespace {

namespace json = boost::json;

constexpr int kMaxTypeDepth = 64;

bool ParseInt(std::string_view s, int64_t* out) {
  std::optional<int64_t> v = ParseNumber<int64_t>(TrimWhitespace(s));
  if (v) *out = *v;
  return v.has_value();
}

Result<std::shared_ptr<const Type>> ParseType(const json::value& v, int depth);

Result<NestedField> ParseField(const json::value& v, int depth) {
  if (!v.is_object()) return Status::Corruption("a schema field is not an object");
  const json::object& o = v.as_object();
  NestedField f;
  const json::value* id = o.if_contains("id");
  const json::value* name = o.if_contains("name");
  const json::value* type = o.if_contains("type");
  if (id == nullptr || !id->is_int64() || id->as_int64() < INT32_MIN ||
      id->as_int64() > INT32_MAX) {
    return Status::Corruption("a schema field has no valid 'id'");
  }
  if (name == nullptr || !name->is_string()) {
    return Status::Corruption("schema field " + std::to_string(id->as_int64()) + " has no name");
  }
  if (type == nullptr) return Status::Corruption("schema field has no type");
  f.id = static_cast<int32_t>(id->as_int64());
  f.name = std::string(name->as_string());
  if (const json::value* r = o.if_contains("required"); r != nullptr && r->is_bool()) {
    f.required = r->as_bool();
  }
  if (const json::value* d = o.if_contains("doc"); d != nullptr && d->is_string()) {
    f.doc = std::string(d->as_string());
  }
  if (const json::value* d = o.if_contains("initial-default"); d != nullptr && !d->is_null()) {
    f.has_initial_default = true;
    f.initial_default = json::serialize(*d);
  }
  auto t = ParseType(*type, depth + 1);
  if (!t.ok()) return t.status().WithContext("field '" + f.name + "'");
  f.type = *t;
  return f;
}

Result<std::shared_ptr<const Type>> ParsePrimitive(std::string_view s) {
  auto t = std::make_shared<Type>();
  static constexpr std::pair<std::string_view, TypeId> kNames[] = {
      {"boolean", TypeId::kBoolean},
      {"int", TypeId::kInt},
      {"long", TypeId::kLong},
      {"float", TypeId::kFloat},
      {"double", TypeId::kDouble},
      {"date", TypeId::kDate},
      {"time", TypeId::kTime},
      {"timestamp", TypeId::kTimestamp},
      {"timestamptz", TypeId::kTimestampTz},
      {"timestamp_ns", TypeId::kTimestampNs},
      {"timestamptz_ns", TypeId::kTimestampTzNs},
      {"string", TypeId::kString},
      {"uuid", TypeId::kUuid},
      {"binary", TypeId::kBinary},
      {"variant", TypeId::kVariant},
      {"unknown", TypeId::kUnknown},
      {"geometry", TypeId::kGeometry},
      {"geography", TypeId::kGeography},
  };
  for (const auto& [name, id] : kNames) {
    if (s == name) {
      t->id = id;
      return std::shared_ptr<const Type>(t);
    }
  }
  auto args = [&](std::string_view prefix, char open, char close) -> std::optional<std::string> {
    if (s.size() < prefix.size() + 2 || s.substr(0, prefix.size()) != prefix) return std::nullopt;
    std::string_view rest = s.substr(prefix.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.size() < 2 || rest.front() != open || rest.back() != close) return std::nullopt;
    return std::string(rest.substr(1, rest.size() - 2));
  };
  if (auto a = args("decimal", '(', ')')) {
    size_t comma = a->find(',');
    int64_t p = 0, sc = 0;
    if (comma == std::string::npos || !ParseInt(std::string_view(*a).substr(0, comma), &p) ||
        !ParseInt(std::string_view(*a).substr(comma + 1), &sc) || p < 1 || p > 38 || sc < 0 ||
        sc > p) {
      return Status::Corruption("invalid decimal type '" + std::string(s.substr(0, 64)) + "'");
    }
    t->id = TypeId::kDecimal;
    t->precision = static_cast<int>(p);
    t->scale = static_cast<int>(sc);
    return std::shared_ptr<const Type>(t);
  }
  if (auto a = args("fixed", '[', ']')) {
    int64_t len = 0;
    if (!ParseInt(*a, &len) || len < 0 || len > (int64_t{1} << 30)) {
      return Status::Corruption("invalid fixed type '" + std::string(s.substr(0, 64)) + "'");
    }
    t->id = TypeId::kFixed;
    t->length = len;
    return std::shared_ptr<const Type>(t);
  }
  // geometry(crs) / geography(crs, algorithm): parameters do not change the form.
  if (args("geometry", '(', ')')) {
    t->id = TypeId::kGeometry;
    return std::shared_ptr<const Type>(t);
  }
  if (args("geography", '(', ')')) {
    t->id = TypeId::kGeography;
    return std::shared_ptr<const Type>(t);
  }
  return Status::Corruption("unknown Iceberg type '" + std::string(s.substr(0, 64)) + "'");
}

Result<std::shared_ptr<const Type>> ParseType(const json::value& v, int depth) {
  if (depth > kMaxTypeDepth) return Status::Corruption("types nested too deeply");
  if (v.is_string()) return ParsePrimitive(v.as_string());
  if (!v.is_object()) return Status::Corruption("a type is neither a string nor an object");
  const json::object& o = v.as_object();
  const json::value* kind = o.if_contains("type");
  if (kind == nullptr || !kind->is_string()) return Status::Corruption("a nested type has no kind");
  auto t = std::make_shared<Type>();
  auto int_field = [&](const char* key, int32_t* out) -> Status {
    const json::value* x = o.if_contains(key);
    if (x == nullptr || !x->is_int64() || x->as_int64() < INT32_MIN || x->as_int64() > INT32_MAX) {
      return Status::Corruption(std::string("missing or invalid '") + key + "'");
    }
    *out = static_cast<int32_t>(x->as_int64());
    return Status::OK();
  };
  auto bool_field = [&](const char* key) {
    const json::value* x = o.if_contains(key);
    return x != nullptr && x->is_bool() && x->as_bool();
  };
  auto sub = [&](const char* key, NestedField* f) -> Status {
    const json::value* x = o.if_contains(key);
    if (x == nullptr) return Status::Corruption(std::string("missing '") + key + "'");
    LS_ASSIGN_OR_RETURN(f->type, ParseType(*x, depth + 1));
    return Status::OK();
  };
  if (kind->as_string() == "struct") {
    t->id = TypeId::kStruct;
    const json::value* fields = o.if_contains("fields");
    if (fields == nullptr || !fields->is_array()) {
      return Status::Corruption("a struct type has no fields list");
    }
    for (const json::value& f : fields->as_array()) {
      LS_ASSIGN_OR_RETURN(NestedField nf, ParseField(f, depth));
      t->fields.push_back(std::move(nf));
    }
  } else if (kind->as_string() == "list") {
    t->id = TypeId::kList;
    NestedField e;
    e.name = "element";
    LS_RETURN_IF_ERROR(int_field("element-id", &e.id));
    e.required = bool_field("element-required");
    LS_RETURN_IF_ERROR(sub("element", &e));
    t->fields.push_back(std::move(e));
  } else if (kind->as_string() == "map") {
    t->id = TypeId::kMap;
    NestedField k, val;
    k.name = "key";
    val.name = "value";
    LS_RETURN_IF_ERROR(int_field("key-id", &k.id));
    LS_RETURN_IF_ERROR(int_field("value-id", &val.id));
    k.required = true;
    val.required = bool_field("value-required");
    LS_RETURN_IF_ERROR(sub("key", &k));
    LS_RETURN_IF_ERROR(sub("value", &val));
    t->fields.push_back(std::move(k));
    t->fields.push_back(std::move(val));
  } else {
    return Status::Corruption("unknown nested type '" +
                              std::string(kind->as_string().subview().substr(0, 64)) + "'");
  }
  return std::shared_ptr<const Type>(t);
}

// Column mapping metadata: none; mode `id` (ids true, names null: physical =
// logical name, nested ids); or mode `name` (physical names from `names`).
struct MappingOut {
  bool ids = false;
  const std::map<int32_t, std::string>* names = nullptr;
};

void WriteSparkType(JsonWriter& w, const Type& t, MappingOut ids);

// Delta's `delta.columnMapping.nested.ids`: the field ids of list elements and
// map keys/values below `path` (the field's physical name), down to the next
// struct (whose fields carry their own ids).
void CollectNestedIds(const Type& t, const std::string& path,
                      std::vector<std::pair<std::string, int32_t>>* out) {
  if (t.id == TypeId::kList) {
    out->emplace_back(path + ".element", t.fields[0].id);
    CollectNestedIds(*t.fields[0].type, path + ".element", out);
  } else if (t.id == TypeId::kMap) {
    out->emplace_back(path + ".key", t.fields[0].id);
    out->emplace_back(path + ".value", t.fields[1].id);
    CollectNestedIds(*t.fields[0].type, path + ".key", out);
    CollectNestedIds(*t.fields[1].type, path + ".value", out);
  }
}

void WriteSparkStruct(JsonWriter& w, const std::vector<NestedField>& fields, MappingOut ids) {
  w.BeginObject().Key("type").String("struct").Key("fields").BeginArray();
  for (const NestedField& f : fields) {
    w.BeginObject();
    w.Key("name").String(f.name);
    w.Key("type");
    WriteSparkType(w, *f.type, ids);
    w.Key("nullable").Bool(!f.required);
    w.Key("metadata").BeginObject();
    if (f.doc) w.Key("comment").String(*f.doc);
    if (ids.names != nullptr) {
      // Column mapping mode `name`: readers find the column by its physical
      // name (also the stats and partition value keys).
      auto it = ids.names->find(f.id);
      w.Key("delta.columnMapping.id").Int(f.id);
      w.Key("delta.columnMapping.physicalName")
          .String(it != ids.names->end() ? it->second : f.name);
    } else if (ids.ids) {
      // Column mapping mode `id`: readers find the column by field id; the
      // physical name (stats and partition value keys) is the current name.
      w.Key("delta.columnMapping.id").Int(f.id);
      w.Key("delta.columnMapping.physicalName").String(f.name);
      std::vector<std::pair<std::string, int32_t>> nested;
      CollectNestedIds(*f.type, f.name, &nested);
      if (!nested.empty()) {
        w.Key("delta.columnMapping.nested.ids").BeginObject();
        for (const auto& [path, id] : nested) w.Key(path).Int(id);
        w.EndObject();
      }
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray().EndObject();
}

void WriteSparkType(JsonWriter& w, const Type& t, MappingOut ids) {
  switch (t.id) {
    case TypeId::kStruct:
      WriteSparkStruct(w, t.fields, ids);
      return;
    case TypeId::kList:
      w.BeginObject().Key("type").String("array").Key("elementType");
      WriteSparkType(w, *t.fields[0].type, ids);
      w.Key("containsNull").Bool(!t.fields[0].required).EndObject();
      return;
    case TypeId::kMap:
      w.BeginObject().Key("type").String("map").Key("keyType");
      WriteSparkType(w, *t.fields[0].type, ids);
      w.Key("valueType");
      WriteSparkType(w, *t.fields[1].type, ids);
      w.Key("valueContainsNull").Bool(!t.fields[1].required).EndObject();
      return;
    default:
      w.String(SparkPrimitiveName(t));
  }
}

int64_t LittleEndian(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < b.size(); ++i) v |= uint64_t{static_cast<unsigned char>(b[i])} << (8 * i);
  if (b.size() == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

std::string ShortestDouble(double d, bool as_float) {
  char buf[64];
  auto r = as_float ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(d))
                    : std::to_chars(buf, buf + sizeof(buf), d);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

// FormatDate's text, appended; digits by hand for years 0-9999 (this runs
// for every date and timestamp bound of every file).
void AppendDate(std::string* out, int64_t days) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0 || y > 9999) {
    out->append(FormatDate(days));
    return;
  }
  const unsigned year = static_cast<unsigned>(y);
  const char buf[10] = {static_cast<char>('0' + year / 1000),
                        static_cast<char>('0' + year / 100 % 10),
                        static_cast<char>('0' + year / 10 % 10),
                        static_cast<char>('0' + year % 10),
                        '-',
                        static_cast<char>('0' + m / 10),
                        static_cast<char>('0' + m % 10),
                        '-',
                        static_cast<char>('0' + d / 10),
                        static_cast<char>('0' + d % 10)};
  out->append(buf, sizeof(buf));
}

// "yyyy-mm-dd<sep>hh:mm:ss.<digits>" for a count of 10^-digits seconds.
std::string FormatTimestamp(int64_t value, int digits, char sep) {
  int64_t unit = digits == 9 ? 1000000000 : 1000000;
  int64_t secs = value / unit, frac = value % unit;
  if (frac < 0) {
    frac += unit;
    secs -= 1;
  }
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  // Digits by hand: this runs for every timestamp bound of every file.
  char buf[24];
  char* p = buf;
  *p++ = sep;
  auto two = [&](int64_t v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
  };
  two(rem / 3600);
  *p++ = ':';
  two(rem / 60 % 60);
  *p++ = ':';
  two(rem % 60);
  *p++ = '.';
  for (int i = digits - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  p += digits;
  std::string out;
  out.reserve(10 + static_cast<size_t>(p - buf));
  AppendDate(&out, days);
  out.append(buf, p);
  return out;
}

// Two decimal digits at s[pos] (then pos += 2), or -1.
int TwoDigits(std::string_view s, size_t pos) {
  if (pos + 2 > s.size() || s[pos] < '0' || s[pos] > '9' || s[pos + 1] < '0' || s[pos + 1] > '9') {
    return -1;
  }
  return (s[pos] - '0') * 10 + (s[pos + 1] - '0');
}

// Iceberg's JSON single-value time ("22:31", "22:31:08", "22:31:08.123456"):
// microseconds after midnight. `*pos` is advanced past it. Digits below a
// microsecond must be zero: the value would not be exact otherwise.
std::optional<int64_t> ParseJsonTime(std::string_view s, size_t* pos) {
  size_t p = *pos;
  const int h = TwoDigits(s, p);
  if (h < 0 || h > 23 || p + 2 >= s.size() || s[p + 2] != ':') return std::nullopt;
  const int m = TwoDigits(s, p + 3);
  if (m < 0 || m > 59) return std::nullopt;
  p += 5;
  int sec = 0;
  int64_t micros = 0;
  if (p < s.size() && s[p] == ':') {
    sec = TwoDigits(s, p + 1);
    if (sec < 0 || sec > 59) return std::nullopt;
    p += 3;
    if (p < s.size() && s[p] == '.') {
      ++p;
      int digits = 0;
      for (; p < s.size() && s[p] >= '0' && s[p] <= '9'; ++p, ++digits) {
        if (digits < 6) {
          micros = micros * 10 + (s[p] - '0');
        } else if (s[p] != '0') {
          return std::nullopt;  // below a microsecond
        }
      }
      if (digits == 0 || digits > 9) return std::nullopt;
      for (int i = digits; i < 6; ++i) micros *= 10;
    }
  }
  *pos = p;
  return (int64_t{h} * 3600 + m * 60 + sec) * 1000000 + micros;
}

// "2017-11-16T22:31:08.123456" (timestamp) or with a zone offset ("+00:00",
// "-08:00", "Z": timestamptz, converted to UTC): microseconds since the epoch.
std::optional<int64_t> ParseJsonTimestamp(std::string_view s, bool with_zone) {
  const size_t t = s.find('T');
  if (t == std::string_view::npos) return std::nullopt;
  auto days = ParseDate(s.substr(0, t));
  if (!days.ok()) return std::nullopt;
  size_t pos = t + 1;
  auto time = ParseJsonTime(s, &pos);
  if (!time) return std::nullopt;
  int64_t offset_minutes = 0;
  if (with_zone) {
    if (pos < s.size() && s[pos] == 'Z') {
      ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
      const int oh = TwoDigits(s, pos + 1);
      const int om = pos + 3 < s.size() && s[pos + 3] == ':' ? TwoDigits(s, pos + 4) : -1;
      if (oh < 0 || oh > 18 || om < 0 || om > 59) return std::nullopt;
      offset_minutes = (s[pos] == '-' ? -1 : 1) * (int64_t{oh} * 60 + om);
      pos += 6;
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  return (*days * 86400 - offset_minutes * 60) * 1000000 + *time;
}

// Hex text ("0aff") as bytes; nullopt for an odd length or a non-hex digit.
std::optional<std::string> ParseHex(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size() / 2);
  for (size_t i = 0; i < s.size(); i += 2) {
    const int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// "f79c3e09-677c-4bbd-a479-3f349cb785e7" as its 16 bytes (big-endian, as
// Iceberg stores a uuid).
std::optional<std::string> ParseUuid(std::string_view s) {
  if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') {
    return std::nullopt;
  }
  std::string hex;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i != 8 && i != 13 && i != 18 && i != 23) hex.push_back(s[i]);
  }
  return ParseHex(hex);
}

}  // namespace

std::string TypeName(const Type& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt:
      return "int";
    case TypeId::kLong:
      return "long";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(t.precision) + ", " + std::to_string(t.scale) + ")";
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamptz";
    case TypeId::kTimestampNs:
      return "timestamp_ns";
    case TypeId::kTimestampTzNs:
      return "timestamptz_ns";
    case TypeId::kString:
      return "string";
    case TypeId::kUuid:
      return "uuid";
    case TypeId::kFixed:
      return "fixed[" + std::to_string(t.length) + "]";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kVariant:
      return "variant";
    case TypeId::kUnknown:
      return "unknown";
    case TypeId::kGeometry:
      return "geometry";
    case TypeId::kGeography:
      return "geography";
    case TypeId::kStruct:
      return "struct";
    case TypeId::kList:
      return "list";
    case TypeId::kMap:
      return "map";
  }
  return "?";
}

Result<Schema> ParseSchema(const json::value& v) {
  if (!v.is_object()) return Status::Corruption("a schema is not an object");
  const json::object& o = v.as_object();
  Schema s;
  if (const json::value* id = o.if_contains("schema-id"); id != nullptr && id->is_int64()) {
    s.schema_id = static_cast<int32_t>(id->as_int64());
  }
  auto t = ParseType(v, 0);
  if (!t.ok()) return t.status().WithContext("schema " + std::to_string(s.schema_id));
  if ((*t)->id != TypeId::kStruct) return Status::Corruption("a schema is not a struct");
  s.fields = (*t)->fields;
  return s;
}

std::string SparkPrimitiveName(const Type& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt:
      return "integer";
    case TypeId::kLong:
    case TypeId::kTime:
      return "long";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
    case TypeId::kTimestampNs:
      return "timestamp_ntz";
    case TypeId::kTimestampTz:
    case TypeId::kTimestampTzNs:
      return "timestamp";
    case TypeId::kString:
      return "string";
    case TypeId::kVariant:
      return "variant";
    case TypeId::kUnknown:
      return "void";
    default:
      return "binary";
  }
}

std::string SparkSchemaString(const Schema& schema, bool column_mapping_ids) {
  std::string out;
  JsonWriter w(&out);
  WriteSparkStruct(w, schema.fields, MappingOut{column_mapping_ids, nullptr});
  return out;
}

std::string SparkSchemaString(const Schema& schema,
                              const std::map<int32_t, std::string>& physical_names) {
  std::string out;
  JsonWriter w(&out);
  WriteSparkStruct(w, schema.fields, MappingOut{false, &physical_names});
  return out;
}

void CollectStructFields(const std::vector<NestedField>& fields, std::vector<FieldPath>* out) {
  struct Walker {
    std::vector<FieldPath>* out;
    std::vector<std::string> prefix;
    void Walk(const std::vector<NestedField>& fs) {
      for (const NestedField& f : fs) {
        prefix.push_back(f.name);
        out->push_back({&f, prefix});
        if (f.type->id == TypeId::kStruct) Walk(f.type->fields);
        prefix.pop_back();
      }
    }
  } walker{out, {}};
  walker.Walk(fields);
}

std::optional<std::string> DecimalString(std::string_view be, int scale) {
  if (be.empty() || be.size() > 16) return std::nullopt;
  __int128 v = static_cast<signed char>(be[0]);  // sign extension
  for (size_t i = 1; i < be.size(); ++i) v = v * 256 + static_cast<unsigned char>(be[i]);
  bool negative = v < 0;
  unsigned __int128 u =
      negative ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  while (static_cast<int>(digits.size()) <= scale) digits.push_back('0');
  std::string out = negative ? "-" : "";
  for (size_t i = digits.size(); i-- > 0;) {
    out.push_back(digits[i]);
    if (scale > 0 && i == static_cast<size_t>(scale)) out.push_back('.');
  }
  return out;
}

bool AppendBoundStatsJson(std::string* out, const Type& t, std::string_view b) {
  switch (t.id) {
    case TypeId::kBoolean:
      if (b.size() != 1) return false;
      out->append(b[0] != 0 ? "true" : "false");
      return true;
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kTime: {
      // A long column promoted from int keeps 4-byte bounds in old files.
      if (b.size() != 4 && !(b.size() == 8 && t.id != TypeId::kInt)) return false;
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), LittleEndian(b));
      out->append(buf, r.ptr);
      return true;
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double d = 0;
      if (b.size() == 4) {
        float f = 0;
        uint32_t bits = static_cast<uint32_t>(LittleEndian(b));
        std::memcpy(&f, &bits, 4);
        d = f;
      } else if (b.size() == 8 && t.id == TypeId::kDouble) {
        uint64_t bits = static_cast<uint64_t>(LittleEndian(b));
        std::memcpy(&d, &bits, 8);
      } else {
        return false;
      }
      if (!std::isfinite(d)) return false;
      out->append(ShortestDouble(d, t.id == TypeId::kFloat || b.size() == 4));
      return true;
    }
    case TypeId::kDecimal: {
      auto s = DecimalString(b, t.scale);
      if (!s) return false;
      out->append(*s);
      return true;
    }
    case TypeId::kDate:
      if (b.size() != 4) return false;
      out->push_back('"');
      AppendDate(out, LittleEndian(b));
      out->push_back('"');
      return true;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: {
      if (b.size() != 8) return false;
      bool ns = t.id == TypeId::kTimestampNs || t.id == TypeId::kTimestampTzNs;
      bool zone = t.id == TypeId::kTimestampTz || t.id == TypeId::kTimestampTzNs;
      out->push_back('"');
      out->append(FormatTimestamp(LittleEndian(b), ns ? 9 : 6, 'T'));
      if (zone) out->push_back('Z');
      out->push_back('"');
      return true;
    }
    case TypeId::kString:
      if (!parquet::IsValidUtf8(b)) return false;
      AppendJsonString(out, b);
      return true;
    default:
      return false;
  }
}

std::optional<std::string> BoundToStatsJson(const Type& t, std::string_view b) {
  std::string out;
  if (!AppendBoundStatsJson(&out, t, b)) return std::nullopt;
  return out;
}

bool IsExposablePartitionType(const Type& t) {
  switch (t.id) {
    case TypeId::kBoolean:
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kFloat:
    case TypeId::kDouble:
    case TypeId::kDecimal:
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kString:
    case TypeId::kTime:
    case TypeId::kBinary:
    case TypeId::kFixed:
    case TypeId::kUuid:
      return true;
    default:
      return false;
  }
}

bool IsDefaultPartitionType(const Type& t) {
  return IsExposablePartitionType(t) || t.id == TypeId::kTimestampNs ||
         t.id == TypeId::kTimestampTzNs;
}

Result<std::optional<std::string>> PartitionValueString(const Type& t, const PartitionDatum& d) {
  using K = PartitionDatum::Kind;
  if (d.kind == K::kNull) return std::optional<std::string>();
  auto mismatch = [&]() {
    return Status::Corruption("a partition value does not match its type " + TypeName(t));
  };
  switch (t.id) {
    case TypeId::kBoolean:
      if (d.kind != K::kBool) return mismatch();
      return std::optional<std::string>(d.b ? "true" : "false");
    case TypeId::kInt:
    case TypeId::kLong:
      if (d.kind != K::kInt) return mismatch();
      return std::optional<std::string>(std::to_string(d.i));
    case TypeId::kFloat:
    case TypeId::kDouble: {
      if (d.kind != K::kDouble) return mismatch();
      if (std::isnan(d.d)) return std::optional<std::string>("NaN");
      if (std::isinf(d.d)) return std::optional<std::string>(d.d > 0 ? "Infinity" : "-Infinity");
      return std::optional<std::string>(ShortestDouble(d.d, t.id == TypeId::kFloat));
    }
    case TypeId::kDecimal: {
      if (d.kind != K::kBytes) return mismatch();
      auto s = DecimalString(d.bytes, t.scale);
      if (!s) return mismatch();
      return std::optional<std::string>(*s);
    }
    case TypeId::kDate:
      if (d.kind != K::kInt) return mismatch();
      return std::optional<std::string>(FormatDate(d.i));
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:  // datums of nanosecond types hold microseconds
    case TypeId::kTimestampTzNs:
      if (d.kind != K::kInt) return mismatch();
      return std::optional<std::string>(FormatTimestamp(d.i, 6, ' '));
    case TypeId::kString:
      if (d.kind != K::kBytes) return mismatch();
      return std::optional<std::string>(d.bytes);
    case TypeId::kTime:  // Spark long: microseconds after midnight
      if (d.kind != K::kInt) return mismatch();
      return std::optional<std::string>(std::to_string(d.i));
    case TypeId::kBinary:
    case TypeId::kFixed:
    case TypeId::kUuid: {
      // PROTOCOL.md: "a string of escaped binary values" ("\u0001\u0002"):
      // each byte is the character of that code point (UTF-8 encoded).
      if (d.kind != K::kBytes) return mismatch();
      std::string out;
      for (char c : d.bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x80) {
          out.push_back(c);
        } else {
          out.push_back(static_cast<char>(0xC0 | (b >> 6)));
          out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
        }
      }
      return std::optional<std::string>(std::move(out));
    }
    default:
      return Status::Unsupported("partition values of type " + TypeName(t) +
                                 " are not protocol partition values");
  }
}

std::optional<PartitionDatum> BoundToPartitionDatum(const Type& t, std::string_view b) {
  using K = PartitionDatum::Kind;
  PartitionDatum d;
  switch (t.id) {
    case TypeId::kBoolean:
      if (b.size() != 1) return std::nullopt;
      d.kind = K::kBool;
      d.b = b[0] != 0;
      return d;
    case TypeId::kInt:
    case TypeId::kDate:
      if (b.size() != 4) return std::nullopt;
      d.kind = K::kInt;
      d.i = LittleEndian(b);
      return d;
    case TypeId::kLong:  // 4 bytes: written before an int -> long promotion
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      if (b.size() != 8 && !(t.id == TypeId::kLong && b.size() == 4)) return std::nullopt;
      d.kind = K::kInt;
      d.i = LittleEndian(b);
      return d;
    case TypeId::kTimestampNs:  // as microseconds, when exactly that
    case TypeId::kTimestampTzNs:
      if (b.size() != 8) return std::nullopt;
      d.kind = K::kInt;
      d.i = LittleEndian(b);
      if (d.i % 1000 != 0) return std::nullopt;
      d.i /= 1000;
      return d;
    case TypeId::kFloat:
    case TypeId::kDouble: {
      d.kind = K::kDouble;
      if (b.size() == 4) {  // a float, or a double column promoted from float
        float f;
        uint32_t bits = static_cast<uint32_t>(LittleEndian(b));
        std::memcpy(&f, &bits, sizeof(f));
        d.d = f;
      } else if (b.size() == 8 && t.id == TypeId::kDouble) {
        uint64_t bits = static_cast<uint64_t>(LittleEndian(b));
        std::memcpy(&d.d, &bits, sizeof(d.d));
      } else {
        return std::nullopt;
      }
      return d;
    }
    case TypeId::kDecimal:
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed:
    case TypeId::kUuid:
      d.kind = K::kBytes;
      d.bytes = std::string(b);
      return d;
    default:
      return std::nullopt;
  }
}

std::optional<PartitionDatum> DefaultToPartitionDatum(const NestedField& field) {
  if (!field.has_initial_default) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(field.initial_default, ec);
  if (ec) return std::nullopt;
  using K = PartitionDatum::Kind;
  PartitionDatum d;
  switch (field.type->id) {
    case TypeId::kBoolean:
      if (!v.is_bool()) return std::nullopt;
      d.kind = K::kBool;
      d.b = v.as_bool();
      return d;
    case TypeId::kInt:
    case TypeId::kLong:
      if (!v.is_int64()) return std::nullopt;
      d.kind = K::kInt;
      d.i = v.as_int64();
      if (field.type->id == TypeId::kInt && (d.i < INT32_MIN || d.i > INT32_MAX)) {
        return std::nullopt;
      }
      return d;
    case TypeId::kFloat:
    case TypeId::kDouble:
      if (!v.is_number()) return std::nullopt;
      d.kind = K::kDouble;
      d.d = v.to_number<double>();
      if (field.type->id == TypeId::kFloat) d.d = static_cast<float>(d.d);
      return d;
    case TypeId::kString:
      if (!v.is_string()) return std::nullopt;
      d.kind = K::kBytes;
      d.bytes = std::string(v.as_string());
      return d;
    case TypeId::kDate: {
      if (!v.is_string()) return std::nullopt;
      auto days = ParseDate(std::string_view(v.as_string()));
      if (!days.ok()) return std::nullopt;
      d.kind = K::kInt;
      d.i = *days;
      return d;
    }
    case TypeId::kTime: {
      if (!v.is_string()) return std::nullopt;
      std::string_view text = v.as_string();
      size_t pos = 0;
      auto micros = ParseJsonTime(text, &pos);
      if (!micros || pos != text.size()) return std::nullopt;
      d.kind = K::kInt;
      d.i = *micros;
      return d;
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:  // served as microseconds: exact without digits below them
    case TypeId::kTimestampTzNs: {
      if (!v.is_string()) return std::nullopt;
      auto micros = ParseJsonTimestamp(v.as_string(), field.type->id == TypeId::kTimestampTz ||
                                                          field.type->id == TypeId::kTimestampTzNs);
      if (!micros) return std::nullopt;
      d.kind = K::kInt;
      d.i = *micros;
      return d;
    }
    case TypeId::kUuid:
    case TypeId::kFixed:
    case TypeId::kBinary: {
      if (!v.is_string()) return std::nullopt;
      auto bytes =
          field.type->id == TypeId::kUuid ? ParseUuid(v.as_string()) : ParseHex(v.as_string());
      if (!bytes) return std::nullopt;
      if (field.type->id == TypeId::kFixed &&
          static_cast<int64_t>(bytes->size()) != field.type->length) {
        return std::nullopt;
      }
      d.kind = K::kBytes;
      d.bytes = std::move(*bytes);
      return d;
    }
    case TypeId::kDecimal: {
      // "-123.45" with exactly `scale` digits after the point -> the
      // big-endian two's-complement unscaled value.
      if (!v.is_string()) return std::nullopt;
      std::string_view text = v.as_string();
      bool negative = !text.empty() && text[0] == '-';
      if (negative) text.remove_prefix(1);
      size_t point = text.find('.');
      std::string digits(text.substr(0, point));
      size_t fraction = 0;
      if (point != std::string_view::npos) {
        fraction = text.size() - point - 1;
        digits += text.substr(point + 1);
      }
      if (digits.empty() || digits.size() > 38 || static_cast<int>(fraction) != field.type->scale) {
        return std::nullopt;
      }
      __int128 unscaled = 0;
      for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        unscaled = unscaled * 10 + (c - '0');
      }
      if (negative) unscaled = -unscaled;
      d.kind = K::kBytes;
      for (int i = 15; i >= 0; --i) {
        d.bytes.push_back(static_cast<char>(static_cast<unsigned __int128>(unscaled) >> (8 * i)));
      }
      return d;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace lakeshare::iceberg
