#include "hudi/hudi_log_format.h"

#include <cstring>

#include "hudi/hudi_avro.h"
#include "hudi/hudi_file_index.h"

namespace lakeshare::hudi {
namespace {

constexpr std::string_view kMagic = "#HUDI#";
// magic, size, version, type, header count, content length, footer count, reverse pointer
constexpr size_t kMinBlock = 6 + 8 + 4 + 4 + 4 + 8 + 4 + 8;

class Reader {
 public:
  Reader(std::string_view data, size_t pos, size_t end) : data_(data), pos_(pos), end_(end) {}
  bool Int32(int32_t* out) {
    if (end_ - pos_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += 4;
    *out = static_cast<int32_t>(v);
    return true;
  }
  bool Int64(int64_t* out) {
    if (end_ - pos_ < 8) return false;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += 8;
    *out = static_cast<int64_t>(v);
    return true;
  }
  bool Bytes(int64_t n, std::string_view* out) {
    if (n < 0 || static_cast<uint64_t>(n) > end_ - pos_) return false;
    *out = data_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }
  size_t pos() const { return pos_; }
  size_t remaining() const { return end_ - pos_; }

 private:
  std::string_view data_;
  size_t pos_;
  size_t end_;
};

bool ReadMetadata(Reader& r, const LogLimits& limits, std::map<int32_t, std::string>* out) {
  int32_t count = 0;
  if (!r.Int32(&count) || count < 0 || count > limits.max_header_entries) return false;
  for (int32_t i = 0; i < count; ++i) {
    int32_t key = 0, len = 0;
    std::string_view value;
    if (!r.Int32(&key) || !r.Int32(&len) || !r.Bytes(len, &value)) return false;
    (*out)[key] = std::string(value);
  }
  return true;
}

// Parses the block at `pos` (its magic already checked); false when it
// does not frame.
bool ParseBlock(std::string_view file, size_t pos, const LogLimits& limits, LogBlock* block,
                size_t* next) {
  Reader r(file, pos + kMagic.size(), file.size());
  int64_t size = 0;
  if (!r.Int64(&size) || size < static_cast<int64_t>(kMinBlock - 14) ||
      static_cast<uint64_t>(size) > r.remaining()) {
    return false;
  }
  const size_t end = r.pos() + static_cast<size_t>(size);
  Reader b(file, r.pos(), end);
  int32_t version = 0, type = 0;
  if (!b.Int32(&version) || !b.Int32(&type) || version < 1) return false;
  if (type < 0 || type > static_cast<int32_t>(LogBlockType::kCdcData)) return false;
  if (!ReadMetadata(b, limits, &block->header)) return false;
  int64_t content_length = 0;
  if (!b.Int64(&content_length) || !b.Bytes(content_length, &block->content)) return false;
  std::map<int32_t, std::string> footer;
  if (!ReadMetadata(b, limits, &footer)) return false;
  int64_t total = 0;
  if (!b.Int64(&total) || b.remaining() != 0) return false;
  block->type = static_cast<LogBlockType>(type);
  block->offset = static_cast<int64_t>(pos);
  *next = end;
  return true;
}

}  // namespace

const std::string* LogBlock::Header(LogHeader key) const {
  auto it = header.find(static_cast<int32_t>(key));
  return it == header.end() ? nullptr : &it->second;
}

std::string LogBlock::InstantTime() const {
  const std::string* t = Header(LogHeader::kInstantTime);
  return t ? *t : std::string();
}

Result<std::vector<LogBlock>> ParseLogBlocks(std::string_view file, const LogLimits& limits) {
  std::vector<LogBlock> blocks;
  if (file.empty()) return blocks;
  if (file.substr(0, kMagic.size()) != kMagic) {
    return Status::Corruption("not a Hudi log file (it does not start with #HUDI#)");
  }
  size_t pos = 0;
  while (pos < file.size()) {
    if (static_cast<int64_t>(blocks.size()) >= limits.max_blocks) {
      return Status::TooLarge("a Hudi log file with more than " +
                              std::to_string(limits.max_blocks) + " blocks");
    }
    LogBlock block;
    size_t next = 0;
    if (file.substr(pos, kMagic.size()) == kMagic && ParseBlock(file, pos, limits, &block, &next)) {
      blocks.push_back(std::move(block));
      pos = next;
      continue;
    }
    // A corrupt block runs up to the next magic (or the end of the file).
    size_t resume = file.find(kMagic, pos + 1);
    LogBlock corrupt;
    corrupt.type = LogBlockType::kCorrupt;
    corrupt.offset = static_cast<int64_t>(pos);
    blocks.push_back(std::move(corrupt));
    if (resume == std::string_view::npos) break;
    pos = resume;
  }
  return blocks;
}

Result<std::vector<std::string_view>> AvroBlockRecords(std::string_view content) {
  Reader r(content, 0, content.size());
  int32_t version = 0, count = 0;
  if (!r.Int32(&version)) return Status::Corruption("truncated Avro data block");
  if (version < 2) {
    return Status::Unsupported("Avro data blocks of log block version " + std::to_string(version) +
                               " are not supported");
  }
  if (!r.Int32(&count) || count < 0) return Status::Corruption("truncated Avro data block");
  // Every record takes its 4-byte length at least.
  if (static_cast<uint64_t>(count) > r.remaining() / 4) {
    return Status::Corruption("an Avro data block claims " + std::to_string(count) +
                              " records in " + std::to_string(content.size()) + " bytes");
  }
  std::vector<std::string_view> records;
  records.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    int32_t len = 0;
    std::string_view rec;
    if (!r.Int32(&len) || !r.Bytes(len, &rec)) {
      return Status::Corruption("record " + std::to_string(i) +
                                " of an Avro data block is truncated");
    }
    records.push_back(rec);
  }
  return records;
}

bool OrderingValue::IsNaturalOrder() const {
  if (IsNull()) return true;
  const int64_t* i = std::get_if<int64_t>(&v);
  return i != nullptr && *i == 0;
}

std::optional<int> OrderingValue::Compare(const OrderingValue& o) const {
  if (IsNull() || o.IsNull()) return std::nullopt;
  auto sign = [](auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); };
  if (v.index() == o.v.index()) {
    return std::visit(
        [&](const auto& a) -> std::optional<int> {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return 0;
          } else {
            return sign(a, std::get<T>(o.v));
          }
        },
        v);
  }
  // Integers and floating point values compare numerically.
  auto number = [](const OrderingValue& x) -> std::optional<double> {
    if (const int64_t* i = std::get_if<int64_t>(&x.v)) return static_cast<double>(*i);
    if (const double* d = std::get_if<double>(&x.v)) return *d;
    return std::nullopt;
  };
  auto a = number(*this), b = number(o);
  if (a && b) return sign(*a, *b);
  return std::nullopt;
}

std::string_view DeleteRecordListSchema() {
  return R"({"type":"record","name":"HoodieDeleteRecordList","namespace":"org.apache.hudi.avro.model",
"fields":[{"name":"deleteRecordList","type":{"type":"array","items":{"type":"record",
"name":"HoodieDeleteRecord","fields":[{"name":"recordKey","type":["null","string"],"default":null},
{"name":"partitionPath","type":["null","string"],"default":null},
{"name":"orderingVal","type":["null",
{"type":"record","name":"OrderingBooleanWrapper","fields":[{"name":"value","type":"boolean"}]},
{"type":"record","name":"OrderingIntWrapper","fields":[{"name":"value","type":"int"}]},
{"type":"record","name":"OrderingLongWrapper","fields":[{"name":"value","type":"long"}]},
{"type":"record","name":"OrderingFloatWrapper","fields":[{"name":"value","type":"float"}]},
{"type":"record","name":"OrderingDoubleWrapper","fields":[{"name":"value","type":"double"}]},
{"type":"record","name":"OrderingBytesWrapper","fields":[{"name":"value","type":"bytes"}]},
{"type":"record","name":"OrderingStringWrapper","fields":[{"name":"value","type":"string"}]},
{"type":"record","name":"OrderingDateWrapper","fields":[{"name":"value","type":"int"}]},
{"type":"record","name":"OrderingDecimalWrapper","fields":[{"name":"value","type":"bytes"}]},
{"type":"record","name":"OrderingTimeMicrosWrapper","fields":[{"name":"value","type":"long"}]},
{"type":"record","name":"OrderingTimestampMicrosWrapper","fields":[{"name":"value","type":"long"}]}
],"default":null}]}}}]})";
}

Result<std::vector<DeleteKey>> DecodeDeleteBlock(std::string_view content) {
  Reader r(content, 0, content.size());
  int32_t version = 0, length = 0;
  std::string_view payload;
  if (!r.Int32(&version)) return Status::Corruption("truncated delete block");
  if (version < 3) {
    return Status::Unsupported("delete blocks of log block version " + std::to_string(version) +
                               " (Java-serialized keys) are not supported");
  }
  if (!r.Int32(&length) || !r.Bytes(length, &payload)) {
    return Status::Corruption("truncated delete block");
  }
  std::vector<DeleteKey> out;
  LS_RETURN_IF_ERROR(DecodeAvroRecords(
      DeleteRecordListSchema(), {payload}, "delete block", [&](const AvroValue& list) -> Status {
        LS_ASSIGN_OR_RETURN(AvroValue records, list.Required("deleteRecordList"));
        LS_ASSIGN_OR_RETURN(size_t n, records.Size());
        out.reserve(n);
        for (size_t i = 0; i < n; ++i) {
          LS_ASSIGN_OR_RETURN(AvroValue rec, records.Element(i));
          DeleteKey k;
          k.record_key = StringField(rec, "recordKey");
          k.partition_path = StringField(rec, "partitionPath");
          if (auto o = rec.Field("orderingVal"); o && !o->IsNull()) {
            LS_ASSIGN_OR_RETURN(AvroValue value, o->Required("value"));
            switch (value.type()) {
              case AVRO_BOOLEAN: {
                LS_ASSIGN_OR_RETURN(bool b, value.AsBool());
                k.ordering.v = b;
                break;
              }
              case AVRO_INT32:
              case AVRO_INT64: {
                LS_ASSIGN_OR_RETURN(int64_t x, value.AsInt64());
                k.ordering.v = x;
                break;
              }
              case AVRO_FLOAT:
              case AVRO_DOUBLE: {
                LS_ASSIGN_OR_RETURN(double d, value.AsDouble());
                k.ordering.v = d;
                break;
              }
              default: {
                LS_ASSIGN_OR_RETURN(std::string_view s, value.AsBytes());
                k.ordering.v = std::string(s);
              }
            }
          }
          out.push_back(std::move(k));
        }
        return Status::OK();
      }));
  return out;
}

LogBlockRole ClassifyLogBlock(const LogBlock& b, const std::set<std::string>& valid_instants,
                              std::string_view timeline_start) {
  LogBlockRole role;
  if (b.type == LogBlockType::kCorrupt || b.type == LogBlockType::kCdcData) return role;
  if (b.type == LogBlockType::kCommand) {
    const std::string* kind = b.Header(LogHeader::kCommandBlockType);
    const std::string* target = b.Header(LogHeader::kTargetInstantTime);
    if (kind != nullptr && *kind == "0" && target != nullptr) {
      role.kind = LogBlockRole::Kind::kRollback;
      role.rollback_target = *target;
    }
    return role;
  }
  std::string instant = b.InstantTime();
  bool valid = valid_instants.count(instant) > 0 || (!timeline_start.empty() && !instant.empty() &&
                                                     InstantBefore(instant, timeline_start));
  if (!valid) return role;  // an uncommitted, rolled back or later write
  role.kind = LogBlockRole::Kind::kData;
  role.instant = std::move(instant);
  if (const std::string* compacted = b.Header(LogHeader::kCompactedBlockTimes)) {
    size_t start = 0;
    while (start <= compacted->size()) {
      size_t comma = compacted->find(',', start);
      if (comma == std::string::npos) comma = compacted->size();
      role.replaces.insert(compacted->substr(start, comma - start));
      start = comma + 1;
    }
  }
  return role;
}

}  // namespace lakeshare::hudi
