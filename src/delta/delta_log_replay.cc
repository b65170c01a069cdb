#include "delta/delta_log_replay.h"

#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <iterator>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "common/prefetch.h"
#include "common/thread_pool.h"
#include "delta/delta_paths.h"
#include "delta/path_sort.h"

namespace lakeshare {
namespace {

std::string DvId(const CompactOptional<DeletionVector>& dv) {
  return dv ? DeletionVectorUniqueId(*dv) : std::string();
}

// The percent-decoded form of `path`: a view of it when it has no escape,
// else of `*storage`.
std::string_view CanonicalView(std::string_view path, std::string* storage) {
  if (path.find('%') == std::string_view::npos) return path;
  *storage = CanonicalDeltaPath(path);
  return *storage;
}

int CompareTail(const DataFile& a, std::string_view a_path, const DataFile& b,
                std::string_view b_path) {
  if (a.deletion_vector || b.deletion_vector) {
    int c = DvId(a.deletion_vector).compare(DvId(b.deletion_vector));
    if (c != 0) return c;
  }
  return a_path.compare(b_path);
}

// The first index of `files` (sorted by FileOrder) whose canonical path is
// not less than `canonical`.
size_t LowerBoundCanonical(const FileList& files, std::string_view canonical) {
  size_t lo = 0, hi = files.size();
  std::string tmp;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (CanonicalView(files[mid].path, &tmp) < canonical) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// The first index of `files` whose file does not sort before `f`.
size_t LowerBound(const FileList& files, const DataFile& f) {
  size_t lo = 0, hi = files.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (FileOrder(files[mid], f)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// Chunks of at most this many files come out of a rebuilt chunk.
constexpr size_t kMaxChunk = 2 * FileList::kChunkSize;

void PushChunk(std::vector<DataFile> files, std::vector<FileList::ChunkPtr>* out) {
  if (files.empty()) return;
  if (files.size() <= kMaxChunk) {
    out->push_back(std::make_shared<const FileList::Chunk>(std::move(files)));
    return;
  }
  for (size_t i = 0; i < files.size(); i += FileList::kChunkSize) {
    size_t end = std::min(files.size(), i + FileList::kChunkSize);
    out->push_back(std::make_shared<const FileList::Chunk>(
        std::make_move_iterator(files.begin() + static_cast<std::ptrdiff_t>(i)),
        std::make_move_iterator(files.begin() + static_cast<std::ptrdiff_t>(end))));
  }
}

// The halves below cannot fail but by running out of memory, which the
// callers of SortFiles handle as the exception it was.
void ThrowIfFailed(const Status& st) {
  if (!st.ok()) throw std::bad_alloc();
}

// A chunk of the snapshot being built (made const once its texts are in).
using MutableChunk = std::shared_ptr<FileList::Chunk>;

// An owned text of a gathered file, moved into the chunk's arena at `*at`:
// the loaded file keeps its block, to be freed with it (in the order the
// blocks were allocated).
void IntoArena(CompactText* kept, CompactText* loaded, char** at) {
  if (!*kept || kept->in_arena()) return;
  *loaded = std::move(*kept);
  *kept = CompactText::InArena(*at, loaded->view());
  *at += CompactText::ArenaBytes(loaded->size());
}

// Moves files[order[0..count)] into chunks of FileList::kChunkSize. Texts
// borrowed from a checkpoint's pages stay where they are (the chunks keep
// `pages`); owned ones (from JSON commits, or no page's blocks) are copied
// into one arena per chunk, in the snapshot's order, sparing a malloc
// header each, and their loaded blocks stay with the emptied files.
void GatherChunks(const std::vector<DataFile*>& files, const uint32_t* order, size_t count,
                  const std::shared_ptr<const void>& pages, std::vector<MutableChunk>* chunks) {
  // Memory is fetched ahead: the files themselves (scattered: the order is
  // not the load's) 2 * kAhead places ahead, their owned texts kAhead ahead.
  constexpr size_t kAhead = 16;
  chunks->reserve(chunks->size() + count / FileList::kChunkSize + 1);
  for (size_t begin = 0; begin < count; begin += FileList::kChunkSize) {
    const size_t end = std::min(count, begin + FileList::kChunkSize);
    // Reserved whole: the files do not move once gathered.
    auto chunk = std::make_shared<FileList::Chunk>();
    chunk->reserve(end - begin);
    chunk->pages = pages;
    size_t bytes = 0;
    for (size_t k = begin; k < end; ++k) {
      const DataFile& f = *files[order[k]];
      if (f.path && !f.path.in_arena()) bytes += CompactText::ArenaBytes(f.path.size());
      if (f.stats && !f.stats.in_arena()) bytes += CompactText::ArenaBytes(f.stats.size());
    }
    char* at = nullptr;
    if (bytes > 0) {
      // Not value-initialized: every byte is written below.
      chunk->arenas.emplace_back(new char[bytes]);
      at = chunk->arenas.back().get();
    }
    for (size_t k = begin; k < end; ++k) {
      if (k + 2 * kAhead < count) {
        const char* far = reinterpret_cast<const char*>(files[order[k + 2 * kAhead]]);
        __builtin_prefetch(far);
        __builtin_prefetch(far + sizeof(DataFile) - 1);
      }
      if (bytes > 0 && k + kAhead < count) {
        const DataFile& ahead = *files[order[k + kAhead]];
        if (!ahead.path.in_arena()) PrefetchText(ahead.path.view());
        if (!ahead.stats.in_arena()) PrefetchText(ahead.stats.view());
      }
      // The file changes places with an empty one.
      DataFile& loaded = *files[order[k]];
      DataFile& kept = chunk->emplace_back();
      std::swap(kept, loaded);
      if (bytes > 0) {
        IntoArena(&kept.path, &loaded.path, &at);
        IntoArena(&kept.stats, &loaded.stats, &at);
      }
    }
    chunks->push_back(std::move(chunk));
  }
}
}  // namespace

bool FileOrder(const DataFile& a, const DataFile& b) {
  std::string sa, sb;
  int c = CanonicalView(a.path, &sa).compare(CanonicalView(b.path, &sb));
  if (c != 0) return c < 0;
  return CompareTail(a, a.path, b, b.path) < 0;
}

FileList SortFiles(std::vector<DataFile> files) {
  std::vector<LoadedFiles> groups;
  groups.emplace_back(std::move(files));
  return SortFiles(std::move(groups));
}

FileList SortFiles(std::vector<std::vector<DataFile>> groups) {
  std::vector<LoadedFiles> loaded;
  loaded.reserve(groups.size());
  for (auto& g : groups) loaded.emplace_back(std::move(g));
  return SortFiles(std::move(loaded));
}

FileList SortFiles(std::vector<LoadedFiles> groups) {
  // One view of all groups, by global index, and each file's canonical path:
  // built group by group on two threads (a pass over every path).
  std::vector<size_t> offsets(groups.size() + 1, 0);
  for (size_t g = 0; g < groups.size(); ++g) offsets[g + 1] = offsets[g] + groups[g].size();
  const size_t n = offsets.back();
  if (n > UINT32_MAX) std::abort();  // indices below are 32-bit; no table is that large
  std::vector<DataFile*> files(n);
  // Canonical paths computed once, not per comparison; the decoded ones
  // (paths with escapes) are kept per group.
  std::vector<std::string_view> canonical(n);
  std::vector<std::deque<std::string>> decoded(groups.size());
  auto canonical_of = [](std::string_view p, std::deque<std::string>* storage) {
    if (p.find('%') == std::string_view::npos) return p;
    storage->push_back(CanonicalDeltaPath(p));
    return std::string_view(storage->back());
  };
  // Paths share long prefixes ("date=2024-01-01/part-0"): skip what all
  // share (the common prefix with the first path, per group and then over
  // all) and compare the next 24 bytes as integers, held inline, so that
  // most comparisons touch neither the strings nor the files.
  std::string first_storage;
  std::string_view first;
  for (const LoadedFiles& g : groups) {
    if (g.empty()) continue;
    first = CanonicalView(g.path(0), &first_storage);
    break;
  }
  std::vector<size_t> group_lcp(groups.size(), first.size());
  ThrowIfFailed(ParallelFor(groups.size(), n >= (1u << 16) ? 2 : 1, [&](size_t g) {
    LoadedFiles& group = groups[g];
    size_t lcp = first.size();
    for (size_t i = 0, k = offsets[g]; i < group.size(); ++i, ++k) {
      files[k] = &group.files[i];
      const std::string_view c = canonical_of(group.path(i), &decoded[g]);
      canonical[k] = c;
      const size_t m = std::min(lcp, c.size());
      size_t j = 0;
      while (j < m && c[j] == first[j]) ++j;
      lcp = j;
    }
    group_lcp[g] = lcp;
    return Status::OK();
  }));
  size_t lcp = n > 0 ? *std::min_element(group_lcp.begin(), group_lcp.end()) : 0;
  PathSortTies ties;
  ties.compare = [&](uint32_t a, uint32_t b) {
    return CompareTail(*files[a], files[a]->path, *files[b], files[b]->path);
  };
  ties.same_identity = [&](uint32_t a, uint32_t b) {
    return DvId(files[a]->deletion_vector) == DvId(files[b]->deletion_vector);
  };
  std::vector<uint32_t> kept = SortPathsKeepLast(canonical, lcp, ties);
  // The sort's own memory goes before the gather allocates the chunks: it
  // would only add to the load's peak.
  std::vector<std::string_view>().swap(canonical);
  decoded.clear();
  // The pages the groups' texts borrow from, kept by every chunk.
  std::shared_ptr<const void> pages;
  {
    auto all = std::make_shared<std::vector<std::shared_ptr<const std::string>>>();
    for (LoadedFiles& group : groups) {
      all->insert(all->end(), std::make_move_iterator(group.pages.begin()),
                  std::make_move_iterator(group.pages.end()));
      group.pages.clear();
    }
    if (!all->empty()) pages = std::move(all);
  }
  // Gathered into chunks on two threads (it waits on memory), split at a
  // chunk boundary so that every chunk but the last is full.
  std::vector<MutableChunk> chunks;
  const size_t m = kept.size();
  const size_t split = m >= (1u << 16) ? m / 2 / FileList::kChunkSize * FileList::kChunkSize : 0;
  const int threads = split > 0 ? 2 : 1;
  std::vector<MutableChunk> second;
  ThrowIfFailed(ParallelFor(2, threads, [&](size_t half) {
    if (half == 0) {
      GatherChunks(files, kept.data(), split, pages, &chunks);
    } else {
      GatherChunks(files, kept.data() + split, m - split, pages, &second);
    }
    return Status::OK();
  }));
  std::vector<FileList::ChunkPtr> done;
  done.reserve(chunks.size() + second.size());
  for (auto* part : {&chunks, &second}) {
    done.insert(done.end(), std::make_move_iterator(part->begin()),
                std::make_move_iterator(part->end()));
  }
  if (m >= (1u << 16)) {
    // The emptied files (and the owned texts they still hold) are freed
    // together and their memory handed back rather than kept resident — on
    // a pool thread when one is free: a million frees and the trim need not
    // delay the answer's first line.
    std::vector<DataFile*>().swap(files);
    std::vector<uint32_t>().swap(kept);
    auto loaded = std::make_shared<std::vector<LoadedFiles>>(std::move(groups));
    auto release = [loaded] {
      loaded->clear();
      loaded->shrink_to_fit();
      malloc_trim(0);
    };
    if (!ThreadPool::Shared().TrySubmit(release)) release();
  }
  return FileList::FromChunks(std::move(done));
}

Result<std::shared_ptr<const TableSnapshot>> SnapshotOf(int64_t version, int64_t timestamp_ms,
                                                        TableProtocol protocol,
                                                        TableMetadata metadata,
                                                        std::vector<LoadedFiles> files) {
  for (auto& group : files) {
    for (DataFile& f : group.files) f.data_change = false;
  }
  auto snapshot = std::make_shared<TableSnapshot>();
  snapshot->version = version;
  snapshot->timestamp_ms = timestamp_ms;
  snapshot->protocol = std::move(protocol);
  snapshot->metadata = std::move(metadata);
  snapshot->files = SortFiles(std::move(files));
  return std::shared_ptr<const TableSnapshot>(std::move(snapshot));
}

std::string DeletionVectorUniqueId(const DeletionVector& dv) {
  std::string id = dv.storage_type + dv.path_or_inline_dv;
  if (dv.offset) id += "@" + std::to_string(*dv.offset);
  return id;
}

std::string FileActionKey(std::string_view path, const CompactOptional<DeletionVector>& dv) {
  return FileActionKey(path, dv.get());
}

std::string FileActionKey(std::string_view path, const DeletionVector* dv) {
  std::string key = CanonicalDeltaPath(path);
  if (dv) {
    // A NUL cannot occur in a path, so (path, dv) pairs cannot collide.
    key.push_back('\0');
    key += DeletionVectorUniqueId(*dv);
  }
  return key;
}

DeltaLogReplay::DeltaLogReplay() = default;

DeltaLogReplay::DeltaLogReplay(std::shared_ptr<const TableSnapshot> base,
                               bool base_timestamp_is_commit)
    : base_(std::move(base)),
      version_(base_->version),
      timestamp_ms_(base_->timestamp_ms),
      protocol_(base_->protocol),
      metadata_(base_->metadata),
      timestamps_(CommitTimestampResolver::After(*base_, base_timestamp_is_commit)) {}

DeltaLogReplay::DeltaLogReplay(int64_t version, int64_t timestamp_ms, TableProtocol protocol,
                               TableMetadata metadata, std::vector<LoadedFiles> files,
                               bool base_timestamp_is_commit)
    : unsorted_base_(std::move(files)),
      version_(version),
      timestamp_ms_(timestamp_ms),
      protocol_(std::move(protocol)),
      metadata_(std::move(metadata)) {
  TableSnapshot state;  // what the resolver needs: no files
  state.version = version;
  state.timestamp_ms = timestamp_ms;
  state.protocol = *protocol_;
  state.metadata = *metadata_;
  timestamps_ = CommitTimestampResolver::After(state, base_timestamp_is_commit);
}

Status DeltaLogReplay::Apply(int64_t version, DeltaCommit commit, const FileInfo& commit_file) {
  if (version != version_ + 1) {
    return Status::Internal("Delta log replay: commit " + std::to_string(version) +
                            " applied after version " + std::to_string(version_));
  }
  LS_ASSIGN_OR_RETURN(timestamp_ms_,
                      timestamps_.Next(TimestampInfoOf(commit), commit_file.modification_time_ms,
                                       commit_file.path));
  if (commit.protocol) protocol_ = std::move(*commit.protocol);
  if (commit.metadata) metadata_ = std::move(*commit.metadata);
  changes_.reserve(changes_.size() + commit.file_actions.size());
  for (DeltaFileAction& action : commit.file_actions) {
    if (auto* add = std::get_if<DataFile>(&action)) {
      // The state's canonical form, as checkpoints record it: whether the
      // add changed data belongs to its commit, not to the table's state.
      add->data_change = false;
      std::string key = FileActionKey(add->path, add->deletion_vector);
      changes_.insert_or_assign(std::move(key), std::optional<DataFile>(std::move(*add)));
    } else if (auto* remove = std::get_if<DeltaRemove>(&action)) {
      changes_.insert_or_assign(FileActionKey(remove->path, remove->deletion_vector), std::nullopt);
    }
    // cdc files hold change data only: they are never part of a snapshot.
  }
  version_ = version;
  last_file_ = commit_file.path;
  return Status::OK();
}

Result<std::shared_ptr<const TableSnapshot>> DeltaLogReplay::Finish() && {
  if (version_ < 0) return Status::Internal("Delta log replay: no commit applied");
  auto missing = [&](std::string_view action) {
    return Status::Corruption("Delta commit " + last_file_ + ": no " + std::string(action) +
                              " action at or before version " + std::to_string(version_));
  };
  if (!protocol_) return missing("protocol");
  if (!metadata_) return missing("metaData");

  auto snapshot = std::make_shared<TableSnapshot>();
  snapshot->version = version_;
  snapshot->timestamp_ms = timestamp_ms_;
  snapshot->protocol = std::move(*protocol_);
  snapshot->metadata = std::move(*metadata_);

  std::vector<DataFile> added;
  added.reserve(
      static_cast<size_t>(std::count_if(changes_.begin(), changes_.end(), [](const auto& change) {
        return change.second.has_value();
      })));
  PartitionValueInterner interner;
  for (auto& [key, file] : changes_) {
    if (!file) continue;
    interner.Intern(&file->partition_values);
    added.push_back(std::move(*file));
  }
  if (!base_ && !unsorted_base_.empty()) {
    // A checkpoint's files: drop those the commits touched, add the new
    // ones, sort once.
    // Groups (row groups) apart on two threads: a hash probe per file.
    std::vector<LoadedFiles> groups = std::move(unsorted_base_);
    LS_RETURN_IF_ERROR(ParallelFor(groups.size(), 2, [&](size_t g) {
      LoadedFiles& files = groups[g];
      if (!changes_.empty()) {
        files.KeepIf([&](size_t i) {
          const std::string_view path = files.path(i);
          const DataFile& f = files.files[i];
          bool plain = !f.deletion_vector && path.find('%') == std::string_view::npos;
          return plain ? changes_.find(path) == changes_.end()
                       : changes_.count(FileActionKey(path, f.deletion_vector)) == 0;
        });
      }
      for (DataFile& f : files.files) f.data_change = false;
      return Status::OK();
    }));
    groups.push_back(std::move(added));
    snapshot->files = SortFiles(std::move(groups));
  } else if (!base_ || base_->files.empty()) {
    snapshot->files = SortFiles(std::move(added));
  } else {
    std::sort(added.begin(), added.end(), FileOrder);
    const FileList& base = base_->files;
    // Base files an applied commit removed or replaced, by index.
    std::vector<size_t> removed;
    std::string tmp;
    for (const auto& [key, file] : changes_) {
      std::string_view canonical = std::string_view(key).substr(0, key.find('\0'));
      for (size_t i = LowerBoundCanonical(base, canonical); i < base.size(); ++i) {
        if (CanonicalView(base[i].path, &tmp) != canonical) break;
        if (FileActionKey(base[i].path, base[i].deletion_vector) == key) removed.push_back(i);
      }
    }
    std::sort(removed.begin(), removed.end());
    // Where each new file goes: before base[pos] (pos == size: at the end).
    std::vector<size_t> pos(added.size());
    for (size_t k = 0; k < added.size(); ++k) pos[k] = LowerBound(base, added[k]);

    // Chunks nothing touches are shared with the base; the others rebuilt.
    const auto& chunks = base.chunks();
    std::vector<FileList::ChunkPtr> out;
    out.reserve(chunks.size() + added.size() / FileList::kChunkSize + 1);
    size_t r = 0, a = 0;
    for (size_t c = 0; c < chunks.size(); ++c) {
      const size_t start = base.chunk_start(c);
      const size_t end = start + chunks[c]->size();
      const bool last = c + 1 == chunks.size();
      const bool touched =
          (r < removed.size() && removed[r] < end) || (a < added.size() && (last || pos[a] < end));
      if (!touched) {
        out.push_back(chunks[c]);
        continue;
      }
      std::vector<DataFile> files;
      files.reserve(chunks[c]->size() + 8);
      for (size_t i = start; i < end; ++i) {
        while (a < added.size() && pos[a] <= i) files.push_back(std::move(added[a++]));
        if (r < removed.size() && removed[r] == i) {
          while (r < removed.size() && removed[r] == i) ++r;
          continue;
        }
        files.push_back((*chunks[c])[i - start]);
      }
      if (last) {
        while (a < added.size()) files.push_back(std::move(added[a++]));
      }
      PushChunk(std::move(files), &out);
    }
    snapshot->files = FileList::FromChunks(std::move(out));
  }
  changes_.clear();
  return std::shared_ptr<const TableSnapshot>(std::move(snapshot));
}

}  // namespace lakeshare
