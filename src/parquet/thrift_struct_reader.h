// Helpers for parsing Thrift structs of the compact protocol into C++
// structs (metadata_parser.cc): field dispatch, scalar, list and struct
// fields, required-field checks. A field whose wire type differs from the
// schema's is skipped, as generated Thrift code does. Internal to the
// parquet reader; stateless and thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/status.h"
#include "parquet/thrift_compact.h"

namespace lakeshare::parquet {

inline Status Corrupt(std::string_view strct, std::string_view what) {
  return Status::Corruption("parquet " + std::string(strct) + ": " + std::string(what));
}

// Tracks which field ids (< 64) a struct contained, to check required ones.
class Seen {
 public:
  void Mark(int16_t id) {
    if (id >= 0 && id < 64) bits_ |= uint64_t{1} << id;
  }
  bool Has(int16_t id) const { return id >= 0 && id < 64 && (bits_ >> id) & 1; }

 private:
  uint64_t bits_ = 0;
};

// Reads the fields of one struct, handing each header to `on_field`, which
// must consume the value (read or skip it).
template <typename F>
Status ReadStruct(CompactReader* r, F&& on_field) {
  LS_RETURN_IF_ERROR(r->StructBegin());
  while (true) {
    FieldHeader h;
    LS_RETURN_IF_ERROR(r->ReadFieldHeader(&h));
    if (h.type == CType::kStop) break;
    LS_RETURN_IF_ERROR(on_field(h));
  }
  r->StructEnd();
  return Status::OK();
}

// Reads a bare value of type T; `wire` is the expected wire type.
inline Status ReadValue(CompactReader* r, int8_t* v) { return r->ReadI8(v); }
inline Status ReadValue(CompactReader* r, int16_t* v) { return r->ReadI16(v); }
inline Status ReadValue(CompactReader* r, int32_t* v) { return r->ReadI32(v); }
inline Status ReadValue(CompactReader* r, int64_t* v) { return r->ReadI64(v); }
inline Status ReadValue(CompactReader* r, std::string* v) { return r->ReadBinary(v); }
template <typename E>
requires std::is_enum_v<E> Status ReadValue(CompactReader* r, E* v) {
  int32_t raw;
  LS_RETURN_IF_ERROR(r->ReadI32(&raw));
  *v = static_cast<E>(raw);
  return Status::OK();
}

template <typename T>
constexpr CType WireType() {
  if constexpr (std::is_same_v<T, bool>) return CType::kBoolTrue;
  if constexpr (std::is_same_v<T, int8_t>) return CType::kByte;
  if constexpr (std::is_same_v<T, int16_t>) return CType::kI16;
  if constexpr (std::is_same_v<T, int32_t> || std::is_enum_v<T>) return CType::kI32;
  if constexpr (std::is_same_v<T, int64_t>) return CType::kI64;
  if constexpr (std::is_same_v<T, std::string>) return CType::kBinary;
}

// Reads a scalar field into *v when the wire type matches; a field whose wire
// type differs from the schema's is skipped (as generated Thrift code does).
template <typename T>
Status Field(CompactReader* r, const FieldHeader& h, T* v, Seen* seen = nullptr) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!h.is_bool()) return r->SkipField(h);
    *v = h.bool_value();
  } else {
    if (h.type != WireType<T>()) return r->SkipField(h);
    LS_RETURN_IF_ERROR(ReadValue(r, v));
  }
  if (seen) seen->Mark(h.id);
  return Status::OK();
}

template <typename T>
Status Field(CompactReader* r, const FieldHeader& h, std::optional<T>* v) {
  bool matches;
  if constexpr (std::is_same_v<T, bool>) {
    matches = h.is_bool();
  } else {
    matches = h.type == WireType<T>();
  }
  if (!matches) return r->SkipField(h);
  T tmp{};
  LS_RETURN_IF_ERROR(Field(r, h, &tmp));
  *v = std::move(tmp);
  return Status::OK();
}

// Reads a list field whose elements are read by `read_elem(T*)`. A list of
// another element type is skipped.
template <typename T, typename ReadElem>
Status ListField(CompactReader* r, const FieldHeader& h, CType elem, std::vector<T>* out,
                 ReadElem&& read_elem, Seen* seen = nullptr) {
  if (h.type != CType::kList && h.type != CType::kSet) return r->SkipField(h);
  ContainerHeader c;
  LS_RETURN_IF_ERROR(r->ReadListHeader(&c));
  LS_RETURN_IF_ERROR(r->ContainerEnter());
  CType want = elem == CType::kBoolFalse ? CType::kBoolTrue : elem;
  if (c.elem != want) {
    for (uint32_t i = 0; i < c.size; ++i) LS_RETURN_IF_ERROR(r->SkipElement(c.elem));
    r->ContainerLeave();
    return Status::OK();
  }
  out->clear();
  for (uint32_t i = 0; i < c.size; ++i) {
    T value{};
    LS_RETURN_IF_ERROR(read_elem(&value));
    out->push_back(std::move(value));
  }
  r->ContainerLeave();
  if (seen) seen->Mark(h.id);
  return Status::OK();
}

template <typename T>
Status ScalarListField(CompactReader* r, const FieldHeader& h, std::vector<T>* out,
                       Seen* seen = nullptr) {
  return ListField(
      r, h, WireType<T>(), out, [r](T* v) { return ReadValue(r, v); }, seen);
}

// A struct-typed field parsed by `parse(CompactReader*, T*)`.
template <typename T, typename Parse>
Status StructField(CompactReader* r, const FieldHeader& h, std::optional<T>* out, Parse&& parse,
                   Seen* seen = nullptr) {
  if (h.type != CType::kStruct) return r->SkipField(h);
  T value{};
  LS_RETURN_IF_ERROR(parse(r, &value));
  *out = std::move(value);
  if (seen) seen->Mark(h.id);
  return Status::OK();
}

template <typename T, typename Parse>
Status StructListField(CompactReader* r, const FieldHeader& h, std::vector<T>* out, Parse&& parse,
                       Seen* seen = nullptr) {
  return ListField(
      r, h, CType::kStruct, out, [&](T* v) { return parse(r, v); }, seen);
}

inline Status RequireAll(const Seen& seen, std::initializer_list<int16_t> ids,
                         std::string_view strct) {
  for (int16_t id : ids) {
    if (!seen.Has(id)) return Corrupt(strct, "required field " + std::to_string(id) + " missing");
  }
  return Status::OK();
}

}  // namespace lakeshare::parquet
