#include "protocol/capabilities.h"

#include <algorithm>
#include <string>

#include "common/strings.h"

namespace lakeshare {
namespace {

// Trimmed and lower-cased: names and values are case-insensitive.
std::string Trim(std::string_view s) { return AsciiLower(TrimWhitespace(s)); }

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    std::string item = Trim(s.substr(start, end - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = end + 1;
  }
  return out;
}

}  // namespace

bool ClientCapabilities::AcceptsFormat(std::string_view format) const {
  if (response_formats.empty()) return format == "parquet";
  return std::find(response_formats.begin(), response_formats.end(), format) !=
         response_formats.end();
}

bool ClientCapabilities::HasReaderFeature(std::string_view feature) const {
  std::string f = Trim(feature);
  return std::find(reader_features.begin(), reader_features.end(), f) != reader_features.end();
}

ClientCapabilities ParseCapabilities(std::string_view header) {
  ClientCapabilities caps;
  size_t start = 0;
  while (start <= header.size()) {
    size_t end = header.find(';', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view part = header.substr(start, end - start);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos) {
      std::string key = Trim(part.substr(0, eq));
      std::string_view value = part.substr(eq + 1);
      if (key == "responseformat") {
        caps.response_formats = SplitList(value);
      } else if (key == "readerfeatures") {
        caps.reader_features = SplitList(value);
      } else if (key == "includeendstreamaction") {
        caps.include_end_stream_action = Trim(value) == "true";
      }
    }
    start = end + 1;
  }
  return caps;
}

}  // namespace lakeshare
