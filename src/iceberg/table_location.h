// Where an Iceberg table's files are: its current metadata file, the table
// folder of a configured location, and the re-basing of locations recorded
// in the metadata onto the configured folder (README.md in this folder has
// the rules).
//
// Errors: LocateCurrentMetadata's kNotFound when there is no metadata (or
// no way to tell which file is current), else the storage's error;
// RebaseLocation's kCorruption for a recorded location outside the table.
// Pure functions (but for the storage reads): thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/storage.h"

namespace lakeshare::iceberg {

// An Iceberg REST catalog table URL (http:// or https://).
bool IsRestCatalogLocation(const std::string& location);
// *.metadata.json or *.metadata.json.gz.
bool IsMetadataFileName(const std::string& name);
// The table folder of a configured location: the folder itself, or the
// folder above metadata/ for a metadata file (any .json or .json.gz).
std::string TableFolderOf(const std::string& location);

// The comparable form of a recorded location: no file: scheme, s3a/s3n as
// s3, no "./" or repeated or trailing slashes.
std::string NormalizeRecordedLocation(std::string_view location);
// Whether a relative path normalizes to itself (no empty or "." segments).
bool IsCleanRelativePath(std::string_view path);
// A prefix of locations recorded in metadata and the real location it stands
// for (a table copied or mounted elsewhere: "/test-warehouse/" -> a local
// folder, "hdfs://nn:8020/wh/" -> "s3://bucket/wh/").
struct LocationMapping {
  std::string from;  // as recorded; compared normalized (NormalizeRecordedLocation)
  std::string to;    // a storage location (normalized for its backend)
};
using LocationMap = std::vector<LocationMapping>;
// `recorded` under the `from` of an entry of `map` (the longest) as the same
// relative path under its `to`; nullopt when no entry covers it.
std::optional<std::string> MapLocation(const std::string& recorded, const LocationMap& map);

// `recorded` under `recorded_root` becomes the same relative path under
// `configured_root`; else a path `map` covers is mapped; else paths already
// under `configured_root` are kept; others are kCorruption.
Result<std::string> RebaseLocation(const std::string& recorded, const std::string& recorded_root,
                                   const std::string& configured_root,
                                   const LocationMap* map = nullptr);

// The current metadata file of the table at `location` (a folder or a
// metadata file, as `storage` understands it): metadata/version-hint.text's
// file, or a newer numbered one if the hint lags; without a hint the
// highest number, or the only unnumbered file.
struct MetadataFileRef {
  std::string path;
  std::optional<FileInfo> info;
};
Result<MetadataFileRef> LocateCurrentMetadata(Storage& storage, const std::string& location);

}  // namespace lakeshare::iceberg
