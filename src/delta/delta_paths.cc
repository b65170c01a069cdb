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

Status ResolveDeltaFilePathInto(const std::string& table_location, std::string_view recorded_path,
                                std::string* out) {
  if (HasUriScheme(recorded_path)) {
    if (recorded_path.compare(0, 5, "file:") == 0) {
      LS_ASSIGN_OR_RETURN(*out, LocalPathFromLocation(std::string(recorded_path)));
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
                              std::string(recorded_path) + "'");
  }
  if (relative[0] == '/') {
    // Valid URI syntax, but no Delta writer records it: a full URI is used.
    return Status::Unsupported("scheme-less absolute file path in the Delta log of '" +
                               table_location + "': '" + std::string(recorded_path) + "'");
  }
  if (HasParentSegment(relative)) {
    return Status::Corruption("file path in the Delta log of '" + table_location +
                              "' leaves the table folder: '" + std::string(recorded_path) + "'");
  }
  Storage::JoinInto(table_location, relative, out);
  return Status::OK();
}

DeltaTableRoot DeltaTableRoot::Of(std::string_view table_location) {
  DeltaTableRoot root;
  std::string location(table_location);
  while (location.size() > 1 && location.back() == '/') location.pop_back();
  if (!location.empty() && (location[0] == '/' || location.compare(0, 5, "file:") == 0)) {
    Result<std::string> local = LocalPathFromLocation(location);
    if (local.ok()) {
      root.local = std::move(*local);
      while (root.local.size() > 1 && root.local.back() == '/') root.local.pop_back();
    }
  } else if (HasUriScheme(location)) {
    root.uri = std::move(location);
  }
  return root;
}

bool NormalizeRecordedPath(const DeltaTableRoot& root, CompactText* path) {
  if (path->view().find(':') == std::string_view::npos) return false;
  std::string p = path->str();
  if (!NormalizeRecordedPath(root, &p)) return false;
  *path = p;
  return true;
}

bool NormalizeRecordedPath(const DeltaTableRoot& root, std::string* path) {
  const std::string& p = *path;
  if (p.find(':') == std::string::npos || !HasUriScheme(p)) return false;
  auto under = [&](const std::string& full, const std::string& prefix) {
    return !prefix.empty() && prefix != "/" && full.size() > prefix.size() + 1 &&
           full.compare(0, prefix.size(), prefix) == 0 && full[prefix.size()] == '/';
  };
  if (p.compare(0, 5, "file:") == 0) {
    Result<std::string> local = LocalPathFromLocation(p);
    if (!local.ok()) return false;  // refused when resolved
    // A '..' left in the relative form is refused when resolved, as any.
    std::string normal =
        under(*local, root.local)
            ? EncodeDeltaPath(std::string_view(*local).substr(root.local.size() + 1))
            : "file://" + EncodeDeltaPath(*local);
    if (normal == p) return false;
    *path = std::move(normal);
    return true;
  }
  if (under(p, root.uri)) {
    path->erase(0, root.uri.size() + 1);
    return true;
  }
  return false;
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
