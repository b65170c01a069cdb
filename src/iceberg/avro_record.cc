#include "iceberg/avro_record.h"

#include <algorithm>
#include <cstring>

namespace lakeshare::iceberg {
namespace {

bool LittleEndianBits(AvroCursor& c, size_t n, uint64_t* bits) {
  std::string_view b;
  if (!c.ReadFixed(n, &b)) return false;
  uint64_t v = 0;
  for (size_t k = 0; k < n; ++k) v |= static_cast<uint64_t>(static_cast<uint8_t>(b[k])) << (8 * k);
  *bits = v;
  return true;
}

}  // namespace

AvroDecodedRecord::AvroDecodedRecord(int64_t max_values)
    : max_values_(std::clamp<int64_t>(max_values, 1, int64_t{UINT32_MAX})) {}

void AvroDecodedRecord::Compile(avro_schema_t root) {
  std::map<avro_schema_t, uint32_t> memo;
  root_ = CompileNode(root, &memo);
}

uint32_t AvroDecodedRecord::CompileNode(avro_schema_t s, std::map<avro_schema_t, uint32_t>* memo) {
  while (avro_typeof(s) == AVRO_LINK) s = avro_schema_link_target(s);
  if (auto it = memo->find(s); it != memo->end()) return it->second;
  SchemaNode node;
  node.type = avro_typeof(s);
  std::vector<uint32_t> children;
  std::vector<std::string> names;
  switch (node.type) {
    case AVRO_FIXED:
      node.size = avro_schema_fixed_size(s);
      break;
    case AVRO_ENUM:
      node.size = avro_schema_enum_number_of_symbols(s);
      break;
    case AVRO_RECORD:
      for (size_t i = 0; i < avro_schema_record_size(s); ++i) {
        children.push_back(
            CompileNode(avro_schema_record_field_get_by_index(s, static_cast<int>(i)), memo));
        const char* name = avro_schema_record_field_name(s, static_cast<int>(i));
        names.emplace_back(name != nullptr ? name : "");
      }
      break;
    case AVRO_UNION:
      for (size_t i = 0; i < avro_schema_union_size(s); ++i) {
        children.push_back(CompileNode(avro_schema_union_branch(s, static_cast<int>(i)), memo));
      }
      break;
    case AVRO_ARRAY:
      children.push_back(CompileNode(avro_schema_array_items(s), memo));
      break;
    case AVRO_MAP:
      children.push_back(CompileNode(avro_schema_map_values(s), memo));
      break;
    default:
      break;
  }
  node.first = static_cast<uint32_t>(edges_.size());
  node.count = static_cast<uint32_t>(children.size());
  edges_.insert(edges_.end(), children.begin(), children.end());
  names.resize(children.size());
  for (auto& n : names) names_.push_back(std::move(n));
  schema_.push_back(node);
  uint32_t index = static_cast<uint32_t>(schema_.size() - 1);
  (*memo)[s] = index;
  return index;
}

bool AvroDecodedRecord::Grow(uint64_t n, uint32_t* base) {
  if (n > static_cast<uint64_t>(max_values_) ||
      values_.size() > static_cast<uint64_t>(max_values_) - n) {
    return false;
  }
  *base = static_cast<uint32_t>(values_.size());
  values_.resize(values_.size() + n);
  return true;
}

AvroDecodedRecord::Outcome AvroDecodedRecord::DecodeInto(AvroCursor& c, uint32_t slot,
                                                         uint32_t schema) {
  const SchemaNode& sn = schema_[schema];
  Value v;
  v.type = sn.type;
  v.schema = schema;
  switch (sn.type) {
    case AVRO_NULL:
      break;
    case AVRO_BOOLEAN: {
      std::string_view b;
      if (!c.ReadFixed(1, &b)) return Outcome::kMalformed;
      v.i = b[0] != 0 ? 1 : 0;
      break;
    }
    case AVRO_INT32:
      if (!c.ReadLong(&v.i) || v.i < INT32_MIN || v.i > INT32_MAX) return Outcome::kMalformed;
      break;
    case AVRO_INT64:
      if (!c.ReadLong(&v.i)) return Outcome::kMalformed;
      break;
    case AVRO_FLOAT: {
      uint64_t bits = 0;
      if (!LittleEndianBits(c, 4, &bits)) return Outcome::kMalformed;
      float f = 0;
      uint32_t b32 = static_cast<uint32_t>(bits);
      std::memcpy(&f, &b32, 4);
      v.d = f;
      break;
    }
    case AVRO_DOUBLE: {
      uint64_t bits = 0;
      if (!LittleEndianBits(c, 8, &bits)) return Outcome::kMalformed;
      std::memcpy(&v.d, &bits, 8);
      break;
    }
    case AVRO_STRING:
    case AVRO_BYTES:
      if (!c.ReadBytes(&v.bytes)) return Outcome::kMalformed;
      break;
    case AVRO_FIXED:
      if (!c.ReadFixed(static_cast<size_t>(sn.size), &v.bytes)) return Outcome::kMalformed;
      break;
    case AVRO_ENUM:
      if (!c.ReadLong(&v.i) || v.i < 0 || v.i >= sn.size) return Outcome::kMalformed;
      break;
    case AVRO_UNION: {
      int64_t branch = 0;
      if (!c.ReadLong(&branch) || branch < 0 || branch >= sn.count) return Outcome::kMalformed;
      return DecodeInto(c, slot, edges_[sn.first + static_cast<uint32_t>(branch)]);
    }
    case AVRO_RECORD: {
      uint32_t base = 0;
      if (!Grow(sn.count, &base)) return Outcome::kTooLarge;
      for (uint32_t k = 0; k < sn.count; ++k) {
        Outcome o = DecodeInto(c, base + k, edges_[sn.first + k]);
        if (o != Outcome::kOk) return o;
      }
      v.first = base;
      v.count = sn.count;
      break;
    }
    case AVRO_ARRAY:
    case AVRO_MAP: {
      const bool map = sn.type == AVRO_MAP;
      const uint32_t items = edges_[sn.first];
      std::vector<std::pair<uint32_t, uint32_t>> blocks;  // (base, count)
      uint64_t total = 0;
      while (true) {
        int64_t count = 0;
        if (!c.ReadLong(&count)) return Outcome::kMalformed;
        if (count == 0) break;
        if (count < 0) {
          int64_t bytes = 0;
          if (count == INT64_MIN || !c.ReadLong(&bytes) || bytes < 0) return Outcome::kMalformed;
          count = -count;
        }
        // Items take at least a byte (checked on the schema).
        if (static_cast<uint64_t>(count) > c.remaining()) return Outcome::kMalformed;
        uint32_t base = 0;
        if (!Grow(static_cast<uint64_t>(count), &base)) return Outcome::kTooLarge;
        for (int64_t k = 0; k < count; ++k) {
          std::string_view key;
          if (map && !c.ReadBytes(&key)) return Outcome::kMalformed;
          const uint32_t at = base + static_cast<uint32_t>(k);
          Outcome o = DecodeInto(c, at, items);
          if (o != Outcome::kOk) return o;
          values_[at].key = key;
        }
        blocks.emplace_back(base, static_cast<uint32_t>(count));
        total += static_cast<uint64_t>(count);
      }
      if (blocks.size() == 1) {
        v.first = blocks[0].first;
      } else if (blocks.size() > 1) {
        // Items of later blocks follow their predecessors' children: copy
        // the item values together (their own children stay put).
        uint32_t base = 0;
        if (!Grow(total, &base)) return Outcome::kTooLarge;
        uint32_t at = base;
        for (auto [b, n] : blocks) {
          for (uint32_t k = 0; k < n; ++k) values_[at++] = values_[b + k];
        }
        v.first = base;
      }
      v.count = static_cast<uint32_t>(total);
      break;
    }
    default:
      return Outcome::kMalformed;
  }
  values_[slot] = v;
  return Outcome::kOk;
}

// ------------------------------------------------------------------ AvroValue

avro_type_t AvroValue::type() const { return record_->value(node_).type; }

std::optional<AvroValue> AvroValue::Field(std::string_view name) const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_RECORD) return std::nullopt;
  int k = record_->FindField(v, name);
  if (k < 0) return std::nullopt;
  return AvroValue(record_, v.first + static_cast<uint32_t>(k));
}

Result<AvroValue> AvroValue::Required(std::string_view name) const {
  auto f = Field(name);
  if (!f || f->IsNull()) return Status::Corruption("missing field '" + std::string(name) + "'");
  return *f;
}

Result<int64_t> AvroValue::AsInt64() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_INT32 && v.type != AVRO_INT64) {
    return Status::Corruption("expected an int or long");
  }
  return v.i;
}

Result<bool> AvroValue::AsBool() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_BOOLEAN) return Status::Corruption("expected a boolean");
  return v.i != 0;
}

Result<double> AvroValue::AsDouble() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_FLOAT && v.type != AVRO_DOUBLE) {
    return Status::Corruption("expected a float or double");
  }
  return v.d;
}

Result<std::string_view> AvroValue::AsBytes() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_BYTES && v.type != AVRO_FIXED && v.type != AVRO_STRING) {
    return Status::Corruption("expected bytes");
  }
  return v.bytes;
}

Result<std::string_view> AvroValue::AsString() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_STRING) return Status::Corruption("expected a string");
  return v.bytes;
}

Result<size_t> AvroValue::Size() const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_ARRAY && v.type != AVRO_MAP && v.type != AVRO_RECORD) {
    return Status::Corruption("expected an array, map or record");
  }
  return size_t{v.count};
}

Result<AvroValue> AvroValue::Element(size_t i) const {
  const auto& v = record_->value(node_);
  if ((v.type != AVRO_ARRAY && v.type != AVRO_MAP && v.type != AVRO_RECORD) || i >= v.count) {
    return Status::Corruption("element " + std::to_string(i) + " out of range");
  }
  return AvroValue(record_, v.first + static_cast<uint32_t>(i));
}

Result<std::pair<std::string, AvroValue>> AvroValue::MapEntry(size_t i) const {
  const auto& v = record_->value(node_);
  if (v.type != AVRO_MAP) return Status::Corruption("expected a map");
  if (i >= v.count) return Status::Corruption("map entry " + std::to_string(i) + " out of range");
  const uint32_t at = v.first + static_cast<uint32_t>(i);
  return std::make_pair(std::string(record_->value(at).key), AvroValue(record_, at));
}

Result<std::optional<int64_t>> AvroValue::OptionalInt64(std::string_view name) const {
  auto f = Field(name);
  if (!f || f->IsNull()) return std::optional<int64_t>();
  auto v = f->AsInt64();
  if (!v.ok()) return v.status().WithContext(std::string(name));
  return std::optional<int64_t>(*v);
}

Result<std::optional<std::string>> AvroValue::OptionalString(std::string_view name) const {
  auto f = Field(name);
  if (!f || f->IsNull()) return std::optional<std::string>();
  auto v = f->AsString();
  if (!v.ok()) return v.status().WithContext(std::string(name));
  return std::optional<std::string>(std::string(*v));
}

}  // namespace lakeshare::iceberg
