#include "parquet/thrift_compact.h"

#include <cstring>

namespace lakeshare::parquet {
namespace {

Status Corrupt(std::string_view what) {
  return Status::Corruption("thrift compact: " + std::string(what));
}

// The smallest encoding of one container element of `type`, used to reject
// element counts that cannot fit in the remaining bytes.
size_t MinElementSize(CType type) {
  switch (type) {
    case CType::kDouble:
      return 8;
    case CType::kUuid:
      return 16;
    default:
      return 1;
  }
}

bool IsValidElementType(uint8_t t) { return t >= 1 && t <= 13; }

}  // namespace

// ----------------------------------------------------------------- writer

void CompactWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void CompactWriter::StructBegin() { last_field_ids_.push_back(0); }

void CompactWriter::StructEnd() {
  out_->push_back(0);
  last_field_ids_.pop_back();
}

void CompactWriter::FieldHeader(int16_t id, CType type) {
  int16_t& last = last_field_ids_.back();
  int delta = static_cast<int>(id) - static_cast<int>(last);
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    Varint(ZigZagEncode64(id));
  }
  last = id;
}

void CompactWriter::BoolField(int16_t id, bool v) {
  FieldHeader(id, v ? CType::kBoolTrue : CType::kBoolFalse);
}
void CompactWriter::I8Field(int16_t id, int8_t v) {
  FieldHeader(id, CType::kByte);
  I8(v);
}
void CompactWriter::I16Field(int16_t id, int16_t v) {
  FieldHeader(id, CType::kI16);
  I16(v);
}
void CompactWriter::I32Field(int16_t id, int32_t v) {
  FieldHeader(id, CType::kI32);
  I32(v);
}
void CompactWriter::I64Field(int16_t id, int64_t v) {
  FieldHeader(id, CType::kI64);
  I64(v);
}
void CompactWriter::DoubleField(int16_t id, double v) {
  FieldHeader(id, CType::kDouble);
  Double(v);
}
void CompactWriter::BinaryField(int16_t id, std::string_view v) {
  FieldHeader(id, CType::kBinary);
  Binary(v);
}
void CompactWriter::ListField(int16_t id, CType elem, uint32_t size) {
  FieldHeader(id, CType::kList);
  ListBegin(elem, size);
}
void CompactWriter::StructField(int16_t id) {
  FieldHeader(id, CType::kStruct);
  StructBegin();
}

void CompactWriter::ListBegin(CType elem, uint32_t size) {
  // A bool element type is always written as kBoolTrue (the reference
  // implementation does the same; readers accept either).
  uint8_t t = static_cast<uint8_t>(elem == CType::kBoolFalse ? CType::kBoolTrue : elem);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | t));
  } else {
    out_->push_back(static_cast<char>(0xf0 | t));
    Varint(size);
  }
}
void CompactWriter::SetBegin(CType elem, uint32_t size) { ListBegin(elem, size); }
void CompactWriter::MapBegin(CType key, CType value, uint32_t size) {
  Varint(size);
  if (size > 0) {
    out_->push_back(
        static_cast<char>((static_cast<uint8_t>(key) << 4) | static_cast<uint8_t>(value)));
  }
}

void CompactWriter::Bool(bool v) {
  out_->push_back(static_cast<char>(v ? CType::kBoolTrue : CType::kBoolFalse));
}
void CompactWriter::I8(int8_t v) { out_->push_back(static_cast<char>(v)); }
void CompactWriter::I16(int16_t v) { Varint(ZigZagEncode64(v)); }
void CompactWriter::I32(int32_t v) { Varint(ZigZagEncode64(v)); }
void CompactWriter::I64(int64_t v) { Varint(ZigZagEncode64(v)); }
void CompactWriter::Double(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  for (int i = 0; i < 8; ++i) out_->push_back(static_cast<char>(bits >> (8 * i)));
}
void CompactWriter::Binary(std::string_view v) {
  Varint(v.size());
  out_->append(v);
}
void CompactWriter::Uuid(std::string_view sixteen_bytes) {
  std::string_view v = sixteen_bytes.substr(0, 16);
  out_->append(v);
  out_->append(16 - v.size(), '\0');
}

// ----------------------------------------------------------------- reader

Status CompactReader::ReadByteRaw(uint8_t* b) {
  if (pos_ >= data_.size()) return Corrupt("unexpected end of input");
  *b = static_cast<uint8_t>(data_[pos_++]);
  return Status::OK();
}

Status CompactReader::ReadVarint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    uint8_t b = 0;
    LS_RETURN_IF_ERROR(ReadByteRaw(&b));
    // The 10th byte may only carry the 64th bit.
    if (shift == 63 && (b & 0x7e) != 0) return Corrupt("varint overflows 64 bits");
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return Status::OK();
    }
  }
  return Corrupt("varint longer than 10 bytes");
}

Status CompactReader::ReadVarint32(uint32_t* v) {
  uint64_t wide;
  LS_RETURN_IF_ERROR(ReadVarint(&wide));
  if (wide > UINT32_MAX) return Corrupt("varint overflows 32 bits");
  *v = static_cast<uint32_t>(wide);
  return Status::OK();
}

Status CompactReader::StructBegin() {
  if (depth_ >= max_depth_) return Corrupt("nesting too deep");
  ++depth_;
  last_field_ids_.push_back(0);
  return Status::OK();
}

void CompactReader::StructEnd() {
  if (!last_field_ids_.empty()) last_field_ids_.pop_back();
  if (depth_ > 0) --depth_;
}

Status CompactReader::ContainerEnter() {
  if (depth_ >= max_depth_) return Corrupt("nesting too deep");
  ++depth_;
  return Status::OK();
}

void CompactReader::ContainerLeave() {
  if (depth_ > 0) --depth_;
}

Status CompactReader::ReadFieldHeader(FieldHeader* h) {
  if (last_field_ids_.empty()) return Corrupt("field header outside a struct");
  uint8_t b = 0;
  LS_RETURN_IF_ERROR(ReadByteRaw(&b));
  uint8_t type = b & 0x0f;
  if (type == 0) {
    if (b != 0) return Corrupt("malformed stop byte");
    h->type = CType::kStop;
    h->id = 0;
    return Status::OK();
  }
  if (!IsValidElementType(type)) return Corrupt("unknown field type " + std::to_string(type));
  int16_t& last = last_field_ids_.back();
  int delta = b >> 4;
  int32_t id;
  if (delta != 0) {
    id = static_cast<int32_t>(last) + delta;
  } else {
    uint64_t raw;
    LS_RETURN_IF_ERROR(ReadVarint(&raw));
    int64_t wide = ZigZagDecode64(raw);
    if (wide < INT16_MIN || wide > INT16_MAX) return Corrupt("field id out of range");
    id = static_cast<int32_t>(wide);
  }
  if (id > INT16_MAX) return Corrupt("field id out of range");
  h->id = static_cast<int16_t>(id);
  h->type = static_cast<CType>(type);
  last = h->id;
  return Status::OK();
}

Status CompactReader::ReadListHeader(ContainerHeader* h) {
  uint8_t b = 0;
  LS_RETURN_IF_ERROR(ReadByteRaw(&b));
  uint8_t type = b & 0x0f;
  if (!IsValidElementType(type)) return Corrupt("unknown list element type");
  uint32_t size = b >> 4;
  if (size == 15) {
    LS_RETURN_IF_ERROR(ReadVarint32(&size));
    if (size > INT32_MAX) return Corrupt("negative list size");
  }
  CType elem = static_cast<CType>(type == 2 ? 1 : type);
  if (static_cast<uint64_t>(size) * MinElementSize(elem) > remaining()) {
    return Corrupt("list size " + std::to_string(size) + " exceeds the remaining input");
  }
  h->elem = elem;
  h->value = CType::kStop;
  h->size = size;
  return Status::OK();
}

Status CompactReader::ReadMapHeader(ContainerHeader* h) {
  uint32_t size;
  LS_RETURN_IF_ERROR(ReadVarint32(&size));
  if (size > INT32_MAX) return Corrupt("negative map size");
  h->size = size;
  h->elem = h->value = CType::kStop;
  if (size == 0) return Status::OK();
  uint8_t b = 0;
  LS_RETURN_IF_ERROR(ReadByteRaw(&b));
  uint8_t k = b >> 4, v = b & 0x0f;
  if (!IsValidElementType(k) || !IsValidElementType(v)) return Corrupt("unknown map types");
  h->elem = static_cast<CType>(k == 2 ? 1 : k);
  h->value = static_cast<CType>(v == 2 ? 1 : v);
  if (static_cast<uint64_t>(size) * (MinElementSize(h->elem) + MinElementSize(h->value)) >
      remaining()) {
    return Corrupt("map size exceeds the remaining input");
  }
  return Status::OK();
}

Status CompactReader::ReadBool(bool* v) {
  uint8_t b = 0;
  LS_RETURN_IF_ERROR(ReadByteRaw(&b));
  // 1 is true and 2 false; some writers use 0 for false.
  if (b > 2) return Corrupt("invalid bool element");
  *v = b == 1;
  return Status::OK();
}

Status CompactReader::ReadI8(int8_t* v) {
  uint8_t b = 0;
  LS_RETURN_IF_ERROR(ReadByteRaw(&b));
  *v = static_cast<int8_t>(b);
  return Status::OK();
}

Status CompactReader::ReadI16(int16_t* v) {
  uint64_t raw;
  LS_RETURN_IF_ERROR(ReadVarint(&raw));
  int64_t wide = ZigZagDecode64(raw);
  if (wide < INT16_MIN || wide > INT16_MAX) return Corrupt("i16 out of range");
  *v = static_cast<int16_t>(wide);
  return Status::OK();
}

Status CompactReader::ReadI32(int32_t* v) {
  uint64_t raw;
  LS_RETURN_IF_ERROR(ReadVarint(&raw));
  int64_t wide = ZigZagDecode64(raw);
  if (wide < INT32_MIN || wide > INT32_MAX) return Corrupt("i32 out of range");
  *v = static_cast<int32_t>(wide);
  return Status::OK();
}

Status CompactReader::ReadI64(int64_t* v) {
  uint64_t raw;
  LS_RETURN_IF_ERROR(ReadVarint(&raw));
  *v = ZigZagDecode64(raw);
  return Status::OK();
}

Status CompactReader::ReadDouble(double* v) {
  if (remaining() < 8) return Corrupt("unexpected end of input in double");
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) {
    bits |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += 8;
  std::memcpy(v, &bits, 8);
  return Status::OK();
}

Status CompactReader::ReadBinaryView(std::string_view* v) {
  uint32_t len;
  LS_RETURN_IF_ERROR(ReadVarint32(&len));
  if (len > remaining()) return Corrupt("binary length exceeds the remaining input");
  *v = data_.substr(pos_, len);
  pos_ += len;
  return Status::OK();
}

Status CompactReader::ReadBinary(std::string* v) {
  std::string_view view;
  LS_RETURN_IF_ERROR(ReadBinaryView(&view));
  v->assign(view);
  return Status::OK();
}

Status CompactReader::ReadUuid(std::string* v) {
  if (remaining() < 16) return Corrupt("unexpected end of input in uuid");
  v->assign(data_.substr(pos_, 16));
  pos_ += 16;
  return Status::OK();
}

Status CompactReader::SkipField(const FieldHeader& h) { return Skip(h.type, true); }
Status CompactReader::SkipElement(CType type) { return Skip(type, false); }

Status CompactReader::Skip(CType type, bool in_field) {
  switch (type) {
    case CType::kBoolTrue:
    case CType::kBoolFalse: {
      if (in_field) return Status::OK();  // the value was in the field header
      bool unused;
      return ReadBool(&unused);
    }
    case CType::kByte: {
      uint8_t unused;
      return ReadByteRaw(&unused);
    }
    case CType::kI16:
    case CType::kI32:
    case CType::kI64: {
      uint64_t unused;
      return ReadVarint(&unused);
    }
    case CType::kDouble: {
      double unused;
      return ReadDouble(&unused);
    }
    case CType::kBinary: {
      std::string_view unused;
      return ReadBinaryView(&unused);
    }
    case CType::kUuid: {
      if (remaining() < 16) return Corrupt("unexpected end of input in uuid");
      pos_ += 16;
      return Status::OK();
    }
    case CType::kList:
    case CType::kSet: {
      ContainerHeader h;
      LS_RETURN_IF_ERROR(ReadListHeader(&h));
      LS_RETURN_IF_ERROR(ContainerEnter());
      for (uint32_t i = 0; i < h.size; ++i) LS_RETURN_IF_ERROR(Skip(h.elem, false));
      ContainerLeave();
      return Status::OK();
    }
    case CType::kMap: {
      ContainerHeader h;
      LS_RETURN_IF_ERROR(ReadMapHeader(&h));
      LS_RETURN_IF_ERROR(ContainerEnter());
      for (uint32_t i = 0; i < h.size; ++i) {
        LS_RETURN_IF_ERROR(Skip(h.elem, false));
        LS_RETURN_IF_ERROR(Skip(h.value, false));
      }
      ContainerLeave();
      return Status::OK();
    }
    case CType::kStruct: {
      LS_RETURN_IF_ERROR(StructBegin());
      while (true) {
        FieldHeader f;
        LS_RETURN_IF_ERROR(ReadFieldHeader(&f));
        if (f.type == CType::kStop) break;
        LS_RETURN_IF_ERROR(Skip(f.type, true));
      }
      StructEnd();
      return Status::OK();
    }
    case CType::kStop:
      break;
  }
  return Corrupt("cannot skip a value of type " + std::to_string(static_cast<int>(type)));
}

}  // namespace lakeshare::parquet
