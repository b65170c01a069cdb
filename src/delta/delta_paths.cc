#include "delta/delta_paths.h"

#include <optional>

#include "common/encoding.h"
#include "storage/local_storage.h"

namespace lakeshare {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Whether a '/'-separated path has a ".." segment.
bool HasParentSegment(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

bool HasUriScheme(std::string_view path) {
  // RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
  if (path.empty() || !IsAlpha(path[0])) return false;
  for (size_t i = 1; i < path.size(); ++i) {
    char c = path[i];
    if (c == ':') return true;
    if (!IsAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
}

std::string CanonicalDeltaPath(std::string_view path) {
  if (path.find('%') == std::string_view::npos || HasUriScheme(path)) return std::string(path);
  std::optional<std::string> decoded = PercentDecode(path);
  return decoded ? std::move(*decoded) : std::string(path);
}

Result<std::string> ResolveDeltaFilePath(const Storage& storage, const std::string& table_location,
                                         const std::string& recorded_path) {
  if (HasUriScheme(recorded_path)) {
    if (recorded_path.compare(0, 5, "file:") == 0) return LocalPathFromLocation(recorded_path);
    return recorded_path;
  }
  std::optional<std::string> decoded = PercentDecode(recorded_path);
  if (!decoded || decoded->empty()) {
    return Status::Corruption("invalid file path in the Delta log of '" + table_location + "': '" +
                              recorded_path + "'");
  }
  if ((*decoded)[0] == '/') {
    // Valid URI syntax, but no Delta writer records it: a full URI is used.
    return Status::Unsupported("scheme-less absolute file path in the Delta log of '" +
                               table_location + "': '" + recorded_path + "'");
  }
  if (HasParentSegment(*decoded)) {
    return Status::Corruption("file path in the Delta log of '" + table_location +
                              "' leaves the table folder: '" + recorded_path + "'");
  }
  return storage.Join(table_location, *decoded);
}

}  // namespace lakeshare
