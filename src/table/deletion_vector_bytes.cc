#include "table/deletion_vector_bytes.h"

#include <zlib.h>

#include <array>
#include <map>

namespace lakeshare {
namespace {

constexpr uint32_t kMagic = 1681511377;
constexpr uint32_t kCookieNoRuns = 12346;
constexpr uint32_t kCookieRuns = 12347;
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
void PutU32BigEndian(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t U32BigEndian(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
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
  bool Need(uint64_t n) const { return data.size() - pos >= n; }
  uint64_t Le(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(data[pos + i])) << (8 * i);
    pos += n;
    return v;
  }
};

// Appends the values of one portable 32-bit RoaringBitmap at the cursor,
// each ORed with `high`; false when malformed or beyond `max` positions.
bool ParseRoaring32(Cursor* c, uint64_t high, uint64_t max, std::vector<uint64_t>* out) {
  if (!c->Need(4)) return false;
  const uint32_t cookie = static_cast<uint32_t>(c->Le(4));
  uint64_t n = 0;
  std::string_view run_flags;
  bool has_offsets = true;
  if ((cookie & 0xffff) == kCookieRuns) {
    n = (cookie >> 16) + 1;
    if (!c->Need((n + 7) / 8)) return false;
    run_flags = c->data.substr(c->pos, (n + 7) / 8);
    c->pos += run_flags.size();
    has_offsets = n >= 4;  // the portable format's NO_OFFSET_THRESHOLD
  } else if (cookie == kCookieNoRuns) {
    if (!c->Need(4)) return false;
    n = c->Le(4);
  } else {
    return false;
  }
  if (n > 65536 || !c->Need(4 * n)) return false;
  std::vector<std::pair<uint16_t, uint32_t>> headers;
  headers.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint16_t key = static_cast<uint16_t>(c->Le(2));
    uint32_t card = static_cast<uint32_t>(c->Le(2)) + 1;
    if (!headers.empty() && key <= headers.back().first) return false;  // keys ascend
    headers.emplace_back(key, card);
  }
  if (has_offsets) {
    if (!c->Need(4 * n)) return false;
    c->pos += 4 * n;
  }
  auto push = [&](uint16_t key, uint32_t low) {
    if (out->size() >= max) return false;
    out->push_back((high << 32) | (uint64_t{key} << 16) | low);
    return true;
  };
  for (uint64_t i = 0; i < n; ++i) {
    const auto [key, card] = headers[i];
    const size_t before = out->size();
    const bool run = !run_flags.empty() && (static_cast<uint8_t>(run_flags[i / 8]) >> (i % 8)) & 1;
    if (run) {
      if (!c->Need(2)) return false;
      uint64_t runs = c->Le(2);
      if (!c->Need(4 * runs)) return false;
      int64_t last_end = -1;
      for (uint64_t r = 0; r < runs; ++r) {
        uint32_t start = static_cast<uint32_t>(c->Le(2));
        uint32_t end = start + static_cast<uint32_t>(c->Le(2));
        if (end > 0xffff || static_cast<int64_t>(start) <= last_end) return false;
        last_end = end;
        for (uint32_t v = start; v <= end; ++v) {
          if (!push(key, v)) return false;
        }
      }
    } else if (card > 4096) {
      if (!c->Need(8192)) return false;
      for (uint32_t w = 0; w < 1024; ++w) {
        uint64_t word = c->Le(8);
        for (uint32_t bit = 0; bit < 64; ++bit) {
          if ((word >> bit) & 1) {
            if (!push(key, w * 64 + bit)) return false;
          }
        }
      }
    } else {
      if (!c->Need(2 * uint64_t{card})) return false;
      int64_t last = -1;
      for (uint32_t k = 0; k < card; ++k) {
        uint32_t v = static_cast<uint32_t>(c->Le(2));
        if (static_cast<int64_t>(v) <= last) return false;  // sorted, distinct
        last = v;
        if (!push(key, v)) return false;
      }
    }
    if (out->size() - before != card) return false;
  }
  return true;
}

}  // namespace

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

std::optional<std::string> Z85Decode(std::string_view text) {
  if (text.size() % 5 != 0) return std::nullopt;
  std::array<int, 256> table;
  table.fill(-1);
  for (int i = 0; i < 85; ++i) table[static_cast<unsigned char>(kZ85[i])] = i;
  std::string out;
  out.reserve(text.size() / 5 * 4);
  for (size_t i = 0; i < text.size(); i += 5) {
    uint64_t v = 0;
    for (size_t j = 0; j < 5; ++j) {
      int d = table[static_cast<unsigned char>(text[i + j])];
      if (d < 0) return std::nullopt;
      v = v * 85 + static_cast<uint64_t>(d);
    }
    if (v > 0xffffffffULL) return std::nullopt;
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
  }
  return out;
}

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

std::optional<std::vector<uint64_t>> ParsePortableRoaring64(std::string_view bytes,
                                                            uint64_t max_positions) {
  Cursor c{bytes};
  if (!c.Need(8)) return std::nullopt;
  uint64_t count = c.Le(8);
  std::vector<uint64_t> out;
  int64_t last_key = -1;
  for (uint64_t b = 0; b < count; ++b) {
    if (!c.Need(4)) return std::nullopt;
    uint64_t high = c.Le(4);
    if (static_cast<int64_t>(high) <= last_key) return std::nullopt;  // keys ascend
    last_key = static_cast<int64_t>(high);
    if (!ParseRoaring32(&c, high, max_positions, &out)) return std::nullopt;
  }
  if (c.pos != bytes.size()) return std::nullopt;
  return out;
}

std::optional<std::vector<uint64_t>> ParseRoaringBitmapArray(std::string_view bytes) {
  Cursor c{bytes};
  if (!c.Need(4) || c.Le(4) != kMagic) return std::nullopt;
  return ParsePortableRoaring64(bytes.substr(4));
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

std::string DeletionVectorFile(std::string_view bitmap) {
  std::string out;
  out.reserve(bitmap.size() + 9);
  out.push_back('\x01');
  PutU32BigEndian(&out, static_cast<uint32_t>(bitmap.size()));
  out.append(bitmap);
  PutU32BigEndian(&out,
                  static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(bitmap.data()),
                                              static_cast<uInt>(bitmap.size()))));
  return out;
}

std::optional<std::string> ReadDeletionVectorFile(std::string_view file, int64_t offset) {
  if (file.empty() || file[0] != '\x01' || offset < 1) return std::nullopt;
  const auto at = static_cast<uint64_t>(offset);
  if (file.size() < 4 || at > file.size() - 4) return std::nullopt;
  const uint64_t size = U32BigEndian(file, at);
  if (file.size() - at - 4 < size + 4) return std::nullopt;
  std::string_view bitmap = file.substr(at + 4, size);
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bitmap.data()), static_cast<uInt>(bitmap.size())));
  if (U32BigEndian(file, at + 4 + size) != crc) return std::nullopt;
  return std::string(bitmap);
}

}  // namespace lakeshare
