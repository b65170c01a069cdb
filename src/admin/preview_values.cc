#include "admin/preview_values.h"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "common/encoding.h"
#include "common/strings.h"
#include "common/time_util.h"

namespace lakeshare {

namespace {

namespace json = boost::json;
using parquet::RowValue;
using parquet::SchemaNode;

constexpr int kMaxTypeDepth = 64;

Result<SparkType> ParseType(const json::value& t, int depth);

Result<SparkField> ParseField(const json::value& f, int depth) {
  const json::object* o = f.if_object();
  const json::string* name =
      o ? o->if_contains("name") ? o->at("name").if_string() : nullptr : nullptr;
  if (name == nullptr || !o->contains("type")) {
    return Status::Corruption("a schema field has no name or type");
  }
  SparkField out;
  out.name = std::string(*name);
  out.physical_name = out.name;
  if (const json::value* m = o->if_contains("metadata"); m && m->is_object()) {
    if (const json::value* p = m->as_object().if_contains("delta.columnMapping.physicalName");
        p && p->is_string()) {
      out.physical_name = std::string(p->as_string());
    }
  }
  LS_ASSIGN_OR_RETURN(out.type, ParseType(o->at("type"), depth + 1));
  return out;
}

Result<SparkType> ParseType(const json::value& t, int depth) {
  if (depth > kMaxTypeDepth) return Status::Unsupported("the schema is nested too deeply");
  SparkType out;
  out.json = t;
  if (const json::string* s = t.if_string()) {
    out.name = std::string(*s);
    if (out.name.rfind("decimal", 0) == 0) {
      int precision = 0;
      int scale = 0;
      if (std::sscanf(out.name.c_str(), "decimal(%d,%d)", &precision, &scale) == 2) {
        out.scale = scale;
      }
    }
    return out;
  }
  const json::object* o = t.if_object();
  const json::value* kind = o ? o->if_contains("type") : nullptr;
  if (kind == nullptr || !kind->is_string()) return Status::Corruption("a schema type is unknown");
  if (kind->as_string() == "struct") {
    out.kind = SparkType::Kind::kStruct;
    const json::value* fields = o->if_contains("fields");
    if (fields == nullptr || !fields->is_array()) {
      return Status::Corruption("a struct type has no fields");
    }
    for (const json::value& f : fields->as_array()) {
      LS_ASSIGN_OR_RETURN(SparkField field, ParseField(f, depth));
      out.fields.push_back(std::move(field));
    }
  } else if (kind->as_string() == "array") {
    out.kind = SparkType::Kind::kArray;
    const json::value* e = o->if_contains("elementType");
    if (e == nullptr) return Status::Corruption("an array type has no elementType");
    LS_ASSIGN_OR_RETURN(SparkType element, ParseType(*e, depth + 1));
    out.children.push_back(std::move(element));
  } else if (kind->as_string() == "map") {
    out.kind = SparkType::Kind::kMap;
    const json::value* k = o->if_contains("keyType");
    const json::value* v = o->if_contains("valueType");
    if (k == nullptr || v == nullptr) return Status::Corruption("a map type lacks key or value");
    LS_ASSIGN_OR_RETURN(SparkType key, ParseType(*k, depth + 1));
    LS_ASSIGN_OR_RETURN(SparkType value, ParseType(*v, depth + 1));
    out.children.push_back(std::move(key));
    out.children.push_back(std::move(value));
  } else {
    out.name = std::string(kind->as_string());
  }
  return out;
}

// `s` as valid UTF-8 (bad bytes become U+FFFD), at most `max_chars`
// characters.
std::string CutUtf8(std::string_view s, size_t max_chars, bool* truncated) {
  std::string out;
  out.reserve(std::min(s.size(), max_chars * 4));
  size_t chars = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (chars == max_chars) {
      *truncated = true;
      break;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (c < 0x80) {
      n = 1;
    } else if ((c >> 5) == 0x6) {
      n = 2;
    } else if ((c >> 4) == 0xE) {
      n = 3;
    } else if ((c >> 3) == 0x1E) {
      n = 4;
    }
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    }
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
    ++chars;
  }
  return out;
}

std::string Two(int64_t v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02lld", static_cast<long long>(v));
  return b;
}

// Microseconds since the epoch in ISO-8601; "Z" for instants (timestamp),
// none for local times (timestamp_ntz).
std::string TimestampText(int64_t value, int64_t per_second, bool utc) {
  int64_t seconds = value / per_second;
  int64_t fraction = value % per_second;
  if (fraction < 0) {
    fraction += per_second;
    --seconds;
  }
  int64_t days = seconds / 86400;
  int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  std::string out =
      FormatDate(days) + "T" + Two(rest / 3600) + ":" + Two(rest / 60 % 60) + ":" + Two(rest % 60);
  if (fraction != 0) {
    const int digits = per_second == 1000 ? 3 : per_second == 1000000 ? 6 : 9;
    char b[16];
    std::snprintf(b, sizeof b, ".%0*lld", digits, static_cast<long long>(fraction));
    out += b;
  }
  if (utc) out += "Z";
  return out;
}

std::string Int128Text(__int128 v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  unsigned __int128 u =
      negative ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string digits;
  while (u != 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return negative ? "-" + digits : digits;
}

std::string DecimalText(const std::string& unscaled, int32_t scale) {
  if (scale <= 0) return unscaled;
  const bool negative = !unscaled.empty() && unscaled[0] == '-';
  std::string digits = negative ? unscaled.substr(1) : unscaled;
  if (digits.size() <= static_cast<size_t>(scale)) {
    digits.insert(0, static_cast<size_t>(scale) - digits.size() + 1, '0');
  }
  digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  return negative ? "-" + digits : digits;
}

json::value DoubleJson(double d) {
  if (std::isnan(d)) return json::value("NaN");
  if (std::isinf(d)) return json::value(d > 0 ? "Infinity" : "-Infinity");
  return json::value(d);
}

json::value PrimitiveJson(const RowValue& v, const SparkType& type, const SchemaNode& node,
                          const ValueLimits& limits, bool* truncated) {
  const std::string& t = type.name;
  switch (v.kind) {
    case RowValue::Kind::kBool:
      return json::value(v.i != 0);
    case RowValue::Kind::kDouble:
      return DoubleJson(v.d);
    case RowValue::Kind::kInt: {
      if (t == "date") return json::value(FormatDate(v.i));
      if (t == "timestamp" || t == "timestamp_ntz") {
        int64_t per_second = 1000000;  // INT96 rows and unannotated INT64: microseconds
        if (node.physical_type == parquet::Type::kInt64 &&
            node.logical.kind == parquet::LogicalInfo::Kind::kTimestamp) {
          per_second = node.logical.unit == parquet::TimeUnit::kMillis  ? 1000
                       : node.logical.unit == parquet::TimeUnit::kNanos ? 1000000000
                                                                        : 1000000;
        }
        return json::value(TimestampText(v.i, per_second, t == "timestamp"));
      }
      if (t.rfind("decimal", 0) == 0)
        return json::value(DecimalText(std::to_string(v.i), type.scale));
      return json::value(v.i);
    }
    case RowValue::Kind::kBytes: {
      if (t.rfind("decimal", 0) == 0 && !v.s.empty() && v.s.size() <= 16) {
        __int128 u = static_cast<signed char>(v.s[0]);
        for (size_t k = 1; k < v.s.size(); ++k) {
          u = u * 256 + static_cast<unsigned char>(v.s[k]);
        }
        return json::value(DecimalText(Int128Text(u), type.scale));
      }
      if (t == "string") return json::value(CutUtf8(v.s, limits.max_string_chars, truncated));
      std::string_view bytes = v.s;
      if (bytes.size() > limits.max_binary_bytes) {
        *truncated = true;
        bytes = bytes.substr(0, limits.max_binary_bytes);
      }
      return json::value(Base64Encode(bytes));
    }
    default:
      return nullptr;
  }
}

json::value Convert(const RowValue& v, const SparkType& type, const parquet::Schema& schema,
                    const SchemaNode& node, const ValueLimits& limits, bool* truncated, int depth);

// The elements of a LIST group (3-level, legacy 2-level) or a bare repeated
// node: each with the node it was read from.
json::value ListJson(const RowValue& v, const SparkType& element, const parquet::Schema& schema,
                     const SchemaNode& node, const ValueLimits& limits, bool* truncated,
                     int depth) {
  json::array out;
  const RowValue* list = &v;
  const SchemaNode* repeated = &node;
  if (node.repetition != parquet::Repetition::kRepeated) {
    if (node.is_leaf || node.children.size() != 1 || v.children.size() != 1) return nullptr;
    repeated = &schema.node(node.children[0]);
    list = &v.children[0];
  }
  // Legacy 2-level lists name their repeated group "array" or "<x>_tuple".
  const std::string& rn = repeated->name;
  const bool legacy =
      rn == "array" || (rn.size() > 6 && rn.compare(rn.size() - 6, 6, "_tuple") == 0);
  const bool three_level = !repeated->is_leaf && repeated->children.size() == 1 && !legacy;
  for (const RowValue& e : list->children) {
    if (three_level) {
      const SchemaNode& en = schema.node(repeated->children[0]);
      const RowValue null_value;
      const RowValue& ev = e.children.empty() ? null_value : e.children[0];
      out.push_back(Convert(ev, element, schema, en, limits, truncated, depth + 1));
    } else {
      out.push_back(Convert(e, element, schema, *repeated, limits, truncated, depth + 1));
    }
  }
  return out;
}

json::value MapJson(const RowValue& v, const SparkType& type, const parquet::Schema& schema,
                    const SchemaNode& node, const ValueLimits& limits, bool* truncated, int depth) {
  if (node.is_leaf || node.children.size() != 1 || v.children.size() != 1) return nullptr;
  const SchemaNode& kv = schema.node(node.children[0]);
  if (kv.is_leaf || kv.children.empty()) return nullptr;
  const SchemaNode& kn = schema.node(kv.children[0]);
  const SchemaNode* vn = kv.children.size() > 1 ? &schema.node(kv.children[1]) : nullptr;
  const bool string_keys =
      type.children[0].kind == SparkType::Kind::kPrimitive && type.children[0].name == "string";
  json::object by_key;
  json::array pairs;
  const RowValue null_value;
  for (const RowValue& e : v.children[0].children) {
    const RowValue& ev = e.children.empty() ? null_value : e.children[0];
    json::value key = Convert(ev, type.children[0], schema, kn, limits, truncated, depth + 1);
    json::value value =
        vn != nullptr && e.children.size() > 1
            ? Convert(e.children[1], type.children[1], schema, *vn, limits, truncated, depth + 1)
            : json::value(nullptr);
    if (string_keys && key.is_string()) {
      by_key[key.as_string()] = std::move(value);
    } else {
      pairs.push_back(json::array{std::move(key), std::move(value)});
    }
  }
  if (string_keys) return by_key;
  return pairs;
}

json::value Convert(const RowValue& v, const SparkType& type, const parquet::Schema& schema,
                    const SchemaNode& node, const ValueLimits& limits, bool* truncated, int depth) {
  if (depth > kMaxTypeDepth) return nullptr;
  if (v.IsNull() && node.repetition != parquet::Repetition::kRepeated) return nullptr;
  switch (type.kind) {
    case SparkType::Kind::kPrimitive:
      if (!node.is_leaf) return nullptr;  // e.g. variant: not shown
      return PrimitiveJson(v, type, node, limits, truncated);
    case SparkType::Kind::kStruct: {
      if (node.is_leaf) return nullptr;
      json::object o;
      for (const SparkField& f : type.fields) {
        const SchemaNode* c = ChildForField(schema, node, f);
        size_t k = 0;
        while (c != nullptr && k < node.children.size() && node.children[k] != c->index) ++k;
        if (c == nullptr || k >= v.children.size()) {
          o[f.name] = nullptr;
          continue;
        }
        o[f.name] = Convert(v.children[k], f.type, schema, *c, limits, truncated, depth + 1);
      }
      return o;
    }
    case SparkType::Kind::kArray:
      return ListJson(v, type.children[0], schema, node, limits, truncated, depth);
    case SparkType::Kind::kMap:
      return MapJson(v, type, schema, node, limits, truncated, depth);
  }
  return nullptr;
}

}  // namespace

Result<std::vector<SparkField>> ParseSparkSchema(std::string_view schema_string) {
  boost::system::error_code ec;
  json::value v = json::parse(schema_string, ec);
  if (ec) return Status::Corruption("the table's schema is not JSON");
  LS_ASSIGN_OR_RETURN(SparkType root, ParseType(v, 0));
  if (root.kind != SparkType::Kind::kStruct) {
    return Status::Corruption("the table's schema is not a struct type");
  }
  return std::move(root.fields);
}

json::value RowValueJson(const RowValue& v, const SparkType& type, const parquet::Schema& schema,
                         const SchemaNode& node, const ValueLimits& limits, bool* truncated) {
  json::value out = Convert(v, type, schema, node, limits, truncated, 0);
  if (type.kind != SparkType::Kind::kPrimitive && !out.is_null()) {
    std::string text = json::serialize(out);
    if (text.size() > limits.max_nested_bytes) {
      *truncated = true;
      bool cut = false;
      return json::value(CutUtf8(text, limits.max_string_chars, &cut));
    }
  }
  return out;
}

json::value PartitionValueJson(const std::optional<std::string>& text, const SparkType& type,
                               const ValueLimits& limits, bool* truncated) {
  if (!text) return nullptr;
  const std::string& t = type.name;
  const std::string& s = *text;
  try {
    if (t == "byte" || t == "short" || t == "integer" || t == "long") {
      size_t used = 0;
      const long long v = std::stoll(s, &used);
      if (used == s.size()) return json::value(static_cast<int64_t>(v));
    } else if (t == "float" || t == "double") {
      size_t used = 0;
      const double d = std::stod(s, &used);
      if (used == s.size()) return DoubleJson(d);
    } else if (t == "boolean") {
      if (AsciiLower(s) == "true" || AsciiLower(s) == "false")
        return json::value(AsciiLower(s) == "true");
    } else if (t == "timestamp" || t == "timestamp_ntz") {
      auto ms = ParseTimestampMillis(s);
      if (ms.ok()) return json::value(TimestampText(*ms, 1000, t == "timestamp"));
    }
  } catch (const std::exception&) {
    // Not a number after all: shown as recorded.
  }
  return json::value(CutUtf8(s, limits.max_string_chars, truncated));
}

const SchemaNode* ChildForField(const parquet::Schema& schema, const SchemaNode& parent,
                                const SparkField& field) {
  if (const SchemaNode* c = schema.Child(parent, field.physical_name)) return c;
  if (const SchemaNode* c = schema.Child(parent, field.name)) return c;
  const std::string want = AsciiLower(field.physical_name);
  for (int c : parent.children) {
    if (AsciiLower(schema.node(c).name) == want) return &schema.node(c);
  }
  return nullptr;
}

}  // namespace lakeshare
