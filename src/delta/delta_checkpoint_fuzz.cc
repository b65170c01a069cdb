// libFuzzer target: arbitrary bytes as a classic checkpoint, as a V2 JSON
// checkpoint (whose sidecar holds the same bytes) and as _last_checkpoint.
// Any crash, sanitizer report, or an error other than kCorruption /
// kUnsupported / kTooLarge is a bug.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "delta/delta_checkpoint.h"

using namespace lakeshare;

namespace {

// A storage of a few in-memory objects.
class MemoryStorage final : public Storage {
 public:
  std::map<std::string, std::string> objects;
  Result<std::string> Read(const std::string& path) override {
    auto it = objects.find(path);
    if (it == objects.end()) return Status::NotFound(path);
    return it->second;
  }
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) override {
    auto it = objects.find(path);
    if (it == objects.end()) return Status::NotFound(path);
    if (offset < 0 || length < 0) return Status::IOError("bad range");
    const std::string& s = it->second;
    size_t from = std::min(static_cast<size_t>(offset), s.size());
    return s.substr(from, static_cast<size_t>(length));
  }
  Result<FileInfo> Head(const std::string& path) override {
    auto it = objects.find(path);
    if (it == objects.end()) return Status::NotFound(path);
    return FileInfo{path, static_cast<int64_t>(it->second.size()), 0};
  }
  Result<std::vector<FileInfo>> ListDirectory(const std::string&) override {
    return std::vector<FileInfo>();
  }
};

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
  MemoryStorage storage;
  const std::string log = "/t/_delta_log";
  CheckpointReadOptions options;
  options.parallelism = 1;
  options.max_json_bytes = 1 << 20;

  const std::string classic = log + "/00000000000000000001.checkpoint.parquet";
  storage.objects[classic] = bytes;
  DeltaCheckpoint cp{1, DeltaLogFileType::kCheckpoint, {{classic, static_cast<int64_t>(size), 0}}};
  Check(ReadDeltaCheckpoint(storage, log, cp, options).status());
  options.prefer_parsed_stats = options.prefer_parsed_partition_values = true;
  Check(ReadDeltaCheckpoint(storage, log, cp, options).status());

  const std::string v2 = log + "/00000000000000000001.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json";
  storage.objects[v2] = bytes;
  storage.objects[log + "/_sidecars/s.parquet"] = bytes;
  DeltaCheckpoint v2cp{1, DeltaLogFileType::kV2Checkpoint, {{v2, static_cast<int64_t>(size), 0}}};
  Check(ReadDeltaCheckpoint(storage, log, v2cp, options).status());

  Check(ParseLastCheckpoint(bytes, "_last_checkpoint").status());
  return 0;
}
