#include "db/value.h"

#include <charconv>

namespace lakeshare::db {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong encodings, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

Status ValidateParams(const Params& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].kind() != Param::Kind::kText) continue;
    const std::string& t = params[i].text();
    if (t.find('\0') != std::string::npos) {
      return Status::InvalidArgument("text value contains a NUL byte");
    }
    if (!IsValidUtf8(t)) return Status::InvalidArgument("text value is not valid UTF-8");
  }
  return Status::OK();
}

int64_t Row::Int(size_t i) const { return OptInt(i).value_or(0); }

std::optional<int64_t> Row::OptInt(size_t i) const {
  const auto& c = cells_.at(i);
  if (!c) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(c->data(), c->data() + c->size(), v);
  if (ec != std::errc()) return 0;
  return v;
}

bool Row::Bool(size_t i) const {
  const auto& c = cells_.at(i);
  if (!c || c->empty()) return false;
  return *c == "t" || *c == "true" || (*c != "0" && *c != "f" && *c != "false");
}

}  // namespace lakeshare::db
