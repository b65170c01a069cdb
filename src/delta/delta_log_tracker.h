// DeltaLogTracker: which part of a Delta table's `_delta_log` each call
// lists, and the older part of the log it keeps (one per DeltaTable).
//
// Every call lists the log, so new commits are seen at once, but only from
// the newest complete checkpoint the tracker knows on (or from an earlier
// version the table asks for: the newest cached snapshot before that
// checkpoint, when it would rather be brought forward than the checkpoint
// read), with Storage::ListDirectoryAfter: an object store does not page
// through older commits. The first call starts at the checkpoint
// _last_checkpoint names when the listing shows it complete. The whole log
// is listed when nothing is known yet, when the table has no checkpoint,
// when the files the listing starts at are gone or changed (a table
// recreated in place), and when a call needs older versions (Complete).
// That older part is kept and reused for history_max_age_ms: log cleanup of
// older files goes unseen that long, so a call that fails with it should be
// retried once with a fresh listing (View::uses_history says when).
//
// Errors: the storage's (kNotFound when the table has no log). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "delta/delta_log_listing.h"
#include "storage/storage.h"

namespace lakeshare {

class DeltaLogTracker {
 public:
  // The listing one call works with: of the recent part of the log, or of
  // all of it.
  struct View {
    DeltaLogListing listing;
    // The versions before the recent part came from the kept listing.
    bool uses_history = false;
    bool complete() const { return listing.listed_from == 0; }
  };
  // Given a listing and its newest checkpoint, a version before that
  // checkpoint to start later listings at instead, or nullopt.
  using EarlierStart =
      std::function<std::optional<int64_t>(const DeltaLogListing&, const DeltaCheckpoint&)>;

  // `location`: the table root. Without `use_checkpoints` every listing is
  // of the whole log.
  DeltaLogTracker(std::shared_ptr<Storage> storage, std::string location, bool use_checkpoints,
                  int64_t history_max_age_ms, EarlierStart earlier_start);

  // The log from the known start on (or all of it).
  Result<View> ListRecent();
  // The whole log, listed now.
  Result<View> ListAll();
  // Makes `view` complete: the kept older part when recent enough, else a
  // listing of the whole log (`fresh`: always that).
  Status Complete(View* view, bool fresh = false);
  // Whether `listing` alone can reconstruct `version`.
  static bool Covers(const DeltaLogListing& listing, int64_t version);

 private:
  // What the tracker knows of its log.
  struct Knowledge {
    // Listings start at this version (nullopt: list the whole log) and must
    // show `start_files` (its files) unchanged, else the log was replaced.
    std::optional<int64_t> start;
    std::vector<FileInfo> start_files;
    bool hint_read = false;  // _last_checkpoint was consulted
    // The versions before `history_until` as listed at `history_time`.
    std::optional<DeltaLogListing> history;
    int64_t history_until = 0;
    std::chrono::steady_clock::time_point history_time;
  };

  // Learns from a listing where the next one starts and what older part to keep.
  void Remember(const DeltaLogListing& listing);
  // The version _last_checkpoint names, if it is there and readable.
  Result<std::optional<int64_t>> ReadLastCheckpointVersion(const std::string& log_dir);

  const std::shared_ptr<Storage> storage_;
  const std::string location_;
  const bool use_checkpoints_;
  const int64_t history_max_age_ms_;
  const EarlierStart earlier_start_;

  std::mutex mu_;
  Knowledge log_;  // guarded by mu_
};

}  // namespace lakeshare
