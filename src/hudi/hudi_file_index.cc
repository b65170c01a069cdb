#include "hudi/hudi_file_index.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "common/strings.h"

namespace lakeshare::hudi {
namespace {

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Write order of the logs of one slice.
bool LogBefore(const IndexedFile* a, const IndexedFile* b, bool completion_ordered) {
  if (completion_ordered && a->completion != b->completion) {
    return InstantBefore(a->completion, b->completion);
  }
  if (a->instant != b->instant) return InstantBefore(a->instant, b->instant);
  if (a->log_version != b->log_version) return a->log_version < b->log_version;
  return a->write_token < b->write_token;
}

// The parts of a base file name, borrowed from it (no allocation: the index
// parses one name per file of every commit).
struct BaseFileNameView {
  std::string_view file_id;
  std::string_view instant;
  std::string_view extension;  // as written (any case)
};

std::optional<BaseFileNameView> ParseBaseFileNameView(std::string_view name) {
  if (name.empty() || name[0] == '.') return std::nullopt;
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view stem = name.substr(0, dot);
  size_t last = stem.rfind('_');
  if (last == std::string_view::npos) return std::nullopt;
  size_t token = stem.rfind('_', last - 1);
  if (last == 0 || token == std::string_view::npos || token == 0) return std::nullopt;
  BaseFileNameView out;
  out.file_id = stem.substr(0, token);
  out.instant = stem.substr(last + 1);
  out.extension = name.substr(dot + 1);
  if (!Digits(out.instant) || out.instant.size() < 14) return std::nullopt;
  return out;
}

std::string_view BaseNameView(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// (partition, file id) of a group, borrowed from the commits' metadata,
// which outlives FileIndex::Build.
struct GroupKey {
  std::string_view partition;
  std::string_view file_id;
  bool operator==(const GroupKey&) const = default;
};
struct GroupKeyHash {
  size_t operator()(const GroupKey& k) const {
    size_t h = std::hash<std::string_view>{}(k.partition);
    return h ^
           (std::hash<std::string_view>{}(k.file_id) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};

}  // namespace

bool InstantBefore(std::string_view a, std::string_view b) {
  size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    char x = i < a.size() ? a[i] : '0';
    char y = i < b.size() ? b[i] : '0';
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

std::optional<BaseFileName> ParseBaseFileName(std::string_view name) {
  auto v = ParseBaseFileNameView(name);
  if (!v) return std::nullopt;
  BaseFileName out;
  out.file_id = std::string(v->file_id);
  out.instant = std::string(v->instant);
  out.extension = AsciiLower(v->extension);
  return out;
}

std::optional<LogFileName> ParseLogFileName(std::string_view name) {
  // .<fileId>_<instant>.log.<version>_<writeToken>[-cdc|.cdc] (change logs:
  // "-cdc" before Hudi 1.0, ".cdc" after)
  if (name.size() < 2 || name[0] != '.') return std::nullopt;
  size_t log = name.find(".log.");
  if (log == std::string_view::npos) return std::nullopt;
  std::string_view head = name.substr(1, log - 1);
  std::string_view tail = name.substr(log + 5);
  size_t underscore = head.rfind('_');
  if (underscore == std::string_view::npos || underscore == 0) return std::nullopt;
  LogFileName out;
  out.file_id = std::string(head.substr(0, underscore));
  out.instant = std::string(head.substr(underscore + 1));
  if (!Digits(out.instant) || out.instant.size() < 14) return std::nullopt;
  if (tail.size() >= 4 &&
      (tail.substr(tail.size() - 4) == "-cdc" || tail.substr(tail.size() - 4) == ".cdc")) {
    out.cdc = true;
    tail.remove_suffix(4);
  }
  size_t u = tail.find('_');
  std::string_view version = tail.substr(0, u);
  if (!Digits(version) || version.size() > 9) return std::nullopt;
  std::from_chars(version.data(), version.data() + version.size(), out.version);
  if (u != std::string_view::npos) out.write_token = std::string(tail.substr(u + 1));
  return out;
}

Result<FileIndex> FileIndex::Build(const std::vector<IndexedCommit>& commits,
                                   const std::map<std::string, std::set<std::string>>& cleaned,
                                   bool completion_ordered) {
  FileIndex index;
  index.completion_ordered_ = completion_ordered;
  // Keys borrow the commits' strings: a large table has a file per write
  // stat, and copying each key twice more showed in cold loads.
  size_t stats = 0;
  for (const IndexedCommit& c : commits) {
    if (c.metadata != nullptr) stats += c.metadata->write_stats.size();
  }
  std::unordered_map<GroupKey, size_t, GroupKeyHash> by_key;
  std::unordered_map<std::string_view, std::pair<size_t, bool>> by_path;  // -> (group, is log)
  by_key.reserve(stats);
  by_path.reserve(stats);
  auto group_of = [&](std::string_view partition, std::string_view file_id) -> size_t {
    auto [it, inserted] = by_key.emplace(GroupKey{partition, file_id}, index.groups_.size());
    if (inserted) {
      FileGroup g;
      g.partition = std::string(partition);
      g.file_id = std::string(file_id);
      index.groups_.push_back(std::move(g));
    }
    return it->second;
  };
  std::string extension;
  for (const IndexedCommit& c : commits) {
    if (c.metadata == nullptr) continue;
    for (const WriteStat& s : c.metadata->write_stats) {
      if (s.path.empty()) continue;
      if (s.path.find("..") != std::string::npos || s.path[0] == '/') {
        return Status::Corruption("commit " + c.instant + " names a file outside the table: '" +
                                  s.path.substr(0, 200) + "'");
      }
      std::string_view name = BaseNameView(s.path);
      std::string_view partition = s.partition_path;
      if (partition.empty()) {
        size_t slash = s.path.rfind('/');
        if (slash != std::string::npos) partition = std::string_view(s.path).substr(0, slash);
      }
      if (!name.empty() && name[0] == '.') {
        auto log = ParseLogFileName(name);
        if (log) {
          if (log->cdc) continue;  // change data, not table data
          auto known = by_path.find(s.path);
          if (known != by_path.end()) {
            // An append to a log file (table version 6): the file is the
            // same; its blocks say which instant wrote them.
            if (known->second.second) {
              for (IndexedFile& l : index.groups_[known->second.first].logs) {
                if (l.path == s.path) l.size = std::max(l.size, s.file_size);
              }
            }
            index.touched_[c.version].push_back(known->second.first);
            continue;
          }
          IndexedFile f;
          f.path = s.path;
          f.size = s.file_size;
          f.version = c.version;
          f.completion = c.completion;
          f.instant = std::move(log->instant);
          f.log_version = log->version;
          f.write_token = std::move(log->write_token);
          // ".<fileId>_<instant>.log...": the id as a view into the path.
          size_t gi = group_of(partition, name.substr(1, log->file_id.size()));
          index.groups_[gi].logs.push_back(std::move(f));
          by_path.emplace(s.path, std::make_pair(gi, true));
          index.touched_[c.version].push_back(gi);
          continue;
        }
      }
      auto base = ParseBaseFileNameView(name);
      if (!base) {
        return Status::Corruption("commit " + c.instant + " names a file Hudi would not write: '" +
                                  std::string(name.substr(0, 200)) + "'");
      }
      extension.assign(base->extension);
      AsciiLowerInPlace(&extension);
      if (index.extensions_.count(extension) == 0) index.extensions_.insert(extension);
      if (by_path.count(s.path)) continue;
      IndexedFile f;
      f.path = s.path;
      f.size = s.file_size;
      f.version = c.version;
      f.instant = std::string(base->instant);
      f.num_records = s.num_writes;
      size_t gi = group_of(partition, base->file_id);
      index.groups_[gi].bases.push_back(std::move(f));
      by_path.emplace(s.path, std::make_pair(gi, false));
      index.touched_[c.version].push_back(gi);
    }
    for (const auto& [partition, ids] : c.metadata->replaced_file_ids) {
      for (const std::string& id : ids) {
        FileGroup& g = index.groups_[group_of(partition, id)];
        if (!g.replaced_at) {
          g.replaced_at = c.version;
          index.touched_[c.version].push_back(static_cast<size_t>(&g - index.groups_.data()));
        }
      }
    }
  }
  for (FileGroup& g : index.groups_) {
    auto it = cleaned.find(g.partition);
    if (it == cleaned.end()) continue;
    for (IndexedFile& f : g.bases) f.cleaned = it->second.count(BaseName(f.path)) > 0;
    for (IndexedFile& f : g.logs) f.cleaned = it->second.count(BaseName(f.path)) > 0;
  }
  // Groups in (partition, file id) order; touched_ follows the renumbering.
  std::vector<size_t> order(index.groups_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const FileGroup& x = index.groups_[a];
    const FileGroup& y = index.groups_[b];
    return std::tie(x.partition, x.file_id) < std::tie(y.partition, y.file_id);
  });
  std::vector<size_t> new_index(order.size());
  std::vector<FileGroup> sorted;
  sorted.reserve(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    new_index[order[i]] = i;
    sorted.push_back(std::move(index.groups_[order[i]]));
  }
  index.groups_ = std::move(sorted);
  for (auto& [v, list] : index.touched_) {
    for (size_t& gi : list) gi = new_index[gi];
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  return index;
}

std::string FileIndex::SliceKeyOf(const FileGroup& g, const IndexedFile& log) const {
  if (!completion_ordered_) return log.instant;
  // The greatest base instant at or before the log's completion time.
  std::string key;
  for (const IndexedFile& b : g.bases) {
    if (!InstantBefore(log.completion, b.instant) &&
        (key.empty() || InstantBefore(key, b.instant))) {
      key = b.instant;
    }
  }
  return key;
}

std::optional<FileSlice> FileIndex::SliceAt(const FileGroup& g, int64_t version) const {
  if (g.replaced_at && *g.replaced_at <= version) return std::nullopt;
  FileSlice s;
  s.group = &g;
  for (const IndexedFile& b : g.bases) {
    if (b.version > version) continue;
    if (s.base == nullptr || InstantBefore(s.base->instant, b.instant)) s.base = &b;
  }
  for (const IndexedFile& l : g.logs) {
    if (l.version > version) continue;
    if (s.base != nullptr && InstantBefore(SliceKeyOf(g, l), s.base->instant)) continue;
    s.logs.push_back(&l);
  }
  if (s.base == nullptr && s.logs.empty()) return std::nullopt;
  std::sort(s.logs.begin(), s.logs.end(), [&](const IndexedFile* a, const IndexedFile* b) {
    return LogBefore(a, b, completion_ordered_);
  });
  s.version = s.base ? s.base->version : 0;
  for (const IndexedFile* l : s.logs) s.version = std::max(s.version, l->version);
  return s;
}

std::vector<const FileGroup*> FileIndex::GroupsTouchedAt(int64_t version) const {
  std::vector<const FileGroup*> out;
  auto it = touched_.find(version);
  if (it == touched_.end()) return out;
  for (size_t gi : it->second) out.push_back(&groups_[gi]);
  return out;
}

}  // namespace lakeshare::hudi
