#include "delta/delta_table.h"

#include <algorithm>
#include <exception>
#include <future>
#include <utility>

#include "common/thread_pool.h"
#include "delta/delta_log_replay.h"
#include "delta/delta_paths.h"

namespace lakeshare {
namespace {

Status FromException(const std::exception& e) {
  return Status::Internal(std::string("Delta table: unexpected exception: ") + e.what());
}

// One spelling per file (delta_paths.h), so replay matches a remove to its
// add however either spells the path.
void NormalizePaths(const DeltaTableRoot& root, DeltaCommit* commit) {
  for (DeltaFileAction& action : commit->file_actions) {
    if (auto* add = std::get_if<DataFile>(&action)) {
      NormalizeRecordedPath(root, &add->path);
    } else if (auto* remove = std::get_if<DeltaRemove>(&action)) {
      NormalizeRecordedPath(root, &remove->path);
    }
  }
}

}  // namespace

DeltaTable::DeltaTable(std::string location, std::shared_ptr<Storage> storage,
                       DeltaTableOptions options)
    : location_(std::move(location)),
      root_(DeltaTableRoot::Of(location_)),
      storage_(std::move(storage)),
      options_(options),
      cache_(options.cache != nullptr ? *options.cache : SnapshotCache::Global()),
      cache_id_(cache_.NewTableId()),
      log_(storage_, location_, options_.use_checkpoints, options_.history_max_age_ms,
           [this](const DeltaLogListing& listing, const DeltaCheckpoint& checkpoint) {
             return CachedStartBefore(listing, checkpoint);
           }) {}

DeltaTable::~DeltaTable() { cache_.EraseTable(cache_id_); }

std::optional<int64_t> DeltaTable::CachedStartBefore(const DeltaLogListing& listing,
                                                     const DeltaCheckpoint& cp) {
  auto cached = cache_.NewestAtOrBefore(cache_id_, INT64_MAX);
  if (!cached || cached->first >= cp.version || cached->first < listing.listed_from ||
      TagOf(listing, cached->first) != cached->second ||
      !listing.HasCommits(cached->first + 1, cp.version)) {
    return std::nullopt;
  }
  int64_t checkpoint_bytes = 0, commit_bytes = 0;
  for (const FileInfo& f : cp.files) checkpoint_bytes += f.size;
  for (int64_t v = cached->first + 1; v <= cp.version; ++v) {
    commit_bytes += listing.FindCommit(v)->info.size;
  }
  if (commit_bytes > checkpoint_bytes * options_.commits_per_checkpoint_byte) return std::nullopt;
  return cached->first;
}

Result<int64_t> DeltaTable::LatestVersion() {
  try {
    LS_ASSIGN_OR_RETURN(LogView view, log_.ListRecent());
    return view.listing.latest_version;
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

Result<int64_t> DeltaTable::LatestVersionChecked() {
  try {
    LS_ASSIGN_OR_RETURN(LogView view, log_.ListRecent());
    const int64_t latest = view.listing.latest_version;
    const DeltaLogFile* commit = view.listing.FindCommit(latest);
    if (commit == nullptr) return latest;  // only a checkpoint: Snapshot reads it
    const Fingerprint print = FingerprintOf(commit->info);
    const std::pair<int64_t, Fingerprint> checked{latest, print};
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (checked_latest_ == checked) return latest;
    }
    auto cached = cache_.NewestAtOrBefore(cache_id_, latest);
    const SnapshotCache::Tag tag{print.size, print.modification_time_ms};
    if (!cached || cached->first != latest || !(cached->second == tag)) {
      LS_RETURN_IF_ERROR(ReadCommit(*commit, DeltaParseMode::kAll).status());
    }
    std::lock_guard<std::mutex> lock(mu_);
    checked_latest_ = checked;
    return latest;
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

Result<std::string> DeltaTable::ResolveFilePath(std::string_view recorded_path) const {
  std::string out;
  LS_RETURN_IF_ERROR(ResolveFilePathInto(recorded_path, &out));
  return out;
}

Status DeltaTable::ResolveFilePathInto(std::string_view recorded_path, std::string* out) const {
  try {
    return ResolveDeltaFilePathInto(location_, recorded_path, out);
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

Result<DeltaLogReplay> DeltaTable::LoadCheckpoint(LogView* view, DeltaCheckpoint checkpoint) {
  // _last_checkpoint is only a hint, and only used to pick among V2
  // checkpoints of one version (writers racing on a version leave several
  // UUID-named files; the one it names is the one that won). Anything wrong
  // with it is ignored: the listing decided which version to read.
  const DeltaLogListing& listing = view->listing;
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
  const bool has_commit = listing.FindCommit(checkpoint.version) != nullptr;
  LS_ASSIGN_OR_RETURN(CheckpointContents contents,
                      ReadDeltaCheckpoint(*storage_, listing.log_dir, chosen, options_.checkpoint));
  // The version's commit timestamp when its JSON commit is still there (as
  // VersionAtTimestamp sees it), else the checkpoint file's time.
  int64_t timestamp = 0;
  for (const FileInfo& f : checkpoint.files)
    timestamp = std::max(timestamp, f.modification_time_ms);
  if (has_commit) {
    // May list the older versions: the timeline can start before the checkpoint.
    Result<std::vector<VersionTimestamp>> timeline = Timeline(view, checkpoint.version);
    // No timeline when the latest version is a checkpoint without a commit:
    // then the checkpoint's time stands.
    if (!timeline.ok() && timeline.status().code() != StatusCode::kUnsupported) {
      return timeline.status();
    }
    if (timeline.ok() && !timeline->empty() && timeline->back().version == checkpoint.version) {
      timestamp = timeline->back().timestamp_ms;
    }
  }
  for (LoadedFiles& files : contents.files) {
    for (size_t i = 0; i < files.size(); ++i) {
      // Only a path with a scheme may change (and then owns its text).
      if (files.path(i).find(':') == std::string_view::npos) continue;
      NormalizeRecordedPath(root_, &files.files[i].path);
    }
  }
  return DeltaLogReplay(checkpoint.version, timestamp, std::move(*contents.protocol),
                        std::move(*contents.metadata), std::move(contents.files), has_commit);
}

DeltaTable::SnapshotResult DeltaTable::Load(LogView* view, int64_t version,
                                            std::shared_ptr<const TableSnapshot> cached) {
  const DeltaLogListing& listing = view->listing;
  LS_ASSIGN_OR_RETURN(const DeltaCheckpoint* planned, PlanSnapshot(listing, version));
  if (cached && listing.HasCommits(cached->version + 1, version)) {
    bool use_cached = planned == nullptr || cached->version >= planned->version;
    if (!use_cached) {
      int64_t checkpoint_bytes = 0, commit_bytes = 0;
      for (const FileInfo& f : planned->files) checkpoint_bytes += f.size;
      for (int64_t v = cached->version + 1; v <= version; ++v) {
        commit_bytes += listing.FindCommit(v)->info.size;
      }
      use_cached = commit_bytes <= checkpoint_bytes * options_.commits_per_checkpoint_byte;
    }
    if (use_cached) return Replay(*view, version, DeltaLogReplay(std::move(cached)));
  }
  if (planned == nullptr) return Replay(*view, version, DeltaLogReplay());
  // A copy: loading it may replace the view's listing by a complete one.
  DeltaCheckpoint checkpoint = *planned;
  LS_ASSIGN_OR_RETURN(DeltaLogReplay base, LoadCheckpoint(view, std::move(checkpoint)));
  return Replay(*view, version, std::move(base));
}

DeltaTable::SnapshotResult DeltaTable::Replay(const LogView& view, int64_t version,
                                              DeltaLogReplay replay) {
  std::vector<const DeltaLogFile*> files;
  for (int64_t v = replay.version() + 1; v <= version; ++v) {
    const DeltaLogFile* file = view.listing.FindCommit(v);
    if (file == nullptr) return Status::Internal("Delta replay: commit " + std::to_string(v));
    files.push_back(file);
  }
  // Windows of commits read in parallel, applied in order; bounded in count
  // and bytes so that a long replay does not hold every parsed commit.
  const size_t parallel = std::max<size_t>(options_.max_parallel_reads, 1);
  const size_t max_window = parallel == 1 ? 1 : parallel * 16;
  constexpr int64_t kMaxWindowBytes = int64_t{64} << 20;
  std::vector<std::pair<int64_t, CachedTimestampInfo>> infos;
  Status failed;
  for (size_t i = 0; i < files.size() && failed.ok();) {
    size_t j = i;
    int64_t bytes = 0;
    while (j < files.size() && j - i < max_window &&
           (j == i || bytes + files[j]->info.size <= kMaxWindowBytes)) {
      bytes += files[j++]->info.size;
    }
    std::vector<const DeltaLogFile*> window(files.begin() + static_cast<std::ptrdiff_t>(i),
                                            files.begin() + static_cast<std::ptrdiff_t>(j));
    ReadResult read = ReadCommits(window, DeltaParseMode::kAll);
    for (size_t k = 0; k < read.commits.size() && failed.ok(); ++k) {
      const DeltaLogFile& file = *window[k];
      infos.emplace_back(file.version, CachedTimestampInfo{FingerprintOf(file.info),
                                                           TimestampInfoOf(read.commits[k])});
      failed = replay.Apply(file.version, std::move(read.commits[k]), file.info);
    }
    if (failed.ok()) failed = read.error;
    i = j;
  }
  {
    // What timestamp resolution needs is known now: saves a re-read later.
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [v, info] : infos) timestamp_infos_[v] = info;
  }
  if (!failed.ok()) return failed;
  return std::move(replay).Finish();
}

Result<std::shared_ptr<const TableSnapshot>> DeltaTable::Snapshot(std::optional<int64_t> version) {
  try {
    bool used_history = false;
    SnapshotResult result = SnapshotWith(version, false, &used_history);
    // The kept older part of the listing may name files cleaned up since.
    if (!result.ok() && used_history) result = SnapshotWith(version, true, &used_history);
    return result;
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

DeltaTable::SnapshotResult DeltaTable::SnapshotWith(std::optional<int64_t> version, bool fresh,
                                                    bool* used_history) {
  LS_ASSIGN_OR_RETURN(LogView view, fresh ? log_.ListAll() : log_.ListRecent());
  const int64_t target = version.value_or(view.listing.latest_version);
  if (!DeltaLogTracker::Covers(view.listing, target)) LS_RETURN_IF_ERROR(log_.Complete(&view));
  *used_history = view.uses_history;
  LS_RETURN_IF_ERROR(PlanSnapshot(view.listing, target).status());
  const std::optional<SnapshotCache::Tag> tag = TagOf(view.listing, target);
  if (!tag)
    return Status::Internal("Delta snapshot: no file for version " + std::to_string(target));
  const DeltaLogListing& listing = view.listing;
  auto valid = [&](int64_t v, const SnapshotCache::Tag& t) { return TagOf(listing, v) == t; };

  std::promise<SnapshotResult> promise;
  std::shared_future<SnapshotResult> pending;
  std::shared_ptr<const TableSnapshot> base;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Cached versions before the listing are neither checked nor dropped.
    std::shared_ptr<const TableSnapshot> cached =
        cache_.FindAtOrBefore(cache_id_, target, valid, listing.listed_from);
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
    result = Load(&view, target, std::move(base));
  } catch (const std::exception& e) {
    result = FromException(e);
  }
  *used_history = *used_history || view.uses_history;
  if (result.ok()) cache_.Insert(cache_id_, *result, *tag);
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_.erase(target);
  }
  promise.set_value(result);
  return result;
}

Result<size_t> DeltaTable::TimelineStart(LogView* view) {
  const DeltaLogListing& listing = view->listing;
  const int64_t latest = listing.latest_version;
  if (listing.commits.empty() || listing.commits.back().version != latest) {
    return Status::Unsupported("The latest version (" + std::to_string(latest) +
                               ") of the Delta table at '" + location_ +
                               "' has no JSON commit, only a checkpoint");
  }
  const auto& commits = listing.commits;
  if (!view->complete()) {
    // The run ends within the recent part unless it reaches back to where
    // the listing starts. (The earliest reconstructable version is never
    // after that start: listings start at a complete checkpoint or at a
    // version that was reconstructed.)
    size_t first = commits.size() - 1;
    while (first > 0 && commits[first - 1].version == commits[first].version - 1) --first;
    if (commits[first].version > listing.listed_from) return first;
    LS_RETURN_IF_ERROR(log_.Complete(view));
    return TimelineStart(view);
  }
  std::optional<int64_t> earliest = listing.EarliestReconstructableVersion();
  if (!earliest) return PlanSnapshot(listing, latest).status();  // the Corruption it reports
  // The run of consecutive commits that ends with the latest one.
  size_t first = commits.size() - 1;
  while (first > 0 && commits[first].version > *earliest &&
         commits[first - 1].version == commits[first].version - 1) {
    --first;
  }
  return first;
}

Result<std::vector<VersionTimestamp>> DeltaTable::Timeline(LogView* view,
                                                           std::optional<int64_t> until) {
  LS_ASSIGN_OR_RETURN(const size_t first, TimelineStart(view));
  const auto& commits = view->listing.commits;
  const int64_t start = commits[first].version;
  size_t end = commits.size();  // one past the last commit of the timeline asked for
  if (until) {
    if (*until < start) return std::vector<VersionTimestamp>();
    end = first + static_cast<size_t>(
                      std::min<int64_t>(*until - start + 1, static_cast<int64_t>(end - first)));
  }

  std::vector<std::optional<CommitTimestampInfo>> infos(end - first);
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Versions before the run are gone from the log (or unreachable).
    timestamp_infos_.erase(timestamp_infos_.begin(), timestamp_infos_.lower_bound(start));
    for (size_t i = first; i < end; ++i) {
      auto it = timestamp_infos_.find(commits[i].version);
      if (it != timestamp_infos_.end() && it->second.commit == FingerprintOf(commits[i].info)) {
        infos[i - first] = it->second.info;
      }
    }
  }
  std::vector<const DeltaLogFile*> missing;
  for (size_t i = first; i < end; ++i) {
    if (!infos[i - first]) missing.push_back(&commits[i]);
  }
  if (!missing.empty()) {
    ReadResult read = ReadCommits(missing, DeltaParseMode::kHeadersOnly);
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t k = 0; k < read.commits.size(); ++k) {
      const DeltaLogFile& file = *missing[k];
      CommitTimestampInfo info = TimestampInfoOf(read.commits[k]);
      infos[static_cast<size_t>(&file - &commits[first])] = info;
      timestamp_infos_[file.version] = CachedTimestampInfo{FingerprintOf(file.info), info};
    }
    if (!read.error.ok()) return read.error;
  }

  CommitTimestampResolver resolver =
      start == 0 ? CommitTimestampResolver() : CommitTimestampResolver::WithUnknownState();
  std::vector<VersionTimestamp> timeline;
  timeline.reserve(infos.size());
  for (size_t i = first; i < end; ++i) {
    const FileInfo& file = commits[i].info;
    LS_ASSIGN_OR_RETURN(int64_t ts,
                        resolver.Next(*infos[i - first], file.modification_time_ms, file.path));
    timeline.push_back(VersionTimestamp{commits[i].version, ts});
  }
  return timeline;
}

Result<std::vector<VersionTimestamp>> DeltaTable::CommitTimestamps() {
  try {
    for (bool fresh : {false, true}) {
      LS_ASSIGN_OR_RETURN(LogView view, fresh ? log_.ListAll() : log_.ListRecent());
      Result<std::vector<VersionTimestamp>> timeline = Timeline(&view);
      if (timeline.ok() || !view.uses_history) return timeline;
    }
    return Status::Internal("Delta timeline: not reached");
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

Result<int64_t> DeltaTable::VersionAtTimestamp(int64_t timestamp_ms, TimestampBound bound) {
  try {
    LS_ASSIGN_OR_RETURN(std::vector<VersionTimestamp> timeline, CommitTimestamps());
    return FindVersionAtTimestamp(timeline, timestamp_ms, bound);
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

DeltaTable::ReadResult DeltaTable::ReadCommits(const std::vector<const DeltaLogFile*>& commits,
                                               DeltaParseMode mode) {
  const size_t n = commits.size();
  std::vector<std::optional<DeltaCommit>> parsed(n);
  // Commits after a failed one need not be read; earlier ones still are, so
  // the error reported is always that of the first bad commit.
  Status error = ParallelFor(n, options_.max_parallel_reads, [&](size_t i) -> Status {
    Result<DeltaCommit> commit = Status::Internal("Delta commit not read");
    try {
      commit = ReadCommit(*commits[i], mode);
    } catch (const std::exception& e) {
      commit = FromException(e);
    }
    LS_RETURN_IF_ERROR(commit.status());
    NormalizePaths(root_, &*commit);
    parsed[i] = std::move(*commit);
    return Status::OK();
  });
  ReadResult out;
  out.commits.reserve(n);
  for (size_t i = 0; i < n && parsed[i]; ++i) out.commits.push_back(std::move(*parsed[i]));
  out.error = std::move(error);
  return out;
}

Result<std::vector<CommitChanges>> DeltaTable::Changes(int64_t start_version, int64_t end_version) {
  try {
    bool used_history = false;
    auto result = ChangesWith(start_version, end_version, false, &used_history);
    if (!result.ok() && used_history) {
      result = ChangesWith(start_version, end_version, true, &used_history);
    }
    return result;
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

Result<std::vector<CommitChanges>> DeltaTable::ChangesWith(int64_t start_version,
                                                           int64_t end_version, bool fresh,
                                                           bool* used_history) {
  const std::string range = "Cannot read changes of versions [" + std::to_string(start_version) +
                            ", " + std::to_string(end_version) + "]";
  if (start_version > end_version) {
    return Status::InvalidArgument(range + ": the start version is after the end version");
  }
  LS_ASSIGN_OR_RETURN(LogView view, fresh ? log_.ListAll() : log_.ListRecent());
  Result<size_t> timeline_start = TimelineStart(&view);
  *used_history = view.uses_history;
  LS_RETURN_IF_ERROR(timeline_start.status());
  const size_t first = *timeline_start;
  const DeltaLogListing& listing = view.listing;
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
  ReadResult read = ReadCommits(files, DeltaParseMode::kAll);
  if (!read.error.ok()) return read.error;
  std::vector<DeltaCommit>& commits = read.commits;
  {
    // The timeline below then needs no second read of these commits.
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < files.size(); ++i) {
      timestamp_infos_[files[i]->version] =
          CachedTimestampInfo{FingerprintOf(files[i]->info), TimestampInfoOf(commits[i])};
    }
  }
  LS_ASSIGN_OR_RETURN(std::vector<VersionTimestamp> timeline, Timeline(&view));

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
}

}  // namespace lakeshare
