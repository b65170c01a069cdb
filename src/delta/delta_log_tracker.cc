#include "delta/delta_log_tracker.h"

#include <utility>

#include "delta/delta_checkpoint.h"

namespace lakeshare {
namespace {

// The files of `version` in `listing`: its checkpoint's, or (no checkpoint)
// its commit's.
std::vector<FileInfo> FilesOfVersion(const DeltaLogListing& listing, int64_t version) {
  const DeltaCheckpoint* cp = listing.CheckpointAtOrBefore(version);
  if (cp != nullptr && cp->version == version) return cp->files;
  if (const DeltaLogFile* commit = listing.FindCommit(version)) return {commit->info};
  return {};
}

bool SameFiles(const std::vector<FileInfo>& a, const std::vector<FileInfo>& b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].path != b[i].path || a[i].size != b[i].size ||
        a[i].modification_time_ms != b[i].modification_time_ms) {
      return false;
    }
  }
  return true;
}

}  // namespace

DeltaLogTracker::DeltaLogTracker(std::shared_ptr<Storage> storage, std::string location,
                                 bool use_checkpoints, int64_t history_max_age_ms,
                                 EarlierStart earlier_start)
    : storage_(std::move(storage)),
      location_(std::move(location)),
      use_checkpoints_(use_checkpoints),
      history_max_age_ms_(history_max_age_ms),
      earlier_start_(std::move(earlier_start)) {}

Result<std::optional<int64_t>> DeltaLogTracker::ReadLastCheckpointVersion(
    const std::string& log_dir) {
  // A hint only: missing, too large or corrupt means listing the whole log.
  // A store that fails to answer fails the call (its listing would too).
  constexpr int64_t kMaxHintBytes = int64_t{1} << 20;
  const std::string path = storage_->Join(log_dir, "_last_checkpoint");
  Result<std::string> text = storage_->ReadRange(path, 0, kMaxHintBytes + 1);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return std::optional<int64_t>();
    return text.status().WithContext("reading " + path);
  }
  if (static_cast<int64_t>(text->size()) > kMaxHintBytes) return std::optional<int64_t>();
  Result<LastCheckpointHint> hint = ParseLastCheckpoint(std::move(*text), "_last_checkpoint");
  if (!hint.ok()) return std::optional<int64_t>();
  return std::optional<int64_t>(hint->version);
}

Result<DeltaLogTracker::View> DeltaLogTracker::ListAll() {
  LS_ASSIGN_OR_RETURN(DeltaLogListing listing, ListDeltaLog(*storage_, location_));
  Remember(listing);
  return View{std::move(listing), false};
}

Result<DeltaLogTracker::View> DeltaLogTracker::ListRecent() {
  if (!use_checkpoints_) return ListAll();
  std::optional<int64_t> start;
  std::vector<FileInfo> start_files;
  bool read_hint = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    start = log_.start;
    start_files = log_.start_files;
    read_hint = !start && !log_.hint_read;
    log_.hint_read = true;
  }
  if (start) {
    LS_ASSIGN_OR_RETURN(DeltaLogListing listing, ListDeltaLogFrom(*storage_, location_, *start));
    if (SameFiles(FilesOfVersion(listing, *start), start_files)) {
      Remember(listing);
      return View{std::move(listing), false};
    }
    // The files the listing was to start at are gone or changed: the log
    // was cleaned up past them or the table recreated. Forget it all.
    std::lock_guard<std::mutex> lock(mu_);
    if (log_.start == start) log_ = Knowledge{};
  } else if (read_hint) {
    const std::string log_dir = storage_->Join(location_, "_delta_log");
    Result<std::optional<int64_t>> read = ReadLastCheckpointVersion(log_dir);
    if (!read.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      log_.hint_read = false;  // a store failure: ask again next time
      return read.status();
    }
    const std::optional<int64_t>& hint = *read;
    if (hint && *hint > 0) {
      Result<DeltaLogListing> listing = ListDeltaLogFrom(*storage_, location_, *hint);
      if (!listing.ok() && listing.status().code() != StatusCode::kNotFound) {
        return listing.status();
      }
      // Usable when the checkpoint it names is there and complete (then
      // nothing before it is needed for the versions from it on).
      if (listing.ok() && !listing->checkpoints.empty() &&
          listing->checkpoints.front().version == *hint) {
        Remember(*listing);
        return View{std::move(*listing), false};
      }
    }
  }
  return ListAll();
}

void DeltaLogTracker::Remember(const DeltaLogListing& listing) {
  std::lock_guard<std::mutex> lock(mu_);
  // A listing from a start another call has moved since tells nothing new.
  if (listing.listed_from > 0 && log_.start && *log_.start != listing.listed_from) return;
  std::optional<int64_t> start;
  std::vector<FileInfo> start_files;
  if (!listing.checkpoints.empty()) {
    const DeltaCheckpoint& cp = listing.checkpoints.back();
    start = cp.version;
    start_files = cp.files;
    // An earlier start the table asks for (a cached snapshot it would
    // bring forward rather than read the checkpoint): listing from it keeps
    // that snapshot usable.
    if (earlier_start_) {
      std::optional<int64_t> earlier = earlier_start_(listing, cp);
      if (earlier && *earlier < cp.version && *earlier >= listing.listed_from) {
        std::vector<FileInfo> files = FilesOfVersion(listing, *earlier);
        if (!files.empty()) {
          start = *earlier;
          start_files = std::move(files);
        }
      }
    }
  }
  if (listing.listed_from == 0) {
    // A full listing: the older part to keep.
    log_.history.reset();
    if (start) {
      log_.history = DeltaLogListingBefore(listing, *start);
      log_.history_until = *start;
      log_.history_time = std::chrono::steady_clock::now();
    }
  } else if (log_.history && start && log_.history_until == listing.listed_from &&
             *start > listing.listed_from) {
    // The start moves on: what this listing saw before the new start joins
    // the kept part.
    log_.history = MergeDeltaLogListings(*log_.history, DeltaLogListingBefore(listing, *start));
    log_.history_until = *start;
  } else if (!start || *start < log_.history_until) {
    log_.history.reset();
  }
  log_.start = start;
  log_.start_files = std::move(start_files);
}

Status DeltaLogTracker::Complete(View* view, bool fresh) {
  if (view->complete() && !fresh) return Status::OK();
  if (!fresh) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto age = std::chrono::steady_clock::now() - log_.history_time;
    if (log_.history && log_.history_until >= view->listing.listed_from &&
        age <= std::chrono::milliseconds(history_max_age_ms_)) {
      view->listing = MergeDeltaLogListings(*log_.history, view->listing);
      view->uses_history = true;
      return Status::OK();
    }
  }
  LS_ASSIGN_OR_RETURN(*view, ListAll());
  return Status::OK();
}

bool DeltaLogTracker::Covers(const DeltaLogListing& listing, int64_t version) {
  if (listing.listed_from == 0) return true;
  if (version < listing.listed_from || version > listing.latest_version) return false;
  const DeltaCheckpoint* cp = listing.CheckpointAtOrBefore(version);
  return cp != nullptr && listing.HasCommits(cp->version + 1, version);
}

}  // namespace lakeshare
