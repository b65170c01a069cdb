// LoadedFiles: a group of add actions as a checkpoint's row group (or file)
// yields them, before they are sorted into a snapshot (SortFiles,
// delta_log_replay.h).
//
// Why: path and stats are most of a snapshot's bytes. Copying them out of
// the decoded pages at load, and again in the snapshot's order when sorted
// (so that an answer reads them one after the other), touched twice the
// memory the snapshot keeps. Here a file's path and stats may stay views
// into the row group's decoded pages, which `pages` keeps alive; SortFiles
// gives each text its own string once, already in its final order.
//
// A file's texts are either its own (files[i].path not empty; stats in
// files[i].stats) or views (files[i].path empty, as a recorded path never
// is: path_views[i], stats_views[i]). path_views / stats_views are empty
// when no file of the group uses views.
//
// A value; not synchronized (one thread at a time).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "table/table_format.h"

namespace lakeshare {

struct LoadedFiles {
  LoadedFiles() = default;
  // Files that own their texts.
  LoadedFiles(std::vector<DataFile> owned)  // NOLINT(google-explicit-constructor)
      : files(std::move(owned)) {}

  std::vector<DataFile> files;
  std::vector<std::string_view> path_views;
  std::vector<std::optional<std::string_view>> stats_views;
  std::vector<std::shared_ptr<const std::string>> pages;  // what the views point into

  size_t size() const { return files.size(); }
  bool empty() const { return files.empty(); }

  bool HasViews(size_t i) const { return !path_views.empty() && files[i].path.empty(); }
  std::string_view path(size_t i) const {
    return HasViews(i) ? path_views[i] : std::string_view(files[i].path);
  }
  // File i's stats view when it has views (else nullptr: see files[i].stats).
  const std::optional<std::string_view>* stats_view(size_t i) const {
    return HasViews(i) ? &stats_views[i] : nullptr;
  }

  // Gives file i its own path and stats (the views are no longer used).
  void Own(size_t i) {
    if (!HasViews(i)) return;
    files[i].path.assign(path_views[i]);
    if (stats_views[i]) files[i].stats.emplace(*stats_views[i]);
  }

  // Drops the files for which keep(i) is false, keeping the others' order.
  template <typename Pred>
  void KeepIf(Pred keep) {
    size_t out = 0;
    const bool views = !path_views.empty();
    for (size_t i = 0; i < files.size(); ++i) {
      if (!keep(i)) continue;
      if (out != i) {
        files[out] = std::move(files[i]);
        if (views) {
          path_views[out] = path_views[i];
          stats_views[out] = stats_views[i];
        }
      }
      ++out;
    }
    files.resize(out);
    if (views) {
      path_views.resize(out);
      stats_views.resize(out);
    }
  }

  // The files, each with its own texts.
  std::vector<DataFile> Take() && {
    for (size_t i = 0; i < files.size(); ++i) Own(i);
    path_views.clear();
    stats_views.clear();
    pages.clear();
    return std::move(files);
  }
};

}  // namespace lakeshare
