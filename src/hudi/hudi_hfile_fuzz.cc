// libFuzzer target: arbitrary bytes as an HFile (the metadata table's base
// file format and the content of its logs' HFile data blocks): open (trailer,
// load-on-open section, every level of the data block index, file info),
// iterate every key/value, then look up keys that are in the file and keys
// that are not. Any crash, sanitizer report or unbounded allocation is a
// bug; errors must be kCorruption, kUnsupported or kTooLarge, and a lookup
// must find exactly what iteration saw.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "hudi/hfile_reader.h"

using namespace lakeshare;
using namespace lakeshare::hudi;

namespace {

void Check(const Status& st) {
  if (st.ok()) return;
  StatusCode c = st.code();
  if (c != StatusCode::kCorruption && c != StatusCode::kUnsupported && c != StatusCode::kTooLarge) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  HFileLimits limits;
  limits.max_block_bytes = 4 << 20;
  limits.max_index_entries = 1 << 12;
  limits.max_entries = 1 << 16;
  auto reader = HFileReader::Open(input, limits);
  Check(reader.status());
  if (!reader.ok()) return 0;
  std::vector<std::pair<std::string, std::string>> seen;
  Status st = reader->ForEach([&](std::string_view k, std::string_view v) {
    if (seen.size() < 64) seen.emplace_back(k, v);
    return Status::OK();
  });
  Check(st);
  for (const auto& [k, v] : seen) {
    auto got = reader->Get(k);
    Check(got.status());
    // A file that iterates cleanly holds what it iterated (keys are unique
    // and sorted, so the first match is the one).
    if (st.ok() && got.ok() && (!got->has_value() || **got != v)) std::abort();
    auto absent = reader->Get(k + '\0');
    Check(absent.status());
  }
  Check(reader->Get("").status());
  return 0;
}
