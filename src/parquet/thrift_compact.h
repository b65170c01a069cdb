// The Thrift compact protocol, the encoding of every parquet footer and page
// header: a writer that appends to a std::string and a reader over untrusted
// bytes.
//
// CompactWriter trusts its caller (matching Begin/End calls, list sizes equal
// to the number of elements written). CompactReader trusts nothing: every read
// is bounds-checked, varints must fit their type, nesting is limited to
// `max_depth`, and a container header is rejected when its element count
// cannot fit in the bytes that remain (so memory use stays proportional to the
// input size). Every decoding error is kCorruption; after one, the reader
// should be discarded. Neither class is thread-safe; both are cheap.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare::parquet {

// Wire types of the compact protocol. In a field header, a bool's value is its
// type (kBoolTrue / kBoolFalse); as a container element both mean "bool".
enum class CType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
  kUuid = 13,
};

class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) {}

  // A struct is StructBegin, its fields in any order, then StructEnd (which
  // writes the stop byte). The top-level message is a struct too.
  void StructBegin();
  void StructEnd();

  // Field headers use the short (delta) form when the id grows by 1..15 and
  // the long form otherwise.
  void FieldHeader(int16_t id, CType type);
  void BoolField(int16_t id, bool v);
  void I8Field(int16_t id, int8_t v);
  void I16Field(int16_t id, int16_t v);
  void I32Field(int16_t id, int32_t v);
  void I64Field(int16_t id, int64_t v);
  void DoubleField(int16_t id, double v);
  void BinaryField(int16_t id, std::string_view v);
  // Field header plus list header; then write `size` elements.
  void ListField(int16_t id, CType elem, uint32_t size);
  // Field header plus StructBegin; close with StructEnd.
  void StructField(int16_t id);

  // Container headers and bare values (container elements).
  void ListBegin(CType elem, uint32_t size);
  void SetBegin(CType elem, uint32_t size);
  void MapBegin(CType key, CType value, uint32_t size);
  void Bool(bool v);
  void I8(int8_t v);
  void I16(int16_t v);
  void I32(int32_t v);
  void I64(int64_t v);
  void Double(double v);
  void Binary(std::string_view v);
  void Uuid(std::string_view sixteen_bytes);

 private:
  void Varint(uint64_t v);
  std::string* out_;
  std::vector<int16_t> last_field_ids_;
};

struct FieldHeader {
  int16_t id = 0;
  CType type = CType::kStop;  // kStop: the struct has no more fields
  bool bool_value() const { return type == CType::kBoolTrue; }
  bool is_bool() const { return type == CType::kBoolTrue || type == CType::kBoolFalse; }
};

struct ContainerHeader {
  CType elem = CType::kStop;   // list/set element type, or map key type
  CType value = CType::kStop;  // map value type (kStop for an empty map)
  uint32_t size = 0;
};

class CompactReader {
 public:
  static constexpr int kDefaultMaxDepth = 64;

  // `data` must outlive the reader (ReadBinaryView returns views into it).
  explicit CompactReader(std::string_view data, int max_depth = kDefaultMaxDepth)
      : data_(data), max_depth_(max_depth) {}
  // A temporary std::string would dangle.
  template <typename S>
  requires(std::same_as<S, std::string>) CompactReader(S&&, int = kDefaultMaxDepth)
  = delete;

  // StructBegin enters a struct (counts towards the depth limit); read fields
  // with ReadFieldHeader until it returns kStop, then call StructEnd.
  Status StructBegin();
  void StructEnd();
  Status ReadFieldHeader(FieldHeader* h);

  // Container headers. The element count is checked against the remaining
  // bytes. Elements are read with the bare value readers below; nested
  // containers and structs must be entered with ContainerEnter/StructBegin.
  Status ReadListHeader(ContainerHeader* h);  // lists and sets
  Status ReadMapHeader(ContainerHeader* h);
  // Containers count towards the depth limit like structs: call Enter after
  // reading a header and Leave after its last element.
  Status ContainerEnter();
  void ContainerLeave();

  Status ReadBool(bool* v);  // a container element (a field's bool is in its header)
  Status ReadI8(int8_t* v);
  Status ReadI16(int16_t* v);
  Status ReadI32(int32_t* v);
  Status ReadI64(int64_t* v);
  Status ReadDouble(double* v);
  Status ReadBinary(std::string* v);
  Status ReadBinaryView(std::string_view* v);
  Status ReadUuid(std::string* v);

  // Skips a field's value (bools have none) or a container element of `type`,
  // recursing through containers and structs within the depth limit.
  Status SkipField(const FieldHeader& h);
  Status SkipElement(CType type);

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  Status ReadVarint(uint64_t* v);
  Status ReadVarint32(uint32_t* v);
  Status ReadByteRaw(uint8_t* b);
  Status Skip(CType type, bool in_field);

  std::string_view data_;
  size_t pos_ = 0;
  int max_depth_;
  int depth_ = 0;
  std::vector<int16_t> last_field_ids_;
};

// Zigzag mapping of signed integers, exposed for tests.
inline uint64_t ZigZagEncode64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode64(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

}  // namespace lakeshare::parquet
