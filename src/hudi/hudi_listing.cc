#include "hudi/hudi_listing.h"

#include <algorithm>

#include "common/thread_pool.h"
#include "hudi/hudi_file_index.h"

namespace lakeshare::hudi {
namespace {

std::string Relative(const std::string& partition, const std::string& name) {
  return partition.empty() ? name : partition + "/" + name;
}

// The instant a file's name carries and whether it is a base file; nullopt
// for names that are no data file.
struct NamedFile {
  std::string file_id;
  std::string instant;
  bool base = false;
};

std::optional<NamedFile> Named(const std::string& name) {
  if (auto b = ParseBaseFileName(name)) return NamedFile{b->file_id, b->instant, true};
  if (auto l = ParseLogFileName(name); l && !l->cdc) return NamedFile{l->file_id, l->instant};
  return std::nullopt;
}

}  // namespace

Result<std::vector<ListedFile>> ListDataFiles(Storage& storage, const std::string& root,
                                              const ListingLimits& limits) {
  std::vector<ListedFile> out;
  std::vector<std::string> level = {""};  // partitions to list, relative to the root
  int64_t folders = 0;
  for (int depth = 0; !level.empty(); ++depth) {
    folders += static_cast<int64_t>(level.size());
    if (folders > limits.max_folders) {
      return Status::TooLarge("the Hudi table has more than " + std::to_string(limits.max_folders) +
                              " folders to list");
    }
    std::vector<std::vector<ListedFile>> files(level.size());
    std::vector<std::vector<std::string>> below(level.size());
    // Each index writes only its own slots.
    LS_RETURN_IF_ERROR(
        ParallelFor(level.size(), limits.max_parallel_reads, [&](size_t i) -> Status {
          const std::string dir = level[i].empty() ? root : storage.Join(root, level[i]);
          auto listed = storage.ListDirectory(dir);
          if (!listed.ok() && listed.status().code() != StatusCode::kNotFound) {
            return listed.status().WithContext("listing Hudi partition '" + level[i] + "'");
          }
          if (listed.ok()) {
            for (const FileInfo& f : *listed) {
              std::string name = BaseName(f.path);
              if (Named(name)) files[i].push_back({level[i], std::move(name), f.size});
            }
          }
          auto sub = storage.ListSubfolders(dir);
          if (!sub.ok() && sub.status().code() != StatusCode::kNotFound) {
            return sub.status().WithContext("listing Hudi partition '" + level[i] + "'");
          }
          if (sub.ok()) {
            for (const std::string& s : *sub) {
              std::string name = BaseName(s);
              if (name.empty() || name[0] == '.') continue;  // .hoodie, hidden folders
              below[i].push_back(Relative(level[i], name));
            }
          }
          return Status::OK();
        }));
    std::vector<std::string> next;
    for (size_t i = 0; i < level.size(); ++i) {
      for (ListedFile& f : files[i]) out.push_back(std::move(f));
      if (!below[i].empty() && depth + 1 >= limits.max_depth) {
        return Status::TooLarge("the Hudi table's folders are nested deeper than " +
                                std::to_string(limits.max_depth) + " levels");
      }
      for (std::string& b : below[i]) next.push_back(std::move(b));
    }
    level = std::move(next);
  }
  std::sort(out.begin(), out.end(), [](const ListedFile& a, const ListedFile& b) {
    return a.partition != b.partition ? a.partition < b.partition : a.name < b.name;
  });
  return out;
}

std::map<std::string, std::vector<WriteStat>> AttributeListedFiles(
    const std::vector<ListedFile>& files, const std::vector<IncompleteCommit>& incomplete,
    const std::set<std::string>& known, const std::map<std::string, std::set<std::string>>& cleaned,
    bool log_names_carry_writer) {
  std::map<std::string, std::vector<WriteStat>> out;
  std::map<std::string, bool> by_instant;  // instant -> delta
  for (const IncompleteCommit& c : incomplete) by_instant[c.instant] = c.delta;
  // The earliest incomplete delta commit at or after `instant`, or "".
  auto first_delta_from = [&](const std::string& instant) -> std::string {
    std::string best;
    for (const IncompleteCommit& c : incomplete) {
      if (!c.delta || InstantBefore(c.instant, instant)) continue;
      if (best.empty() || InstantBefore(c.instant, best)) best = c.instant;
    }
    return best;
  };
  std::set<std::string> seen;
  auto attribute = [&](const std::string& partition, const std::string& name, int64_t size) {
    const std::string path = Relative(partition, name);
    auto named = Named(name);
    if (!named || !seen.insert(path).second) return;
    // A version 6 log file is appended to by several commits: one a complete
    // commit lists may have been written by an incomplete one before.
    const bool appended_log = !named->base && !log_names_carry_writer;
    if (!appended_log && known.count(path) != 0) return;
    std::string owner;
    if (!appended_log) {
      auto it = by_instant.find(named->instant);
      if (it == by_instant.end() || (!named->base && !it->second)) return;
      owner = it->first;
    } else {
      owner = first_delta_from(named->instant);
      if (owner.empty()) return;
    }
    WriteStat s;
    s.partition_path = partition;
    s.file_id = named->file_id;
    s.path = path;
    s.file_size = size;
    out[owner].push_back(std::move(s));
  };
  for (const ListedFile& f : files) attribute(f.partition, f.name, f.size);
  // Deleted since: known by name only (a version needing one is refused).
  for (const auto& [partition, names] : cleaned) {
    for (const std::string& name : names) attribute(partition, name, 0);
  }
  return out;
}

}  // namespace lakeshare::hudi
