// `lakeshare demo`: writes sample Delta tables with our own parquet writer,
// a config and a recipient profile, then serves them. Needs nothing but the
// binary.
#pragma once

#include <string>

#include "common/status.h"

namespace lakeshare {

struct DemoOptions {
  std::string dir = "lakeshare-demo";
  std::string host = "127.0.0.1";
  int port = 8080;
};

// Blocks while the server runs.
Status RunDemo(const DemoOptions& options);

// Writes tables, config.yaml and the profile into options.dir (replacing an
// earlier demo there) and returns the config path. The recipient's token is
// written only into the profile; the config holds its hash.
Result<std::string> PrepareDemo(const DemoOptions& options);

}  // namespace lakeshare
