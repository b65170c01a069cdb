// IcebergTable::Loaded: one parsed metadata file of an IcebergTable and its
// main-branch timeline, shared by the table's .cc files (loading, snapshots,
// changes). Immutable once made; shared by the requests that use it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "iceberg/iceberg_metadata.h"
#include "iceberg/iceberg_table.h"

namespace lakeshare {

struct IcebergTable::Loaded {
  std::string metadata_path;
  std::optional<FileInfo> info;
  std::string root;  // where the table's files are (re-basing target)
  std::shared_ptr<Storage> storage;
  iceberg::IcebergMetadata meta;
  std::vector<Version> timeline;  // main lineage, oldest first
  bool complete_history = false;  // the oldest snapshot has no parent: version 0 is "empty"
  std::map<int64_t, int64_t> snapshot_ts;
  std::string table_id;
};

// The last segment of a path (what errors name: manifests, data files).
inline std::string FileNameOf(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string::npos ? path : path.substr(slash + 1));
}

}  // namespace lakeshare
