#include "admin/api_schema.h"

#include <boost/json.hpp>

#include "common/strings.h"
#include "common/time_util.h"

namespace lakeshare {

namespace json = boost::json;

namespace {

std::string Quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

Status FieldError(std::string_view what, std::string_view name, std::string_view problem) {
  return Status::InvalidArgument(std::string(what) + " " + Quoted(name) + " " +
                                 std::string(problem));
}

Status CheckRange(std::string_view what, const Field& f, int64_t v) {
  if ((f.minimum && v < *f.minimum) || (f.maximum && v > *f.maximum)) {
    if (f.minimum && f.maximum) {
      return FieldError(
          what, f.name,
          "must be " + std::to_string(*f.minimum) + ".." + std::to_string(*f.maximum));
    }
    if (f.minimum) return FieldError(what, f.name, "must be >= " + std::to_string(*f.minimum));
    return FieldError(what, f.name, "must be <= " + std::to_string(*f.maximum));
  }
  return Status::OK();
}

Status CheckString(std::string_view what, const Field& f, const std::string& v) {
  if (f.max_length > 0 && v.size() > f.max_length) {
    return FieldError(what, f.name, "is longer than " + std::to_string(f.max_length) + " bytes");
  }
  if (f.name_rules) {
    if (Status st = ValidateName(v, *f.name_rules); !st.ok()) return st;
  }
  return Status::OK();
}

Result<int64_t> ParseInteger(std::string_view text) {
  std::optional<int64_t> v = ParseNumber<int64_t>(text);
  if (!v) return Status::InvalidArgument("not an integer");
  return *v;
}

Result<int64_t> JsonInteger(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v.as_uint64());
  }
  return Status::InvalidArgument("not an integer");
}

// One body field's value, validated.
Result<FieldValues::Value> BodyValue(const Field& f, const json::value& v) {
  constexpr std::string_view kField = "field";
  switch (f.type) {
    case FieldType::kString:
    case FieldType::kDateTime: {
      if (!v.is_string()) return FieldError(kField, f.name, "must be a string");
      std::string s(v.as_string());
      LS_RETURN_IF_ERROR(CheckString(kField, f, s));
      return FieldValues::Value(std::move(s));
    }
    case FieldType::kFilter: {
      if (v.is_object()) return FieldValues::Value(json::serialize(v));
      if (!v.is_string()) {
        return FieldError(kField, f.name, "must be a string or a JSON predicate object");
      }
      std::string s(v.as_string());
      LS_RETURN_IF_ERROR(CheckString(kField, f, s));
      return FieldValues::Value(std::move(s));
    }
    case FieldType::kInteger:
    case FieldType::kEpochMillis: {
      auto n = JsonInteger(v);
      if (!n.ok()) return FieldError(kField, f.name, "must be an integer");
      LS_RETURN_IF_ERROR(CheckRange(kField, f, *n));
      return FieldValues::Value(*n);
    }
    case FieldType::kBoolean:
      if (!v.is_bool()) return FieldError(kField, f.name, "must be a boolean");
      return FieldValues::Value(v.as_bool());
    case FieldType::kStringList: {
      if (!v.is_array()) return FieldError(kField, f.name, "must be an array of strings");
      std::vector<std::string> out;
      for (const auto& e : v.as_array()) {
        if (!e.is_string()) return FieldError(kField, f.name, "must be an array of strings");
        out.emplace_back(e.as_string());
      }
      if (f.max_length > 0 && out.size() > f.max_length) {
        return FieldError(kField, f.name,
                          "has more than " + std::to_string(f.max_length) + " entries");
      }
      return FieldValues::Value(std::move(out));
    }
    case FieldType::kStringMap: {
      if (!v.is_object()) return FieldError(kField, f.name, "must be an object of strings");
      if (f.max_length > 0 && v.as_object().size() > f.max_length) {
        return FieldError(kField, f.name,
                          "has more than " + std::to_string(f.max_length) + " entries");
      }
      std::vector<std::string> out;
      for (const auto& [key, value] : v.as_object()) {
        if (!value.is_string()) return FieldError(kField, f.name, "must be an object of strings");
        out.emplace_back(key);
        out.emplace_back(value.as_string());
      }
      return FieldValues::Value(std::move(out));
    }
    case FieldType::kTime: {
      if (v.is_string()) {
        auto t = ParseTimestampMillis(v.as_string());
        if (!t.ok()) {
          return Status::InvalidArgument("field " + Quoted(f.name) + ": " + t.status().message());
        }
        return FieldValues::Value(*t);
      }
      auto n = JsonInteger(v);
      if (!n.ok()) {
        return FieldError(kField, f.name, "must be an ISO-8601 time or epoch milliseconds");
      }
      return FieldValues::Value(*n);
    }
    case FieldType::kObject:
    case FieldType::kObjectList:
    case FieldType::kAny:
      break;
  }
  return FieldError(kField, f.name, "cannot be given in a request");
}

// One query parameter's value (text), validated.
Result<FieldValues::Value> QueryValue(const Field& f, const std::string& text) {
  constexpr std::string_view kParameter = "parameter";
  switch (f.type) {
    case FieldType::kInteger: {
      auto n = ParseInteger(text);
      if (!n.ok()) return FieldError(kParameter, f.name, "must be an integer");
      LS_RETURN_IF_ERROR(CheckRange(kParameter, f, *n));
      return FieldValues::Value(*n);
    }
    case FieldType::kTime: {
      if (text.find_first_not_of("0123456789") == std::string::npos) {
        auto n = ParseInteger(text);
        if (!n.ok()) return FieldError(kParameter, f.name, "must be an integer");
        return FieldValues::Value(*n);
      }
      auto t = ParseTimestampMillis(text);
      if (!t.ok()) {
        return Status::InvalidArgument("parameter " + Quoted(f.name) + ": " + t.status().message());
      }
      return FieldValues::Value(*t);
    }
    case FieldType::kBoolean:
      if (text == "true") return FieldValues::Value(true);
      if (text == "false") return FieldValues::Value(false);
      return FieldError(kParameter, f.name, "must be true or false");
    case FieldType::kString:
      LS_RETURN_IF_ERROR(CheckString(kParameter, f, text));
      return FieldValues::Value(text);
    default:
      break;
  }
  return FieldError(kParameter, f.name, "cannot be given in a query string");
}

bool HasJsonType(const json::value& v, const Field& f) {
  switch (f.type) {
    case FieldType::kString:
    case FieldType::kDateTime:
    case FieldType::kFilter:
      return v.is_string();
    case FieldType::kInteger:
    case FieldType::kEpochMillis:
    case FieldType::kTime:
      return v.is_int64() || v.is_uint64();
    case FieldType::kBoolean:
      return v.is_bool();
    case FieldType::kStringList:
      if (!v.is_array()) return false;
      for (const auto& e : v.as_array()) {
        if (!e.is_string()) return false;
      }
      return true;
    case FieldType::kObject:
      return v.is_object() && (f.shape == nullptr || ConformsTo(v, *f.shape).ok());
    case FieldType::kObjectList:
      if (!v.is_array()) return false;
      for (const auto& e : v.as_array()) {
        if (!e.is_object() || (f.shape != nullptr && !ConformsTo(e, *f.shape).ok())) return false;
      }
      return true;
    case FieldType::kAny:
      return true;
    case FieldType::kStringMap:
      if (!v.is_object()) return false;
      for (const auto& kv : v.as_object()) {
        if (!kv.value().is_string()) return false;
      }
      return true;
  }
  return false;
}

}  // namespace

const Field* Shape::Find(std::string_view field) const {
  for (const Field& f : fields) {
    if (f.name == field) return &f;
  }
  return nullptr;
}

// ------------------------------------------------------------ FieldValues

const FieldValues::Value* FieldValues::Get(std::string_view name) const {
  for (const auto& [k, v] : values_) {
    if (k == name) return &v;
  }
  return nullptr;
}

void FieldValues::Set(std::string_view name, Value value) {
  for (auto& [k, v] : values_) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  values_.emplace_back(std::string(name), std::move(value));
}

std::optional<std::string> FieldValues::String(std::string_view name) const {
  const Value* v = Get(name);
  if (v == nullptr || !std::holds_alternative<std::string>(*v)) return std::nullopt;
  return std::get<std::string>(*v);
}

std::optional<int64_t> FieldValues::Int(std::string_view name) const {
  const Value* v = Get(name);
  if (v == nullptr || !std::holds_alternative<int64_t>(*v)) return std::nullopt;
  return std::get<int64_t>(*v);
}

std::optional<bool> FieldValues::Bool(std::string_view name) const {
  const Value* v = Get(name);
  if (v == nullptr || !std::holds_alternative<bool>(*v)) return std::nullopt;
  return std::get<bool>(*v);
}

std::optional<std::vector<std::string>> FieldValues::StringList(std::string_view name) const {
  const Value* v = Get(name);
  if (v == nullptr || !std::holds_alternative<std::vector<std::string>>(*v)) return std::nullopt;
  return std::get<std::vector<std::string>>(*v);
}

std::optional<std::vector<std::pair<std::string, std::string>>> FieldValues::StringMap(
    std::string_view name) const {
  auto flat = StringList(name);
  if (!flat) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i + 1 < flat->size(); i += 2) out.emplace_back((*flat)[i], (*flat)[i + 1]);
  return out;
}

const std::string& FieldValues::Required(std::string_view name) const {
  static const std::string kEmpty;
  const Value* v = Get(name);
  if (v == nullptr || !std::holds_alternative<std::string>(*v)) return kEmpty;
  return std::get<std::string>(*v);
}

// ------------------------------------------------------------ validation

namespace {

// The fields of `object` into `out`, their names prefixed with `prefix`
// ("token." for the fields of a nested object "token").
Status ParseFields(const Shape& shape, const json::object& object, const std::string& prefix,
                   int depth, FieldValues& out) {
  for (const Field& f : shape.fields) {
    const json::value* v = object.if_contains(f.name);
    bool absent =
        v == nullptr || v->is_null() ||
        (f.required && f.type == FieldType::kString && v->is_string() && v->as_string().empty());
    const std::string name = prefix + std::string(f.name);
    if (absent) {
      if (f.required) return FieldError("field", name, "is required");
      continue;
    }
    if (f.type == FieldType::kObject && f.shape != nullptr && depth < 2) {
      if (!v->is_object()) return FieldError("field", name, "must be an object");
      out.Set(name, true);
      LS_RETURN_IF_ERROR(ParseFields(*f.shape, v->as_object(), name + ".", depth + 1, out));
      continue;
    }
    LS_ASSIGN_OR_RETURN(FieldValues::Value value, BodyValue(f, *v));
    out.Set(name, std::move(value));
  }
  // A misspelt field must not be dropped without a word (issue 18: a
  // "historyshared" silently left history unshared).
  for (const auto& kv : object) {
    if (shape.Find(kv.key()) != nullptr) continue;
    std::vector<std::string_view> known;
    for (const Field& f : shape.fields) known.push_back(f.name);
    std::string_view key = kv.key();
    std::string shown = key.size() > 64 ? std::string(key.substr(0, 64)) + "..." : std::string(key);
    std::optional<std::string_view> nearest = NearestName(key, known);
    return FieldError("field", prefix + shown,
                      nearest ? "is not known (did you mean '" + std::string(*nearest) + "'?)"
                              : std::string("is not known here"));
  }
  return Status::OK();
}

}  // namespace

Result<FieldValues> ParseBody(const Shape& shape, std::string_view body, bool allow_empty) {
  json::object object;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    if (!allow_empty) return Status::InvalidArgument("request body must be a JSON object");
  } else {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec) return Status::InvalidArgument("malformed JSON body: " + ec.message());
    if (!v.is_object()) return Status::InvalidArgument("request body must be a JSON object");
    object = std::move(v.as_object());
  }
  FieldValues out;
  LS_RETURN_IF_ERROR(ParseFields(shape, object, "", 0, out));
  return out;
}

Result<FieldValues> ParseQuery(const std::vector<Field>& fields, const HttpRequest& request) {
  FieldValues out;
  for (const Field& f : fields) {
    const std::string* v = request.Query(f.name);
    if (v == nullptr || v->empty()) {
      if (f.required) return FieldError("parameter", f.name, "is required");
      continue;
    }
    LS_ASSIGN_OR_RETURN(FieldValues::Value value, QueryValue(f, *v));
    out.Set(f.name, std::move(value));
  }
  return out;
}

Status ConformsTo(const json::value& value, const Shape& shape) {
  const json::object* o = value.if_object();
  if (o == nullptr) return Status::InvalidArgument(std::string(shape.name) + ": not an object");
  for (const auto& kv : *o) {
    const Field* f = shape.Find(kv.key());
    if (f == nullptr) {
      return Status::InvalidArgument(std::string(shape.name) + ": undocumented field '" +
                                     std::string(kv.key()) + "'");
    }
    if (!HasJsonType(kv.value(), *f)) {
      return Status::InvalidArgument(std::string(shape.name) + ": field '" + std::string(f->name) +
                                     "' has the wrong type: " + json::serialize(kv.value()));
    }
  }
  for (const Field& f : shape.fields) {
    if (f.required && !o->contains(f.name)) {
      return Status::InvalidArgument(std::string(shape.name) + ": required field '" +
                                     std::string(f.name) + "' is missing");
    }
  }
  return Status::OK();
}

}  // namespace lakeshare
