// ManifestStore: one Iceberg table's access to its manifest lists and
// manifests. Reads are size-checked (kTooLarge past max_manifest_bytes,
// kNotFound naming the missing file). Converted manifests
// (manifest_conversion.h) are found again by their conversion key while any
// snapshot still holds them (Iceberg never rewrites a manifest in place), so
// versions that list the same manifest share its files; the store itself
// holds only weak references. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "iceberg/iceberg_metadata.h"
#include "iceberg/manifest.h"
#include "iceberg/manifest_conversion.h"
#include "iceberg/table_location.h"
#include "storage/storage.h"

namespace lakeshare::iceberg {

class ManifestStore {
 public:
  using ConvertedPtr = std::shared_ptr<const ConvertedManifest>;

  ManifestStore(int64_t max_manifest_bytes, size_t max_parallel_reads)
      : max_manifest_bytes_(max_manifest_bytes), max_parallel_reads_(max_parallel_reads) {}

  // The manifests snapshot `s` lists. Its manifest list's recorded location
  // is re-based from `recorded_root` onto `root`. v1 snapshots may list
  // manifests directly: then no list is read, and their specs are unknown
  // (spec_id -1) until each manifest's header is read.
  // `map` (may be null) maps recorded locations outside the table.
  Result<std::vector<ManifestFile>> ManifestsOf(Storage& storage, const std::string& recorded_root,
                                                const std::string& root, const SnapshotInfo& s,
                                                const LocationMap* map = nullptr);
  // The bytes of the manifest at `path` (already re-based).
  Result<std::string> ReadManifest(Storage& storage, const std::string& path);

  // The manifest `mf` at `path` converted with `ctx` (see ConvertManifest):
  // found again when held, else read (or taken from *prefetched, when set)
  // and converted.
  Result<ConvertedPtr> Convert(Storage& storage, const std::string& path, const ManifestFile& mf,
                               const PartitionSpec* spec, const FileContext& ctx, bool deletes,
                               std::optional<std::string>* prefetched);
  // one(i) for i in [0, n), max_parallel_reads at a time; the results in
  // order, or the first error.
  Result<std::vector<ConvertedPtr>> ConvertAll(
      size_t n, const std::function<Result<ConvertedPtr>(size_t)>& one);

 private:
  const int64_t max_manifest_bytes_;
  const size_t max_parallel_reads_;
  std::mutex mu_;
  // By conversion key; expired entries are swept as the map grows.
  std::map<std::string, std::weak_ptr<const ConvertedManifest>> converted_;  // guarded by mu_
  size_t sweep_at_ = 64;                                                     // guarded by mu_
};

}  // namespace lakeshare::iceberg
