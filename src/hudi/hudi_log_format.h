// Hudi log files (.<fileId>_<instant>.log.<version>_<writeToken>): a
// sequence of blocks, each
//   "#HUDI#", int64 block size, int32 format version, int32 block type,
//   header (int32 count, then int32 key, int32 length, bytes per entry),
//   int64 content length, content, footer (as the header), int64 length
// (big-endian). A block that does not frame correctly (a writer that died
// mid-block) is reported as kCorrupt and skipped up to the next magic, as
// Hudi's readers do.
//
// Content decoders: Avro and CDC data blocks (int32 version >= 2, int32
// record count, then int32 length + Avro binary per record), delete blocks
// (int32 version 3, int32 length, an Avro HoodieDeleteRecordList). Parquet
// data blocks hold a whole parquet file (read with parquet/).
//
// Pure functions over bytes held by the caller (views point into them);
// thread-safe. Malformed content is kCorruption; unsupported encodings
// (delete blocks of version < 3, which Java-serialize) are kUnsupported.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace lakeshare::hudi {

enum class LogBlockType : int32_t {
  kCommand = 0,
  kDelete = 1,
  kCorrupt = 2,
  kAvroData = 3,
  kHFileData = 4,
  kParquetData = 5,
  kCdcData = 6,
};

enum class LogHeader : int32_t {
  kInstantTime = 0,
  kTargetInstantTime = 1,
  kSchema = 2,
  kCommandBlockType = 3,
  kCompactedBlockTimes = 4,
  kRecordPositions = 5,
  kBlockIdentifier = 6,
  kIsPartial = 7,
};

struct LogBlock {
  LogBlockType type = LogBlockType::kCorrupt;
  int64_t offset = 0;  // of the block's magic in the file
  std::map<int32_t, std::string> header;
  std::string_view content;  // empty for corrupt blocks

  const std::string* Header(LogHeader key) const;
  std::string InstantTime() const;
};

struct LogLimits {
  int64_t max_blocks = 1 << 20;
  int64_t max_header_entries = 64;
};

// Splits a log file into blocks. Never fails on bad framing (corrupt blocks
// are returned as such); kCorruption only when the file does not start with
// a block at all.
Result<std::vector<LogBlock>> ParseLogBlocks(std::string_view file, const LogLimits& limits = {});

// What one block does to the blocks read before it, reading a slice's logs
// in write order as Hudi's log readers do: corrupt and CDC blocks and blocks
// of instants that do not count (uncommitted, rolled back, later) are
// skipped; a rollback command block removes the earlier blocks of its
// target instant; a log compaction's block replaces the blocks of the
// instants it lists. `valid_instants`: the instants whose blocks count;
// blocks of instants before `timeline_start` (archived, archive gone) count
// too.
struct LogBlockRole {
  enum class Kind { kSkip, kRollback, kData };
  Kind kind = Kind::kSkip;
  std::string instant;             // kData: the block's instant
  std::string rollback_target;     // kRollback
  std::set<std::string> replaces;  // kData: instants whose earlier blocks it replaces
};
LogBlockRole ClassifyLogBlock(const LogBlock& block, const std::set<std::string>& valid_instants,
                              std::string_view timeline_start);

// The records of an Avro (or CDC) data block: each the binary encoding of
// one record of the block's schema.
Result<std::vector<std::string_view>> AvroBlockRecords(std::string_view content);

// An ordering value as Hudi records it with a delete (or reads it from a
// record's ordering field): comparable within one kind.
struct OrderingValue {
  std::variant<std::monostate, bool, int64_t, double, std::string> v;
  bool IsNull() const { return std::holds_alternative<std::monostate>(v); }
  // Hudi's "natural order" marker: an int 0 (or nothing) on a delete.
  bool IsNaturalOrder() const;
  // nullopt when the kinds differ or either is null.
  std::optional<int> Compare(const OrderingValue& o) const;
};

struct DeleteKey {
  std::string record_key;
  std::string partition_path;
  OrderingValue ordering;
};

Result<std::vector<DeleteKey>> DecodeDeleteBlock(std::string_view content);

// Avro schema of a delete block's content (for tests and writers).
std::string_view DeleteRecordListSchema();

}  // namespace lakeshare::hudi
