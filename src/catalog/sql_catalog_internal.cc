#include "catalog/sql_catalog_internal.h"

#include <arpa/inet.h>

#include <array>
#include <boost/json.hpp>
#include <cstring>

#include "common/names.h"
#include "db/value.h"

namespace lakeshare::sql_catalog_internal {
namespace {

// An address or range in 16-byte form (IPv4 as IPv4-mapped IPv6); `v4`
// tells whether the text was IPv4, whose prefix lengths count from bit 96.
struct Range {
  std::array<unsigned char, 16> addr{};
  int prefix = 128;
};

bool ParseAddress(std::string_view text, std::array<unsigned char, 16>* out, bool* v4) {
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
    // An IPv4-mapped address ("::ffff:10.1.2.3") lands on the same bytes as
    // the IPv4 form, so the two match each other.
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

bool InRange(const Range& range, const std::array<unsigned char, 16>& a) {
  int bits = range.prefix;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((range.addr[i] & mask) != (a[i] & mask)) return false;
  }
  return true;
}

// Length of the valid UTF-8 character at s[i], or 0 if invalid there.
size_t CharLength(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
  if (len == 0 || i + len > s.size()) return 0;
  return db::IsValidUtf8(s.substr(i, len)) ? len : 0;
}

}  // namespace

Status ValidateText(std::string_view field, std::string_view value, size_t max) {
  if (value.size() > max) {
    return Status::InvalidArgument(std::string(field) + " is longer than " + std::to_string(max) +
                                   " bytes");
  }
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      return Status::InvalidArgument(std::string(field) + " contains a control character");
    }
  }
  if (!db::IsValidUtf8(value)) {
    return Status::InvalidArgument(std::string(field) + " is not valid UTF-8");
  }
  return Status::OK();
}

Status ValidateId(std::string_view id) {
  if (id.empty()) return Status::InvalidArgument("id must not be empty");
  return ValidateText("id", id, kMaxId);
}

Status ValidateFormat(std::string* format) {
  for (char& c : *format) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (*format != "delta" && *format != "iceberg") {
    return Status::InvalidArgument("'" + SanitizeText(*format, 64) +
                                   "' is not a supported table format (supported: delta, iceberg)");
  }
  return Status::OK();
}

Status ValidateUserName(std::string_view name) {
  Status st = ValidateName(name, NameKind::kRecipient);
  if (st.ok()) return st;
  std::string msg = st.message();
  constexpr std::string_view kFrom = "recipient name";
  if (msg.starts_with(kFrom)) msg = "user name" + msg.substr(kFrom.size());
  return Status::InvalidArgument(msg);
}

Result<std::optional<std::string>> EncodeAllowlist(const std::vector<std::string>& entries) {
  if (entries.empty()) return std::optional<std::string>();
  if (entries.size() > kMaxAllowlistEntries) {
    return Status::InvalidArgument("IP allow-list has more than " +
                                   std::to_string(kMaxAllowlistEntries) + " entries");
  }
  boost::json::array arr;
  for (const std::string& e : entries) {
    if (!ParseRange(e)) {
      return Status::InvalidArgument("IP allow-list entry '" + SanitizeText(e, 64) +
                                     "' is not an IP address or CIDR range");
    }
    arr.emplace_back(e);
  }
  return std::optional<std::string>(boost::json::serialize(arr));
}

Result<std::vector<std::string>> DecodeAllowlist(const std::optional<std::string>& json) {
  std::vector<std::string> out;
  if (!json || json->empty()) return out;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*json, ec);
  if (ec || !v.is_array()) return Status::Corruption("stored IP allow-list is not a JSON array");
  for (const auto& e : v.as_array()) {
    if (!e.is_string()) return Status::Corruption("stored IP allow-list has a non-string entry");
    out.emplace_back(e.as_string().c_str(), e.as_string().size());
  }
  return out;
}

bool AddressAllowed(const std::vector<std::string>& allowlist, std::string_view address) {
  if (allowlist.empty()) return true;
  std::array<unsigned char, 16> a{};
  bool v4 = false;
  if (!ParseAddress(address, &a, &v4)) return false;
  for (const std::string& entry : allowlist) {
    auto r = ParseRange(entry);
    if (r && InRange(*r, a)) return true;
  }
  return false;
}

std::string SanitizeText(std::string_view text, size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  size_t i = 0;
  while (i < text.size()) {
    size_t len = CharLength(text, i);
    bool valid = len > 0 && text[i] != '\0';
    size_t out_len = valid ? len : 1;
    if (out.size() + out_len > max) break;
    if (valid) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += '?';
      ++i;
    }
  }
  return out;
}

std::optional<std::string> EmptyToNull(const std::optional<std::string>& v) {
  if (!v || v->empty()) return std::nullopt;
  return v;
}

}  // namespace lakeshare::sql_catalog_internal
