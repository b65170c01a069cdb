#include "hudi/hudi_deletion_vector.h"

#include <map>

namespace lakeshare::hudi {
namespace {

constexpr uint32_t kMagic = 1681511377;
constexpr uint32_t kCookieNoRuns = 12346;
constexpr char kZ85[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

void PutU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>(v >> 8));
}
void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// One portable 32-bit RoaringBitmap (array and bitmap containers, no runs).
std::string SerializeRoaring32(const std::vector<uint32_t>& values) {
  std::map<uint16_t, std::vector<uint16_t>> containers;
  for (uint32_t v : values) containers[static_cast<uint16_t>(v >> 16)].push_back(v & 0xffff);
  std::string out;
  PutU32(&out, kCookieNoRuns);
  PutU32(&out, static_cast<uint32_t>(containers.size()));
  for (const auto& [key, vals] : containers) {
    PutU16(&out, key);
    PutU16(&out, static_cast<uint16_t>(vals.size() - 1));
  }
  // Offsets of each container from the start of this bitmap.
  uint32_t offset = static_cast<uint32_t>(8 + 4 * containers.size() + 4 * containers.size());
  for (const auto& [key, vals] : containers) {
    PutU32(&out, offset);
    offset += vals.size() > 4096 ? 8192 : static_cast<uint32_t>(2 * vals.size());
  }
  for (const auto& [key, vals] : containers) {
    if (vals.size() > 4096) {
      std::vector<uint64_t> words(1024, 0);
      for (uint16_t v : vals) words[v >> 6] |= uint64_t{1} << (v & 63);
      for (uint64_t w : words) PutU64(&out, w);
    } else {
      for (uint16_t v : vals) PutU16(&out, v);
    }
  }
  return out;
}

struct Cursor {
  std::string_view data;
  size_t pos = 0;
  bool Need(size_t n) const { return data.size() - pos >= n; }
  uint64_t Le(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(data[pos + i])) << (8 * i);
    pos += n;
    return v;
  }
};

}  // namespace

std::string SerializeRoaringBitmapArray(const std::vector<uint64_t>& positions) {
  std::map<uint32_t, std::vector<uint32_t>> buckets;
  for (uint64_t p : positions)
    buckets[static_cast<uint32_t>(p >> 32)].push_back(static_cast<uint32_t>(p));
  std::string out;
  PutU32(&out, kMagic);
  uint64_t count = buckets.empty() ? 0 : static_cast<uint64_t>(buckets.rbegin()->first) + 1;
  PutU64(&out, count);
  // Every bucket up to the highest is written (empty ones too).
  for (uint64_t b = 0; b < count; ++b) {
    PutU32(&out, static_cast<uint32_t>(b));
    auto it = buckets.find(static_cast<uint32_t>(b));
    out += SerializeRoaring32(it == buckets.end() ? std::vector<uint32_t>() : it->second);
  }
  return out;
}

std::string Z85Encode(std::string_view bytes) {
  std::string padded(bytes);
  while (padded.size() % 4 != 0) padded.push_back('\0');
  std::string out;
  out.reserve(padded.size() / 4 * 5);
  for (size_t i = 0; i < padded.size(); i += 4) {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<uint8_t>(padded[i + k]);
    char group[5];
    for (int k = 4; k >= 0; --k) {
      group[k] = kZ85[v % 85];
      v /= 85;
    }
    out.append(group, 5);
  }
  return out;
}

DeletionVector InlineDeletionVector(const std::vector<uint64_t>& positions) {
  std::string bytes = SerializeRoaringBitmapArray(positions);
  DeletionVector dv;
  dv.storage_type = std::string(1, 'i');
  dv.path_or_inline_dv = Z85Encode(bytes);
  dv.size_in_bytes = static_cast<int32_t>(bytes.size());
  dv.cardinality = static_cast<int64_t>(positions.size());
  return dv;
}

std::optional<std::vector<uint64_t>> ParseRoaringBitmapArray(std::string_view bytes) {
  Cursor c{bytes};
  if (!c.Need(12) || c.Le(4) != kMagic) return std::nullopt;
  uint64_t count = c.Le(8);
  std::vector<uint64_t> out;
  for (uint64_t b = 0; b < count; ++b) {
    if (!c.Need(12)) return std::nullopt;
    uint64_t high = c.Le(4);
    size_t start = c.pos;
    if (c.Le(4) != kCookieNoRuns) return std::nullopt;
    uint64_t n = c.Le(4);
    if (!c.Need(n * 8)) return std::nullopt;
    std::vector<std::pair<uint16_t, uint32_t>> headers;
    for (uint64_t i = 0; i < n; ++i) {
      uint16_t key = static_cast<uint16_t>(c.Le(2));
      uint32_t card = static_cast<uint32_t>(c.Le(2)) + 1;
      headers.emplace_back(key, card);
    }
    c.pos += 4 * n;  // offsets
    for (auto [key, card] : headers) {
      if (card > 4096) {
        if (!c.Need(8192)) return std::nullopt;
        for (int w = 0; w < 1024; ++w) {
          uint64_t word = c.Le(8);
          for (int bit = 0; bit < 64; ++bit) {
            if (word & (uint64_t{1} << bit)) {
              out.push_back((high << 32) | (uint64_t{key} << 16) |
                            static_cast<uint64_t>(w * 64 + bit));
            }
          }
        }
      } else {
        if (!c.Need(2 * card)) return std::nullopt;
        for (uint32_t i = 0; i < card; ++i)
          out.push_back((high << 32) | (uint64_t{key} << 16) | c.Le(2));
      }
    }
    (void)start;
  }
  return out;
}

}  // namespace lakeshare::hudi
