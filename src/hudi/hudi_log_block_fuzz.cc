// libFuzzer target: arbitrary bytes as a Hudi log file — the block framing,
// then every block's content as the decoders see it (Avro data blocks with
// the schema of their header, delete blocks, parquet data blocks). Any
// crash, sanitizer report or unbounded allocation is a bug; errors must be
// kCorruption, kUnsupported or kTooLarge.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "hudi/hudi_avro.h"
#include "hudi/hudi_avro_rows.h"
#include "hudi/hudi_log_format.h"
#include "hudi/hudi_row_writer.h"
#include "hudi/hudi_rows.h"
#include "hudi/hudi_schema.h"
#include "parquet/parquet_reader.h"
#include "storage/random_access_file.h"

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
        Status st = (*writer)->Add(std::move(*row));
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  LogLimits limits;
  limits.max_blocks = 1024;
  auto blocks = ParseLogBlocks(input, limits);
  Check(blocks.status());
  if (blocks.ok()) {
    for (const LogBlock& b : *blocks) FuzzBlock(b);
  }
  // The content decoders also see the whole input directly.
  Check(DecodeDeleteBlock(input).status());
  Check(AvroBlockRecords(input).status());
  return 0;
}
