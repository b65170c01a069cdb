#include "parquet/value_decoders.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <string>

#include "parquet/thrift_compact.h"

namespace lakeshare::parquet {

static_assert(std::endian::native == std::endian::little,
              "PLAIN decoding copies little-endian values as they are in memory");

namespace {

Status Corrupt(std::string_view what) {
  return Status::Corruption("parquet values: " + std::string(what));
}

// Loads up to 8 bytes at p (fewer when `avail` is smaller; the rest is 0).
inline uint64_t Load64(const uint8_t* p, size_t avail) {
  uint64_t v = 0;
  std::memcpy(&v, p, avail >= 8 ? 8 : avail);
  return v;
}

// Unpacks `count` values of `width` bits (0..64), least significant bit
// first, from `in` (holding `in_size` bytes, at least ceil(count*width/8)).
template <typename T>
void UnpackBits(const uint8_t* in, size_t in_size, int width, size_t count, T* out) {
  if (width == 0) {
    std::fill(out, out + count, T{0});
    return;
  }
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  uint64_t bit = 0;
  for (size_t i = 0; i < count; ++i, bit += static_cast<uint64_t>(width)) {
    size_t byte = static_cast<size_t>(bit >> 3);
    int shift = static_cast<int>(bit & 7);
    uint64_t v = Load64(in + byte, in_size - byte) >> shift;
    if (shift + width > 64) v |= static_cast<uint64_t>(in[byte + 8]) << (64 - shift);
    out[i] = static_cast<T>(v & mask);
  }
}

// Reads a ULEB128 varint that fits in 64 bits.
bool ReadUleb(std::string_view data, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= data.size()) return false;
    uint8_t b = static_cast<uint8_t>(data[(*pos)++]);
    if (shift == 63 && (b & 0x7e) != 0) return false;  // overflow
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
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
  v.reserve(v.size() + count);
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
  v.reserve(v.size() + count);
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

// DELTA_BINARY_PACKED. Decodes values into `out` (uint64 arithmetic wraps as
// the encoding intends; T's width decides the wrap). When `all` is set, every
// value the header announces is decoded (at most `max_count`) and *consumed
// gets the stream's length; otherwise exactly `want` values are decoded.
template <typename T>
Status DecodeDeltaImpl(std::string_view data, size_t want, bool all, size_t max_count,
                       std::vector<T>* out, size_t* consumed) {
  using U = std::make_unsigned_t<T>;
  constexpr int kMaxWidth = sizeof(T) * 8;
  size_t pos = 0;
  uint64_t block_size, miniblocks, total, first_zz;
  if (!ReadUleb(data, &pos, &block_size) || !ReadUleb(data, &pos, &miniblocks) ||
      !ReadUleb(data, &pos, &total) || !ReadUleb(data, &pos, &first_zz)) {
    return Corrupt("truncated DELTA_BINARY_PACKED header");
  }
  if (block_size == 0 || block_size % 128 != 0 || block_size > (1u << 20) || miniblocks == 0 ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Corrupt("bad DELTA_BINARY_PACKED block layout");
  }
  size_t count;
  if (all) {
    if (total > max_count) return Corrupt("DELTA_BINARY_PACKED announces too many values");
    count = static_cast<size_t>(total);
  } else {
    if (total < want) return Corrupt("DELTA_BINARY_PACKED holds fewer values than the page");
    count = want;
  }
  const size_t per_mini = static_cast<size_t>(block_size / miniblocks);
  out->resize(count);
  if (count == 0) {
    if (consumed) *consumed = pos;
    return Status::OK();
  }
  T* dst = out->data();
  U last = static_cast<U>(static_cast<uint64_t>(ZigZagDecode64(first_zz)));
  dst[0] = static_cast<T>(last);
  size_t done = 1;
  std::vector<uint64_t> deltas(per_mini);
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  while (done < count) {
    uint64_t min_zz;
    if (!ReadUleb(data, &pos, &min_zz)) return Corrupt("truncated DELTA_BINARY_PACKED block");
    U min_delta = static_cast<U>(static_cast<uint64_t>(ZigZagDecode64(min_zz)));
    if (data.size() - pos < miniblocks) return Corrupt("truncated DELTA_BINARY_PACKED widths");
    const uint8_t* widths = bytes + pos;
    pos += static_cast<size_t>(miniblocks);
    for (uint64_t m = 0; m < miniblocks && done < count; ++m) {
      int width = widths[m];
      if (width > kMaxWidth) return Corrupt("DELTA_BINARY_PACKED bit width too large");
      size_t n = std::min(per_mini, count - done);
      size_t full = per_mini / 8 * static_cast<size_t>(width);
      size_t need = (n * static_cast<size_t>(width) + 7) / 8;
      size_t remaining = data.size() - pos;
      if (remaining < need) return Corrupt("truncated DELTA_BINARY_PACKED miniblock");
      UnpackBits(bytes + pos, remaining, width, n, deltas.data());
      for (size_t i = 0; i < n; ++i) {
        last = static_cast<U>(last + min_delta + static_cast<U>(deltas[i]));
        dst[done + i] = static_cast<T>(last);
      }
      done += n;
      // The last miniblock is padded to full size; tolerate writers that
      // do not pad it.
      pos += std::min(full, remaining);
    }
  }
  if (consumed) *consumed = pos;
  return Status::OK();
}

template <typename T>
Status DecodeDeltaValues(std::string_view data, size_t count, ColumnBatch* out) {
  std::vector<T> tmp;
  LS_RETURN_IF_ERROR(DecodeDeltaImpl<T>(data, count, false, 0, &tmp, nullptr));
  std::vector<T>& v = Vec<T>(out);
  v.insert(v.end(), tmp.begin(), tmp.end());
  return Status::OK();
}

// The lengths of a DELTA_LENGTH_BYTE_ARRAY stream (all of them, at least
// `count`), then views of `count` values; *consumed gets the stream's length.
Status DecodeDeltaLength(std::string_view data, size_t count, std::vector<std::string_view>* out,
                         size_t* consumed) {
  std::vector<int32_t> lengths;
  size_t pos = 0;
  // The stream must hold exactly the page's values (which also bounds the
  // allocation: zero-length values cost no bytes, so the data cannot).
  LS_RETURN_IF_ERROR(DecodeDeltaImpl<int32_t>(data, count, true, count, &lengths, &pos));
  if (lengths.size() != count) return Corrupt("DELTA_LENGTH_BYTE_ARRAY value count mismatch");
  out->reserve(out->size() + count);
  for (int32_t len : lengths) {
    if (len < 0 || static_cast<size_t>(len) > data.size() - pos) {
      return Corrupt("DELTA_LENGTH_BYTE_ARRAY value beyond the page");
    }
    out->emplace_back(data.data() + pos, static_cast<size_t>(len));
    pos += static_cast<size_t>(len);
  }
  if (consumed) *consumed = pos;
  return Status::OK();
}

Status TakeBudget(const ValueContext& ctx, uint64_t bytes) {
  if (ctx.byte_budget == nullptr) return Status::OK();
  if (bytes > static_cast<uint64_t>(std::max<int64_t>(*ctx.byte_budget, 0))) {
    return Corrupt("decoded values exceed the memory limit");
  }
  *ctx.byte_budget -= static_cast<int64_t>(bytes);
  return Status::OK();
}

Status DecodeDeltaByteArray(const ValueContext& ctx, std::string_view data, size_t count,
                            ColumnBatch* out) {
  std::vector<int32_t> prefixes;
  size_t pos = 0;
  LS_RETURN_IF_ERROR(DecodeDeltaImpl<int32_t>(data, count, true, count, &prefixes, &pos));
  if (prefixes.size() != count) return Corrupt("DELTA_BYTE_ARRAY value count mismatch");
  std::vector<std::string_view> suffixes;
  LS_RETURN_IF_ERROR(DecodeDeltaLength(data.substr(pos), count, &suffixes, nullptr));
  // Sizes first (each prefix must fit the previous value), then one buffer.
  uint64_t total = 0, prev = 0;
  for (size_t i = 0; i < count; ++i) {
    if (prefixes[i] < 0 || static_cast<uint64_t>(prefixes[i]) > prev) {
      return Corrupt("DELTA_BYTE_ARRAY prefix longer than the previous value");
    }
    prev = static_cast<uint64_t>(prefixes[i]) + suffixes[i].size();
    if (ctx.type == Type::kFixedLenByteArray && prev != static_cast<uint64_t>(ctx.type_length)) {
      return Corrupt("DELTA_BYTE_ARRAY value of the wrong fixed length");
    }
    total += prev;
    if (total > (uint64_t{1} << 40)) return Corrupt("DELTA_BYTE_ARRAY values too large");
  }
  LS_RETURN_IF_ERROR(TakeBudget(ctx, total));
  auto buf = std::make_shared<std::string>();
  buf->resize(static_cast<size_t>(total));
  char* dst = buf->data();
  std::vector<std::string_view>& v = out->binaries;
  v.reserve(v.size() + count);
  const char* prev_data = nullptr;
  for (size_t i = 0; i < count; ++i) {
    size_t p = static_cast<size_t>(prefixes[i]);
    if (p > 0) std::memcpy(dst, prev_data, p);
    if (!suffixes[i].empty()) std::memcpy(dst + p, suffixes[i].data(), suffixes[i].size());
    size_t len = p + suffixes[i].size();
    v.emplace_back(dst, len);
    prev_data = dst;
    dst += len;
  }
  out->buffers.push_back(std::move(buf));
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
  LS_RETURN_IF_ERROR(TakeBudget(ctx, data.size()));
  auto buf = std::make_shared<std::string>(data.size(), '\0');
  for (size_t i = 0; i < count; ++i) {
    for (size_t s = 0; s < k; ++s) (*buf)[i * k + s] = data[s * count + i];
  }
  std::vector<std::string_view>& v = out->binaries;
  v.reserve(v.size() + count);
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
      if (ctx.type == Type::kInt32) return DecodeDeltaValues<int32_t>(data, count, out);
      if (ctx.type == Type::kInt64) return DecodeDeltaValues<int64_t>(data, count, out);
      return Corrupt("DELTA_BINARY_PACKED encoding of a non-integer column");
    case Encoding::kDeltaLengthByteArray:
      if (ctx.type != Type::kByteArray) {
        return Corrupt("DELTA_LENGTH_BYTE_ARRAY encoding of a non-binary column");
      }
      return DecodeDeltaLength(data, count, &out->binaries, nullptr);
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

void EncodeDeltaBinaryPacked(const int64_t* values, size_t count, std::string* out) {
  auto uleb = [&](uint64_t v) {
    while (v >= 0x80) {
      out->push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out->push_back(static_cast<char>(v));
  };
  constexpr size_t kBlock = 128, kMinis = 4, kPerMini = kBlock / kMinis;
  uleb(kBlock);
  uleb(kMinis);
  uleb(count);
  uleb(ZigZagEncode64(count > 0 ? values[0] : 0));
  size_t i = 1;
  while (i < count) {
    size_t n = std::min(kBlock, count - i);
    std::vector<uint64_t> deltas(n);
    int64_t min_delta = std::numeric_limits<int64_t>::max();
    for (size_t k = 0; k < n; ++k) {
      int64_t d = static_cast<int64_t>(static_cast<uint64_t>(values[i + k]) -
                                       static_cast<uint64_t>(values[i + k - 1]));
      deltas[k] = static_cast<uint64_t>(d);
      min_delta = std::min(min_delta, d);
    }
    uleb(ZigZagEncode64(min_delta));
    for (auto& d : deltas) d -= static_cast<uint64_t>(min_delta);
    int widths[kMinis] = {0, 0, 0, 0};
    for (size_t m = 0; m < kMinis; ++m) {
      for (size_t k = m * kPerMini; k < std::min(n, (m + 1) * kPerMini); ++k) {
        widths[m] = std::max(widths[m], static_cast<int>(std::bit_width(deltas[k])));
      }
      out->push_back(static_cast<char>(widths[m]));
    }
    for (size_t m = 0; m < kMinis && m * kPerMini < n; ++m) {
      // Bit-pack a full miniblock (padding with zeros).
      uint64_t acc = 0;
      int bits = 0;
      for (size_t k = m * kPerMini; k < (m + 1) * kPerMini; ++k) {
        uint64_t d = k < n ? deltas[k] : 0;
        for (int b = 0; b < widths[m]; ++b) {
          acc |= ((d >> b) & 1) << bits;
          if (++bits == 8) {
            out->push_back(static_cast<char>(acc));
            acc = 0;
            bits = 0;
          }
        }
      }
    }
    i += n;
  }
}

}  // namespace lakeshare::parquet
