#include "iceberg/table_location.h"

#include <algorithm>
#include <vector>

#include "common/strings.h"

namespace lakeshare::iceberg {
namespace {

constexpr std::string_view kMetadataSuffixes[] = {".gz.metadata.json", ".metadata.json.gz",
                                                  ".metadata.json"};

std::string Basename(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string Dirname(const std::string& p) {
  size_t slash = p.find_last_of('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

// The number in a metadata file name (v12.metadata.json, 00012-uuid...),
// nullopt for other names.
std::optional<int64_t> MetadataNumber(const std::string& name) {
  std::string stem;
  for (std::string_view suffix : kMetadataSuffixes) {
    if (std::string_view(name).ends_with(suffix)) {
      stem = name.substr(0, name.size() - suffix.size());
      break;
    }
  }
  if (stem.empty()) return std::nullopt;
  std::string_view digits = stem;
  if (digits[0] == 'v') {
    digits.remove_prefix(1);
  } else {
    size_t dash = digits.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    digits = digits.substr(0, dash);
  }
  std::optional<int64_t> n = ParseNumber<int64_t>(digits);
  if (!n || *n < 0) return std::nullopt;
  return n;
}

std::string StemOf(const std::string& name) {
  for (std::string_view suffix : kMetadataSuffixes) {
    if (std::string_view(name).ends_with(suffix))
      return name.substr(0, name.size() - suffix.size());
  }
  return name;
}

// A configured location names a metadata file when it ends like one (any
// .json file: metadata files are not always named by convention).
bool IsConfiguredFile(std::string_view loc) {
  return loc.ends_with(".json") || loc.ends_with(".json.gz");
}

}  // namespace

bool IsRestCatalogLocation(const std::string& location) {
  return location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0;
}

bool IsMetadataFileName(const std::string& name) {
  std::string_view n(name);
  return n.ends_with(".metadata.json") || n.ends_with(".metadata.json.gz");
}

std::string TableFolderOf(const std::string& location) {
  std::string loc = location;
  while (loc.size() > 1 && loc.back() == '/') loc.pop_back();
  if (!IsConfiguredFile(loc)) return loc;
  std::string dir = Dirname(loc);
  if (Basename(dir) == "metadata") return Dirname(dir);
  return dir;
}

std::string NormalizeRecordedLocation(std::string_view p) {
  std::string scheme;
  size_t colon = p.find(':');
  if (colon != std::string_view::npos && p.find('/') > colon) {
    scheme = std::string(p.substr(0, colon));
    AsciiLowerInPlace(&scheme);
    p.remove_prefix(colon + 1);
    if (scheme == "file") {
      scheme.clear();
      if (p.substr(0, 2) == "//") p.remove_prefix(2);  // file://host/x or file:///x
    } else if (scheme == "s3a" || scheme == "s3n") {
      scheme = "s3";
    }
  }
  std::string out;
  if (!scheme.empty()) {
    out = scheme + ":";
    if (p.substr(0, 2) == "//") {
      out += "//";
      p.remove_prefix(2);
    }
  } else if (!p.empty() && p[0] == '/') {
    out = "/";
  }
  size_t start = 0;
  bool first = true;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    std::string_view seg = p.substr(start, end - start);
    if (!seg.empty() && seg != ".") {
      if (!first) out += '/';
      out.append(seg);
      first = false;
    }
    start = end + 1;
  }
  return out;
}

bool IsCleanRelativePath(std::string_view rest) {
  if (rest.empty() || rest.front() == '/' || rest.back() == '/') return false;
  if (rest == "." || rest.substr(0, 2) == "./" || rest.find("//") != std::string_view::npos ||
      rest.find("/./") != std::string_view::npos) {
    return false;
  }
  return !(rest.size() >= 2 && rest.substr(rest.size() - 2) == "/.");
}

std::optional<std::string> MapLocation(const std::string& recorded, const LocationMap& map) {
  if (map.empty()) return std::nullopt;
  const std::string n = NormalizeRecordedLocation(recorded);
  const LocationMapping* best = nullptr;
  size_t best_length = 0;
  std::string rest;
  for (const LocationMapping& m : map) {
    std::string from = NormalizeRecordedLocation(m.from);
    // The longest prefix wins; of equal ones the first (a table's own
    // entries come before the global ones).
    if (from.empty() || from == "/" || (best != nullptr && from.size() <= best_length)) continue;
    if (n == from || (n.size() > from.size() && n.compare(0, from.size(), from) == 0 &&
                      (n[from.size()] == '/' || from.back() == '/'))) {
      best = &m;
      best_length = from.size();
      rest = n.substr(from.size());
      if (!rest.empty() && rest[0] == '/') rest.erase(0, 1);
    }
  }
  // ".." would climb out of the real location: never mapped.
  if (best == nullptr || rest == ".." || rest.rfind("../", 0) == 0 ||
      rest.find("/../") != std::string::npos ||
      (rest.size() >= 3 && rest.compare(rest.size() - 3, 3, "/..") == 0)) {
    return std::nullopt;
  }
  std::string to = best->to;
  while (to.size() > 1 && to.back() == '/') to.pop_back();
  return rest.empty() ? to : to + "/" + rest;
}

Result<std::string> RebaseLocation(const std::string& recorded, const std::string& recorded_root,
                                   const std::string& configured_root, const LocationMap* map) {
  std::string root = configured_root;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::string n = NormalizeRecordedLocation(recorded);
  std::string r = NormalizeRecordedLocation(recorded_root);
  if (!r.empty() && (n == r || (n.size() > r.size() && n.compare(0, r.size(), r) == 0 &&
                                (n[r.size()] == '/' || r.back() == '/')))) {
    std::string rest = n.substr(r.size());
    if (!rest.empty() && rest[0] == '/') rest.erase(0, 1);
    return rest.empty() ? root : root + "/" + rest;
  }
  if (map != nullptr) {
    if (std::optional<std::string> mapped = MapLocation(recorded, *map)) return std::move(*mapped);
  }
  std::string c = NormalizeRecordedLocation(root);
  if (n.size() > c.size() && n.compare(0, c.size(), c) == 0 && n[c.size()] == '/') {
    return root + n.substr(c.size());
  }
  return Status::Corruption("'" + recorded + "' lies outside the table location '" + recorded_root +
                            "' recorded in the metadata");
}

Result<MetadataFileRef> LocateCurrentMetadata(Storage& storage, const std::string& location) {
  std::string loc = location;
  while (loc.size() > 1 && loc.back() == '/') loc.pop_back();
  if (IsConfiguredFile(loc)) {
    auto info = storage.Head(loc);
    if (!info.ok()) {
      if (info.status().code() == StatusCode::kNotFound) {
        return Status::NotFound("the Iceberg metadata file '" + loc + "' does not exist");
      }
      return info.status();
    }
    return MetadataFileRef{loc, *info};
  }
  std::string dir = storage.Join(loc, "metadata");
  auto listing = storage.ListDirectory(dir);
  if (!listing.ok()) {
    if (listing.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no Iceberg table at '" + loc + "': it has no metadata folder");
    }
    return listing.status();
  }
  const FileInfo* best = nullptr;
  std::optional<int64_t> best_number;
  const FileInfo* hint_file = nullptr;
  std::optional<std::string> hint;
  std::vector<const FileInfo*> unnumbered;
  for (const FileInfo& f : *listing) {
    std::string name = Basename(f.path);
    if (name == "version-hint.text") {
      auto text = storage.Read(f.path);
      if (text.ok() && text->size() < 4096) hint = std::string(TrimWhitespace(*text));
      continue;
    }
    if (!IsMetadataFileName(name) && !std::string_view(name).ends_with(".gz.metadata.json")) {
      continue;
    }
    auto n = MetadataNumber(name);
    if (!n) {
      unnumbered.push_back(&f);
      continue;
    }
    if (!best_number || *n > *best_number) {
      best = &f;
      best_number = n;
    }
  }
  if (hint && !hint->empty()) {
    bool numeric =
        std::all_of(hint->begin(), hint->end(), [](char c) { return c >= '0' && c <= '9'; });
    for (const FileInfo& f : *listing) {
      std::string name = Basename(f.path);
      if (!IsMetadataFileName(name)) continue;
      std::string stem = StemOf(name);
      if (stem == *hint || (numeric && stem == "v" + *hint)) hint_file = &f;
    }
  }
  // A hint that lags behind a newer numbered file loses to it (writers write
  // the metadata file first, then the hint).
  if (hint_file != nullptr) {
    auto n = MetadataNumber(Basename(hint_file->path));
    if (!best_number || (n && *n >= *best_number)) best = hint_file;
  }
  if (best == nullptr && unnumbered.size() == 1) best = unnumbered[0];
  if (best == nullptr) {
    if (!unnumbered.empty()) {
      return Status::NotFound("cannot tell which metadata file of the Iceberg table at '" + loc +
                              "' is current (no version hint, no numbered file); configure the "
                              "metadata file itself as the table location");
    }
    return Status::NotFound("no Iceberg metadata file in '" + dir + "'");
  }
  return MetadataFileRef{best->path, *best};
}

}  // namespace lakeshare::iceberg
