// libFuzzer target: a Range header of a local file download
// (ParseByteRange, local_file_server.h) against a file size taken from the
// input's first 8 bytes. A range it returns must lie inside the file and be
// non-empty: the 206's Content-Range and the bytes read come from it. Any
// crash, sanitizer report or range outside the file is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "protocol/local_file_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  int64_t file_size = 0;
  std::memcpy(&file_size, data, 8);
  // Sizes come from stat(): never negative. Small sizes are the interesting ones.
  if (file_size < 0) file_size = -(file_size + 1);
  if (data[0] & 1) file_size &= 0xffff;
  std::string_view header(reinterpret_cast<const char*>(data) + 8, size - 8);
  lakeshare::ByteRange range = lakeshare::ParseByteRange(header, file_size);
  if (range.kind == lakeshare::ByteRange::Kind::kRange) {
    if (range.start < 0 || range.length <= 0 || range.start >= file_size ||
        range.length > file_size - range.start) {
      std::abort();
    }
  }
  return 0;
}
