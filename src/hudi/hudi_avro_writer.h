// Avro binary encoding for the Hudi files lakeshare writes itself (the
// synthetic and demo tables of hudi_writer.h): values appended one by one,
// in the order of the record's schema, and an uncompressed object container
// file around finished records.
//
// Value types; not thread-safe per object. Encoding cannot fail.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lakeshare::hudi {

class AvroEncoder {
 public:
  void Long(int64_t v);
  void String(std::string_view s);
  void Double(double d);
  void Bool(bool b);
  // The branch of a union (0 is the first type, usually "null").
  void Branch(int b) { Long(b); }
  // A ["null", long] or ["null", string] union holding a value.
  void OptLong(int64_t v);
  void OptString(std::string_view s);
  // The bytes so far; the encoder is empty afterwards.
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// An Avro object container file (codec "null", one block) of `records`,
// each already encoded with `schema`.
std::string AvroContainer(std::string_view schema, const std::vector<std::string>& records);

}  // namespace lakeshare::hudi
