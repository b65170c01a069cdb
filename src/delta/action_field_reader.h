// DeltaActionFieldReader: reads the typed fields of one action of a Delta
// commit (a simdjson DOM object) for the action parsers of
// delta_actions.cc, and words every error the same way:
// kCorruption "Delta commit <file> line <n>: <action>.<field>: <what>".
// Integers must be int64 (a uint64 beyond it is "out of range"); optional
// fields accept null. Inline: it runs for every field of every action of a
// table's log. Holds views of its arguments; not thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/compact_text.h"
#include "common/status.h"
#include "delta/delta_actions.h"

namespace lakeshare {

class DeltaActionFieldReader {
 public:
  DeltaActionFieldReader(std::string_view file, size_t line, std::string_view action)
      : file_(file), line_(line), action_(action) {}

  Status Error(std::string_view field, std::string_view what) const {
    std::string m = "Delta commit " + std::string(file_) + " line " + std::to_string(line_) + ": ";
    m.append(action_);
    if (!field.empty()) m.append(".").append(field);
    m.append(": ").append(what);
    return Status::Corruption(std::move(m));
  }
  Status Missing(std::string_view field) const { return Error(field, "required field is missing"); }

  Status String(simdjson::dom::element v, std::string_view field, std::string* out) const {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) return Error(field, "expected a string");
    out->assign(s.data(), s.size());
    return Status::OK();
  }
  Status OptString(simdjson::dom::element v, std::string_view field,
                   std::optional<std::string>* out) const {
    if (v.is_null()) {
      out->reset();
      return Status::OK();
    }
    std::string s;
    LS_RETURN_IF_ERROR(String(v, field, &s));
    *out = std::move(s);
    return Status::OK();
  }
  Status String(simdjson::dom::element v, std::string_view field, CompactText* out) const {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) return Error(field, "expected a string");
    *out = s;
    return Status::OK();
  }
  Status OptString(simdjson::dom::element v, std::string_view field, CompactText* out) const {
    if (v.is_null()) {
      out->reset();
      return Status::OK();
    }
    return String(v, field, out);
  }
  Status Int64(simdjson::dom::element v, std::string_view field, int64_t* out) const {
    switch (v.type()) {
      case simdjson::dom::element_type::INT64:
        if (v.get_int64().get(*out) != simdjson::SUCCESS) return Error(field, "bad integer");
        return Status::OK();
      case simdjson::dom::element_type::UINT64:
        return Error(field, "integer out of range");
      default:
        return Error(field, "expected an integer");
    }
  }
  Status OptInt64(simdjson::dom::element v, std::string_view field,
                  std::optional<int64_t>* out) const {
    if (v.is_null()) {
      out->reset();
      return Status::OK();
    }
    int64_t x = 0;
    LS_RETURN_IF_ERROR(Int64(v, field, &x));
    *out = x;
    return Status::OK();
  }
  Status NonNegative(simdjson::dom::element v, std::string_view field, int64_t max,
                     int64_t* out) const {
    LS_RETURN_IF_ERROR(Int64(v, field, out));
    if (*out < 0 || *out > max) return Error(field, "integer out of range");
    return Status::OK();
  }
  Status Int32(simdjson::dom::element v, std::string_view field, int32_t* out) const {
    int64_t x = 0;
    LS_RETURN_IF_ERROR(Int64(v, field, &x));
    if (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()) {
      return Error(field, "integer out of range");
    }
    *out = static_cast<int32_t>(x);
    return Status::OK();
  }
  Status Bool(simdjson::dom::element v, std::string_view field, bool* out) const {
    if (v.get_bool().get(*out) != simdjson::SUCCESS) return Error(field, "expected a boolean");
    return Status::OK();
  }
  Status Object(simdjson::dom::element v, std::string_view field,
                simdjson::dom::object* out) const {
    if (v.get_object().get(*out) != simdjson::SUCCESS) return Error(field, "expected an object");
    return Status::OK();
  }
  Status StringArray(simdjson::dom::element v, std::string_view field,
                     std::vector<std::string>* out) const {
    simdjson::dom::array arr;
    if (v.get_array().get(arr) != simdjson::SUCCESS) return Error(field, "expected an array");
    out->clear();
    for (simdjson::dom::element item : arr) {
      std::string_view s;
      if (item.get_string().get(s) != simdjson::SUCCESS) {
        return Error(field, "expected an array of strings");
      }
      out->emplace_back(s);
    }
    return Status::OK();
  }
  Status OptStringArray(simdjson::dom::element v, std::string_view field,
                        std::optional<std::vector<std::string>>* out) const {
    if (v.is_null()) {
      out->reset();
      return Status::OK();
    }
    std::vector<std::string> items;
    LS_RETURN_IF_ERROR(StringArray(v, field, &items));
    *out = std::move(items);
    return Status::OK();
  }
  // partitionValues: an object of strings or nulls (a null partition value).
  Status PartitionValues(simdjson::dom::element v, std::string_view field,
                         DeltaPartitionValues* out) const {
    simdjson::dom::object obj;
    LS_RETURN_IF_ERROR(Object(v, field, &obj));
    out->clear();
    for (simdjson::dom::key_value_pair kv : obj) {
      std::optional<std::string> value;
      LS_RETURN_IF_ERROR(OptString(kv.value, field, &value));
      (*out)[std::string(kv.key)] = std::move(value);
    }
    return Status::OK();
  }
  Status OptBool(simdjson::dom::element v, std::string_view field, std::optional<bool>* out) const {
    if (v.is_null()) {
      out->reset();
      return Status::OK();
    }
    bool b = false;
    LS_RETURN_IF_ERROR(Bool(v, field, &b));
    *out = b;
    return Status::OK();
  }
  Status OptSize(simdjson::dom::element v, std::string_view field,
                 std::optional<int64_t>* out) const {
    if (v.is_null()) {
      out->reset();
      return Status::OK();
    }
    int64_t x = 0;
    LS_RETURN_IF_ERROR(NonNegative(v, field, std::numeric_limits<int64_t>::max(), &x));
    *out = x;
    return Status::OK();
  }
  // A string-to-string map; null values are dropped (Spark reads them as
  // absent), null maps are empty.
  Status StringMap(simdjson::dom::element v, std::string_view field,
                   std::map<std::string, std::string>* out) const {
    out->clear();
    if (v.is_null()) return Status::OK();
    simdjson::dom::object obj;
    LS_RETURN_IF_ERROR(Object(v, field, &obj));
    for (simdjson::dom::key_value_pair kv : obj) {
      if (kv.value.is_null()) continue;
      std::string_view s;
      if (kv.value.get_string().get(s) != simdjson::SUCCESS) {
        return Error(field, "expected string values");
      }
      (*out)[std::string(kv.key)] = std::string(s);
    }
    return Status::OK();
  }

 private:
  std::string_view file_;
  size_t line_;
  std::string_view action_;
};

}  // namespace lakeshare
