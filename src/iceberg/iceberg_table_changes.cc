#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "iceberg/iceberg_table.h"
#include "iceberg/iceberg_table_loaded.h"
#include "iceberg/manifest_conversion.h"
#include "iceberg/shared_schema.h"

namespace lakeshare {
namespace {

using iceberg::ConvertedManifest;
using iceberg::FileContext;
using iceberg::IcebergMetadata;
using iceberg::ManifestContent;
using iceberg::ManifestFile;
using iceberg::PartitionSpec;
using iceberg::Schema;
using iceberg::SnapshotInfo;

}  // namespace

Result<std::vector<CommitChanges>> IcebergTable::ChangesImpl(int64_t start_version,
                                                             int64_t end_version) {
  LS_ASSIGN_OR_RETURN(auto loaded, Load());
  const IcebergMetadata& m = loaded->meta;
  const auto& t = loaded->timeline;
  std::string range =
      "versions " + std::to_string(start_version) + " to " + std::to_string(end_version);
  if (start_version > end_version) {
    return Status::InvalidArgument(range + ": the start version is after the end version");
  }
  int64_t latest = t.empty() ? 0 : t.back().version;
  int64_t earliest = t.empty() || loaded->complete_history ? 0 : t.front().version;
  if (start_version < earliest || end_version > latest) {
    return Status::InvalidArgument(range + ": the table has versions [" + std::to_string(earliest) +
                                   ", " + std::to_string(latest) + "]");
  }
  std::vector<CommitChanges> out;
  std::optional<int32_t> prev_schema;
  if (auto first = Select(*loaded, start_version); first.ok() && *first != nullptr) {
    prev_schema = iceberg::SchemaFor(m, m.SnapshotById((*first)->snapshot_id))->schema_id;
  }
  // The partition columns can change without the schema (a spec adds an
  // identity field): a metaData line then too. The start version's are
  // those of its snapshot (built already by the caller: cached).
  std::optional<std::vector<std::string>> prev_parts;
  if (auto first = Snapshot(start_version); first.ok()) {
    prev_parts = (*first)->metadata.partition_columns;
  }
  for (const Version& v : t) {
    if (v.version < start_version || v.version > end_version) continue;
    const SnapshotInfo* s = m.SnapshotById(v.snapshot_id);
    std::string context = "Iceberg snapshot " + std::to_string(v.snapshot_id) + " (version " +
                          std::to_string(v.version) + ", operation '" + s->operation + "')";
    CommitChanges c;
    c.version = v.version;
    c.timestamp_ms = v.timestamp_ms;
    c.operation = s->operation;
    LS_ASSIGN_OR_RETURN(std::vector<ManifestFile> list,
                        manifests_.ManifestsOf(*loaded->storage, m.location, loaded->root, *s,
                                               &options_.location_map));
    // The conversion is the one snapshots of this version use (same
    // partition columns, so converted manifests are shared).
    std::set<int32_t> spec_ids;
    std::vector<const ManifestFile*> added;
    std::vector<std::string> paths;
    std::vector<const PartitionSpec*> specs;
    std::vector<std::optional<std::string>> prefetched;
    for (const ManifestFile& mf : list) {
      const bool deletes = mf.content == ManifestContent::kDeletes;
      const bool mine = !mf.added_snapshot_id || *mf.added_snapshot_id == s->snapshot_id;
      if (deletes && !mine) continue;
      LS_ASSIGN_OR_RETURN(
          std::string path,
          iceberg::RebaseLocation(mf.path, m.location, loaded->root, &options_.location_map));
      const PartitionSpec* spec = nullptr;
      std::optional<std::string> bytes;
      if (!deletes) {
        int32_t id = mf.spec_id;
        if (id < 0) {
          LS_ASSIGN_OR_RETURN(bytes, manifests_.ReadManifest(*loaded->storage, path));
          LS_ASSIGN_OR_RETURN(
              std::optional<int32_t> header,
              iceberg::ManifestSpecId(*bytes, "manifest '" + FileNameOf(path) + "'"));
          id = header.value_or(m.default_spec_id);
        }
        spec = m.SpecById(id);
        if (spec == nullptr) return Status::Corruption(context + ": unknown partition spec");
        spec_ids.insert(spec->spec_id);
      }
      if (!mine) continue;
      added.push_back(&mf);
      paths.push_back(std::move(path));
      specs.push_back(spec);
      prefetched.push_back(std::move(bytes));
    }
    const Schema* schema = iceberg::SchemaFor(m, s);
    FileContext ctx = MakeFileContext(m, schema, spec_ids, loaded->root, loaded->snapshot_ts,
                                      v.timestamp_ms, &options_.location_map);
    // A rewrite (compaction) keeps the rows: nothing to read or emit.
    if (s->operation != "replace") {
      auto convert_all = [&]() {
        return manifests_.ConvertAll(added.size(), [&](size_t i) -> Result<ConvertedPtr> {
          const bool deletes = added[i]->content == ManifestContent::kDeletes;
          return manifests_.Convert(*loaded->storage, paths[i], *added[i], specs[i], ctx, deletes,
                                    &prefetched[i]);
        });
      };
      auto converted = convert_all();
      if (!converted.ok()) return converted.status().WithContext(context);
      // As for snapshots: a partition column without a value in every file
      // stays in the files (a partial one the files may lack is refused).
      if (std::optional<std::string> unfilled = FirstUnfilled(*converted)) {
        if (FilesMayLackPartitionColumns(m)) {
          return Status::Unsupported(context + ": " + *unfilled +
                                     ", and the table's data files may lack partition columns");
        }
        ctx = MakeFileContext(m, schema, spec_ids, loaded->root, loaded->snapshot_ts,
                              v.timestamp_ms, &options_.location_map,
                              /*partial_partitions=*/false);
        converted = convert_all();
        if (!converted.ok()) return converted.status().WithContext(context);
      }
      for (const ConvertedPtr& cm : *converted) {
        if (cm->Removes(s->snapshot_id)) {
          return Status::Unsupported(context +
                                     " removes or deletes rows; /changes and streaming serve only "
                                     "append-only snapshot ranges of Iceberg tables");
        }
        size_t start = 0;
        for (const ConvertedManifest::Run& run : cm->runs) {
          const ConvertedManifest::Origin& o = cm->origins[run.origin];
          if (o.added && (!o.snapshot_id || *o.snapshot_id == s->snapshot_id)) {
            for (size_t i = start; i < run.end; ++i) {
              FileChange ch;
              ch.type = ChangeType::kAdd;
              ch.file = cm->file(i);
              c.changes.push_back(std::move(ch));
            }
          }
          start = run.end;
        }
      }
    }
    std::vector<std::string> parts;
    for (const auto& [name, f] : ctx.partition_columns) parts.push_back(name);
    // (a rewrite's files were not converted: its columns are not known)
    if (s->operation == "replace" && prev_parts) parts = *prev_parts;
    if (!prev_schema || *prev_schema != schema->schema_id || !prev_parts || *prev_parts != parts) {
      c.metadata = iceberg::MakeMetadata(loaded->table_id, m, *schema, ctx.partition_columns);
      c.protocol = iceberg::MakeProtocol(iceberg::AnalyzeSchema(m, *schema));
    }
    prev_schema = schema->schema_id;
    prev_parts = std::move(parts);
    std::sort(c.changes.begin(), c.changes.end(),
              [](const FileChange& a, const FileChange& b) { return a.file.path < b.file.path; });
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace lakeshare
