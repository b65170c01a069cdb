// libFuzzer target: arbitrary bytes as a classic checkpoint, as a V2 JSON
// checkpoint (whose sidecar holds the same bytes) and as _last_checkpoint.
// Any crash, sanitizer report, or an error other than kCorruption /
// kUnsupported / kTooLarge is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "delta/delta_checkpoint.h"
#include "testing/memory_storage.h"

using namespace lakeshare;

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
  std::string bytes(reinterpret_cast<const char*>(data), size);
  testing::MemoryStorage storage;
  const std::string log = "/t/_delta_log";
  CheckpointReadOptions options;
  options.parallelism = 1;
  options.max_json_bytes = 1 << 20;

  const std::string classic = log + "/00000000000000000001.checkpoint.parquet";
  storage.Put(classic, bytes);
  DeltaCheckpoint cp{1, DeltaLogFileType::kCheckpoint, {{classic, static_cast<int64_t>(size), 0}}};
  Check(ReadDeltaCheckpoint(storage, log, cp, options).status());
  options.prefer_parsed_stats = options.prefer_parsed_partition_values = true;
  Check(ReadDeltaCheckpoint(storage, log, cp, options).status());

  const std::string v2 =
      log + "/00000000000000000001.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json";
  storage.Put(v2, bytes);
  storage.Put(log + "/_sidecars/s.parquet", bytes);
  DeltaCheckpoint v2cp{1, DeltaLogFileType::kV2Checkpoint, {{v2, static_cast<int64_t>(size), 0}}};
  Check(ReadDeltaCheckpoint(storage, log, v2cp, options).status());

  Check(ParseLastCheckpoint(bytes, "_last_checkpoint").status());
  return 0;
}
