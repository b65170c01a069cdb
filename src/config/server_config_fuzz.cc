// libFuzzer target: arbitrary text as the server's YAML configuration
// (ParseServerConfig, as `lakeshare serve --config` reads it), with a base
// folder that does not exist, so relative paths resolve but nothing is read.
// Any crash, exception, sanitizer report or leak is a bug; a refused
// configuration is expected.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/server_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)lakeshare::ParseServerConfig(text, "/nonexistent-lakeshare-fuzz");
  return 0;
}
