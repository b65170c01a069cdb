#include "parquet/delta_encodings.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

#include "parquet/bit_unpacking.h"
#include "parquet/thrift_compact.h"

namespace lakeshare::parquet {
namespace {

Status Corrupt(std::string_view what) {
  return Status::Corruption("parquet values: " + std::string(what));
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

}  // namespace

template <typename T>
Status DecodeDeltaBinaryPacked(std::string_view data, size_t count, std::vector<T>* out) {
  std::vector<T> tmp;
  LS_RETURN_IF_ERROR(DecodeDeltaImpl<T>(data, count, false, 0, &tmp, nullptr));
  out->insert(out->end(), tmp.begin(), tmp.end());
  return Status::OK();
}
template Status DecodeDeltaBinaryPacked<int32_t>(std::string_view, size_t, std::vector<int32_t>*);
template Status DecodeDeltaBinaryPacked<int64_t>(std::string_view, size_t, std::vector<int64_t>*);

// The lengths of a DELTA_LENGTH_BYTE_ARRAY stream (all of them, at least
// `count`), then views of `count` values; *consumed gets the stream's length.
Status DecodeDeltaLengthByteArray(std::string_view data, size_t count,
                                  std::vector<std::string_view>* out, size_t* consumed) {
  std::vector<int32_t> lengths;
  size_t pos = 0;
  // The stream must hold exactly the page's values (which also bounds the
  // allocation: zero-length values cost no bytes, so the data cannot).
  LS_RETURN_IF_ERROR(DecodeDeltaImpl<int32_t>(data, count, true, count, &lengths, &pos));
  if (lengths.size() != count) return Corrupt("DELTA_LENGTH_BYTE_ARRAY value count mismatch");
  ReserveMore(out, count);
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

Status TakeValueBudget(const ValueContext& ctx, uint64_t bytes) {
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
  LS_RETURN_IF_ERROR(DecodeDeltaLengthByteArray(data.substr(pos), count, &suffixes, nullptr));
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
  LS_RETURN_IF_ERROR(TakeValueBudget(ctx, total));
  auto buf = std::make_shared<std::string>();
  buf->resize(static_cast<size_t>(total));
  char* dst = buf->data();
  std::vector<std::string_view>& v = out->binaries;
  ReserveMore(&v, count);
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
