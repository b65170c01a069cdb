#include "iceberg/snapshot_deletes.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/strings.h"
#include "common/thread_pool.h"
#include "iceberg/equality_deletes.h"
#include "iceberg/row_deletes.h"
#include "table/deletion_vector_bytes.h"

namespace lakeshare::iceberg {
namespace {

std::string Basename(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

bool StartsWithFolder(const std::string& path, const std::string& folder) {
  return path.size() > folder.size() + 1 && path.compare(0, folder.size(), folder) == 0 &&
         path[folder.size()] == '/';
}

// The re-based location of a data file a delete names, as DataFile::path
// holds it; nullopt for files outside the table (they cannot be listed).
class TargetPaths {
 public:
  explicit TargetPaths(const FileContext& ctx)
      : ctx_(ctx),
        recorded_root_(SameFileKey(ctx.recorded_root)),
        configured_root_(SameFileKey(ctx.configured_root)) {
    if (ctx.location_map != nullptr) {
      for (const LocationMapping& m : *ctx.location_map) {
        std::string from = SameFileKey(m.from);
        while (from.size() > 1 && from.back() == '/') from.pop_back();
        mapped_.emplace_back(std::move(from), &m);
      }
    }
  }

  std::optional<std::string> Of(const std::string& recorded) const {
    if (auto exact = ctx_.Rebase(recorded); exact.ok()) return std::move(*exact);
    const std::string key = SameFileKey(recorded);
    for (const std::string* root : {&recorded_root_, &configured_root_}) {
      if (!root->empty() && StartsWithFolder(key, *root)) {
        return ctx_.configured_root + key.substr(root->size());
      }
    }
    // A mapped prefix named with another scheme or authority
    // (hdfs:///wh/x for hdfs://nn:8020/wh/).
    for (const auto& [from, m] : mapped_) {
      if (from.size() > 1 && StartsWithFolder(key, from)) {
        if (auto mapped = MapLocation(m->from + key.substr(from.size()), *ctx_.location_map)) {
          return mapped;
        }
      }
    }
    return std::nullopt;
  }

 private:
  const FileContext& ctx_;
  const std::string recorded_root_, configured_root_;
  std::vector<std::pair<std::string, const LocationMapping*>> mapped_;
};

struct Target {
  const DeleteFileRef* ref = nullptr;
  const std::vector<uint64_t>* positions = nullptr;
};

bool IsPuffin(const DeleteFileRef& d) { return EqualsIgnoreCase(d.file_format, "puffin"); }
bool IsAvro(const DeleteFileRef& d) { return EqualsIgnoreCase(d.file_format, "avro"); }

Result<DeletionVector> MakeDeletionVector(const std::vector<uint64_t>& positions,
                                          const RowDeleteOptions& options) {
  std::string bitmap = SerializeRoaringBitmapArray(positions);
  if (options.cache == nullptr || bitmap.size() <= options.max_inline_bytes) {
    return InlineDeletionVector(positions);
  }
  const std::string file = DeletionVectorFile(bitmap);
  const std::string key = HexEncode(Sha256(file));
  if (!options.cache->Find(key, ".bin")) LS_RETURN_IF_ERROR(options.cache->Put(key, ".bin", file));
  DeletionVector dv;
  dv.storage_type = "p";
  dv.path_or_inline_dv = options.cache->PathOf(key, ".bin");
  dv.offset = 1;
  dv.size_in_bytes = static_cast<int32_t>(bitmap.size());
  dv.cardinality = static_cast<int64_t>(positions.size());
  return dv;
}

Result<AppliedDeletes> ApplyPositions(
    Storage& storage, const FileContext& ctx,
    const std::vector<std::shared_ptr<const ConvertedManifest>>& data,
    const std::vector<const DeleteFileRef*>& deletes, const PositionsByFile& by_equality,
    const RowDeleteOptions& options);

}  // namespace

Result<AppliedDeletes> ApplyRowDeletes(
    Storage& storage, const FileContext& ctx,
    const std::vector<std::shared_ptr<const ConvertedManifest>>& data,
    const std::vector<const DeleteFileRef*>& deletes, const RowDeleteOptions& options) {
  std::vector<const DeleteFileRef*> equality;
  std::vector<const DeleteFileRef*> position;
  for (const DeleteFileRef* d : deletes) {
    (d->content == FileContent::kEqualityDeletes ? equality : position).push_back(d);
  }
  PositionsByFile by_equality;
  if (!equality.empty()) {
    EqualityDeleteOptions eo;
    eo.cache = options.cache;
    eo.max_key_bytes = options.max_equality_key_bytes;
    eo.max_scan_bytes = options.max_equality_scan_bytes;
    eo.max_scan_ms = options.max_equality_scan_ms;
    eo.max_parallel_reads = options.max_parallel_reads;
    LS_ASSIGN_OR_RETURN(by_equality, ResolveEqualityDeletes(storage, ctx, data, equality, eo));
  }
  return ApplyPositions(storage, ctx, data, position, by_equality, options);
}

namespace {

Result<AppliedDeletes> ApplyPositions(
    Storage& storage, const FileContext& ctx,
    const std::vector<std::shared_ptr<const ConvertedManifest>>& data,
    const std::vector<const DeleteFileRef*>& deletes, const PositionsByFile& by_equality,
    const RowDeleteOptions& options) {
  for (const DeleteFileRef* d : deletes) {
    if (!IsPuffin(*d) && !EqualsIgnoreCase(d->file_format, "parquet") && !IsAvro(*d)) {
      return Status::Unsupported("position delete file '" + Basename(d->path) + "' is in " +
                                 d->file_format +
                                 " format; only parquet and Avro position delete files are read");
    }
    if (IsPuffin(*d) && (!d->referenced_data_file || !d->content_offset || !d->content_size)) {
      return Status::Corruption("deletion vector in '" + Basename(d->path) +
                                "' lacks referenced_data_file, content_offset or "
                                "content_size_in_bytes");
    }
  }
  // Read every delete file (bounded in total positions).
  std::vector<PositionDeletes> files(deletes.size());
  std::vector<std::vector<uint64_t>> vectors(deletes.size());
  std::atomic<int64_t> budget{options.max_positions};
  LS_RETURN_IF_ERROR(
      ParallelFor(deletes.size(), options.max_parallel_reads, [&](size_t i) -> Status {
        const DeleteFileRef& d = *deletes[i];
        const int64_t left = std::max<int64_t>(0, budget.load());
        int64_t count = 0;
        if (IsPuffin(d)) {
          LS_ASSIGN_OR_RETURN(vectors[i], ReadDeletionVectorBlob(storage, d.path, *d.content_offset,
                                                                 *d.content_size, left));
          count = static_cast<int64_t>(vectors[i].size());
        } else {
          LS_ASSIGN_OR_RETURN(files[i], IsAvro(d)
                                            ? ReadAvroPositionDeleteFile(storage, d.path, left)
                                            : ReadPositionDeleteFile(storage, d.path, left));
          count = files[i].count;
        }
        if (budget.fetch_sub(count) < count) {
          return Status::TooLarge("the snapshot's delete files hold more than " +
                                  std::to_string(options.max_positions) + " positions");
        }
        return Status::OK();
      }));
  // Which deletes name which data file.
  const TargetPaths paths(ctx);
  std::unordered_map<std::string, std::vector<Target>, StringHash, std::equal_to<>> targets;
  for (size_t i = 0; i < deletes.size(); ++i) {
    const DeleteFileRef* d = deletes[i];
    if (IsPuffin(*d)) {
      if (auto p = paths.Of(*d->referenced_data_file)) targets[*p].push_back({d, &vectors[i]});
      continue;
    }
    for (const auto& [recorded, positions] : files[i].by_file) {
      if (d->referenced_data_file &&
          SameFileKey(recorded) != SameFileKey(*d->referenced_data_file)) {
        continue;  // the spec: a delete file with a referenced file applies to it only
      }
      if (auto p = paths.Of(recorded)) targets[*p].push_back({d, &positions});
    }
  }

  AppliedDeletes out;
  std::vector<uint64_t> positions;
  for (const auto& cm : data) {
    for (size_t c = 0; c < cm->chunks.size(); ++c) {
      const FileList::Chunk& chunk = cm->chunks[c];
      std::shared_ptr<FileList::Chunk> copy;
      for (size_t k = 0; k < chunk.size() && !(targets.empty() && by_equality.empty()); ++k) {
        auto it = targets.find(chunk[k].path.view());
        // (Keyed by std::string: a string is built only for tables with
        // equality deletes.)
        auto eq = by_equality.empty() ? by_equality.end() : by_equality.find(chunk[k].path.str());
        if (it == targets.end() && eq == by_equality.end()) continue;
        const size_t index = c * FileList::kChunkSize + k;
        const int64_t sequence = cm->data_sequence[index];
        const std::string& partition = cm->partitions[cm->partition_of[index]];
        positions.clear();
        for (const Target& t : it == targets.end() ? std::vector<Target>{} : it->second) {
          if (t.ref->data_sequence < sequence) continue;  // the file was written after it
          if (!t.ref->unpartitioned && t.ref->partition != partition) continue;
          positions.insert(positions.end(), t.positions->begin(), t.positions->end());
        }
        if (eq != by_equality.end()) {
          positions.insert(positions.end(), eq->second.begin(), eq->second.end());
        }
        if (positions.empty()) continue;
        std::sort(positions.begin(), positions.end());
        positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
        if (!copy) copy = std::make_shared<FileList::Chunk>(chunk);
        LS_ASSIGN_OR_RETURN(DeletionVector dv, MakeDeletionVector(positions, options));
        (*copy)[k].deletion_vector.emplace(std::move(dv));
        ++out.files_with_deletes;
        out.deleted_rows += static_cast<int64_t>(positions.size());
      }
      if (copy) {
        out.chunks.emplace_back(std::move(copy));
      } else {
        out.chunks.emplace_back(cm, &chunk);  // keeps the converted manifest alive
      }
    }
  }
  return out;
}

}  // namespace
}  // namespace lakeshare::iceberg
