// One Avro record decoded from the bytes of a block, and the borrowed view
// of its values (AvroValue) that manifest readers use.
//
// AvroDecodedRecord compiles a writer schema once (named types expanded
// into a DAG, links resolved: the schema was checked non-recursive by
// avro_schema_check.h) and decodes each record into one flat, reused array
// of values that point into the block: a record's fields, an array's items
// and a map's values are contiguous, so field i or item i is one index away,
// and no allocation happens per record once the array has grown. Decoding
// validates as it goes (lengths against the bytes there, enum and union
// indices against the schema) and stops at max_values values.
//
// Not thread-safe: one decoder per reader; values are valid until the next
// Decode.
#pragma once

#include <avro.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "iceberg/avro_encoding.h"

namespace lakeshare::iceberg {

class AvroDecodedRecord {
 public:
  struct SchemaNode {
    avro_type_t type = AVRO_NULL;
    int64_t size = 0;               // fixed: bytes; enum: symbols
    uint32_t first = 0, count = 0;  // children in edges_ (record fields, branches, items)
  };
  struct Value {
    avro_type_t type = AVRO_NULL;  // of the union branch for unions
    uint32_t schema = 0;
    uint32_t first = 0, count = 0;  // children in values_
    union {
      int64_t i;
      double d;
    };
    std::string_view bytes;  // string, bytes, fixed
    std::string_view key;    // map entry values: their key
    Value() : i(0) {}
  };
  enum class Outcome { kOk, kMalformed, kTooLarge };

  // Values are indexed by uint32_t.
  explicit AvroDecodedRecord(int64_t max_values);

  void Compile(avro_schema_t root);

  // Decodes one record at `c` into value(0).
  Outcome Decode(AvroCursor& c) {
    values_.resize(1);
    return DecodeInto(c, 0, root_);
  }

  const Value& value(uint32_t i) const { return values_[i]; }
  // The index of field `name` in record value `v`, or -1. Callers ask for
  // the same few names record after record: a hint per (schema, name
  // pointer) usually answers with one comparison.
  int FindField(const Value& v, std::string_view name) const {
    const uint32_t first = schema_[v.schema].first;
    Hint& h = hints_[((reinterpret_cast<uintptr_t>(name.data()) >> 3) ^ (v.schema * 40503u)) &
                     (kHints - 1)];
    if (h.schema == v.schema && h.name == name.data() && h.index < v.count &&
        names_[first + h.index] == name) {
      return static_cast<int>(h.index);
    }
    for (uint32_t k = 0; k < v.count; ++k) {
      if (names_[first + k] == name) {
        h = Hint{v.schema, name.data(), k};
        return static_cast<int>(k);
      }
    }
    return -1;
  }

 private:
  uint32_t CompileNode(avro_schema_t s, std::map<avro_schema_t, uint32_t>* memo);
  // Appends `n` value slots; false past the value limit.
  bool Grow(uint64_t n, uint32_t* base);
  Outcome DecodeInto(AvroCursor& c, uint32_t slot, uint32_t schema);

  struct Hint {
    uint32_t schema = UINT32_MAX;
    const char* name = nullptr;
    uint32_t index = 0;
  };
  static constexpr size_t kHints = 64;

  int64_t max_values_;
  mutable std::array<Hint, kHints> hints_{};
  std::vector<SchemaNode> schema_;
  std::vector<uint32_t> edges_;
  std::vector<std::string> names_;  // parallel to edges_ (record fields only)
  uint32_t root_ = 0;
  std::vector<Value> values_;
};

// A borrowed view of one decoded Avro value with the accessors manifests
// need, valid while the record is (during the ForEach callback). Unions
// are looked through: a union value acts as its current branch.
class AvroValue {
 public:
  AvroValue(const AvroDecodedRecord* record, uint32_t node) : record_(record), node_(node) {}

  avro_type_t type() const;
  bool IsNull() const { return type() == AVRO_NULL; }
  // The field `name` of a record; nullopt when the record has no such field
  // (or the value is not a record).
  std::optional<AvroValue> Field(std::string_view name) const;
  // A field that must exist and not be null.
  Result<AvroValue> Required(std::string_view name) const;

  // Typed reads; kCorruption when the value has another type. AsInt64
  // accepts int and long, AsBytes accepts bytes, fixed and string, AsDouble
  // float and double.
  Result<int64_t> AsInt64() const;
  Result<bool> AsBool() const;
  Result<double> AsDouble() const;
  Result<std::string_view> AsBytes() const;  // valid while the record is
  Result<std::string_view> AsString() const;

  // Array elements, record fields (in schema order) or map entries (as
  // key/value), in order.
  Result<size_t> Size() const;
  Result<AvroValue> Element(size_t i) const;
  Result<std::pair<std::string, AvroValue>> MapEntry(size_t i) const;

  // Optional-field helpers: nullopt when the field is absent or null.
  Result<std::optional<int64_t>> OptionalInt64(std::string_view name) const;
  Result<std::optional<std::string>> OptionalString(std::string_view name) const;

 private:
  const AvroDecodedRecord* record_;
  uint32_t node_;
};

}  // namespace lakeshare::iceberg
