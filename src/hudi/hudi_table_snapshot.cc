// HudiTable's snapshots: the files of every file group's slice at a version
// (base files, base files with deletion vectors, merged files), the Spark
// schema and partition values, built once per (version, variant) and kept
// in the SnapshotCache.
#include <algorithm>
#include <functional>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/json_writer.h"
#include "common/thread_pool.h"
#include "hudi/hudi_partition.h"
#include "hudi/hudi_schema.h"
#include "hudi/hudi_table.h"
#include "hudi/hudi_table_state.h"
#include "parquet/parquet_reader.h"
#include "storage/local_storage.h"
#include "storage/random_access_file.h"
#include "table/deletion_vector_bytes.h"

namespace lakeshare {

namespace {

std::string UuidFromDigest(const std::string& text) {
  std::string h = HexEncode(Sha256(text)).substr(0, 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

std::string NumRecordsStats(int64_t n) {
  std::string out;
  out.reserve(32);
  out.append("{\"numRecords\":").append(std::to_string(n)).push_back('}');
  return out;
}

// The rows of a merged file in the cache, for stats of a cached merge (its
// footer: a local read or one ranged GET on an object-store cache).
Result<int64_t> RowsOf(ContentCache& cache, const std::string& key, int64_t size) {
  LS_ASSIGN_OR_RETURN(auto file, cache.OpenFile(key, ".parquet", size));
  LS_ASSIGN_OR_RETURN(
      parquet::ParquetReader reader,
      parquet::ParquetReader::Open(std::shared_ptr<const RandomAccessFile>(std::move(file))));
  return reader.num_rows();
}

// Whether a comma-separated property value lists `name`.
bool Lists(const std::optional<std::string>& list, std::string_view name) {
  if (!list) return false;
  size_t start = 0;
  while (start <= list->size()) {
    size_t comma = list->find(',', start);
    if (comma == std::string::npos) comma = list->size();
    std::string_view item(list->data() + start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == name) return true;
    start = comma + 1;
  }
  return false;
}

// The stats of a base file served as it is: the column-stats index's when
// it has them for the file (and agrees on its rows), else numRecords alone.
std::optional<std::string> BaseFileStats(const hudi::ColumnStatsIndex* index, std::string_view path,
                                         int64_t rows) {
  if (index != nullptr) {
    if (auto s = index->StatsJson(hudi::BaseName(path), rows)) return s;
  }
  if (rows > 0) return NumRecordsStats(rows);
  return std::nullopt;
}

}  // namespace

std::shared_ptr<const hudi::ColumnStatsIndex> HudiTable::ColumnStatsAt(const State& state,
                                                                       int64_t version,
                                                                       const SliceContext& ctx) {
  if (!options_.column_stats || !ctx.schema || version < 0 ||
      version >= static_cast<int64_t>(state.versions.size())) {
    return nullptr;
  }
  // Only a fully built index: listed, and not still being built.
  if (!Lists(state.props.Get("hoodie.table.metadata.partitions"), "column_stats") ||
      Lists(state.props.Get("hoodie.table.metadata.partitions.inflight"), "column_stats")) {
    return nullptr;
  }
  HudiTable* metadata = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!metadata_table_) {
      HudiTableOptions o;
      o.cache = &cache_;
      o.max_metadata_bytes = options_.max_metadata_bytes;
      o.max_parallel_reads = options_.max_parallel_reads;
      o.archive_limits = options_.archive_limits;
      o.listing_limits = options_.listing_limits;
      o.column_stats = false;
      metadata_table_ =
          std::make_unique<HudiTable>(storage_->Join(location_, ".hoodie/metadata"), storage_, o);
    }
    metadata = metadata_table_.get();
  }
  auto mstate = metadata->Load();
  if (!mstate.ok() || !(*mstate)->index) return nullptr;
  const State& m = **mstate;
  // The metadata table's latest version completed at or before the served
  // one (its versions are in the same order); it is in sync when it holds
  // the served instant's own update.
  const HudiVersion& served = state.versions[static_cast<size_t>(version)];
  int64_t chosen = -1;
  bool in_sync = false;
  for (const HudiVersion& v : m.versions) {
    if (v.completion != served.completion &&
        !hudi::InstantBefore(v.completion, served.completion)) {
      break;
    }
    chosen = v.version;
    if (v.instant == served.instant) in_sync = true;
  }
  if (chosen < 0 || !in_sync) return nullptr;
  hudi::ColumnStatsInputs in;
  in.storage = storage_;
  in.metadata_root = metadata->location_;
  for (const hudi::FileGroup& g : m.index->groups()) {
    if (g.partition != "column_stats") continue;
    if (auto slice = m.index->SliceAt(g, chosen)) in.slices.push_back(std::move(*slice));
  }
  if (in.slices.empty()) return nullptr;
  const std::set<std::string> valid = m.ValidInstants(chosen);
  in.valid_instants = &valid;
  in.timeline_start = m.timeline_start;
  in.table_schema = ctx.schema;
  for (const std::string& c : ctx.partitions->columns()) in.excluded_columns.insert(c);
  in.limits = options_.column_stats_limits;
  auto index = hudi::ColumnStatsIndex::Read(in);
  if (!index.ok()) return nullptr;
  return std::make_shared<const hudi::ColumnStatsIndex>(std::move(*index));
}

Result<std::unique_ptr<HudiTable::SliceContext>> HudiTable::MakeSliceContext(
    std::shared_ptr<const State> state, int64_t version, bool with_deletion_vectors) const {
  auto c = std::make_unique<SliceContext>();
  c->version = version;
  c->with_deletion_vectors = with_deletion_vectors;
  c->valid = state->ValidInstants(version);
  if (auto text = state->SchemaAt(version)) {
    auto schema = hudi::ParseAvroSchema(*text);
    if (!schema.ok()) return schema.status().WithContext("Hudi table schema");
    c->schema = std::move(*schema);
  }
  c->partitions = std::make_unique<hudi::PartitionParser>(state->props, c->schema);
  if (version < static_cast<int64_t>(state->versions.size())) {
    c->timestamp_ms = state->versions[static_cast<size_t>(version)].timestamp_ms;
  }
  c->state = std::move(state);
  return c;
}

hudi::SliceInputs HudiTable::SliceInputsOf(const SliceContext& ctx) const {
  hudi::SliceInputs in;
  in.storage = storage_;
  in.table_root = location_;
  in.props = &ctx.state->props;
  in.schema = ctx.schema;
  in.valid_instants = &ctx.valid;
  in.timeline_start = ctx.state->timeline_start;
  in.limits = options_.slice_limits;
  in.row_merge = options_.row_merge;
  return in;
}

Result<std::optional<DataFile>> HudiTable::ServeSlice(const SliceContext& ctx,
                                                      const hudi::FileSlice& slice) {
  const State& state = *ctx.state;
  auto check_cleaned = [&](const hudi::IndexedFile* f) -> Status {
    if (f == nullptr || !f->cleaned) return Status::OK();
    std::string name = hudi::BaseName(f->path);
    auto by = state.cleaned_by.find(name);
    return Status::InvalidArgument("version " + std::to_string(ctx.version) +
                                   " of the Hudi table is no longer readable: " + "its file " +
                                   f->path + " was removed by the clean at instant " +
                                   (by != state.cleaned_by.end() ? by->second : std::string("?")));
  };
  DataFile file;
  if (auto known = ctx.partition_values.find(slice.group->partition);
      known != ctx.partition_values.end()) {
    file.partition_values = known->second;  // shares its entries
  } else {
    auto partition = ctx.partitions->Parse(slice.group->partition);
    if (!partition.ok()) return partition.status().WithContext("Hudi table");
    file.partition_values = std::move(*partition);
  }
  file.modification_time = ctx.state->versions[static_cast<size_t>(slice.version)].timestamp_ms;
  auto serve_base = [&]() -> Result<std::optional<DataFile>> {
    LS_RETURN_IF_ERROR(check_cleaned(slice.base));
    file.path = slice.base->path;
    file.size = slice.base->size;
    file.stats = BaseFileStats(ctx.column_stats.get(), file.path, slice.base->num_records);
    return std::optional<DataFile>(std::move(file));
  };
  const bool cow = state.props.type == hudi::TableType::kCopyOnWrite;
  if (cow || options_.read_optimized || slice.logs.empty()) {
    if (slice.base == nullptr) return std::optional<DataFile>();
    return serve_base();
  }
  LS_RETURN_IF_ERROR(check_cleaned(slice.base));
  for (const hudi::IndexedFile* l : slice.logs) LS_RETURN_IF_ERROR(check_cleaned(l));
  hudi::SliceReader reader(SliceInputsOf(ctx), slice);
  LS_ASSIGN_OR_RETURN(hudi::SliceOutcome plan, reader.Plan());
  switch (plan.kind) {
    case hudi::SliceOutcome::Kind::kEmpty:
      return std::optional<DataFile>();
    case hudi::SliceOutcome::Kind::kBase:
      return serve_base();
    case hudi::SliceOutcome::Kind::kDeletes:
      if (ctx.with_deletion_vectors) {
        file.path = slice.base->path;
        file.size = slice.base->size;
        file.stats = BaseFileStats(ctx.column_stats.get(), file.path, plan.base_rows);
        file.deletion_vector = InlineDeletionVector(plan.deleted_positions);
        return std::optional<DataFile>(std::move(file));
      }
      break;
    case hudi::SliceOutcome::Kind::kMerged:
      break;
  }
  if (!options_.merge_cache) {
    return Status::Unsupported(
        "file group " + slice.group->file_id +
        " has log files that must be merged, and no Hudi merge cache is configured "
        "(hudi.mergeCache), or share the table with hudiView: read_optimized");
  }
  ContentCache& cache = *options_.merge_cache;
  int64_t rows = 0;
  if (auto size = cache.Find(plan.key, ".parquet")) {
    file.size = *size;
    auto counted = RowsOf(cache, plan.key, *size);
    if (!counted.ok()) return counted.status().WithContext("Hudi merge cache");
    rows = *counted;
  } else {
    auto bytes = reader.Merge(&rows);
    if (!bytes.ok()) return bytes.status().WithContext("Hudi file group " + slice.group->file_id);
    LS_RETURN_IF_ERROR(cache.Put(plan.key, ".parquet", *bytes));
    file.size = static_cast<int64_t>(bytes->size());
  }
  if (rows == 0) return std::optional<DataFile>();
  file.path = cache.PathOf(plan.key, ".parquet");
  file.stats = NumRecordsStats(rows);
  return std::optional<DataFile>(std::move(file));
}

Result<std::shared_ptr<const TableSnapshot>> HudiTable::Build(
    const std::shared_ptr<const State>& state, int64_t version, bool with_deletion_vectors) {
  auto snap = std::make_shared<TableSnapshot>();
  snap->version = version;
  const hudi::TableProperties& props = state->props;
  LS_ASSIGN_OR_RETURN(auto ctx, MakeSliceContext(state, version, with_deletion_vectors));
  snap->timestamp_ms = ctx->timestamp_ms;
  ctx->column_stats = ColumnStatsAt(*state, version, *ctx);

  TableMetadata& md = snap->metadata;
  md.id = UuidFromDigest("hudi|" + location_);
  if (!props.name.empty()) md.name = props.name;
  if (options_.read_optimized && props.type == hudi::TableType::kMergeOnRead) {
    md.description =
        "Read-optimized view of a Hudi merge-on-read table: base files only; updates and "
        "deletes still in log files are not applied";
  }
  md.format_provider = "parquet";
  md.partition_columns = ctx->partitions->columns();
  md.configuration["delta.enableChangeDataFeed"] = "true";
  bool ntz = false;
  if (ctx->schema) {
    hudi::SparkSchemaOptions so;
    so.meta_fields = true;
    auto op = props.Get("hoodie.allow.operation.metadata.field");
    so.operation_field = op && *op == "true";
    so.partition_columns = md.partition_columns;
    auto spark = hudi::ToSparkSchema(*ctx->schema, so);
    if (!spark.ok()) return spark.status().WithContext("Hudi table schema");
    md.schema_string = spark->json;
    ntz = spark->has_timestamp_ntz;
  } else {
    md.schema_string = R"({"type":"struct","fields":[]})";
  }
  if (!state->versions.empty()) md.created_time = state->versions.front().timestamp_ms;

  std::vector<DataFile> files;
  if (!state->versions.empty()) {
    std::vector<hudi::FileSlice> slices;
    const std::string* last_partition = nullptr;
    for (const hudi::FileGroup& g : state->index->groups()) {
      auto s = state->index->SliceAt(g, version);
      if (!s) continue;
      slices.push_back(std::move(*s));
      // Groups come by partition: each partition path is parsed once (a
      // path that does not parse is left to ServeSlice, which says why).
      if (last_partition != nullptr && *last_partition == g.partition) continue;
      last_partition = &g.partition;
      if (ctx->partition_values.count(g.partition) > 0) continue;
      if (auto values = ctx->partitions->Parse(g.partition); values.ok()) {
        ctx->partition_values.emplace(g.partition, std::move(*values));
      }
    }
    // Slices that read log files run a few at a time.
    std::vector<std::optional<DataFile>> served(slices.size());
    std::vector<size_t> heavy;
    for (size_t i = 0; i < slices.size(); ++i) {
      if (!slices[i].logs.empty() && props.type == hudi::TableType::kMergeOnRead &&
          !options_.read_optimized) {
        heavy.push_back(i);
        continue;
      }
      LS_ASSIGN_OR_RETURN(served[i], ServeSlice(*ctx, slices[i]));
    }
    LS_RETURN_IF_ERROR(
        ParallelFor(heavy.size(), options_.max_parallel_reads, [&](size_t k) -> Status {
          LS_ASSIGN_OR_RETURN(served[heavy[k]], ServeSlice(*ctx, slices[heavy[k]]));
          return Status::OK();
        }));
    PartitionValueInterner interner;
    for (auto& f : served) {
      if (!f) continue;
      interner.Intern(&f->partition_values);
      files.push_back(std::move(*f));
    }
  }
  std::sort(files.begin(), files.end(),
            [](const DataFile& a, const DataFile& b) { return a.path < b.path; });
  if (options_.verify_files) {
    // A stat per file, in ranges on the pool (a system call each: most of a
    // cold local load otherwise). The lowest failing range answers, so the
    // error names the first missing file in path order, as a loop would.
    constexpr size_t kRange = 1024;
    LS_RETURN_IF_ERROR(ParallelFor(
        (files.size() + kRange - 1) / kRange, options_.max_parallel_reads, [&](size_t r) -> Status {
          std::string path;
          for (size_t i = r * kRange; i < std::min(files.size(), (r + 1) * kRange); ++i) {
            const DataFile& f = files[i];
            if (f.path.empty() || f.path[0] == '/')
              continue;  // a merged file, just written or found
            Storage::JoinInto(location_, f.path, &path);
            auto info = storage_->Head(path);
            if (info.ok()) continue;
            if (info.status().code() == StatusCode::kNotFound) {
              return Status::Corruption("base file " + f.path.str() + " of version " +
                                        std::to_string(version) +
                                        " is missing (a commit lists it)");
            }
            return info.status();
          }
          return Status::OK();
        }));
  }
  bool dvs = std::any_of(files.begin(), files.end(),
                         [](const DataFile& f) { return f.deletion_vector.has_value(); });
  if (dvs || ntz) {
    snap->protocol.min_reader_version = 3;
    snap->protocol.min_writer_version = 7;
    std::vector<std::string> features;
    if (dvs) features.push_back("deletionVectors");
    if (ntz) features.push_back("timestampNtz");
    snap->protocol.reader_features = features;
    snap->protocol.writer_features = features;
  }
  snap->files = std::move(files);
  return std::shared_ptr<const TableSnapshot>(std::move(snap));
}

Result<std::shared_ptr<const TableSnapshot>> HudiTable::CachedSnapshot(
    const std::shared_ptr<const State>& state, int64_t version, bool with_deletion_vectors) {
  const uint64_t cache_id = with_deletion_vectors ? cache_id_ : cache_id_plain_;
  const uint64_t evictions = options_.merge_cache ? options_.merge_cache->evictions() : 0;
  auto tag_of = [&](int64_t v) {
    SnapshotCache::Tag t;
    if (!state->versions.empty()) {
      t.a = static_cast<int64_t>(state->versions[static_cast<size_t>(v)].prefix_hash);
    }
    t.b = static_cast<int64_t>(std::hash<std::string>{}(
        state->props_tag + "|" + std::to_string(state->cleans) + "|" + std::to_string(evictions) +
        (options_.read_optimized ? "|ro" : "")));
    return t;
  };
  const SnapshotCache::Tag tag = tag_of(version);
  auto valid = [&](int64_t v, const SnapshotCache::Tag& t) {
    if (state->versions.empty()) return v == 0 && tag_of(0) == t;
    return v >= 0 && v < static_cast<int64_t>(state->versions.size()) && tag_of(v) == t;
  };
  const std::string key = std::to_string(cache_id) + "|" + std::to_string(version) + "|" +
                          std::to_string(tag.a) + "|" + std::to_string(tag.b);
  std::unique_lock<std::mutex> lock(mu_);
  auto cached = cache_.FindAtOrBefore(cache_id, version, valid, version);
  if (cached && cached->version == version) return cached;
  if (auto it = in_flight_.find(key); it != in_flight_.end()) {
    std::shared_future<SnapshotResult> future = it->second;
    lock.unlock();
    return future.get();
  }
  std::promise<SnapshotResult> promise;
  in_flight_[key] = promise.get_future().share();
  lock.unlock();
  SnapshotResult r = Status::Internal("Hudi snapshot build did not run");
  try {
    r = Build(state, version, with_deletion_vectors);
  } catch (const std::exception& e) {
    r = Status::Internal(std::string("Hudi table: unexpected exception: ") + e.what());
  }
  if (r.ok()) cache_.Insert(cache_id, *r, tag);
  lock.lock();
  in_flight_.erase(key);
  lock.unlock();
  promise.set_value(r);
  return r;
}

Result<std::shared_ptr<const TableSnapshot>> HudiTable::Snapshot(std::optional<int64_t> version) {
  LS_ASSIGN_OR_RETURN(auto state, Load());
  if (state->unservable) return *state->unservable;
  LS_ASSIGN_OR_RETURN(int64_t v, CheckVersion(*state, version));
  return CachedSnapshot(state, v, true);
}

Result<std::shared_ptr<const TableSnapshot>> HudiTable::SnapshotWithoutDeletionVectors(
    int64_t version) {
  LS_ASSIGN_OR_RETURN(auto state, Load());
  if (state->unservable) return *state->unservable;
  LS_ASSIGN_OR_RETURN(int64_t v, CheckVersion(*state, version));
  return CachedSnapshot(state, v, false);
}

}  // namespace lakeshare
