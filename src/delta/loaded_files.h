// LoadedFiles: a group of add actions as a checkpoint's row group (or file)
// yields them, before they are sorted into a snapshot (SortFiles,
// delta_log_replay.h).
//
// Why: path and stats are most of a snapshot's bytes, and the snapshot
// copies them into its chunks' arenas in its (sorted) order so that an
// answer reads them one after the other. Loaded texts that live
// until the sort is done would double the load's peak memory. So a file's
// path may stay a view into the row group's decoded path pages (`pages`
// keeps them alive: the sort needs the paths), and its stats text is not
// kept at all: only its size and its place in the group's stats column,
// which `stats_column` decodes once more when SortFiles fills the allocated
// snapshot, one group at a time. The decoded stats pages (the largest text)
// then live for one row group at a time, at the load and at the fill.
//
// File i's path is its own (files[i].path not empty) or a view (files[i].path
// empty, as a recorded path never is: path_views[i]). Its stats are deferred
// (stats_refs[i].value != kNoValue: value stats_refs[i].value of the column
// stats_column returns, stats_refs[i].size bytes) or in files[i].stats.
// path_views and stats_refs are empty when no file of the group uses them
// (else both have one entry per file).
//
// The second decoding reads a local checkpoint file again (through the
// descriptor opened for the first): Delta checkpoint files are immutable;
// one that changed size, or whose texts changed size, is an error
// (StatsText), not other stats.
//
// A value; not synchronized (one thread at a time). stats_column may be
// called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "parquet/column_batch.h"
#include "table/table_format.h"

namespace lakeshare {

struct LoadedFiles {
  LoadedFiles() = default;
  // Files that own their texts.
  LoadedFiles(std::vector<DataFile> owned)  // NOLINT(google-explicit-constructor)
      : files(std::move(owned)) {}

  struct StatsRef {
    static constexpr uint32_t kNoValue = UINT32_MAX;
    uint32_t value = kNoValue;  // index in the column's binaries
    uint32_t size = 0;          // the text's size, checked when it is read again
  };

  std::vector<DataFile> files;
  std::vector<std::string_view> path_views;
  std::vector<StatsRef> stats_refs;
  std::vector<std::shared_ptr<const std::string>> pages;  // what the path views point into
  // Decodes the group's stats column again (set when a stats_ref is used).
  std::function<Result<parquet::ColumnBatch>()> stats_column;
  std::string stats_source;  // names that column in messages

  size_t size() const { return files.size(); }
  bool empty() const { return files.empty(); }

  bool HasViews(size_t i) const { return !path_views.empty() && files[i].path.empty(); }
  std::string_view path(size_t i) const {
    return HasViews(i) ? path_views[i] : std::string_view(files[i].path);
  }
  bool StatsDeferred(size_t i) const {
    return !stats_refs.empty() && stats_refs[i].value != StatsRef::kNoValue;
  }

  // File i's deferred stats text in `column` (what stats_column returned).
  // kCorruption when the column does not hold it as it did at the load (the
  // checkpoint changed between two reads).
  Result<std::string_view> StatsText(const parquet::ColumnBatch& column, StatsRef ref) const {
    if (ref.value >= column.binaries.size() || column.binaries[ref.value].size() != ref.size) {
      return Status::Corruption(stats_source +
                                ": add.stats differs between two reads of the same column chunk");
    }
    return column.binaries[ref.value];
  }

  // Gives file i its own path (a deferred stats text stays deferred).
  void OwnPath(size_t i) {
    if (HasViews(i)) files[i].path = path_views[i];
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
          stats_refs[out] = stats_refs[i];
        }
      }
      ++out;
    }
    files.resize(out);
    if (views) {
      path_views.resize(out);
      stats_refs.resize(out);
    }
  }

  // The files, each with its own texts (the stats column decoded once more
  // when some are deferred). Errors: those of stats_column and StatsText.
  Result<std::vector<DataFile>> Take() && {
    for (size_t i = 0; i < files.size(); ++i) OwnPath(i);
    bool deferred = false;
    for (size_t i = 0; i < files.size() && !deferred; ++i) deferred = StatsDeferred(i);
    if (deferred) {
      LS_ASSIGN_OR_RETURN(parquet::ColumnBatch column, stats_column());
      for (size_t i = 0; i < files.size(); ++i) {
        if (!StatsDeferred(i)) continue;
        LS_ASSIGN_OR_RETURN(std::string_view text, StatsText(column, stats_refs[i]));
        files[i].stats.emplace(text);
      }
    }
    path_views.clear();
    stats_refs.clear();
    pages.clear();
    stats_column = nullptr;
    return std::move(files);
  }
};

}  // namespace lakeshare
