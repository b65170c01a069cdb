#include "iceberg/avro_file.h"

#include <cstdlib>
#include <mutex>

#include "iceberg/avro_codecs.h"
#include "iceberg/avro_encoding.h"
#include "iceberg/avro_schema_check.h"

namespace lakeshare::iceberg {
namespace {

// The largest single allocation avro-c may make. Every string or bytes
// value it allocates is also bounded by the block it is decoded from.
constexpr size_t kMaxAvroAllocation = size_t{512} << 20;

void* CappedAllocator(void* /*user_data*/, void* ptr, size_t /*osize*/, size_t nsize) {
  if (nsize == 0) {
    std::free(ptr);
    return nullptr;
  }
  if (nsize > kMaxAvroAllocation) return nullptr;
  return std::realloc(ptr, nsize);
}

}  // namespace

void InstallAvroAllocator() {
  static std::once_flag once;
  std::call_once(once, [] { avro_set_allocator(CappedAllocator, nullptr); });
}

Result<std::unique_ptr<AvroFileReader>> AvroFileReader::Open(std::string bytes, std::string what,
                                                             AvroLimits limits) {
  InstallAvroAllocator();
  std::unique_ptr<AvroFileReader> r(new AvroFileReader());
  r->bytes_ = std::move(bytes);
  r->what_ = std::move(what);
  r->limits_ = limits;
  Status st = r->ParseHeader();
  if (!st.ok()) return st.WithContext(r->what_);
  return r;
}

AvroFileReader::~AvroFileReader() {
  if (schema_ != nullptr) avro_schema_decref(schema_);
}

std::optional<std::string> AvroFileReader::Meta(const std::string& key) const {
  auto it = metadata_.find(key);
  if (it == metadata_.end()) return std::nullopt;
  return it->second;
}

Status AvroFileReader::ParseHeader() {
  std::string_view data(bytes_);
  if (data.substr(0, kAvroMagic.size()) != kAvroMagic) {
    return Status::Corruption("not an Avro object container file (bad magic)");
  }
  AvroCursor c(data, kAvroMagic.size());
  while (true) {
    int64_t count = 0;
    if (!c.ReadLong(&count)) return Status::Corruption("truncated Avro header");
    if (count == 0) break;
    if (count < 0) {
      int64_t block_size = 0;
      if (count == INT64_MIN || !c.ReadLong(&block_size)) {
        return Status::Corruption("malformed Avro header");
      }
      count = -count;
    }
    if (count > static_cast<int64_t>(data.size())) {
      return Status::Corruption("malformed Avro header map");
    }
    for (int64_t i = 0; i < count; ++i) {
      std::string_view key, value;
      if (!c.ReadBytes(&key) || !c.ReadBytes(&value)) {
        return Status::Corruption("truncated Avro header map");
      }
      metadata_[std::string(key)] = std::string(value);
    }
  }
  std::string_view sync;
  if (!c.ReadFixed(kAvroSyncSize, &sync)) return Status::Corruption("truncated Avro header");
  sync_ = std::string(sync);
  data_start_ = c.pos();

  codec_ = Meta("avro.codec").value_or("null");
  if (!IsSupportedAvroCodec(codec_)) {
    return Status::Unsupported("Avro codec '" + codec_.substr(0, 64) + "' is not supported");
  }
  auto schema_json = Meta("avro.schema");
  if (!schema_json) return Status::Corruption("the Avro header has no avro.schema");
  if (!CheckAvroSchemaJson(*schema_json)) {
    return Status::Corruption("the Avro writer schema is not valid (or not supported)");
  }
  if (avro_schema_from_json_length(schema_json->data(), schema_json->size(), &schema_) != 0 ||
      schema_ == nullptr) {
    schema_ = nullptr;
    return Status::Corruption("the Avro writer schema does not parse");
  }
  LS_ASSIGN_OR_RETURN(int64_t min_size, CheckAvroWriterSchema(schema_, limits_.max_schema_depth));
  if (avro_typeof(schema_) != AVRO_RECORD) {
    return Status::Corruption("the Avro writer schema is not a record");
  }
  record_min_size_ = min_size;
  decoded_ = std::make_unique<AvroDecodedRecord>(limits_.max_record_values);
  decoded_->Compile(schema_);
  return Status::OK();
}

Status AvroFileReader::ForEach(const std::function<Status(const AvroValue&)>& fn) {
  std::string_view data(bytes_);
  AvroCursor c(data, data_start_);
  std::string scratch;
  int64_t records = 0;
  for (int64_t block = 0; !c.AtEnd(); ++block) {
    int64_t count = 0;
    std::string_view raw, sync;
    if (!c.ReadLong(&count) || count < 0 || !c.ReadBytes(&raw) ||
        !c.ReadFixed(kAvroSyncSize, &sync)) {
      return Status::Corruption(what_ + ": truncated or malformed Avro block " +
                                std::to_string(block));
    }
    if (sync != sync_) {
      return Status::Corruption(what_ + ": Avro block " + std::to_string(block) +
                                " does not end with the file's sync marker");
    }
    if (count > limits_.max_records - records) {
      return Status::TooLarge(what_ + ": more than " + std::to_string(limits_.max_records) +
                              " records");
    }
    if (count == 0) continue;
    auto payload = DecompressAvroBlock(codec_, raw, limits_.max_block_bytes, &scratch);
    if (!payload.ok()) {
      return payload.status().WithContext(what_ + ": Avro block " + std::to_string(block));
    }
    // Records that take bytes cannot outnumber the bytes.
    if (record_min_size_ > 0 && count > static_cast<int64_t>(payload->size()) / record_min_size_) {
      return Status::Corruption(what_ + ": Avro block " + std::to_string(block) + " claims " +
                                std::to_string(count) + " records in " +
                                std::to_string(payload->size()) + " bytes");
    }
    AvroCursor rc(*payload, 0);
    for (int64_t i = 0; i < count; ++i) {
      switch (decoded_->Decode(rc)) {
        case AvroDecodedRecord::Outcome::kOk:
          break;
        case AvroDecodedRecord::Outcome::kTooLarge:
          return Status::TooLarge(what_ + ": record " + std::to_string(i) + " of Avro block " +
                                  std::to_string(block) + " has more than " +
                                  std::to_string(limits_.max_record_values) + " values");
        case AvroDecodedRecord::Outcome::kMalformed:
          return Status::Corruption(what_ + ": record " + std::to_string(i) + " of Avro block " +
                                    std::to_string(block) + " is malformed");
      }
      Status st = fn(AvroValue(decoded_.get(), 0));
      if (!st.ok()) return st;
    }
    records += count;
  }
  return Status::OK();
}

}  // namespace lakeshare::iceberg
