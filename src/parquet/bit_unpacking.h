// The bit-level primitives of parquet's integer encodings, shared by the
// value decoders: ULEB128 varints and little-endian bit unpacking. Inline
// (they run per value); they never read past the sizes they are given.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace lakeshare::parquet {

// Loads up to 8 bytes at p (fewer when `avail` is smaller; the rest is 0).
inline uint64_t Load64(const uint8_t* p, size_t avail) {
  uint64_t v = 0;
  std::memcpy(&v, p, avail >= 8 ? 8 : avail);
  return v;
}

// Unpacks `count` values of `width` bits (0..64), least significant bit
// first, from `in` (holding `in_size` bytes, at least ceil(count*width/8)).
template <typename T>
void UnpackBits(const uint8_t* in, size_t in_size, int width, size_t count, T* out) {
  if (width == 0) {
    std::fill(out, out + count, T{0});
    return;
  }
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  uint64_t bit = 0;
  for (size_t i = 0; i < count; ++i, bit += static_cast<uint64_t>(width)) {
    size_t byte = static_cast<size_t>(bit >> 3);
    int shift = static_cast<int>(bit & 7);
    uint64_t v = Load64(in + byte, in_size - byte) >> shift;
    if (shift + width > 64) v |= static_cast<uint64_t>(in[byte + 8]) << (64 - shift);
    out[i] = static_cast<T>(v & mask);
  }
}

// Reads a ULEB128 varint that fits in 64 bits at *pos (advanced past it).
inline bool ReadUleb(std::string_view data, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= data.size()) return false;
    uint8_t b = static_cast<uint8_t>(data[(*pos)++]);
    if (shift == 63 && (b & 0x7e) != 0) return false;  // overflow
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace lakeshare::parquet
