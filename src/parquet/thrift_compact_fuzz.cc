// libFuzzer target: parses arbitrary bytes as a parquet footer, a page header
// and a whole file. Any crash, sanitizer report or non-Corruption error from
// the parsers is a bug; so is a parsed footer that does not survive a
// serialize/parse round trip.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parquet/metadata_parser.h"
#include "parquet/metadata_serializer.h"
#include "parquet/parquet_metadata.h"
#include "parquet/rle_hybrid.h"

using namespace lakeshare;
using namespace lakeshare::parquet;

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckError(const Status& st) { Check(st.code() == StatusCode::kCorruption); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  size_t consumed = 0;
  auto md = ParseFileMetaData(bytes, &consumed);
  if (md.ok()) {
    Check(consumed <= size);
    std::string again;
    SerializeFileMetaData(*md, &again);
    auto reparsed = ParseFileMetaData(again);
    Check(reparsed.ok());
    // Serialize once more: the second encoding must be a fixed point.
    std::string third;
    SerializeFileMetaData(*reparsed, &third);
    Check(third == again);
  } else {
    CheckError(md.status());
  }

  auto header = ParsePageHeader(bytes, &consumed);
  if (header.ok()) {
    Check(consumed <= size);
    std::string again;
    SerializePageHeader(*header, &again);
    auto reparsed = ParsePageHeader(again);
    Check(reparsed.ok() && *reparsed == *header);
  } else {
    CheckError(header.status());
  }

  auto footer = ParseFileFooter(bytes);
  if (!footer.ok()) {
    Check(footer.status().code() == StatusCode::kCorruption ||
          footer.status().code() == StatusCode::kUnsupported);
  }

  if (size > 0) {
    std::vector<uint32_t> levels;
    Status st = RleHybridDecoder(bytes.substr(1), data[0] % 33).Decode(&levels, data[0] * 4u);
    if (!st.ok()) CheckError(st);
  }
  return 0;
}
