// Appends JSON text to a std::string without building a DOM: the hot path of
// NDJSON responses writes hundreds of thousands of lines per second with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lakeshare {

// Appends `s` as a quoted JSON string (escapes quotes, backslashes and control
// characters; UTF-8 passes through unchanged).
void AppendJsonString(std::string* out, std::string_view s);
// Writes `s` escaped as in AppendJsonString, without the quotes, to `o` and
// returns the end. `o` must have room for JsonEscapedBound(s.size()) bytes
// (the worst case, 6 per byte, and 16 bytes the writer may store beyond its end).
char* WriteJsonEscaped(std::string_view s, char* o);
constexpr size_t JsonEscapedBound(size_t n) { return 6 * n + 16; }

// A tiny streaming writer. The caller is responsible for well-formedness
// (matching Begin/End calls); commas are inserted automatically.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  // A key that needs no escaping (a literal in the code), written as is.
  JsonWriter& PlainKey(std::string_view key);
  JsonWriter& String(std::string_view v);
  JsonWriter& Int(int64_t v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // The string, or null when there is none (partition values, for one).
  JsonWriter& StringOrNull(const std::optional<std::string>& v) { return v ? String(*v) : Null(); }
  // Appends already-serialized JSON as a value.
  JsonWriter& Raw(std::string_view json);

 private:
  void Separate();
  std::string* out_;
  bool need_comma_ = false;
};

}  // namespace lakeshare
