// libFuzzer target: the XML reader never crashes on hostile store answers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/xml_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto x = lakeshare::ParseXml(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  (void)x;
  return 0;
}
