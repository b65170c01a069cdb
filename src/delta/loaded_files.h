// LoadedFiles: a group of add actions as a checkpoint's row group (or file)
// yields them, before they are sorted into a snapshot (SortFiles,
// delta_log_replay.h).
//
// Why: path and stats are most of a snapshot's bytes, and the decoded pages
// of a PLAIN (or dictionary) encoded string column already hold each value
// as a CompactText block ([uint32 size][bytes]). So a loaded file's path and
// stats may be borrowed from its row group's decoded pages (CompactText::
// Borrow; `pages` keeps them alive), and the snapshot keeps those pages
// instead of copies: each text is decompressed once and never copied, and
// on a cold load the memory touched for the first time is most of the cost.
// Texts that are no such block (other encodings, JSON commits, stats written
// from stats_parsed) are owned by their files.
//
// A value; not synchronized (one thread at a time).
#pragma once

#include <cstddef>
#include <memory>
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
  // What the borrowed texts of `files` point into.
  std::vector<std::shared_ptr<const std::string>> pages;

  size_t size() const { return files.size(); }
  bool empty() const { return files.empty(); }
  std::string_view path(size_t i) const { return files[i].path; }

  // Drops the files for which keep(i) is false, keeping the others' order.
  template <typename Pred>
  void KeepIf(Pred keep) {
    size_t out = 0;
    for (size_t i = 0; i < files.size(); ++i) {
      if (!keep(i)) continue;
      if (out != i) files[out] = std::move(files[i]);
      ++out;
    }
    files.resize(out);
  }

  // The files, each with its own texts (the pages go).
  std::vector<DataFile> Take() && {
    for (DataFile& f : files) {
      f.path.MakeOwned();
      f.stats.MakeOwned();
    }
    pages.clear();
    return std::move(files);
  }
};

}  // namespace lakeshare
