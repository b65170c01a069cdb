// The web console's files (web/), built by web/build.mjs into a generated
// C++ source that defines EmbeddedConsoleAssets(), so one binary serves them.
// Everything points into static storage: no ownership, no locking needed.
#pragma once

#include <span>
#include <string_view>

namespace lakeshare {

struct ConsoleAsset {
  std::string_view path;          // below /console/, e.g. "index.html", "assets/app-3F2A.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
  std::string_view gzip;    // the body gzip-compressed, or empty when that saves nothing
  std::string_view brotli;  // likewise for Brotli
  std::string_view etag;    // a hash of the body (without quotes)
  bool immutable = false;   // the name carries the content hash: cache forever
};

// The console built into this binary (a page saying it was left out when the
// build had no Node.js: LAKESHARE_CONSOLE=OFF).
std::span<const ConsoleAsset> EmbeddedConsoleAssets();

}  // namespace lakeshare
