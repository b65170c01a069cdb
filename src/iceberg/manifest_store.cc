#include "iceberg/manifest_store.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "common/thread_pool.h"
#include "iceberg/table_location.h"

namespace lakeshare::iceberg {
namespace {

std::string Basename(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

}  // namespace

Result<std::vector<ManifestFile>> ManifestStore::ManifestsOf(Storage& storage,
                                                             const std::string& recorded_root,
                                                             const std::string& root,
                                                             const SnapshotInfo& s,
                                                             const LocationMap* map) {
  if (!s.manifest_list) {
    // v1 snapshots may list manifests directly; their spec comes from each
    // manifest's own metadata (read later), data content is implied.
    std::vector<ManifestFile> out;
    for (const std::string& p : s.manifests) {
      ManifestFile mf;
      mf.path = p;
      mf.spec_id = -1;
      mf.added_snapshot_id = std::nullopt;
      out.push_back(std::move(mf));
    }
    return out;
  }
  LS_ASSIGN_OR_RETURN(std::string path, RebaseLocation(*s.manifest_list, recorded_root, root, map));
  std::string name = Basename(path);
  auto info = storage.Head(path);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("the manifest list '" + name + "' of snapshot " +
                              std::to_string(s.snapshot_id) + " does not exist");
    }
    return info.status();
  }
  if (info->size > max_manifest_bytes_) {
    return Status::TooLarge("the manifest list '" + name + "' is too large");
  }
  LS_ASSIGN_OR_RETURN(std::string bytes, storage.Read(path));
  return ReadManifestList(std::move(bytes), "manifest list '" + name + "'");
}

Result<std::string> ManifestStore::ReadManifest(Storage& storage, const std::string& path) {
  std::string name = Basename(path);
  auto info = storage.Head(path);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("the manifest '" + name + "' does not exist");
    }
    return info.status();
  }
  if (info->size > max_manifest_bytes_) {
    return Status::TooLarge("the manifest '" + name + "' is too large");
  }
  return storage.Read(path);
}

Result<ManifestStore::ConvertedPtr> ManifestStore::Convert(
    Storage& storage, const std::string& path, const ManifestFile& mf, const PartitionSpec* spec,
    const FileContext& ctx, bool deletes, std::optional<std::string>* prefetched) {
  const std::string key = ConversionKey(path, mf, spec, ctx, deletes);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = converted_.find(key);
    if (it != converted_.end()) {
      if (ConvertedPtr p = it->second.lock()) return p;
    }
  }
  std::string bytes;
  if (prefetched != nullptr && *prefetched) {
    bytes = std::move(**prefetched);
  } else {
    LS_ASSIGN_OR_RETURN(bytes, ReadManifest(storage, path));
  }
  LS_ASSIGN_OR_RETURN(ConvertedPtr p,
                      ConvertManifest(std::move(bytes), "manifest '" + Basename(path) + "'", ctx,
                                      spec, mf, deletes));
  std::lock_guard<std::mutex> lock(mu_);
  converted_[key] = p;
  if (converted_.size() >= sweep_at_) {
    for (auto it = converted_.begin(); it != converted_.end();) {
      it = it->second.expired() ? converted_.erase(it) : std::next(it);
    }
    sweep_at_ = std::max<size_t>(64, 2 * converted_.size());
  }
  return p;
}

Result<std::vector<ManifestStore::ConvertedPtr>> ManifestStore::ConvertAll(
    size_t n, const std::function<Result<ConvertedPtr>(size_t)>& one) {
  std::vector<ConvertedPtr> out(n);
  LS_RETURN_IF_ERROR(ParallelFor(n, max_parallel_reads_, [&](size_t i) -> Status {
    LS_ASSIGN_OR_RETURN(out[i], one(i));
    return Status::OK();
  }));
  return out;
}

}  // namespace lakeshare::iceberg
