#include "catalog/table_location_map.h"

#include <set>

namespace lakeshare {

std::string EncodeTableLocationMap(const TableLocationMap& map) {
  std::string out;
  for (const auto& [from, to] : map) out += from + "\t" + to + "\n";
  return out;
}

Result<TableLocationMap> DecodeTableLocationMap(std::string_view text) {
  TableLocationMap out;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return Status::InvalidArgument("malformed locationMap");
    out.emplace_back(std::string(line.substr(0, tab)), std::string(line.substr(tab + 1)));
  }
  return out;
}

namespace {

bool IsAbsoluteLocation(const std::string& location) {
  return location[0] == '/' || location.find("://") != std::string::npos ||
         location.rfind("file:", 0) == 0;
}

Status CheckSide(const std::string& value, size_t max_length) {
  if (value.empty() || value == "/") {
    return Status::InvalidArgument(
        "locationMap entries must be non-empty locations other than '/'");
  }
  if (value.size() > max_length) {
    return Status::InvalidArgument("locationMap entry longer than " + std::to_string(max_length) +
                                   " bytes");
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("locationMap entries must not contain control characters");
    }
  }
  return Status::OK();
}

}  // namespace

Status ValidateTableLocationMap(const std::string& format, const TableLocationMap& map,
                                size_t max_length) {
  if (map.empty()) return Status::OK();
  if (format != "iceberg") {
    return Status::InvalidArgument("locationMap applies to iceberg tables only (this is a " +
                                   format + " table)");
  }
  if (map.size() > kMaxLocationMapEntries) {
    return Status::InvalidArgument("locationMap has more than " +
                                   std::to_string(kMaxLocationMapEntries) + " entries");
  }
  std::set<std::string> seen;
  for (const auto& [from, to] : map) {
    LS_RETURN_IF_ERROR(CheckSide(from, max_length));
    LS_RETURN_IF_ERROR(CheckSide(to, max_length));
    if (!seen.insert(from).second) {
      return Status::InvalidArgument("locationMap names the prefix '" + from + "' twice");
    }
    if (!IsAbsoluteLocation(to)) {
      return Status::InvalidArgument("locationMap: '" + to + "' is not an absolute path or a URI");
    }
  }
  return Status::OK();
}

}  // namespace lakeshare
