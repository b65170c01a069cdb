// libFuzzer target: opens arbitrary bytes as a parquet file and reads every
// column of every row group, then assembles records. Any crash, sanitizer
// report, unbounded allocation, or an error other than kCorruption /
// kUnsupported is a bug.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "parquet/parquet_reader.h"
#include "parquet/record_view.h"

using namespace lakeshare;
using namespace lakeshare::parquet;

namespace {

void CheckError(const Status& st) {
  if (st.code() != StatusCode::kCorruption && st.code() != StatusCode::kUnsupported) std::abort();
}

// Small limits keep each input cheap; the limits themselves are what is
// being tested, not their default values.
ReaderOptions FuzzOptions() {
  ReaderOptions o;
  o.footer_read_size = 1024;  // also exercises the second footer read
  o.max_footer_bytes = 1 << 20;
  o.max_footer_structs = 1 << 14;
  o.max_chunk_bytes = 1 << 22;
  o.chunk.max_page_bytes = 1 << 22;
  o.chunk.max_values = 1 << 18;
  o.chunk.max_decoded_bytes = 1 << 24;
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto file = std::make_shared<MemoryFile>(bytes);
  auto reader = ParquetReader::Open(file, FuzzOptions());
  if (!reader.ok()) {
    CheckError(reader.status());
    return 0;
  }
  std::vector<int> all;
  for (int l = 0; l < reader->schema().num_leaves(); ++l) all.push_back(l);
  for (int rg = 0; rg < reader->num_row_groups() && rg < 64; ++rg) {
    auto batch = reader->ReadRowGroup(rg, all);
    if (!batch.ok()) {
      CheckError(batch.status());
      // Columns one by one, so that a bad column does not hide the others.
      for (int l : all) {
        auto c = reader->ReadColumnChunk(rg, l);
        if (!c.ok()) CheckError(c.status());
      }
      continue;
    }
    auto tree = RecordTree::Make(std::move(*batch));
    if (!tree.ok()) {
      CheckError(tree.status());
      continue;
    }
    // Touch every slot of every node through the public getters.
    auto walk = [&](auto&& self, const RecordNode& n) -> void {
      for (int64_t s = 0; s < n.num_slots() && s < 4096; ++s) {
        (void)n.IsValid(s);
        (void)n.Elements(s);
        if (n.is_leaf()) {
          (void)n.String(s);
          (void)n.Int64(s);
          (void)n.Double(s);
          (void)n.TimestampMicros(s);
          (void)n.DecimalUnscaled(s);
        }
      }
      (void)n.AsList();
      (void)n.AsMap();
      for (const RecordNode& c : n.children()) self(self, c);
    };
    walk(walk, tree->root());
  }
  return 0;
}
