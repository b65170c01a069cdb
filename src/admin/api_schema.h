// The vocabulary that describes the admin API's JSON: fields with a type,
// whether they are required, limits and a description, grouped into shapes
// (request bodies, query strings, responses). The route table
// (admin/admin_route.h) declares its bodies and answers with it; from the
// same declarations requests are validated (ParseBody, ParseQuery), the
// OpenAPI document is written (admin/openapi.h) and the CLI's options are
// typed (cli/admin_command.cc).
//
// Shapes are plain data, built once and never changed (thread-safe to read).
// Validation errors are kInvalidArgument naming the field.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/names.h"
#include "common/status.h"
#include "server/http.h"

namespace lakeshare {

enum class FieldType {
  kString,
  kInteger,
  kBoolean,
  kStringList,   // array of strings
  kTime,         // requests: ISO-8601 text or epoch milliseconds (read as epoch ms)
  kDateTime,     // responses: ISO-8601 text
  kEpochMillis,  // responses: integer milliseconds since the epoch
  kFilter,       // a partition filter: its text, or a JSON predicate object (kept as text)
  kObject,       // a nested object of shape `shape` (requests: one level)
  kObjectList,   // an array of objects of shape `shape`
  kAny,          // any JSON value (documents we pass through, like the OpenAPI one)
  kStringMap,    // an object of string values (text -> text), kept in order
};

struct Shape;

struct Field {
  std::string_view name;  // the JSON key (or query parameter)
  FieldType type = FieldType::kString;
  bool required = false;  // requests: must be present (strings: non-empty); responses: always sent
  std::string_view description{};
  size_t max_length = 0;  // strings: bytes; string lists/maps: entries (0: no limit of its own)
  std::optional<int64_t> minimum{};
  std::optional<int64_t> maximum{};
  std::optional<NameKind> name_rules{};         // validated with common/names.h
  std::vector<std::string_view> enum_values{};  // documented and offered by the CLI
  const Shape* shape = nullptr;                 // kObject / kObjectList
  bool secret = false;                          // never logged or echoed (passwords)
};

struct Shape {
  std::string_view name;  // the OpenAPI component name ("" for inline request shapes)
  std::string_view description{};
  std::vector<Field> fields{};

  const Field* Find(std::string_view field) const;
};

// Validated values of a request's fields, by name. Absent and null fields
// are not stored; kTime values are stored as epoch milliseconds and kFilter
// objects as their JSON text; kStringMap values as key, value, key, value
// ... (read them with StringMap). A nested object (kObject with a shape) is
// stored as `true` under its name, its fields as "name.field".
class FieldValues {
 public:
  using Value = std::variant<std::string, int64_t, bool, std::vector<std::string>>;

  bool Has(std::string_view name) const { return Get(name) != nullptr; }
  std::optional<std::string> String(std::string_view name) const;
  std::optional<int64_t> Int(std::string_view name) const;
  std::optional<bool> Bool(std::string_view name) const;
  std::optional<std::vector<std::string>> StringList(std::string_view name) const;
  std::optional<std::vector<std::pair<std::string, std::string>>> StringMap(
      std::string_view name) const;
  // A required string field (validated present and non-empty).
  const std::string& Required(std::string_view name) const;

  void Set(std::string_view name, Value value);

 private:
  const Value* Get(std::string_view name) const;
  std::vector<std::pair<std::string, Value>> values_;
};

// Parses and validates a JSON request body against `shape`. An empty (or
// blank) body counts as {} when `allow_empty`, else it is an error. A field
// the shape does not have is an error naming it and the nearest known one.
Result<FieldValues> ParseBody(const Shape& shape, std::string_view body, bool allow_empty);

// Validates the query parameters named in `fields` (text; integers and
// times parsed). An empty value counts as absent; other parameters are ignored.
Result<FieldValues> ParseQuery(const std::vector<Field>& fields, const HttpRequest& request);

// Whether `value` is what `shape` describes as a response: every key is a
// field of the shape with the field's JSON type, and every required field is
// there. The tests use it to prove the handlers answer what the document says.
Status ConformsTo(const boost::json::value& value, const Shape& shape);

}  // namespace lakeshare
