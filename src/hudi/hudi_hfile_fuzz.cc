// libFuzzer target: arbitrary bytes as an HFile (the metadata table's base
// file format and the content of its logs' HFile data blocks): open (trailer,
// load-on-open section, every level of the data block index, file info),
// iterate every key/value, then look up keys that are in the file and keys
// that are not; then the file as the base file of a column_stats slice
// (HoodieMetadataRecord decoding, merge by key, values of every type the
// index formats, stats JSON). Any crash, sanitizer report or unbounded allocation is a
// bug; errors must be kCorruption, kUnsupported or kTooLarge, and a lookup
// must find exactly what iteration saw.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hudi/hfile_reader.h"
#include "hudi/hudi_column_stats.h"
#include "hudi/hudi_schema.h"
#include "testing/memory_storage.h"

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

  // A table with a column of each type the index formats.
  static const std::shared_ptr<const AvroType> schema = [] {
    auto parsed = ParseAvroSchema(R"({"type":"record","name":"r","fields":[
      {"name":"s","type":["null","string"]},{"name":"i","type":["null","int"]},
      {"name":"l","type":["null","long"]},{"name":"b","type":["null","boolean"]},
      {"name":"f","type":["null","float"]},{"name":"d","type":["null","double"]},
      {"name":"day","type":["null",{"type":"int","logicalType":"date"}]},
      {"name":"ts","type":["null",{"type":"long","logicalType":"timestamp-micros"}]},
      {"name":"tm","type":["null",{"type":"long","logicalType":"timestamp-millis"}]},
      {"name":"ntz","type":["null",{"type":"long","logicalType":"local-timestamp-micros"}]},
      {"name":"dec","type":["null",{"type":"fixed","name":"dec","size":7,"logicalType":"decimal","precision":15,"scale":2}]}]})");
    if (!parsed.ok()) std::abort();
    return *parsed;
  }();
  auto storage = std::make_shared<testing::MemoryStorage>();
  storage->Put("mdt/column_stats/base.hfile", std::string(input));
  FileGroup group;
  group.partition = "column_stats";
  group.file_id = "col-stats-0000";
  group.bases.push_back(IndexedFile{});
  group.bases.back().path = "column_stats/base.hfile";
  ColumnStatsInputs in;
  in.storage = storage;
  in.metadata_root = "mdt";
  FileSlice slice;
  slice.group = &group;
  slice.base = &group.bases.back();
  in.slices.push_back(slice);
  const std::set<std::string> valid;
  in.valid_instants = &valid;
  in.table_schema = schema;
  in.limits.hfile = limits;
  in.limits.max_records = 1 << 12;
  auto index = ColumnStatsIndex::Read(in);
  Check(index.status());
  return 0;
}
