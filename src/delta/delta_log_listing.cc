#include "delta/delta_log_listing.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string_view>
#include <utility>

namespace lakeshare {
namespace {

constexpr size_t kVersionDigits = 20;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Parses exactly `digits.size()` decimal digits; nullopt if any is not a digit
// or the value does not fit in int64.
std::optional<int64_t> ParseDigits(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  int64_t value = 0;
  for (char c : digits) {
    if (!IsDigit(c)) return std::nullopt;
    int d = c - '0';
    if (value > (INT64_MAX - d) / 10) return std::nullopt;
    value = value * 10 + d;
  }
  return value;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool Consume(std::string_view* s, std::string_view prefix) {
  if (s->substr(0, prefix.size()) != prefix) return false;
  s->remove_prefix(prefix.size());
  return true;
}

}  // namespace

std::string DeltaCommitFileName(int64_t version) { return DeltaVersionPrefix(version) + ".json"; }

std::string DeltaVersionPrefix(int64_t version) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020lld", static_cast<long long>(version));
  return buf;
}

std::optional<DeltaLogFile> ClassifyDeltaLogFile(FileInfo info) {
  std::string_view name = info.path;
  size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);

  DeltaLogFile file;
  if (name == "_last_checkpoint") {
    file.type = DeltaLogFileType::kLastCheckpoint;
    file.info = std::move(info);
    return file;
  }
  if (name.size() <= kVersionDigits) return std::nullopt;
  std::optional<int64_t> version = ParseDigits(name.substr(0, kVersionDigits));
  if (!version) return std::nullopt;
  file.version = *version;
  std::string_view rest = name.substr(kVersionDigits);

  if (rest == ".json") {
    file.type = DeltaLogFileType::kCommit;
  } else if (rest == ".crc") {
    file.type = DeltaLogFileType::kChecksum;
  } else if (Consume(&rest, ".checkpoint.")) {
    if (rest == "parquet") {
      file.type = DeltaLogFileType::kCheckpoint;
    } else if (rest.size() == 10 + 1 + 10 + 8 && rest[10] == '.' && rest.substr(21) == ".parquet") {
      std::optional<int64_t> part = ParseDigits(rest.substr(0, 10));
      std::optional<int64_t> parts = ParseDigits(rest.substr(11, 10));
      if (!part || !parts || *part < 1 || *part > *parts || *parts > INT32_MAX) return std::nullopt;
      file.type = DeltaLogFileType::kMultiPartCheckpoint;
      file.part = static_cast<int32_t>(*part);
      file.num_parts = static_cast<int32_t>(*parts);
    } else if (rest.size() > 36 && IsUuid(rest.substr(0, 36)) &&
               (rest.substr(36) == ".json" || rest.substr(36) == ".parquet")) {
      file.type = DeltaLogFileType::kV2Checkpoint;
    } else {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  file.info = std::move(info);
  return file;
}

const DeltaLogFile* DeltaLogListing::FindCommit(int64_t version) const {
  auto it = std::lower_bound(commits.begin(), commits.end(), version,
                             [](const DeltaLogFile& f, int64_t v) { return f.version < v; });
  if (it == commits.end() || it->version != version) return nullptr;
  return &*it;
}

std::optional<int64_t> DeltaLogListing::FirstMissingCommit(int64_t from, int64_t to) const {
  if (from > to) return std::nullopt;
  if (from < 0) return from;
  auto it = std::lower_bound(commits.begin(), commits.end(), from,
                             [](const DeltaLogFile& f, int64_t v) { return f.version < v; });
  // Versions are unique and sorted, so [from, to] is complete iff the entry
  // `to - from` places after `from` is `to`; otherwise find the first hole.
  int64_t expected = from;
  if (it != commits.end() && it->version == from) {
    auto span = static_cast<size_t>(to - from);
    auto remaining = static_cast<size_t>(commits.end() - it);
    if (span < remaining && (it + static_cast<std::ptrdiff_t>(span))->version == to) {
      return std::nullopt;
    }
    for (; it != commits.end() && it->version == expected && expected <= to; ++it) ++expected;
  }
  if (expected > to) return std::nullopt;
  return expected;
}

bool DeltaLogListing::HasCommits(int64_t from, int64_t to) const {
  return !FirstMissingCommit(from, to).has_value();
}

const DeltaCheckpoint* DeltaLogListing::CheckpointAtOrBefore(int64_t version) const {
  auto it = std::upper_bound(checkpoints.begin(), checkpoints.end(), version,
                             [](int64_t v, const DeltaCheckpoint& c) { return v < c.version; });
  if (it == checkpoints.begin()) return nullptr;
  return &*(it - 1);
}

std::optional<int64_t> DeltaLogListing::EarliestReconstructableVersion() const {
  if (!commits.empty() && commits.front().version == 0) return 0;
  if (!checkpoints.empty()) return checkpoints.front().version;
  return std::nullopt;
}

namespace {

void SetLatestVersion(DeltaLogListing* listing) {
  listing->latest_version = -1;
  if (!listing->commits.empty()) listing->latest_version = listing->commits.back().version;
  if (!listing->checkpoints.empty()) {
    listing->latest_version =
        std::max(listing->latest_version, listing->checkpoints.back().version);
  }
}

// Classifies and groups the objects of a log folder.
DeltaLogListing BuildListing(std::string log_dir, std::vector<FileInfo> entries,
                             int64_t listed_from) {
  DeltaLogListing listing;
  listing.log_dir = std::move(log_dir);
  listing.listed_from = listed_from;
  // Multi-part checkpoints are usable only when every part is listed; parts
  // of different (failed) attempts may coexist, told apart by their count.
  std::map<std::pair<int64_t, int32_t>, std::map<int32_t, FileInfo>> parts;
  std::map<int64_t, DeltaCheckpoint> checkpoints;
  for (FileInfo& info : entries) {
    std::optional<DeltaLogFile> file = ClassifyDeltaLogFile(std::move(info));
    if (!file) continue;
    if (file->type != DeltaLogFileType::kLastCheckpoint && file->version < listed_from) continue;
    switch (file->type) {
      case DeltaLogFileType::kCommit:
        listing.commits.push_back(std::move(*file));
        break;
      case DeltaLogFileType::kChecksum:
        listing.checksums.push_back(std::move(*file));
        break;
      case DeltaLogFileType::kLastCheckpoint:
        listing.last_checkpoint = std::move(file->info);
        break;
      case DeltaLogFileType::kCheckpoint:
      case DeltaLogFileType::kV2Checkpoint: {
        // One checkpoint per version is enough; a classic one is preferred
        // because it needs no sidecars.
        auto [it, inserted] = checkpoints.try_emplace(file->version);
        if (inserted || file->type == DeltaLogFileType::kCheckpoint) {
          it->second = DeltaCheckpoint{file->version, file->type, {std::move(file->info)}};
        }
        break;
      }
      case DeltaLogFileType::kMultiPartCheckpoint:
        parts[{file->version, file->num_parts}][file->part] = std::move(file->info);
        break;
    }
  }
  for (auto& [key, files] : parts) {
    if (static_cast<int32_t>(files.size()) != key.second) continue;  // incomplete
    if (checkpoints.count(key.first) != 0) continue;
    DeltaCheckpoint cp{key.first, DeltaLogFileType::kMultiPartCheckpoint, {}};
    for (auto& [part, info] : files) cp.files.push_back(std::move(info));
    checkpoints.emplace(key.first, std::move(cp));
  }
  for (auto& [version, cp] : checkpoints) listing.checkpoints.push_back(std::move(cp));

  auto by_version = [](const DeltaLogFile& a, const DeltaLogFile& b) {
    return a.version < b.version;
  };
  std::sort(listing.commits.begin(), listing.commits.end(), by_version);
  std::sort(listing.checksums.begin(), listing.checksums.end(), by_version);
  SetLatestVersion(&listing);
  return listing;
}

template <typename T, typename Version>
void AppendBefore(const std::vector<T>& from, int64_t version, Version version_of,
                  std::vector<T>* out) {
  for (const T& x : from) {
    if (version_of(x) >= version) break;
    out->push_back(x);
  }
}

}  // namespace

Result<DeltaLogListing> ListDeltaLog(Storage& storage, const std::string& table_location) {
  std::string log_dir = storage.Join(table_location, "_delta_log");
  auto entries = storage.ListDirectory(log_dir);
  if (!entries.ok()) {
    if (entries.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("No Delta table at '" + table_location + "': no _delta_log folder");
    }
    return entries.status().WithContext("listing the Delta log of '" + table_location + "'");
  }
  DeltaLogListing listing = BuildListing(std::move(log_dir), std::move(*entries), 0);
  if (listing.latest_version < 0) {
    return Status::NotFound("No Delta table at '" + table_location +
                            "': its _delta_log holds no commit");
  }
  return listing;
}

Result<DeltaLogListing> ListDeltaLogFrom(Storage& storage, const std::string& table_location,
                                         int64_t from_version) {
  if (from_version <= 0) return ListDeltaLog(storage, table_location);
  std::string log_dir = storage.Join(table_location, "_delta_log");
  auto entries = storage.ListDirectoryAfter(log_dir, DeltaVersionPrefix(from_version));
  if (!entries.ok()) {
    if (entries.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("No Delta table at '" + table_location + "': no _delta_log folder");
    }
    return entries.status().WithContext("listing the Delta log of '" + table_location + "'");
  }
  return BuildListing(std::move(log_dir), std::move(*entries), from_version);
}

DeltaLogListing MergeDeltaLogListings(const DeltaLogListing& older, const DeltaLogListing& recent) {
  DeltaLogListing out = DeltaLogListingBefore(older, recent.listed_from);
  out.commits.insert(out.commits.end(), recent.commits.begin(), recent.commits.end());
  out.checkpoints.insert(out.checkpoints.end(), recent.checkpoints.begin(),
                         recent.checkpoints.end());
  out.checksums.insert(out.checksums.end(), recent.checksums.begin(), recent.checksums.end());
  out.last_checkpoint = recent.last_checkpoint;
  SetLatestVersion(&out);
  return out;
}

DeltaLogListing DeltaLogListingBefore(const DeltaLogListing& listing, int64_t version) {
  DeltaLogListing out;
  out.log_dir = listing.log_dir;
  out.listed_from = listing.listed_from;
  out.last_checkpoint = listing.last_checkpoint;
  auto file_version = [](const DeltaLogFile& f) { return f.version; };
  AppendBefore(listing.commits, version, file_version, &out.commits);
  AppendBefore(listing.checksums, version, file_version, &out.checksums);
  AppendBefore(
      listing.checkpoints, version, [](const DeltaCheckpoint& c) { return c.version; },
      &out.checkpoints);
  SetLatestVersion(&out);
  return out;
}

}  // namespace lakeshare
