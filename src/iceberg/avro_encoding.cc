#include "iceberg/avro_encoding.h"

namespace lakeshare::iceberg {

void AppendAvroLong(std::string* out, int64_t v) {
  uint64_t n = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (n & ~uint64_t{0x7f}) {
    out->push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
}

}  // namespace lakeshare::iceberg
