#include "hudi/hudi_column_stats.h"

#include <avro.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "common/json_writer.h"
#include "hudi/hudi_avro.h"
#include "hudi/hudi_commit_metadata.h"
#include "hudi/hudi_log_format.h"
#include "iceberg/iceberg_schema.h"

namespace lakeshare::hudi {
namespace {

constexpr int64_t kColumnStatsType = 3;  // HoodieMetadataRecord.type of column stats

// Hudi's ValueType ordinals (HoodieValueTypeInfo.typeOrdinal) that lakeshare
// reads; 0 (V1) and an absent type mean "the wrapper says".
enum ValueTypeOrdinal : int64_t {
  kV1 = 0,
  kBoolean = 2,
  kInt = 3,
  kLong = 4,
  kFloat = 5,
  kDouble = 6,
  kString = 7,
  kDecimal = 10,
  kDate = 12,
  kTimestampMillis = 15,
  kTimestampMicros = 16,
  kLocalTimestampMillis = 18,
  kLocalTimestampMicros = 19,
};

struct Entry {
  std::string file;
  std::string column;
  std::optional<std::string> min, max;  // stats JSON values
  std::optional<int64_t> null_count, value_count;
};

struct Merged {
  Entry entry;
  bool live = false;       // false: a tombstone
  bool ambiguous = false;  // two live records (Hudi would add them up)
};

std::string LittleEndian(uint64_t v, size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// "precision,scale" of a DECIMAL value type.
bool DecimalInfoMatches(std::string_view info, const AvroType& column) {
  size_t comma = info.find(',');
  if (comma == std::string_view::npos) return false;
  int p = -1;
  int s = -1;
  auto a = std::from_chars(info.data(), info.data() + comma, p);
  auto b = std::from_chars(info.data() + comma + 1, info.data() + info.size(), s);
  return a.ec == std::errc() && a.ptr == info.data() + comma && b.ec == std::errc() &&
         b.ptr == info.data() + info.size() && p == column.precision && s == column.scale;
}

// The stats JSON of one wrapped min/max value of `column`, or nullopt when
// its type cannot be read exactly.
std::optional<std::string> StatValue(const AvroType& column, const AvroValue& wrapper,
                                     int64_t ordinal, std::string_view info) {
  std::optional<AvroValue> value = wrapper.Field("value");
  if (!value || value->IsNull()) return std::nullopt;
  const avro_type_t t = value->type();
  const bool v1 = ordinal == kV1;
  auto is = [&](int64_t want) { return v1 || ordinal == want; };
  iceberg::Type type;
  std::string bytes;
  auto int64_value = [&]() -> std::optional<int64_t> {
    auto v = value->AsInt64();
    if (!v.ok()) return std::nullopt;
    return *v;
  };
  const std::string& logical = column.logical;
  switch (column.kind) {
    case AvroType::Kind::kBoolean: {
      if (!logical.empty() || !is(kBoolean) || t != AVRO_BOOLEAN) return std::nullopt;
      auto b = value->AsBool();
      if (!b.ok()) return std::nullopt;
      type.id = iceberg::TypeId::kBoolean;
      bytes.assign(1, *b ? '\1' : '\0');
      break;
    }
    case AvroType::Kind::kInt: {
      if (t != AVRO_INT32) return std::nullopt;
      if (logical.empty() && is(kInt)) {
        type.id = iceberg::TypeId::kInt;
      } else if (logical == "date" && is(kDate)) {
        type.id = iceberg::TypeId::kDate;
      } else {
        return std::nullopt;
      }
      auto v = int64_value();
      if (!v) return std::nullopt;
      bytes = LittleEndian(static_cast<uint64_t>(*v), 4);
      break;
    }
    case AvroType::Kind::kLong: {
      if (t != AVRO_INT64) return std::nullopt;
      auto v = int64_value();
      if (!v) return std::nullopt;
      int64_t micros = *v;
      if (logical.empty() && is(kLong)) {
        type.id = iceberg::TypeId::kLong;
      } else if (logical == "timestamp-micros" && is(kTimestampMicros)) {
        type.id = iceberg::TypeId::kTimestampTz;
      } else if (logical == "local-timestamp-micros" && ordinal == kLocalTimestampMicros) {
        type.id = iceberg::TypeId::kTimestamp;
      } else if ((logical == "timestamp-millis" && ordinal == kTimestampMillis) ||
                 (logical == "local-timestamp-millis" && ordinal == kLocalTimestampMillis)) {
        // The value type says the value is in milliseconds.
        if (*v > std::numeric_limits<int64_t>::max() / 1000 ||
            *v < std::numeric_limits<int64_t>::min() / 1000) {
          return std::nullopt;
        }
        micros = *v * 1000;
        type.id = logical == "timestamp-millis" ? iceberg::TypeId::kTimestampTz
                                                : iceberg::TypeId::kTimestamp;
      } else {
        return std::nullopt;
      }
      bytes = LittleEndian(static_cast<uint64_t>(micros), 8);
      break;
    }
    case AvroType::Kind::kFloat:
    case AvroType::Kind::kDouble: {
      const bool is_float = column.kind == AvroType::Kind::kFloat;
      if (!logical.empty() || !is(is_float ? kFloat : kDouble) ||
          t != (is_float ? AVRO_FLOAT : AVRO_DOUBLE)) {
        return std::nullopt;
      }
      auto d = value->AsDouble();
      if (!d.ok()) return std::nullopt;
      if (is_float) {
        auto f = static_cast<float>(*d);
        uint32_t bits = 0;
        std::memcpy(&bits, &f, 4);
        type.id = iceberg::TypeId::kFloat;
        bytes = LittleEndian(bits, 4);
      } else {
        uint64_t bits = 0;
        std::memcpy(&bits, &*d, 8);
        type.id = iceberg::TypeId::kDouble;
        bytes = LittleEndian(bits, 8);
      }
      break;
    }
    case AvroType::Kind::kString: {
      if (!logical.empty() || !is(kString) || t != AVRO_STRING) return std::nullopt;
      auto s = value->AsString();
      if (!s.ok()) return std::nullopt;
      type.id = iceberg::TypeId::kString;
      bytes.assign(*s);
      break;
    }
    case AvroType::Kind::kBytes:
    case AvroType::Kind::kFixed: {
      // Decimals only, and only with the value type that names their scale.
      if (logical != "decimal" || ordinal != kDecimal || !DecimalInfoMatches(info, column) ||
          t != AVRO_BYTES) {
        return std::nullopt;
      }
      auto b = value->AsBytes();
      if (!b.ok() || b->empty() || b->size() > 16) return std::nullopt;
      type.id = iceberg::TypeId::kDecimal;
      type.precision = column.precision;
      type.scale = column.scale;
      bytes.assign(*b);
      break;
    }
    default:
      return std::nullopt;
  }
  return iceberg::BoundToStatsJson(type, bytes);
}

bool IsMetaField(std::string_view name) {
  const auto& meta = MetaFieldNames();
  return std::find(meta.begin(), meta.end(), name) != meta.end();
}

const AvroType& MetaFieldType() {
  static const AvroType* type = [] {
    auto* t = new AvroType();
    t->kind = AvroType::Kind::kString;
    return t;
  }();
  return *type;
}

// Decodes one HoodieMetadataRecord; nullopt for records of other types.
Result<std::optional<Entry>> DecodeEntry(const AvroValue& record, const AvroType& schema,
                                         bool* deleted) {
  *deleted = false;
  LS_ASSIGN_OR_RETURN(AvroValue type, record.Required("type"));
  LS_ASSIGN_OR_RETURN(int64_t t, type.AsInt64());
  if (t != kColumnStatsType) return std::optional<Entry>();
  std::optional<AvroValue> stats = record.Field("ColumnStatsMetadata");
  if (!stats || stats->IsNull()) return Status::Corruption("a column stats record without stats");
  if (auto d = stats->Field("isDeleted")) {
    LS_ASSIGN_OR_RETURN(bool is_deleted, d->AsBool());
    if (is_deleted) {
      *deleted = true;
      return std::optional<Entry>();
    }
  }
  Entry e;
  LS_ASSIGN_OR_RETURN(auto file, stats->OptionalString("fileName"));
  LS_ASSIGN_OR_RETURN(auto column, stats->OptionalString("columnName"));
  if (!file || !column) return Status::Corruption("a column stats record without file or column");
  e.file = std::move(*file);
  e.column = std::move(*column);
  LS_ASSIGN_OR_RETURN(e.null_count, stats->OptionalInt64("nullCount"));
  LS_ASSIGN_OR_RETURN(e.value_count, stats->OptionalInt64("valueCount"));
  int64_t ordinal = kV1;
  std::string info;
  if (auto vt = stats->Field("valueType"); vt && !vt->IsNull()) {
    LS_ASSIGN_OR_RETURN(AvroValue o, vt->Required("typeOrdinal"));
    LS_ASSIGN_OR_RETURN(ordinal, o.AsInt64());
    LS_ASSIGN_OR_RETURN(auto additional, vt->OptionalString("additionalInfo"));
    if (additional) info = std::move(*additional);
  }
  const AvroType* column_type = nullptr;
  if (const AvroType::Field* field = schema.FindField(e.column); field != nullptr && field->type) {
    column_type = &field->type->NonNull();
  } else if (IsMetaField(e.column)) {
    column_type = &MetaFieldType();  // in the files, not in the table schema
  }
  if (column_type != nullptr) {
    const AvroType& ct = *column_type;
    if (auto mn = stats->Field("minValue"); mn && !mn->IsNull()) {
      e.min = StatValue(ct, *mn, ordinal, info);
    }
    if (auto mx = stats->Field("maxValue"); mx && !mx->IsNull()) {
      e.max = StatValue(ct, *mx, ordinal, info);
    }
  }
  return std::optional<Entry>(std::move(e));
}

class Merger {
 public:
  explicit Merger(const ColumnStatsInputs& in) : in_(in) {}

  // The key/values of one HFile (a base file or a log's HFile data block),
  // with the schema of the block header when the file info has none. They
  // are decoded in batches of one schema (compiled once per batch), in order.
  Status AddHFile(std::string_view bytes, const std::string* header_schema,
                  const std::string& what) {
    LS_ASSIGN_OR_RETURN(HFileReader reader, HFileReader::Open(bytes, in_.limits.hfile));
    const std::string* schema = reader.FileInfo("schema");
    if (schema == nullptr) schema = header_schema;
    if (schema == nullptr) return Status::Corruption(what + ": no Avro schema");
    if (reader.entry_count() > in_.limits.max_records) {
      return Status::TooLarge(what + " holds more than " + std::to_string(in_.limits.max_records) +
                              " records");
    }
    if (*schema != batch_schema_ ||
        static_cast<int64_t>(batch_keys_.size()) + reader.entry_count() > in_.limits.max_records) {
      LS_RETURN_IF_ERROR(Flush());
      batch_schema_ = *schema;
    }
    batch_whats_.push_back(what);
    const auto file = static_cast<uint32_t>(batch_whats_.size() - 1);
    return reader.ForEach([&](std::string_view k, std::string_view v) {
      batch_keys_.emplace_back(k);
      batch_values_.emplace_back(v);
      batch_files_.push_back(file);
      return Status::OK();
    });
  }

  // Decodes and applies the records batched so far.
  Status Flush() {
    std::vector<std::string_view> views(batch_values_.begin(), batch_values_.end());
    size_t i = 0;
    Status st = Status::OK();
    if (!views.empty()) {
      st = DecodeAvroRecords(batch_schema_, views, batch_whats_.front(),
                             [&](const AvroValue& record) -> Status {
                               const std::string& key = batch_keys_[i];
                               const std::string& what = batch_whats_[batch_files_[i]];
                               ++i;
                               bool deleted = false;
                               auto entry = DecodeEntry(record, *in_.table_schema, &deleted);
                               if (!entry.ok()) return entry.status().WithContext(what);
                               if (deleted) return Tombstone(key);
                               if (!entry->has_value()) return Status::OK();
                               return Live(key, std::move(**entry));
                             });
    }
    batch_keys_.clear();
    batch_values_.clear();
    batch_files_.clear();
    batch_whats_.clear();
    return st;
  }

  Status Tombstone(const std::string& key) {
    LS_RETURN_IF_ERROR(Room(key));
    Merged& m = merged_[key];
    m = Merged();
    return Status::OK();
  }

  Status Live(const std::string& key, Entry e) {
    LS_RETURN_IF_ERROR(Room(key));
    auto [it, inserted] = merged_.try_emplace(key);
    if (!inserted && it->second.live) {
      it->second.ambiguous = true;
      return Status::OK();
    }
    it->second.entry = std::move(e);
    it->second.live = true;
    it->second.ambiguous = false;
    return Status::OK();
  }

  const std::unordered_map<std::string, Merged>& merged() const { return merged_; }

 private:
  Status Room(const std::string& key) {
    if (static_cast<int64_t>(merged_.size()) >= in_.limits.max_records && !merged_.count(key)) {
      return Status::TooLarge("the column stats index holds more than " +
                              std::to_string(in_.limits.max_records) + " records");
    }
    return Status::OK();
  }

  const ColumnStatsInputs& in_;
  std::unordered_map<std::string, Merged> merged_;
  std::string batch_schema_;
  std::vector<std::string> batch_keys_, batch_values_, batch_whats_;
  std::vector<uint32_t> batch_files_;  // index into batch_whats_ per record
};

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

}  // namespace

Result<ColumnStatsIndex> ColumnStatsIndex::Read(const ColumnStatsInputs& in) {
  if (!in.table_schema || in.table_schema->kind != AvroType::Kind::kRecord) {
    return Status::InvalidArgument("column stats need the table's record schema");
  }
  Merger merger(in);
  int64_t total = 0;
  auto read = [&](const IndexedFile& f, std::string* out) -> Status {
    const std::string what = "metadata table file " + f.path;
    auto bytes = in.storage->Read(in.storage->Join(in.metadata_root, f.path));
    if (!bytes.ok()) return bytes.status().WithContext(what);
    total += static_cast<int64_t>(bytes->size());
    if (total > in.limits.max_bytes) {
      return Status::TooLarge("the column stats index exceeds " +
                              std::to_string(in.limits.max_bytes) + " bytes");
    }
    *out = std::move(*bytes);
    return Status::OK();
  };
  for (const FileSlice& slice : in.slices) {
    if (slice.base != nullptr) {
      std::string bytes;
      LS_RETURN_IF_ERROR(read(*slice.base, &bytes));
      LS_RETURN_IF_ERROR(
          merger.AddHFile(bytes, nullptr, "metadata table file " + slice.base->path));
    }
    // The effective blocks of the slice's logs, in write order.
    struct Block {
      LogBlock block;
      std::string instant;
      std::string what;
    };
    std::vector<std::string> logs;
    std::vector<Block> blocks;
    for (const IndexedFile* log : slice.logs) {
      logs.emplace_back();
      LS_RETURN_IF_ERROR(read(*log, &logs.back()));
    }
    for (size_t i = 0; i < logs.size(); ++i) {
      const std::string what = "metadata table log " + slice.logs[i]->path;
      auto parsed = ParseLogBlocks(logs[i]);
      if (!parsed.ok()) return parsed.status().WithContext(what);
      for (LogBlock& b : *parsed) {
        LogBlockRole role = ClassifyLogBlock(b, *in.valid_instants, in.timeline_start);
        if (role.kind == LogBlockRole::Kind::kSkip) continue;
        auto drop = [&](auto pred) {
          blocks.erase(std::remove_if(blocks.begin(), blocks.end(), pred), blocks.end());
        };
        if (role.kind == LogBlockRole::Kind::kRollback) {
          drop([&](const Block& x) { return x.instant == role.rollback_target; });
          continue;
        }
        if (!role.replaces.empty()) {
          drop([&](const Block& x) { return role.replaces.count(x.instant) > 0; });
        }
        blocks.push_back({std::move(b), std::move(role.instant), what});
      }
    }
    for (const Block& b : blocks) {
      switch (b.block.type) {
        case LogBlockType::kHFileData:
          LS_RETURN_IF_ERROR(
              merger.AddHFile(b.block.content, b.block.Header(LogHeader::kSchema), b.what));
          break;
        case LogBlockType::kDelete: {
          LS_RETURN_IF_ERROR(merger.Flush());
          auto keys = DecodeDeleteBlock(b.block.content);
          if (!keys.ok()) return keys.status().WithContext(b.what);
          for (const DeleteKey& k : *keys) LS_RETURN_IF_ERROR(merger.Tombstone(k.record_key));
          break;
        }
        default:
          return Status::Unsupported(b.what + ": a metadata table log block of type " +
                                     std::to_string(static_cast<int>(b.block.type)));
      }
    }
  }

  LS_RETURN_IF_ERROR(merger.Flush());

  // Per file, its columns; a (file, column) with two keys or an ambiguous
  // record is left out.
  std::unordered_map<std::string, std::map<std::string, const Entry*>> by_file;
  std::set<std::pair<std::string, std::string>> bad;
  for (const auto& [key, m] : merger.merged()) {
    if (!m.live) continue;
    auto& columns = by_file[m.entry.file];
    auto pair = std::make_pair(m.entry.file, m.entry.column);
    if (m.ambiguous || !columns.emplace(m.entry.column, &m.entry).second) bad.insert(pair);
  }
  ColumnStatsIndex index;
  // Stats columns in the order of the Spark schema: the meta fields, then
  // the table schema's fields.
  std::vector<const std::string*> order;
  for (const std::string& m : MetaFieldNames()) {
    if (in.table_schema->FindField(m) == nullptr) order.push_back(&m);
  }
  for (const AvroType::Field& f : in.table_schema->fields) order.push_back(&f.name);
  for (auto& by : by_file) {
    const std::string& file = by.first;
    std::map<std::string, const Entry*>& columns = by.second;
    for (auto it = columns.begin(); it != columns.end();) {
      it = bad.count({file, it->first}) > 0 ? columns.erase(it) : std::next(it);
    }
    std::optional<int64_t> rows;
    bool agree = true;
    for (const auto& [name, e] : columns) {
      if (!e->value_count) continue;
      if (rows && *rows != *e->value_count) agree = false;
      rows = e->value_count;
    }
    if (!agree || !rows || *rows < 0) continue;
    // Columns in schema order; partition columns are not stats columns.
    std::string json = "{\"numRecords\":";
    AppendInt(&json, *rows);
    auto section = [&](std::string_view name, auto&& value_of) {
      const size_t mark = json.size();
      json.append(",\"").append(name).append("\":{");
      bool any = false;
      for (const std::string* name : order) {
        if (in.excluded_columns.count(*name) > 0) continue;
        auto c = columns.find(*name);
        if (c == columns.end()) continue;
        const std::string* v = value_of(*c->second);
        if (v == nullptr) continue;
        if (any) json.push_back(',');
        AppendJsonString(&json, *name);
        json.push_back(':');
        json.append(*v);
        any = true;
      }
      if (any) {
        json.push_back('}');
      } else {
        json.resize(mark);
      }
    };
    section("minValues", [](const Entry& e) { return e.min ? &*e.min : nullptr; });
    section("maxValues", [](const Entry& e) { return e.max ? &*e.max : nullptr; });
    std::map<std::string, std::string> nulls;
    for (const auto& [name, e] : columns) {
      if (e->null_count && *e->null_count >= 0 && *e->null_count <= *rows) {
        std::string n;
        AppendInt(&n, *e->null_count);
        nulls.emplace(name, std::move(n));
      }
    }
    section("nullCount", [&](const Entry& e) -> const std::string* {
      auto n = nulls.find(e.column);
      return n == nulls.end() ? nullptr : &n->second;
    });
    json.push_back('}');
    index.stats_.emplace(file, FileStatsText{*rows, std::move(json)});
  }
  return index;
}

std::optional<std::string> ColumnStatsIndex::StatsJson(std::string_view file_name,
                                                       int64_t expected_rows) const {
  auto it = stats_.find(std::string(file_name));
  if (it == stats_.end()) return std::nullopt;
  if (expected_rows > 0 && it->second.rows != expected_rows) return std::nullopt;
  return it->second.json;
}

}  // namespace lakeshare::hudi
