#include "parquet/rle_hybrid.h"

#include <algorithm>

namespace lakeshare::parquet {
namespace {

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void FlushBitPacked(std::vector<uint32_t>* literals, int bit_width, std::string* out) {
  if (literals->empty()) return;
  literals->resize((literals->size() + 7) / 8 * 8, 0);  // whole groups only
  AppendVarint((literals->size() / 8) << 1 | 1, out);
  uint64_t acc = 0;
  int bits = 0;
  for (uint32_t v : *literals) {
    acc |= static_cast<uint64_t>(v) << bits;
    bits += bit_width;
    while (bits >= 8) {
      out->push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
  // 8 values always fill whole bytes, so nothing is left in `acc`.
  literals->clear();
}

void AppendRleRun(uint32_t value, size_t count, int bit_width, std::string* out) {
  AppendVarint(static_cast<uint64_t>(count) << 1, out);
  for (int b = 0; b < (bit_width + 7) / 8; ++b) out->push_back(static_cast<char>(value >> (8 * b)));
}

Status Corrupt(std::string_view what) {
  return Status::Corruption("rle/bit-packed levels: " + std::string(what));
}

}  // namespace

int BitWidthFor(uint32_t max_value) {
  int w = 0;
  while (w < 32 && (max_value >> w) != 0) ++w;
  return w;
}

void AppendRleHybrid(const uint32_t* values, size_t count, int bit_width, std::string* out) {
  std::vector<uint32_t> literals;
  size_t i = 0;
  while (i < count) {
    size_t j = i + 1;
    while (j < count && values[j] == values[i]) ++j;
    size_t run = j - i;
    if (literals.size() % 8 != 0) {
      // Complete the open group first: a bit-packed run holds whole groups.
      size_t take = std::min(run, 8 - literals.size() % 8);
      literals.insert(literals.end(), take, values[i]);
      i += take;
      continue;
    }
    if (run >= 8) {
      FlushBitPacked(&literals, bit_width, out);
      AppendRleRun(values[i], run, bit_width, out);
    } else {
      literals.insert(literals.end(), run, values[i]);
    }
    i = j;
  }
  FlushBitPacked(&literals, bit_width, out);
}

Status RleHybridDecoder::NextRun() {
  if (bit_width_ < 0 || bit_width_ > 32) return Corrupt("bit width out of range");
  uint64_t header = 0;
  for (int shift = 0;; shift += 7) {
    if (shift > 63) return Corrupt("run header too long");
    if (pos_ >= data_.size()) return Corrupt("unexpected end of input");
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    header |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) break;
  }
  size_t remaining = data_.size() - pos_;
  if (header & 1) {
    uint64_t groups = header >> 1;
    if (groups > (uint64_t{1} << 56)) return Corrupt("bit-packed run too long");
    uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);
    rle_ = false;
    packed_start_ = pos_;
    bit_offset_ = 0;
    if (bytes <= remaining) {
      run_left_ = groups * 8;
      pos_ += bytes;
    } else {
      // Some writers cut the last run short; keep the values that are there.
      run_left_ = remaining * 8 / static_cast<uint64_t>(bit_width_);
      pos_ = data_.size();
    }
    return Status::OK();
  }
  int value_bytes = (bit_width_ + 7) / 8;
  if (remaining < static_cast<size_t>(value_bytes)) return Corrupt("truncated run value");
  uint64_t value = 0;
  for (int b = 0; b < value_bytes; ++b) {
    value |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_++])) << (8 * b);
  }
  if (bit_width_ < 32 && (value >> bit_width_) != 0) return Corrupt("run value exceeds bit width");
  rle_ = true;
  rle_value_ = static_cast<uint32_t>(value);
  run_left_ = header >> 1;
  return Status::OK();
}

Status RleHybridDecoder::Decode(uint32_t* out, size_t count) {
  size_t done = 0;
  while (done < count) {
    if (run_left_ == 0) {
      LS_RETURN_IF_ERROR(NextRun());
      continue;
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(run_left_, count - done));
    if (rle_) {
      std::fill(out + done, out + done + n, rle_value_);
    } else {
      const auto* base = reinterpret_cast<const uint8_t*>(data_.data() + packed_start_);
      for (size_t k = 0; k < n; ++k) {
        uint64_t v = 0;
        int got = 0;
        while (got < bit_width_) {
          uint64_t byte = base[bit_offset_ / 8];
          int shift = static_cast<int>(bit_offset_ % 8);
          int take = std::min(8 - shift, bit_width_ - got);
          v |= ((byte >> shift) & ((1u << take) - 1)) << got;
          got += take;
          bit_offset_ += take;
        }
        out[done + k] = static_cast<uint32_t>(v);
      }
    }
    run_left_ -= n;
    done += n;
  }
  return Status::OK();
}

}  // namespace lakeshare::parquet
