#include "delta/delta_log_replay.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "delta/delta_paths.h"

namespace lakeshare {
namespace {

std::string DvId(const CompactOptional<DeletionVector>& dv) {
  return dv ? DeletionVectorUniqueId(*dv) : std::string();
}

bool FileOrder(const DataFile& a, const DataFile& b) {
  int c = a.path.compare(b.path);
  if (c != 0) return c < 0;
  // Same path: only files with different deletion vectors get here (rare).
  return DvId(a.deletion_vector) < DvId(b.deletion_vector);
}

}  // namespace

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

DeltaLogReplay::DeltaLogReplay(std::shared_ptr<const TableSnapshot> base)
    : base_(std::move(base)),
      version_(base_->version),
      timestamp_ms_(base_->timestamp_ms),
      protocol_(base_->protocol),
      metadata_(base_->metadata),
      timestamps_(CommitTimestampResolver::After(*base_)) {}

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
  std::vector<DataFile>& files = snapshot->files;

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
  std::sort(added.begin(), added.end(), FileOrder);
  if (!base_ || base_->files.empty()) {
    files = std::move(added);
  } else {
    // The base is sorted: keep the files no change touched and merge in the
    // (few) new ones, instead of re-sorting everything.
    std::vector<const DataFile*> kept;
    kept.reserve(base_->files.size());
    for (const DataFile& file : base_->files) {
      bool plain = !file.deletion_vector && file.path.find('%') == std::string::npos;
      bool touched = plain ? changes_.find(std::string_view(file.path)) != changes_.end()
                           : changes_.count(FileActionKey(file.path, file.deletion_vector)) != 0;
      if (!touched) kept.push_back(&file);
    }
    files.reserve(kept.size() + added.size());
    auto next_added = added.begin();
    for (const DataFile* file : kept) {
      while (next_added != added.end() && FileOrder(*next_added, *file)) {
        files.push_back(std::move(*next_added++));
      }
      files.push_back(*file);
    }
    for (; next_added != added.end(); ++next_added) files.push_back(std::move(*next_added));
  }
  changes_.clear();
  return std::shared_ptr<const TableSnapshot>(std::move(snapshot));
}

}  // namespace lakeshare
