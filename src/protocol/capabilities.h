// The delta-sharing-capabilities request header:
//   "responseformat=delta,parquet;readerfeatures=deletionvectors,columnmapping"
// Keys and values are case-insensitive; unknown keys are ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lakeshare {

struct ClientCapabilities {
  std::vector<std::string> response_formats;  // lower-cased, in the client's order; empty = parquet
  std::vector<std::string> reader_features;   // lower-cased
  bool include_end_stream_action = false;

  bool AcceptsFormat(std::string_view format) const;
  bool HasReaderFeature(std::string_view feature) const;
};

ClientCapabilities ParseCapabilities(std::string_view header);

}  // namespace lakeshare
