#include "delta/delta_paths.h"

#include <cstdio>
#include <optional>

#include "common/encoding.h"
#include "storage/local_storage.h"
#include "storage/storage.h"

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

Result<std::string> ResolveDeltaFilePath(const std::string& table_location,
                                         const std::string& recorded_path) {
  std::string out;
  LS_RETURN_IF_ERROR(ResolveDeltaFilePathInto(table_location, recorded_path, &out));
  return out;
}

Status ResolveDeltaFilePathInto(const std::string& table_location, const std::string& recorded_path,
                                std::string* out) {
  if (HasUriScheme(recorded_path)) {
    if (recorded_path.compare(0, 5, "file:") == 0) {
      LS_ASSIGN_OR_RETURN(*out, LocalPathFromLocation(recorded_path));
    } else {
      *out = recorded_path;
    }
    return Status::OK();
  }
  // Most recorded paths need no decoding: no copy for them.
  std::optional<std::string> decoded;
  std::string_view relative = recorded_path;
  if (relative.find('%') != std::string_view::npos) {
    decoded = PercentDecode(relative);
    relative = decoded ? std::string_view(*decoded) : std::string_view();
  }
  if (relative.empty()) {
    return Status::Corruption("invalid file path in the Delta log of '" + table_location + "': '" +
                              recorded_path + "'");
  }
  if (relative[0] == '/') {
    // Valid URI syntax, but no Delta writer records it: a full URI is used.
    return Status::Unsupported("scheme-less absolute file path in the Delta log of '" +
                               table_location + "': '" + recorded_path + "'");
  }
  if (HasParentSegment(relative)) {
    return Status::Corruption("file path in the Delta log of '" + table_location +
                              "' leaves the table folder: '" + recorded_path + "'");
  }
  Storage::JoinInto(table_location, relative, out);
  return Status::OK();
}

std::string EncodeDeltaPath(std::string_view relative_path) {
  // What java.net.URI leaves alone in a path: unreserved and sub-delimiter
  // characters, ':', '@' and '/'. Everything else is %XX-encoded (Java keeps
  // non-ASCII characters as they are; encoding them is equivalent for readers,
  // which decode the path).
  static const std::string_view kKeep = "-_.!~*'(),;:$&+=@/";
  std::string out;
  for (char ch : relative_path) {
    auto c = static_cast<unsigned char>(ch);
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || (c < 0x80 && kKeep.find(ch) != std::string_view::npos)) {
      out += ch;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace lakeshare
