#include "parquet/value_decoders.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "parquet/bit_unpacking.h"
#include "parquet/delta_encodings.h"

namespace lakeshare::parquet {

static_assert(std::endian::native == std::endian::little,
              "PLAIN decoding copies little-endian values as they are in memory");

namespace {

Status Corrupt(std::string_view what) {
  return Status::Corruption("parquet values: " + std::string(what));
}

// The hybrid decoder proper, writing any integer type.
template <typename T>
Status DecodeHybridImpl(std::string_view data, int bit_width, uint32_t max_value, size_t count,
                        T* out) {
  if (bit_width < 0 || bit_width > 32) return Corrupt("hybrid bit width out of range");
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  size_t pos = 0;
  size_t done = 0;
  if constexpr (sizeof(T) < sizeof(uint32_t)) {
    if (bit_width > 15) return Corrupt("level bit width out of range");
  }
  const size_t value_bytes = static_cast<size_t>((bit_width + 7) / 8);
  const uint32_t full_mask = bit_width == 32 ? UINT32_MAX : (uint32_t{1} << bit_width) - 1;
  while (done < count) {
    uint64_t header;
    if (!ReadUleb(data, &pos, &header)) return Corrupt("truncated or bad hybrid run header");
    if (header & 1) {
      uint64_t groups = header >> 1;
      if (groups == 0) continue;
      size_t remaining = data.size() - pos;
      uint64_t run_values;
      size_t run_bytes;
      if (bit_width == 0) {
        run_values = std::min<uint64_t>(groups, uint64_t{1} << 58) * 8;
        run_bytes = 0;
      } else if (groups <= remaining / static_cast<size_t>(bit_width)) {
        run_values = groups * 8;
        run_bytes = static_cast<size_t>(groups) * static_cast<size_t>(bit_width);
      } else {
        // Some writers cut the last bit-packed run short; decode what is there.
        run_values = static_cast<uint64_t>(remaining) * 8 / static_cast<uint64_t>(bit_width);
        run_bytes = remaining;
      }
      if (run_values == 0) return Corrupt("bit-packed run beyond the data");
      size_t n = static_cast<size_t>(std::min<uint64_t>(run_values, count - done));
      UnpackBits(bytes + pos, remaining, bit_width, n, out + done);
      if (max_value < full_mask) {
        for (size_t i = 0; i < n; ++i) {
          if (static_cast<uint32_t>(out[done + i]) > max_value) {
            return Corrupt("value above its maximum");
          }
        }
      }
      done += n;
      pos += run_bytes;
    } else {
      uint64_t run = header >> 1;
      if (data.size() - pos < value_bytes) return Corrupt("truncated hybrid run value");
      uint32_t value = 0;
      for (size_t b = 0; b < value_bytes; ++b)
        value |= static_cast<uint32_t>(bytes[pos + b]) << (8 * b);
      pos += value_bytes;
      if (value > max_value) return Corrupt("value above its maximum");
      size_t n = static_cast<size_t>(std::min<uint64_t>(run, count - done));
      std::fill(out + done, out + done + n, static_cast<T>(value));
      done += n;
    }
  }
  return Status::OK();
}

template <typename T>
std::vector<T>& Vec(ColumnBatch* b);
template <>
std::vector<uint8_t>& Vec(ColumnBatch* b) {
  return b->bools;
}
template <>
std::vector<int32_t>& Vec(ColumnBatch* b) {
  return b->int32s;
}
template <>
std::vector<int64_t>& Vec(ColumnBatch* b) {
  return b->int64s;
}
template <>
std::vector<Int96>& Vec(ColumnBatch* b) {
  return b->int96s;
}
template <>
std::vector<float>& Vec(ColumnBatch* b) {
  return b->floats;
}
template <>
std::vector<double>& Vec(ColumnBatch* b) {
  return b->doubles;
}
template <>
std::vector<std::string_view>& Vec(ColumnBatch* b) {
  return b->binaries;
}

template <typename T>
const std::vector<T>& CVec(const ColumnBatch* b) {
  return Vec<T>(const_cast<ColumnBatch*>(b));
}

// Fixed-width PLAIN values: a straight copy.
template <typename T>
Status DecodePlainFixed(std::string_view data, size_t count, ColumnBatch* out) {
  if (count > data.size() / sizeof(T)) return Corrupt("PLAIN values truncated");
  std::vector<T>& v = Vec<T>(out);
  size_t at = v.size();
  v.resize(at + count);
  if (count > 0) std::memcpy(v.data() + at, data.data(), count * sizeof(T));
  return Status::OK();
}

Status DecodePlainBool(std::string_view data, size_t count, ColumnBatch* out) {
  if (count > data.size() * 8) return Corrupt("PLAIN booleans truncated");
  std::vector<uint8_t>& v = out->bools;
  size_t at = v.size();
  v.resize(at + count);
  const auto* in = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t i = 0; i < count; ++i) v[at + i] = (in[i >> 3] >> (i & 7)) & 1;
  return Status::OK();
}

Status DecodePlainByteArray(std::string_view data, size_t count, ColumnBatch* out) {
  // Each value takes at least its 4-byte length.
  if (count > data.size() / 4) return Corrupt("PLAIN byte arrays truncated");
  std::vector<std::string_view>& v = out->binaries;
  ReserveMore(&v, count);
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    if (data.size() - pos < 4) return Corrupt("PLAIN byte array length truncated");
    uint32_t len;
    std::memcpy(&len, data.data() + pos, 4);
    pos += 4;
    if (len > data.size() - pos) return Corrupt("PLAIN byte array beyond the page");
    v.emplace_back(data.data() + pos, len);
    pos += len;
  }
  return Status::OK();
}

Status DecodePlainFixedLen(std::string_view data, size_t count, int32_t width, ColumnBatch* out) {
  if (width <= 0) return Corrupt("bad FIXED_LEN_BYTE_ARRAY width");
  if (count > data.size() / static_cast<size_t>(width)) {
    return Corrupt("PLAIN fixed-length values truncated");
  }
  std::vector<std::string_view>& v = out->binaries;
  ReserveMore(&v, count);
  for (size_t i = 0; i < count; ++i) {
    v.emplace_back(data.data() + i * static_cast<size_t>(width), static_cast<size_t>(width));
  }
  return Status::OK();
}

Status DecodePlain(const ValueContext& ctx, std::string_view data, size_t count, ColumnBatch* out) {
  switch (ctx.type) {
    case Type::kBoolean:
      return DecodePlainBool(data, count, out);
    case Type::kInt32:
      return DecodePlainFixed<int32_t>(data, count, out);
    case Type::kInt64:
      return DecodePlainFixed<int64_t>(data, count, out);
    case Type::kInt96:
      return DecodePlainFixed<Int96>(data, count, out);
    case Type::kFloat:
      return DecodePlainFixed<float>(data, count, out);
    case Type::kDouble:
      return DecodePlainFixed<double>(data, count, out);
    case Type::kByteArray:
      return DecodePlainByteArray(data, count, out);
    case Type::kFixedLenByteArray:
      return DecodePlainFixedLen(data, count, ctx.type_length, out);
  }
  return Corrupt("unknown physical type");
}

template <typename T>
Status GatherDictionary(const std::vector<uint32_t>& indices, const ColumnBatch& dict,
                        ColumnBatch* out) {
  const std::vector<T>& d = CVec<T>(&dict);
  std::vector<T>& v = Vec<T>(out);
  size_t at = v.size();
  v.resize(at + indices.size());
  T* dst = v.data() + at;
  // Indices were bounded by the dictionary size while decoding.
  for (size_t i = 0; i < indices.size(); ++i) dst[i] = d[indices[i]];
  return Status::OK();
}

size_t DictionarySize(Type type, const ColumnBatch& dict) {
  switch (type) {
    case Type::kBoolean:
      return dict.bools.size();
    case Type::kInt32:
      return dict.int32s.size();
    case Type::kInt64:
      return dict.int64s.size();
    case Type::kInt96:
      return dict.int96s.size();
    case Type::kFloat:
      return dict.floats.size();
    case Type::kDouble:
      return dict.doubles.size();
    default:
      return dict.binaries.size();
  }
}

Status DecodeDictionary(const ValueContext& ctx, std::string_view data, size_t count,
                        const ColumnBatch* dict, ColumnBatch* out) {
  if (count == 0) return Status::OK();
  if (dict == nullptr) return Corrupt("dictionary-encoded page without a dictionary page");
  if (data.empty()) return Corrupt("dictionary indices missing");
  int width = static_cast<uint8_t>(data[0]);
  if (width > 32) return Corrupt("dictionary index bit width above 32");
  size_t dict_size = DictionarySize(ctx.type, *dict);
  if (dict_size == 0) return Corrupt("dictionary index into an empty dictionary");
  std::vector<uint32_t> indices(count);
  LS_RETURN_IF_ERROR(DecodeHybridImpl(
      data.substr(1), width, static_cast<uint32_t>(std::min<size_t>(dict_size - 1, UINT32_MAX)),
      count, indices.data()));
  switch (ctx.type) {
    case Type::kBoolean:
      return GatherDictionary<uint8_t>(indices, *dict, out);
    case Type::kInt32:
      return GatherDictionary<int32_t>(indices, *dict, out);
    case Type::kInt64:
      return GatherDictionary<int64_t>(indices, *dict, out);
    case Type::kInt96:
      return GatherDictionary<Int96>(indices, *dict, out);
    case Type::kFloat:
      return GatherDictionary<float>(indices, *dict, out);
    case Type::kDouble:
      return GatherDictionary<double>(indices, *dict, out);
    default:
      return GatherDictionary<std::string_view>(indices, *dict, out);
  }
}

// RLE-encoded booleans (data page v2): a 4-byte length, then the hybrid.
Status DecodeRleBool(std::string_view data, size_t count, ColumnBatch* out) {
  if (data.size() < 4) return Corrupt("RLE booleans without a length");
  uint32_t len;
  std::memcpy(&len, data.data(), 4);
  if (len > data.size() - 4) return Corrupt("RLE booleans beyond the page");
  std::vector<uint32_t> tmp(count);
  LS_RETURN_IF_ERROR(DecodeHybridImpl(data.substr(4, len), 1, 1, count, tmp.data()));
  std::vector<uint8_t>& v = out->bools;
  size_t at = v.size();
  v.resize(at + count);
  for (size_t i = 0; i < count; ++i) v[at + i] = static_cast<uint8_t>(tmp[i]);
  return Status::OK();
}

template <typename T>
Status DecodeByteStreamSplitFixed(std::string_view data, size_t count, ColumnBatch* out) {
  constexpr size_t kWidth = sizeof(T);
  if (count > data.size() / kWidth) return Corrupt("BYTE_STREAM_SPLIT values truncated");
  // The streams are count bytes apart (the page holds exactly count values).
  size_t stride = data.size() / kWidth;
  if (stride != count) return Corrupt("BYTE_STREAM_SPLIT size does not match the value count");
  std::vector<T>& v = Vec<T>(out);
  size_t at = v.size();
  v.resize(at + count);
  const auto* in = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t i = 0; i < count; ++i) {
    uint8_t b[kWidth];
    for (size_t s = 0; s < kWidth; ++s) b[s] = in[s * stride + i];
    std::memcpy(&v[at + i], b, kWidth);
  }
  return Status::OK();
}

Status DecodeByteStreamSplitFlba(const ValueContext& ctx, std::string_view data, size_t count,
                                 ColumnBatch* out) {
  if (ctx.type_length <= 0) return Corrupt("bad FIXED_LEN_BYTE_ARRAY width");
  size_t k = static_cast<size_t>(ctx.type_length);
  if (count > data.size() / k || data.size() / k != count || data.size() % k != 0) {
    return Corrupt("BYTE_STREAM_SPLIT size does not match the value count");
  }
  LS_RETURN_IF_ERROR(TakeValueBudget(ctx, data.size()));
  auto buf = std::make_shared<std::string>(data.size(), '\0');
  for (size_t i = 0; i < count; ++i) {
    for (size_t s = 0; s < k; ++s) (*buf)[i * k + s] = data[s * count + i];
  }
  std::vector<std::string_view>& v = out->binaries;
  ReserveMore(&v, count);
  for (size_t i = 0; i < count; ++i) v.emplace_back(buf->data() + i * k, k);
  out->buffers.push_back(std::move(buf));
  return Status::OK();
}

}  // namespace

int LevelBitWidth(uint32_t max_value) { return max_value == 0 ? 0 : std::bit_width(max_value); }

Status DecodeHybrid(std::string_view data, int bit_width, uint32_t max_value, size_t count,
                    int16_t* out) {
  return DecodeHybridImpl(data, bit_width, max_value, count, out);
}

Status DecodeHybrid(std::string_view data, int bit_width, uint32_t max_value, size_t count,
                    uint32_t* out) {
  return DecodeHybridImpl(data, bit_width, max_value, count, out);
}

Status DecodeBitPackedLevels(std::string_view data, int bit_width, uint32_t max_value, size_t count,
                             int16_t* out, size_t* consumed) {
  if (bit_width < 0 || bit_width > 16) return Corrupt("BIT_PACKED level width out of range");
  uint64_t bits = static_cast<uint64_t>(count) * static_cast<uint64_t>(bit_width);
  uint64_t need = (bits + 7) / 8;
  if (need > data.size()) return Corrupt("BIT_PACKED levels truncated");
  const auto* in = reinterpret_cast<const uint8_t*>(data.data());
  uint64_t bit = 0;
  for (size_t i = 0; i < count; ++i) {
    uint32_t v = 0;
    for (int b = 0; b < bit_width; ++b, ++bit) {
      v = (v << 1) | ((in[bit >> 3] >> (7 - (bit & 7))) & 1);
    }
    if (v > max_value) return Corrupt("level above its maximum");
    out[i] = static_cast<int16_t>(v);
  }
  *consumed = static_cast<size_t>(need);
  return Status::OK();
}

Status DecodeValues(Encoding encoding, const ValueContext& ctx, std::string_view data, size_t count,
                    const ColumnBatch* dictionary, ColumnBatch* out) {
  switch (encoding) {
    case Encoding::kPlain:
      return DecodePlain(ctx, data, count, out);
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
      return DecodeDictionary(ctx, data, count, dictionary, out);
    case Encoding::kRle:
      if (ctx.type != Type::kBoolean) return Corrupt("RLE encoding of a non-boolean column");
      return DecodeRleBool(data, count, out);
    case Encoding::kDeltaBinaryPacked:
      if (ctx.type == Type::kInt32) return DecodeDeltaBinaryPacked(data, count, &out->int32s);
      if (ctx.type == Type::kInt64) return DecodeDeltaBinaryPacked(data, count, &out->int64s);
      return Corrupt("DELTA_BINARY_PACKED encoding of a non-integer column");
    case Encoding::kDeltaLengthByteArray:
      if (ctx.type != Type::kByteArray) {
        return Corrupt("DELTA_LENGTH_BYTE_ARRAY encoding of a non-binary column");
      }
      return DecodeDeltaLengthByteArray(data, count, &out->binaries, nullptr);
    case Encoding::kDeltaByteArray:
      if (ctx.type != Type::kByteArray && ctx.type != Type::kFixedLenByteArray) {
        return Corrupt("DELTA_BYTE_ARRAY encoding of a non-binary column");
      }
      return DecodeDeltaByteArray(ctx, data, count, out);
    case Encoding::kByteStreamSplit:
      switch (ctx.type) {
        case Type::kFloat:
          return DecodeByteStreamSplitFixed<float>(data, count, out);
        case Type::kDouble:
          return DecodeByteStreamSplitFixed<double>(data, count, out);
        case Type::kInt32:
          return DecodeByteStreamSplitFixed<int32_t>(data, count, out);
        case Type::kInt64:
          return DecodeByteStreamSplitFixed<int64_t>(data, count, out);
        case Type::kFixedLenByteArray:
          return DecodeByteStreamSplitFlba(ctx, data, count, out);
        default:
          return Corrupt("BYTE_STREAM_SPLIT encoding of an unsupported type");
      }
    default:
      break;
  }
  return Corrupt("unsupported value encoding " + std::to_string(static_cast<int>(encoding)));
}

}  // namespace lakeshare::parquet
