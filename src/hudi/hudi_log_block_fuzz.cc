// libFuzzer target: arbitrary bytes as a Hudi log file — the block framing,
// then every block's content as the decoders see it (Avro data blocks with
// the schema of their header, delete blocks, parquet data blocks), then the
// file as the one log of a merge-on-read slice (command and compaction
// blocks, merge under the three merge modes): first without a base file,
// then with a merged file as the base (of the whole log, or of the first
// data block's instant with the later instants as the log), where the
// columnar merge must write the same bytes as the row merge. Any crash,
// sanitizer report or unbounded allocation is a bug; errors must be
// kCorruption, kUnsupported or kTooLarge.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "hudi/hudi_avro.h"
#include "hudi/hudi_avro_rows.h"
#include "hudi/hudi_log_format.h"
#include "hudi/hudi_row_writer.h"
#include "hudi/hudi_rows.h"
#include "hudi/hudi_schema.h"
#include "hudi/hudi_slice_reader.h"
#include "parquet/parquet_reader.h"
#include "storage/random_access_file.h"
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

void FuzzBlock(const LogBlock& b) {
  switch (b.type) {
    case LogBlockType::kDelete:
      Check(DecodeDeleteBlock(b.content).status());
      break;
    case LogBlockType::kAvroData:
    case LogBlockType::kCdcData: {
      auto records = AvroBlockRecords(b.content);
      Check(records.status());
      const std::string* schema = b.Header(LogHeader::kSchema);
      if (!records.ok() || schema == nullptr) return;
      auto type = ParseAvroSchema(*schema);
      Check(type.status());
      if (!type.ok()) return;
      auto fields = ToParquetFields(**type, true);
      Check(fields.status());
      if (!fields.ok()) return;
      auto writer = RowWriter::Create(std::move(*fields), 8);
      Check(writer.status());
      if (!writer.ok()) return;
      Check(DecodeAvroRecords(*schema, *records, "fuzz", [&](const AvroValue& r) -> Status {
        auto row = AvroToRow(r, **type, (*writer)->schema());
        if (!row.ok()) return row.status();
        // A row that does not fit its schema is refused, never written wrongly.
        Status st = (*writer)->Add(*row);
        if (!st.ok() && st.code() == StatusCode::kInternal) std::abort();
        return Status::OK();
      }));
      break;
    }
    case LogBlockType::kParquetData: {
      auto reader = parquet::ParquetReader::Open(std::make_shared<MemoryFile>(b.content));
      Check(reader.status());
      if (!reader.ok()) return;
      for (int rg = 0; rg < reader->num_row_groups() && rg < 4; ++rg) {
        Check(ReadRowGroupRows(*reader, rg).status());
      }
      break;
    }
    default:
      break;
  }
}

// The merged file (kMerged) or nothing; aborts on an error of the wrong kind.
std::optional<std::string> ReadSlice(const SliceInputs& in, const FileSlice& slice) {
  SliceReader reader(in, slice);
  auto plan = reader.Plan();
  Check(plan.status());
  if (!plan.ok() || plan->kind == SliceOutcome::Kind::kBase ||
      plan->kind == SliceOutcome::Kind::kEmpty) {
    return std::nullopt;
  }
  int64_t rows = 0;
  auto merged = reader.Merge(&rows);
  Check(merged.status());
  if (!merged.ok()) return std::nullopt;
  return std::move(*merged);
}

void FuzzSlice(std::string_view input, const std::vector<LogBlock>& blocks, size_t variant) {
  std::set<std::string> valid;
  std::shared_ptr<const AvroType> schema;
  std::optional<std::string> first_data;  // the instant of the first data block
  for (const LogBlock& b : blocks) {
    valid.insert(b.InstantTime());
    if (!first_data &&
        (b.type == LogBlockType::kAvroData || b.type == LogBlockType::kParquetData)) {
      first_data = b.InstantTime();
    }
    const std::string* s = b.Header(LogHeader::kSchema);
    if (schema == nullptr && s != nullptr) {
      auto type = ParseAvroSchema(*s);
      Check(type.status());
      if (type.ok()) schema = *type;
    }
  }
  TableProperties props;
  props.table_version = 6;
  props.type = TableType::kMergeOnRead;
  props.record_key_fields = {"id"};
  props.ordering_fields = {"ts"};
  props.populate_meta_fields = variant % 2 == 0;
  const MergeMode modes[] = {MergeMode::kEventTime, MergeMode::kCommitTime,
                             MergeMode::kOverwriteWithLatest};
  props.merge_mode = modes[variant % 3];
  props.merge_description = "fuzz";

  auto storage = std::make_shared<testing::MemoryStorage>();
  const std::string log_name = "p/.f1-0_20240101000000000.log.1_0-1-1";
  storage->Put("/t/" + log_name, std::string(input));
  FileGroup group;
  group.partition = "p";
  group.file_id = "f1-0";
  IndexedFile log;
  log.path = log_name;
  log.size = static_cast<int64_t>(input.size());
  log.instant = "20240101000000000";

  // Either the base file holds the merge of the whole log (every base row
  // has a log record), or only the first data block's instant makes the base
  // and the later instants the log (runs of base rows no record touches).
  const bool split = first_data && (variant / 4) % 2 == 1;
  std::set<std::string> base_valid = valid;
  std::set<std::string> log_valid = valid;
  if (split) {
    base_valid = {*first_data};
    log_valid.erase(*first_data);
  }
  SliceInputs in;
  in.storage = storage;
  in.table_root = "/t";
  in.props = &props;
  in.schema = schema;
  in.valid_instants = &base_valid;
  in.limits.max_log_records = 1 << 16;
  in.limits.max_log_bytes = 1 << 22;
  in.limits.max_base_bytes = 1 << 24;
  FileSlice slice{&group, nullptr, {&log}, 0};
  std::optional<std::string> merged = ReadSlice(in, slice);
  if (!merged) return;

  // The merged rows as the base file of the same log: deletes become
  // positions, updates are merged column by column and row by row.
  in.valid_instants = &log_valid;
  IndexedFile base;
  base.path = "p/f1-0_0-1-1_20231231000000000.parquet";
  base.size = static_cast<int64_t>(merged->size());
  base.instant = "20231231000000000";
  storage->Put("/t/" + base.path, std::move(*merged));
  FileSlice with_base{&group, &base, {&log}, 0};
  std::optional<std::string> columns = ReadSlice(in, with_base);
  in.row_merge = true;
  std::optional<std::string> rows = ReadSlice(in, with_base);
  // The columnar merge writes exactly the bytes of the row merge.
  if (columns && rows && *columns != *rows) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  LogLimits limits;
  limits.max_blocks = 1024;
  auto blocks = ParseLogBlocks(input, limits);
  Check(blocks.status());
  if (blocks.ok()) {
    for (const LogBlock& b : *blocks) FuzzBlock(b);
    FuzzSlice(input, *blocks, size);
  }
  // The content decoders also see the whole input directly.
  Check(DecodeDeleteBlock(input).status());
  Check(AvroBlockRecords(input).status());
  return 0;
}
