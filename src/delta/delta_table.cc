#include "delta/delta_table.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <future>
#include <system_error>
#include <utility>

#include "delta/delta_log_replay.h"
#include "delta/delta_paths.h"

namespace lakeshare {
namespace {

Status FromException(const std::exception& e) {
  return Status::Internal(std::string("Delta table: unexpected exception: ") + e.what());
}

}  // namespace

DeltaTable::DeltaTable(std::string location, std::shared_ptr<Storage> storage,
                       DeltaTableOptions options)
    : location_(std::move(location)),
      storage_(std::move(storage)),
      options_(options),
      cache_(options.cache != nullptr ? *options.cache : SnapshotCache::Global()),
      cache_id_(cache_.NewTableId()) {}

DeltaTable::~DeltaTable() { cache_.EraseTable(cache_id_); }

Result<DeltaLogListing> DeltaTable::List() { return ListDeltaLog(*storage_, location_); }

Result<int64_t> DeltaTable::LatestVersion() {
  try {
    LS_ASSIGN_OR_RETURN(DeltaLogListing listing, List());
    return listing.latest_version;
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

Result<std::string> DeltaTable::ResolveFilePath(const std::string& recorded_path) const {
  try {
    return ResolveDeltaFilePath(*storage_, location_, recorded_path);
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

Result<const DeltaCheckpoint*> DeltaTable::PlanSnapshot(const DeltaLogListing& listing,
                                                        int64_t version) const {
  std::optional<int64_t> earliest = listing.EarliestReconstructableVersion();
  if (!earliest) {
    return Status::Corruption("Delta table at '" + location_ + "': " + listing.log_dir +
                              " has neither commit 0 nor a checkpoint, so no version can be "
                              "reconstructed");
  }
  if (version < *earliest || version > listing.latest_version) {
    return Status::InvalidArgument("Cannot time travel Delta table to version " +
                                   std::to_string(version) + ". Available versions: [" +
                                   std::to_string(*earliest) + ", " +
                                   std::to_string(listing.latest_version) + "].");
  }
  const DeltaCheckpoint* checkpoint = listing.CheckpointAtOrBefore(version);
  const bool from_zero = listing.FindCommit(0) != nullptr && listing.HasCommits(0, version);
  if (checkpoint != nullptr && listing.HasCommits(checkpoint->version + 1, version)) {
    if (!options_.use_checkpoints && from_zero) return nullptr;
    return checkpoint;
  }
  if (from_zero) return nullptr;
  int64_t from = checkpoint != nullptr ? checkpoint->version + 1 : 0;
  int64_t missing = listing.FirstMissingCommit(from, version).value_or(from);
  return Status::Corruption("Delta table at '" + location_ + "': commit file " +
                            DeltaCommitFileName(missing) + " is missing from " + listing.log_dir +
                            ", so version " + std::to_string(version) + " cannot be reconstructed");
}

std::optional<SnapshotCache::Tag> DeltaTable::TagOf(const DeltaLogListing& listing,
                                                    int64_t version) {
  const FileInfo* file = nullptr;
  if (const DeltaLogFile* commit = listing.FindCommit(version)) {
    file = &commit->info;
  } else if (const DeltaCheckpoint* cp = listing.CheckpointAtOrBefore(version);
             cp != nullptr && cp->version == version) {
    file = &cp->files.front();
  }
  if (file == nullptr) return std::nullopt;
  return SnapshotCache::Tag{file->size, file->modification_time_ms};
}

Result<DeltaCommit> DeltaTable::ReadCommit(const DeltaLogFile& commit, DeltaParseMode mode) {
  const int64_t limit = options_.max_commit_file_bytes;
  auto too_large = [&]() {
    return Status::TooLarge("Delta commit " + commit.info.path + " is larger than the limit of " +
                            std::to_string(limit) + " bytes");
  };
  if (commit.info.size > limit) return too_large();
  // A ranged read bounds memory even if the file grew after the listing.
  Result<std::string> content = storage_->ReadRange(commit.info.path, 0, limit + 1);
  if (!content.ok()) {
    if (content.status().code() == StatusCode::kNotFound) {
      // Not the table's absence: a listed commit vanished (concurrent cleanup).
      return Status::IOError("Delta commit " + commit.info.path +
                             " was listed but could not be read: " + content.status().message());
    }
    return content.status().WithContext("reading Delta commit " + commit.info.path);
  }
  if (static_cast<int64_t>(content->size()) > limit) return too_large();
  return ParseDeltaCommit(std::move(*content), commit.info.path, mode);
}

Result<DeltaLogReplay> DeltaTable::LoadCheckpoint(const DeltaLogListing& listing,
                                                  const DeltaCheckpoint& checkpoint) {
  // _last_checkpoint is only a hint, and only used to pick among V2
  // checkpoints of one version (writers racing on a version leave several
  // UUID-named files; the one it names is the one that won). Anything wrong
  // with it is ignored: the listing decided which version to read.
  DeltaCheckpoint chosen = checkpoint;
  if (checkpoint.type == DeltaLogFileType::kV2Checkpoint && listing.last_checkpoint &&
      listing.last_checkpoint->size < (int64_t{1} << 20)) {
    Result<std::string> text = storage_->Read(listing.last_checkpoint->path);
    Result<LastCheckpointHint> hint =
        text.ok() ? ParseLastCheckpoint(std::move(*text), "_last_checkpoint")
                  : Result<LastCheckpointHint>(text.status());
    if (hint.ok() && hint->version == checkpoint.version && hint->v2_checkpoint_path) {
      std::string name = *hint->v2_checkpoint_path;
      name = name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
      std::optional<DeltaLogFile> file = ClassifyDeltaLogFile(FileInfo{name, 0, 0});
      if (file && file->type == DeltaLogFileType::kV2Checkpoint &&
          file->version == checkpoint.version) {
        Result<FileInfo> info = storage_->Head(storage_->Join(listing.log_dir, name));
        if (info.ok()) chosen.files = {*info};
      }
    }
  }
  LS_ASSIGN_OR_RETURN(CheckpointContents contents,
                      ReadDeltaCheckpoint(*storage_, listing.log_dir, chosen, options_.checkpoint));
  // The version's commit timestamp when its JSON commit is still there (as
  // VersionAtTimestamp sees it), else the checkpoint file's time.
  int64_t timestamp = 0;
  for (const FileInfo& f : checkpoint.files)
    timestamp = std::max(timestamp, f.modification_time_ms);
  if (listing.FindCommit(checkpoint.version) != nullptr) {
    Result<std::vector<VersionTimestamp>> timeline = Timeline(listing);
    // No timeline when the latest version is a checkpoint without a commit:
    // then the checkpoint's time stands.
    if (!timeline.ok() && timeline.status().code() != StatusCode::kUnsupported) {
      return timeline.status();
    }
    if (timeline.ok()) {
      auto it =
          std::lower_bound(timeline->begin(), timeline->end(), checkpoint.version,
                           [](const VersionTimestamp& t, int64_t v) { return t.version < v; });
      if (it != timeline->end() && it->version == checkpoint.version) timestamp = it->timestamp_ms;
    }
  }
  const bool has_commit = listing.FindCommit(checkpoint.version) != nullptr;
  return DeltaLogReplay(checkpoint.version, timestamp, std::move(*contents.protocol),
                        std::move(*contents.metadata), std::move(contents.files), has_commit);
}

DeltaTable::SnapshotResult DeltaTable::Load(const DeltaLogListing& listing, int64_t version,
                                            std::shared_ptr<const TableSnapshot> cached) {
  LS_ASSIGN_OR_RETURN(const DeltaCheckpoint* checkpoint, PlanSnapshot(listing, version));
  if (cached && listing.HasCommits(cached->version + 1, version)) {
    bool use_cached = checkpoint == nullptr || cached->version >= checkpoint->version;
    if (!use_cached) {
      int64_t checkpoint_bytes = 0, commit_bytes = 0;
      for (const FileInfo& f : checkpoint->files) checkpoint_bytes += f.size;
      for (int64_t v = cached->version + 1; v <= version; ++v) {
        commit_bytes += listing.FindCommit(v)->info.size;
      }
      use_cached = commit_bytes <= checkpoint_bytes * options_.commits_per_checkpoint_byte;
    }
    if (use_cached) return Replay(listing, version, DeltaLogReplay(std::move(cached)));
  }
  if (checkpoint == nullptr) return Replay(listing, version, DeltaLogReplay());
  LS_ASSIGN_OR_RETURN(DeltaLogReplay base, LoadCheckpoint(listing, *checkpoint));
  return Replay(listing, version, std::move(base));
}

DeltaTable::SnapshotResult DeltaTable::Replay(const DeltaLogListing& listing, int64_t version,
                                              DeltaLogReplay replay) {
  std::vector<std::pair<int64_t, CachedTimestampInfo>> infos;
  for (int64_t v = replay.version() + 1; v <= version; ++v) {
    const DeltaLogFile* file = listing.FindCommit(v);
    if (file == nullptr) return Status::Internal("Delta replay: commit " + std::to_string(v));
    LS_ASSIGN_OR_RETURN(DeltaCommit commit, ReadCommit(*file, DeltaParseMode::kAll));
    infos.emplace_back(v, CachedTimestampInfo{FingerprintOf(file->info), TimestampInfoOf(commit)});
    LS_RETURN_IF_ERROR(replay.Apply(v, std::move(commit), file->info));
  }
  {
    // What timestamp resolution needs is known now: saves a re-read later.
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [v, info] : infos) timestamp_infos_[v] = info;
  }
  return std::move(replay).Finish();
}

Result<std::shared_ptr<const TableSnapshot>> DeltaTable::Snapshot(std::optional<int64_t> version) {
  try {
    LS_ASSIGN_OR_RETURN(DeltaLogListing listing, List());
    const int64_t target = version.value_or(listing.latest_version);
    LS_RETURN_IF_ERROR(PlanSnapshot(listing, target).status());
    const std::optional<SnapshotCache::Tag> tag = TagOf(listing, target);
    if (!tag)
      return Status::Internal("Delta snapshot: no file for version " + std::to_string(target));
    auto valid = [&](int64_t v, const SnapshotCache::Tag& t) { return TagOf(listing, v) == t; };

    std::promise<SnapshotResult> promise;
    std::shared_future<SnapshotResult> pending;
    std::shared_ptr<const TableSnapshot> base;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::shared_ptr<const TableSnapshot> cached = cache_.FindAtOrBefore(cache_id_, target, valid);
      if (cached && cached->version == target) return cached;
      auto it = in_flight_.find(target);
      if (it != in_flight_.end()) {
        pending = it->second;
      } else {
        in_flight_.emplace(target, promise.get_future().share());
        base = std::move(cached);
      }
    }
    if (pending.valid()) return pending.get();  // another request is loading it

    SnapshotResult result = Status::Internal("Delta snapshot load did not run");
    try {
      result = Load(listing, target, std::move(base));
    } catch (const std::exception& e) {
      result = FromException(e);
    }
    if (result.ok()) cache_.Insert(cache_id_, *result, *tag);
    {
      std::lock_guard<std::mutex> lock(mu_);
      in_flight_.erase(target);
    }
    promise.set_value(result);
    return result;
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

Result<size_t> DeltaTable::TimelineStart(const DeltaLogListing& listing) const {
  const int64_t latest = listing.latest_version;
  if (listing.commits.empty() || listing.commits.back().version != latest) {
    return Status::Unsupported("The latest version (" + std::to_string(latest) +
                               ") of the Delta table at '" + location_ +
                               "' has no JSON commit, only a checkpoint");
  }
  std::optional<int64_t> earliest = listing.EarliestReconstructableVersion();
  if (!earliest) return PlanSnapshot(listing, latest).status();  // the Corruption it reports
  // The run of consecutive commits that ends with the latest one.
  const auto& commits = listing.commits;
  size_t first = commits.size() - 1;
  while (first > 0 && commits[first].version > *earliest &&
         commits[first - 1].version == commits[first].version - 1) {
    --first;
  }
  return first;
}

Result<std::vector<VersionTimestamp>> DeltaTable::Timeline(const DeltaLogListing& listing) {
  LS_ASSIGN_OR_RETURN(const size_t first, TimelineStart(listing));
  const auto& commits = listing.commits;
  const int64_t start = commits[first].version;

  std::vector<std::optional<CommitTimestampInfo>> infos(commits.size() - first);
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Versions before the run are gone from the log (or unreachable).
    timestamp_infos_.erase(timestamp_infos_.begin(), timestamp_infos_.lower_bound(start));
    for (size_t i = first; i < commits.size(); ++i) {
      auto it = timestamp_infos_.find(commits[i].version);
      if (it != timestamp_infos_.end() && it->second.commit == FingerprintOf(commits[i].info)) {
        infos[i - first] = it->second.info;
      }
    }
  }
  std::vector<std::pair<int64_t, CachedTimestampInfo>> loaded;
  for (size_t i = first; i < commits.size(); ++i) {
    if (infos[i - first]) continue;
    LS_ASSIGN_OR_RETURN(DeltaCommit commit, ReadCommit(commits[i], DeltaParseMode::kHeadersOnly));
    infos[i - first] = TimestampInfoOf(commit);
    loaded.emplace_back(commits[i].version,
                        CachedTimestampInfo{FingerprintOf(commits[i].info), *infos[i - first]});
  }
  if (!loaded.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [v, info] : loaded) timestamp_infos_[v] = info;
  }

  CommitTimestampResolver resolver =
      start == 0 ? CommitTimestampResolver() : CommitTimestampResolver::WithUnknownState();
  std::vector<VersionTimestamp> timeline;
  timeline.reserve(infos.size());
  for (size_t i = first; i < commits.size(); ++i) {
    const FileInfo& file = commits[i].info;
    LS_ASSIGN_OR_RETURN(int64_t ts,
                        resolver.Next(*infos[i - first], file.modification_time_ms, file.path));
    timeline.push_back(VersionTimestamp{commits[i].version, ts});
  }
  return timeline;
}

Result<std::vector<VersionTimestamp>> DeltaTable::CommitTimestamps() {
  try {
    LS_ASSIGN_OR_RETURN(DeltaLogListing listing, List());
    return Timeline(listing);
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

Result<int64_t> DeltaTable::VersionAtTimestamp(int64_t timestamp_ms, TimestampBound bound) {
  try {
    LS_ASSIGN_OR_RETURN(DeltaLogListing listing, List());
    LS_ASSIGN_OR_RETURN(std::vector<VersionTimestamp> timeline, Timeline(listing));
    return FindVersionAtTimestamp(timeline, timestamp_ms, bound);
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

Result<std::vector<DeltaCommit>> DeltaTable::ReadCommits(
    const std::vector<const DeltaLogFile*>& commits, DeltaParseMode mode) {
  const size_t n = commits.size();
  std::vector<std::optional<DeltaCommit>> parsed(n);
  std::vector<Status> errors(n);
  std::atomic<size_t> next{0};
  // Commits after a failed one need not be read; earlier ones still are, so
  // the error reported is always that of the first bad commit.
  std::atomic<size_t> first_failed{n};
  auto work = [&]() {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      if (i > first_failed.load()) break;
      Result<DeltaCommit> commit = Status::Internal("Delta commit not read");
      try {
        commit = ReadCommit(*commits[i], mode);
      } catch (const std::exception& e) {
        commit = FromException(e);
      }
      if (commit.ok()) {
        parsed[i] = std::move(*commit);
      } else {
        errors[i] = commit.status();
        size_t seen = first_failed.load();
        while (i < seen && !first_failed.compare_exchange_weak(seen, i)) {
        }
      }
    }
  };
  const size_t workers = std::min(n, std::max<size_t>(options_.max_parallel_reads, 1));
  if (workers <= 1) {
    work();
  } else {
    // std::async futures join on destruction. Without threads to spare, the
    // calling thread does the remaining work alone.
    std::vector<std::future<void>> helpers;
    helpers.reserve(workers - 1);
    for (size_t w = 1; w < workers; ++w) {
      try {
        helpers.push_back(std::async(std::launch::async, work));
      } catch (const std::system_error&) {
        break;
      }
    }
    work();
    for (auto& h : helpers) h.get();
  }
  std::vector<DeltaCommit> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!errors[i].ok()) return errors[i];
    if (!parsed[i]) return Status::Internal("Delta commit " + commits[i]->info.path + " not read");
    out.push_back(std::move(*parsed[i]));
  }
  return out;
}

Result<std::vector<CommitChanges>> DeltaTable::Changes(int64_t start_version, int64_t end_version) {
  try {
    const std::string range = "Cannot read changes of versions [" + std::to_string(start_version) +
                              ", " + std::to_string(end_version) + "]";
    if (start_version > end_version) {
      return Status::InvalidArgument(range + ": the start version is after the end version");
    }
    LS_ASSIGN_OR_RETURN(DeltaLogListing listing, List());
    LS_ASSIGN_OR_RETURN(const size_t first, TimelineStart(listing));
    const int64_t earliest = listing.commits[first].version;
    const int64_t latest = listing.latest_version;
    if (start_version < earliest || end_version > latest) {
      return Status::InvalidArgument(range + ": the log has commits [" + std::to_string(earliest) +
                                     ", " + std::to_string(latest) + "]");
    }
    // The timeline run is consecutive, so version v is commits[first + v - earliest].
    std::vector<const DeltaLogFile*> files;
    files.reserve(static_cast<size_t>(end_version - start_version + 1));
    int64_t total_bytes = 0;
    for (int64_t v = start_version; v <= end_version; ++v) {
      const DeltaLogFile& file = listing.commits[first + static_cast<size_t>(v - earliest)];
      if (file.version != v) return Status::Internal("Delta changes: commit run mismatch");
      total_bytes += file.info.size;
      if (total_bytes > options_.max_changes_bytes) {
        return Status::TooLarge(range + ": their commit files exceed the limit of " +
                                std::to_string(options_.max_changes_bytes) +
                                " bytes; ask for fewer versions");
      }
      files.push_back(&file);
    }
    LS_ASSIGN_OR_RETURN(std::vector<DeltaCommit> commits, ReadCommits(files, DeltaParseMode::kAll));
    {
      // The timeline below then needs no second read of these commits.
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = 0; i < files.size(); ++i) {
        timestamp_infos_[files[i]->version] =
            CachedTimestampInfo{FingerprintOf(files[i]->info), TimestampInfoOf(commits[i])};
      }
    }
    LS_ASSIGN_OR_RETURN(std::vector<VersionTimestamp> timeline, Timeline(listing));

    std::vector<CommitChanges> out;
    out.reserve(commits.size());
    for (size_t i = 0; i < commits.size(); ++i) {
      DeltaCommit& commit = commits[i];
      CommitChanges& c = out.emplace_back();
      c.version = files[i]->version;
      const auto t = static_cast<size_t>(c.version - earliest);
      if (t >= timeline.size() || timeline[t].version != c.version) {
        return Status::Internal("Delta changes: no timestamp for version " +
                                std::to_string(c.version));
      }
      c.timestamp_ms = timeline[t].timestamp_ms;
      c.protocol = std::move(commit.protocol);
      c.metadata = std::move(commit.metadata);
      if (commit.commit_info) {
        c.operation = std::move(commit.commit_info->operation);
        c.operation_metrics = std::move(commit.commit_info->operation_metrics);
      }
      c.changes.reserve(commit.file_actions.size());
      for (DeltaFileAction& action : commit.file_actions) {
        c.changes.push_back(ToFileChange(std::move(action)));
      }
    }
    return out;
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

}  // namespace lakeshare
