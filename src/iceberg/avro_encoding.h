// The Avro binary encoding's primitives (zigzag varints, length-prefixed
// bytes, fixed runs) and the object container file's framing constants,
// shared by the reader and the writer of container files.
//
// AvroCursor reads untrusted bytes: every length is checked against the
// bytes that are really there, and a failed read leaves the caller to report
// the corruption. Plain values: not thread-safe, cheap to copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lakeshare::iceberg {

inline constexpr std::string_view kAvroMagic("Obj\x01", 4);
inline constexpr size_t kAvroSyncSize = 16;

class AvroCursor {
 public:
  AvroCursor(std::string_view data, size_t pos) : data_(data), pos_(pos) {}

  // A zigzag varint. Bits beyond 64 in a 10th byte are dropped, as avro-c
  // and Java do (some writers encode out-of-range snapshot ids that way).
  bool ReadLong(int64_t* out) {
    uint64_t value = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos_ >= data_.size()) return false;
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      value |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *out = static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
        return true;
      }
    }
    return false;
  }
  // A long length, then that many bytes (a view into the data).
  bool ReadBytes(std::string_view* out) {
    int64_t n = 0;
    if (!ReadLong(&n) || n < 0 || static_cast<uint64_t>(n) > data_.size() - pos_) return false;
    *out = data_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }
  bool ReadFixed(size_t n, std::string_view* out) {
    if (n > data_.size() - pos_) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool AtEnd() const { return pos_ >= data_.size(); }

 private:
  std::string_view data_;
  size_t pos_;
};

// Appends `v` as a zigzag varint.
void AppendAvroLong(std::string* out, int64_t v);

}  // namespace lakeshare::iceberg
