#include "catalog/sql_catalog_internal.h"

#include <boost/json.hpp>

#include "common/ip_range.h"
#include "common/names.h"
#include "db/value.h"

namespace lakeshare {
namespace {

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
  if (*format != "delta" && *format != "iceberg" && *format != "hudi") {
    return Status::InvalidArgument(
        "'" + SanitizeText(*format, 64) +
        "' is not a supported table format (supported: delta, iceberg, hudi)");
  }
  return Status::OK();
}

Status ValidateHudiView(const std::string& format, std::string* view) {
  for (char& c : *view) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (*view != "snapshot" && *view != "read_optimized") {
    return Status::InvalidArgument("hudiView '" + SanitizeText(*view, 64) +
                                   "' is not a Hudi view (snapshot or read_optimized)");
  }
  if (*view == "read_optimized" && format != "hudi") {
    return Status::InvalidArgument(
        "hudiView read_optimized applies to hudi tables only (this is a " + format + " table)");
  }
  return Status::OK();
}

std::optional<std::string> LocationMapColumn(const TableLocationMap& map) {
  if (map.empty()) return std::nullopt;
  return EncodeTableLocationMap(map);
}

std::optional<std::string> HudiViewColumn(const std::string& view) {
  if (view == "snapshot") return std::nullopt;
  return view;
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
    if (!IsIpRange(e)) {
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
  return allowlist.empty() || AddressInRanges(allowlist, address);
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

}  // namespace lakeshare
