#include "common/ip_range.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <optional>
#include <string>

namespace lakeshare {
namespace {

using Address = std::array<unsigned char, 16>;

// An address or range in 16-byte form (IPv4 as IPv4-mapped IPv6); IPv4
// prefix lengths count from bit 96.
struct Range {
  Address addr{};
  int prefix = 128;
};

bool ParseAddress(std::string_view text, Address* out, bool* v4) {
  std::string s(text);
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    out->fill(0);
    (*out)[10] = (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, buf, 4);
    *v4 = true;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    // An IPv4-mapped address lands on the same bytes as the IPv4 form, so
    // the two match each other.
    std::memcpy(out->data(), buf, 16);
    *v4 = false;
    return true;
  }
  return false;
}

std::optional<Range> ParseRange(std::string_view text) {
  Range r;
  std::string_view addr = text;
  std::optional<int> prefix;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3) return std::nullopt;
    int v = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    prefix = v;
  }
  bool v4 = false;
  if (!ParseAddress(addr, &r.addr, &v4)) return std::nullopt;
  int max = v4 ? 32 : 128;
  if (prefix && *prefix > max) return std::nullopt;
  r.prefix = (v4 ? 96 : 0) + prefix.value_or(max);
  return r;
}

bool InRange(const Range& range, const Address& a) {
  int bits = range.prefix;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((range.addr[i] & mask) != (a[i] & mask)) return false;
  }
  return true;
}

}  // namespace

bool IsIpAddress(std::string_view text) {
  Address a{};
  bool v4 = false;
  return ParseAddress(text, &a, &v4);
}

bool IsIpRange(std::string_view text) { return ParseRange(text).has_value(); }

bool AddressInRanges(const std::vector<std::string>& ranges, std::string_view address) {
  Address a{};
  bool v4 = false;
  if (!ParseAddress(address, &a, &v4)) return false;
  for (const std::string& entry : ranges) {
    auto r = ParseRange(entry);
    if (r && InRange(*r, a)) return true;
  }
  return false;
}

}  // namespace lakeshare
