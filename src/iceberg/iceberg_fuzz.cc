// libFuzzer target: arbitrary bytes as an Iceberg manifest list, a manifest
// or a table metadata file and name mapping (the first byte picks which, the
// rest is the input; every parser also sees the whole input). Any crash, sanitizer
// report or unbounded allocation is a bug; errors must be kCorruption,
// kUnsupported or kTooLarge.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "iceberg/iceberg_metadata.h"
#include "iceberg/iceberg_schema.h"
#include "iceberg/manifest.h"
#include "iceberg/name_mapping.h"

using namespace lakeshare;
using namespace lakeshare::iceberg;

namespace {

void Check(const Status& st) {
  if (st.ok()) return;
  StatusCode c = st.code();
  if (c != StatusCode::kCorruption && c != StatusCode::kUnsupported && c != StatusCode::kTooLarge) {
    std::abort();
  }
}

AvroLimits Limits() {
  AvroLimits l;
  l.max_block_bytes = 1 << 22;
  l.max_records = 1 << 16;
  return l;
}

void FuzzManifest(std::string bytes) {
  auto m = ReadManifest(std::move(bytes), "fuzz", true, Limits());
  Check(m.status());
  if (!m.ok()) return;
  // Decoding bounds and partition values of whatever came out must not
  // crash either.
  Type types[4];
  types[0].id = TypeId::kLong;
  types[1].id = TypeId::kString;
  types[2].id = TypeId::kDecimal;
  types[2].precision = 38;
  types[2].scale = 10;
  types[3].id = TypeId::kTimestampTzNs;
  for (const ManifestEntry& e : m->entries) {
    for (const auto& [id, b] : e.lower_bounds) {
      for (const Type& t : types) (void)BoundToStatsJson(t, b);
    }
    for (const PartitionDatum& d : e.partition) {
      for (const Type& t : types) Check(PartitionValueString(t, d).status());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  std::string_view rest = all.substr(1);
  switch (data[0] % 3) {
    case 0:
      Check(ReadManifestList(std::string(rest), "fuzz", Limits()).status());
      break;
    case 1:
      FuzzManifest(std::string(rest));
      break;
    default: {
      MetadataLimits ml;
      ml.max_inflated_bytes = 1 << 22;
      auto m = ParseMetadata(rest, ml);
      Check(m.status());
      Check(ParseNameMapping(rest).status());  // schema.name-mapping.default
      if (m.ok()) {
        for (const Schema& s : m->schemas) (void)SparkSchemaString(s);
        (void)MainLineage(*m);
      }
    }
  }
  return 0;
}
