// The timeline of a Hudi table: the instants of the active timeline (one
// listing of its folder) and of the archived one (table version 6: the
// .hoodie/archived/ log files of HoodieArchivedMetaEntry records; versions
// 8+: the LSM timeline, parquet files under .hoodie/timeline/history/ named
// by its manifest).
//
// Only completed instants are returned. Archived instants come with their
// metadata already decoded (it is inside the archive); active ones name the
// file to read. Ordering and the meaning of actions are the table's
// business (hudi_table.h).
//
// Thread-compatible functions over a Storage (thread-safe). Errors: the
// storage's, kCorruption for malformed archives naming the file,
// kUnsupported for archive formats lakeshare does not read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "hudi/hudi_commit_metadata.h"
#include "hudi/hudi_properties.h"
#include "storage/storage.h"

namespace lakeshare::hudi {

struct TimelineInstant {
  std::string time;             // the requested (instant) time
  std::string completion_time;  // layout 2 / LSM; empty when unknown (layout 1)
  std::string action;
  bool archived = false;
  // Active instants: the file holding the metadata (full location).
  std::string path;
  int64_t size = 0;
  // Archived instants: the decoded metadata that matters.
  std::shared_ptr<const CommitMetadata> commit;
  std::vector<std::string> undone;  // rollback / restore
  std::shared_ptr<const CleanMetadata> clean;
};

struct ActiveTimeline {
  std::vector<TimelineInstant> completed;  // in name order
  // Requested/inflight instant times (a file group may be written by one).
  std::vector<std::string> pending;
};

// The folder of the active timeline for these properties.
std::string TimelineFolder(const Storage& storage, const std::string& table_root,
                           const TableProperties& props);

Result<ActiveTimeline> ListActiveTimeline(Storage& storage, const std::string& table_root,
                                          const TableProperties& props);

struct ArchiveLimits {
  int64_t max_file_bytes = int64_t{256} << 20;
  int64_t max_total_bytes = int64_t{2} << 30;
};

struct ArchivedTimeline {
  std::vector<TimelineInstant> completed;
  bool present = false;  // the archive folder holds files
};

// Reads the whole archive (empty when there is none).
Result<ArchivedTimeline> ReadArchivedTimeline(Storage& storage, const std::string& table_root,
                                              const TableProperties& props,
                                              const ArchiveLimits& limits = {});

// Decodes one archived instant record (v6 HoodieArchivedMetaEntry) or one
// LSM row (action, times and the serialized metadata); exposed for tests.
Result<std::optional<TimelineInstant>> ArchivedEntryFromAvro(const AvroValue& entry);
Result<std::optional<TimelineInstant>> LsmEntry(std::string time, std::string completion,
                                                std::string action, std::string metadata);

}  // namespace lakeshare::hudi
