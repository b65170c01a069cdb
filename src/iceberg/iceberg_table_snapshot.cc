#include <algorithm>
#include <chrono>
#include <set>

#include "common/thread_pool.h"
#include "iceberg/iceberg_table.h"
#include "iceberg/iceberg_table_loaded.h"
#include "iceberg/manifest_conversion.h"
#include "iceberg/name_mapping.h"
#include "iceberg/shared_schema.h"
#include "iceberg/snapshot_deletes.h"

namespace lakeshare {
namespace {

using iceberg::ConvertedManifest;
using iceberg::FileContext;
using iceberg::IcebergMetadata;
using iceberg::ManifestContent;
using iceberg::ManifestFile;
using iceberg::PartitionSpec;
using iceberg::Schema;
using iceberg::SchemaReport;
using iceberg::SnapshotInfo;

// The manifests of one snapshot and how their files are converted.
struct SnapshotPlan {
  std::vector<ManifestFile> list;
  std::vector<const ManifestFile*> data, deletes;
  std::vector<std::string> data_paths, delete_paths;  // re-based
  std::vector<const PartitionSpec*> data_specs;       // parallel to data
  // Bytes of manifests whose spec had to be read from their header (v1
  // snapshots listing manifests directly), kept for their conversion.
  std::vector<std::optional<std::string>> prefetched;
  FileContext ctx;
  const Schema* schema = nullptr;
};

// Delta's deletionVectors table feature (reader version 3, writer 7).
void AddDeletionVectorsFeature(TableProtocol* p) {
  p->min_reader_version = 3;
  p->min_writer_version = 7;
  for (auto* features : {&p->reader_features, &p->writer_features}) {
    if (!*features) features->emplace();
    if (std::find((*features)->begin(), (*features)->end(), "deletionVectors") ==
        (*features)->end()) {
      (*features)->push_back("deletionVectors");
    }
  }
}

using Converted = std::vector<std::shared_ptr<const ConvertedManifest>>;

// The columns of every data file of `data` as its footer has them (file
// names for messages); kTooLarge beyond `max_files` files or `max_ms`.
Result<std::vector<std::pair<std::string, iceberg::FileColumns>>> ReadFileColumns(
    Storage& storage, const Converted& data, size_t parallel, size_t max_files, int64_t max_ms) {
  std::vector<const DataFile*> files;
  for (const auto& cm : data) {
    for (size_t i = 0; i < cm->files; ++i) files.push_back(&cm->file(i));
  }
  if (files.size() > max_files) {
    return Status::TooLarge("it has " + std::to_string(files.size()) +
                            " data files, and serving its renamed columns reads every file's "
                            "footer (at most " +
                            std::to_string(max_files) + ")");
  }
  std::vector<std::pair<std::string, iceberg::FileColumns>> out(files.size());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_ms);
  LS_RETURN_IF_ERROR(ParallelFor(files.size(), parallel, [&](size_t i) -> Status {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::TooLarge("reading the footers of its " + std::to_string(files.size()) +
                              " data files, which serving its renamed columns needs, takes "
                              "longer than " +
                              std::to_string(max_ms) + " ms");
    }
    const std::string path = files[i]->path.str();
    out[i].first = FileNameOf(path);
    LS_ASSIGN_OR_RETURN(auto file, storage.OpenRandomAccess(path, std::nullopt));
    parquet::ReaderOptions o;
    o.footer_read_size = 16 << 10;
    auto reader =
        parquet::ParquetReader::Open(std::shared_ptr<const RandomAccessFile>(std::move(file)), o);
    if (!reader.ok()) return reader.status().WithContext("data file '" + out[i].first + "'");
    out[i].second = iceberg::ColumnsOfParquet(*reader);
    return Status::OK();
  }));
  return out;
}

}  // namespace

IcebergTable::SnapshotResult IcebergTable::Build(std::shared_ptr<const Loaded> loaded,
                                                 const Version* v) {
  const IcebergMetadata& m = loaded->meta;
  const SnapshotInfo* s = m.SnapshotById(v->snapshot_id);
  if (s == nullptr) return Status::Internal("snapshot vanished from its metadata");
  std::string context = "snapshot " + std::to_string(s->snapshot_id);
  SnapshotPlan plan;
  LS_ASSIGN_OR_RETURN(plan.list, manifests_.ManifestsOf(*loaded->storage, m.location, loaded->root,
                                                        *s, &options_.location_map));
  for (const ManifestFile& mf : plan.list) {
    LS_ASSIGN_OR_RETURN(std::string path, iceberg::RebaseLocation(mf.path, m.location, loaded->root,
                                                                  &options_.location_map));
    if (mf.content == ManifestContent::kDeletes) {
      // Counts in the list tell a delete manifest without live entries.
      bool empty =
          mf.added_files && mf.existing_files && *mf.added_files == 0 && *mf.existing_files == 0;
      if (!empty) {
        plan.deletes.push_back(&mf);
        plan.delete_paths.push_back(std::move(path));
      }
    } else {
      plan.data.push_back(&mf);
      plan.data_paths.push_back(std::move(path));
    }
  }
  // Partition specs: from the list, else from each manifest's header.
  plan.prefetched.resize(plan.data.size());
  std::set<int32_t> spec_ids;
  for (size_t i = 0; i < plan.data.size(); ++i) {
    const ManifestFile& mf = *plan.data[i];
    int32_t id = mf.spec_id;
    if (id < 0) {
      LS_ASSIGN_OR_RETURN(std::string bytes,
                          manifests_.ReadManifest(*loaded->storage, plan.data_paths[i]));
      LS_ASSIGN_OR_RETURN(
          std::optional<int32_t> header,
          iceberg::ManifestSpecId(bytes, "manifest '" + FileNameOf(plan.data_paths[i]) + "'"));
      id = header.value_or(m.default_spec_id);
      plan.prefetched[i] = std::move(bytes);
    }
    const PartitionSpec* spec = m.SpecById(id);
    if (spec == nullptr) {
      return Status::Corruption(context + ": manifest '" + FileNameOf(mf.path) +
                                "' uses partition spec " + std::to_string(id) +
                                ", which the metadata does not define");
    }
    plan.data_specs.push_back(spec);
    spec_ids.insert(spec->spec_id);
  }
  plan.schema = iceberg::SchemaFor(m, s);
  SchemaReport report = iceberg::AnalyzeSchema(m, *plan.schema);
  plan.ctx = MakeFileContext(m, plan.schema, spec_ids, loaded->root, loaded->snapshot_ts,
                             v->timestamp_ms, &options_.location_map);
  const FileContext& ctx = plan.ctx;
  auto convert = [&](size_t i, bool deletes) -> Result<ConvertedPtr> {
    if (deletes) {
      return manifests_.Convert(*loaded->storage, plan.delete_paths[i], *plan.deletes[i], nullptr,
                                ctx, true, nullptr);
    }
    return manifests_.Convert(*loaded->storage, plan.data_paths[i], *plan.data[i],
                              plan.data_specs[i], ctx, false, &plan.prefetched[i]);
  };
  auto data_files =
      manifests_.ConvertAll(plan.data.size(), [&](size_t i) { return convert(i, false); });
  if (!data_files.ok()) return data_files.status().WithContext(context);
  // An identity partition column of only some specs needs a single value in
  // every file of the others. Without one the column stays in the files
  // only (as written by engines that keep partition sources in the data
  // files), unless the table says its files lack partition columns.
  std::optional<std::string> unfilled = FirstUnfilled(*data_files);
  if (unfilled) {
    if (FilesMayLackPartitionColumns(m)) {
      *unfilled +=
          ", and the table's data files may lack partition columns "
          "(write.data.partition-columns=false)";
    } else {
      unfilled.reset();
      plan.ctx = MakeFileContext(m, plan.schema, spec_ids, loaded->root, loaded->snapshot_ts,
                                 v->timestamp_ms, &options_.location_map,
                                 /*partial_partitions=*/false);
      data_files =
          manifests_.ConvertAll(plan.data.size(), [&](size_t i) { return convert(i, false); });
      if (!data_files.ok()) return data_files.status().WithContext(context);
    }
  }
  auto delete_files =
      manifests_.ConvertAll(plan.deletes.size(), [&](size_t i) { return convert(i, true); });
  if (!delete_files.ok()) return delete_files.status().WithContext(context);

  // Snapshots whose schema has every column with an initial default: files
  // they added need no default filled in.
  std::set<int64_t> complete_snapshots;
  if (!report.default_field_ids.empty()) {
    for (const SnapshotInfo& other : m.snapshots) {
      const Schema* os = other.schema_id ? m.SchemaById(*other.schema_id) : nullptr;
      if (os == nullptr) continue;
      const std::set<int32_t> ids = iceberg::AllFieldIds(*os);
      bool all = std::all_of(report.default_field_ids.begin(), report.default_field_ids.end(),
                             [&](int32_t id) { return ids.count(id) != 0; });
      if (all) complete_snapshots.insert(other.snapshot_id);
    }
  }

  // Files written before a column with an initial default lack it: such
  // columns become partition values (the default for those files, the
  // file's single value by its bounds for the others) where they can.
  bool lacking_defaults = false;
  for (const ConvertedPtr& cm : *data_files) {
    for (const ConvertedManifest::Run& run : cm->runs) {
      const std::optional<int64_t>& origin = cm->origins[run.origin].snapshot_id;
      lacking_defaults = lacking_defaults || (!report.default_field_ids.empty() &&
                                              (!origin || complete_snapshots.count(*origin) == 0));
    }
  }
  bool defaults_served = false;
  std::string defaults_blocker;  // why they cannot be partition values
  if (lacking_defaults && !unfilled) {
    iceberg::FileContext with = plan.ctx;
    bool possible = true;
    for (int32_t id : report.default_field_ids) {
      const iceberg::NestedField* col = nullptr;
      for (const iceberg::NestedField& f : plan.schema->fields) {
        if (f.id == id) col = &f;
      }
      auto datum = col != nullptr ? iceberg::DefaultToPartitionDatum(*col) : std::nullopt;
      const bool nanos = col != nullptr && (col->type->id == iceberg::TypeId::kTimestampNs ||
                                            col->type->id == iceberg::TypeId::kTimestampTzNs);
      // A partition tuple holds nanoseconds where the datum would hold
      // microseconds: such columns stay refused.
      bool identity = false;
      for (const iceberg::PartitionSpec& spec : m.specs) {
        for (const iceberg::PartitionField& pf : spec.fields) {
          identity = identity || (nanos && pf.transform == "identity" && pf.source_id == id);
        }
      }
      if (!datum || !iceberg::IsDefaultPartitionType(*col->type) || identity) {
        possible = false;
        const std::string path = iceberg::FieldPathOf(*plan.schema, id);
        if (col == nullptr) {
          defaults_blocker = "; '" + path +
                             "' is nested: Delta has no column defaults, and only top-level "
                             "columns can be partition values";
        } else if (nanos && !identity) {
          defaults_blocker = "; the default of '" + path +
                             "' has digits below a microsecond (or does not parse), and the "
                             "served timestamp holds microseconds";
        } else {
          defaults_blocker = "; '" + path +
                             "' cannot be shared as a partition value (a type or partitioning "
                             "whose default has no partition form here, or a default that does "
                             "not parse)";
        }
        break;
      }
      with.defaults[id] = std::move(*datum);
      bool listed = false;
      for (const auto& [name, f] : with.partition_columns) listed = listed || f == col;
      if (!listed) with.partition_columns.emplace_back(col->name, col);
    }
    if (possible) {
      const iceberg::FileContext saved = plan.ctx;
      plan.ctx = std::move(with);
      auto converted =
          manifests_.ConvertAll(plan.data.size(), [&](size_t i) { return convert(i, false); });
      if (!converted.ok()) return converted.status().WithContext(context);
      defaults_served = std::none_of(converted->begin(), converted->end(),
                                     [](const ConvertedPtr& cm) { return cm->unfilled; });
      if (defaults_served) {
        data_files = std::move(converted);
      } else {
        plan.ctx = saved;
        for (const ConvertedPtr& cm : *converted) {
          if (cm->unfilled && defaults_blocker.empty()) {
            defaults_blocker = "; as a partition value: " + *cm->unfilled;
          }
        }
      }
    }
  }

  // Which data files need defaults filled in, and which name their columns
  // otherwise than the schema (then clients must read by field id).
  std::optional<std::string> unreadable = unfilled;
  bool column_mapping = false;
  std::vector<FileList::ChunkPtr> chunks;
  for (const ConvertedPtr& cm : *data_files) {
    // Chunk pointers that keep the whole converted manifest alive (so it is
    // found again while this snapshot exists).
    for (const FileList::Chunk& chunk : cm->chunks) chunks.emplace_back(cm, &chunk);
    size_t start = 0;
    for (const ConvertedManifest::Run& run : cm->runs) {
      const std::optional<int64_t>& origin = cm->origins[run.origin].snapshot_id;
      if (!unreadable && !defaults_served && !report.default_field_ids.empty() &&
          (!origin || complete_snapshots.count(*origin) == 0)) {
        // The defaulted columns the file's schema lacks (all when unknown).
        const SnapshotInfo* writer = origin ? m.SnapshotById(*origin) : nullptr;
        const Schema* written =
            writer && writer->schema_id ? m.SchemaById(*writer->schema_id) : nullptr;
        const std::set<int32_t> has =
            written ? iceberg::AllFieldIds(*written) : std::set<int32_t>{};
        std::string columns;
        size_t count = 0;
        for (int32_t id : report.default_field_ids) {
          if (has.count(id) != 0) continue;
          columns += (columns.empty() ? "'" : ", '") + iceberg::FieldPathOf(*plan.schema, id) + "'";
          ++count;
        }
        unreadable = (count == 1 ? "column " + columns + " has an initial default"
                                 : "columns " + columns + " have initial defaults") +
                     " (format v3) that data file '" + FileNameOf(cm->file(start).path) +
                     "' predates; Delta readers would see null there instead of the default" +
                     defaults_blocker;
      }
      if (!column_mapping && iceberg::NeedsColumnMapping(m, report, origin)) column_mapping = true;
      start = run.end;
    }
  }
  // Files without field ids (read through the table's name mapping) cannot
  // be read by id: unless every file has ids, serve column mapping mode
  // `name` with the names the files have, where one name per column reads
  // every file.
  std::optional<iceberg::PhysicalNaming> naming;
  Schema physical_schema;
  if (auto nm = m.properties.find(iceberg::kNameMappingProperty);
      column_mapping && !unreadable && nm != m.properties.end()) {
    auto resolved = [&]() -> Result<iceberg::PhysicalNaming> {
      LS_ASSIGN_OR_RETURN(iceberg::NameMapping mapping, iceberg::ParseNameMapping(nm->second));
      LS_ASSIGN_OR_RETURN(
          auto files,
          ReadFileColumns(*loaded->storage, *data_files, options_.max_parallel_reads,
                          options_.max_name_mapping_footers, options_.max_name_mapping_ms));
      return iceberg::ResolvePhysicalNames(*plan.schema, mapping, files);
    }();
    if (!resolved.ok() && (resolved.status().code() == StatusCode::kUnsupported ||
                           resolved.status().code() == StatusCode::kTooLarge)) {
      unreadable = *report.name_conflict + ", and the table maps the columns of files without " +
                   "field ids by name (" + iceberg::kNameMappingProperty +
                   "): " + resolved.status().message();
    } else if (!resolved.ok()) {
      return resolved.status().WithContext(context);
    } else if (!resolved->all_files_have_ids) {
      naming = std::move(*resolved);
    }
  }
  if (naming) {
    // Stats and partition values are keyed by the physical names: convert
    // the files again with a schema of those names where they differ.
    physical_schema = iceberg::RenamedSchema(*plan.schema, naming->names);
    if (iceberg::SparkSchemaString(physical_schema) != iceberg::SparkSchemaString(*plan.schema)) {
      iceberg::FileContext renamed = plan.ctx;
      renamed.schema = &physical_schema;
      for (auto& [name, f] : renamed.partition_columns) {
        for (const iceberg::NestedField& top : physical_schema.fields) {
          if (top.id == f->id) {
            name = top.name;
            f = &top;
          }
        }
      }
      for (const auto& [id, name] : naming->names) {
        renamed.naming_key += std::to_string(id) + "=" + name + ",";
      }
      plan.ctx = std::move(renamed);
      data_files =
          manifests_.ConvertAll(plan.data.size(), [&](size_t i) { return convert(i, false); });
      if (!data_files.ok()) return data_files.status().WithContext(context);
      chunks.clear();
      for (const ConvertedPtr& cm : *data_files) {
        for (const FileList::Chunk& chunk : cm->chunks) chunks.emplace_back(cm, &chunk);
      }
    }
  }

  auto snap = std::make_shared<TableSnapshot>();
  snap->version = v->version;
  snap->timestamp_ms = v->timestamp_ms;
  snap->protocol = iceberg::MakeProtocol(report, column_mapping);
  snap->metadata = iceberg::MakeMetadata(loaded->table_id, m, *plan.schema, ctx.partition_columns,
                                         column_mapping, naming ? &naming->names : nullptr);
  std::vector<const iceberg::DeleteFileRef*> deletes;
  for (const auto* list : {&*data_files, &*delete_files}) {
    for (const ConvertedPtr& cm : *list) {
      for (const iceberg::DeleteFileRef& d : cm->delete_files) deletes.push_back(&d);
    }
  }
  if (!unreadable && !deletes.empty()) {
    iceberg::RowDeleteOptions o;
    o.cache = options_.dv_cache.get();
    o.max_inline_bytes = options_.max_inline_dv_bytes;
    o.max_positions = options_.max_delete_positions;
    o.max_parallel_reads = options_.max_parallel_reads;
    o.max_equality_key_bytes = options_.max_equality_key_bytes;
    o.max_equality_scan_bytes = options_.max_equality_scan_bytes;
    o.max_equality_scan_ms = options_.max_equality_scan_ms;
    auto applied = iceberg::ApplyRowDeletes(*loaded->storage, ctx, *data_files, deletes, o);
    if (applied.ok()) {
      chunks = std::move(applied->chunks);
      if (applied->files_with_deletes > 0) AddDeletionVectorsFeature(&snap->protocol);
    } else if (applied.status().code() == StatusCode::kUnsupported) {
      unreadable = "Iceberg snapshot " + std::to_string(s->snapshot_id) + " (version " +
                   std::to_string(v->version) + "): " + applied.status().message();
    } else {
      return applied.status().WithContext(context);
    }
  }
  snap->unreadable_reason = unreadable;
  snap->files = FileList::FromChunks(std::move(chunks));
  return std::shared_ptr<const TableSnapshot>(snap);
}

}  // namespace lakeshare
