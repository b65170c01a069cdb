#include "hudi/hudi_table.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/thread_pool.h"
#include "common/time_util.h"
#include "hudi/hudi_base_file.h"
#include "hudi/hudi_cdc.h"
#include "hudi/hudi_instant.h"
#include "hudi/hudi_table_state.h"
#include "parquet/parquet_reader.h"
#include "storage/random_access_file.h"

namespace lakeshare {
namespace {

using hudi::TimelineInstant;

uint64_t Mix(uint64_t h, std::string_view s) {
  uint64_t x = std::hash<std::string_view>{}(s);
  return h ^ (x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

bool DataNeutral(const hudi::CommitMetadata& m) {
  return m.compacted || m.operation_type == "COMPACT" || m.operation_type == "CLUSTER" ||
         m.operation_type == "LOG_COMPACT";
}

}  // namespace

std::optional<std::string> HudiTable::State::SchemaAt(int64_t version) const {
  for (int64_t v = std::min<int64_t>(version, static_cast<int64_t>(versions.size()) - 1); v >= 0;
       --v) {
    const auto& c = versions[static_cast<size_t>(v)].commit;
    if (c && c->schema) return c->schema;
  }
  return props.create_schema;
}

std::set<std::string> HudiTable::State::ValidInstants(int64_t version) const {
  std::set<std::string> out;
  for (int64_t v = 0; v <= version && v < static_cast<int64_t>(versions.size()); ++v) {
    out.insert(versions[static_cast<size_t>(v)].instant);
  }
  return out;
}

HudiTable::HudiTable(std::string location, std::shared_ptr<Storage> storage,
                     HudiTableOptions options)
    : location_(std::move(location)),
      storage_(std::move(storage)),
      options_(std::move(options)),
      cache_(options_.cache != nullptr ? *options_.cache : SnapshotCache::Global()),
      cache_id_(cache_.NewTableId()),
      cache_id_plain_(cache_.NewTableId()) {}

HudiTable::~HudiTable() {
  cache_.EraseTable(cache_id_);
  cache_.EraseTable(cache_id_plain_);
}

std::string HudiTable::DerivedFilesRoot() const {
  // Read-optimized tables merge nothing but may serve change data from there.
  return options_.merge_cache ? options_.merge_cache->dir() : "";
}

Result<std::shared_ptr<const HudiTable::State>> HudiTable::Load() {
  std::shared_ptr<const State> prev;
  {
    std::lock_guard<std::mutex> lock(mu_);
    prev = state_;
  }
  const std::string hoodie = storage_->Join(location_, ".hoodie");
  const std::string props_path = storage_->Join(hoodie, "hoodie.properties");
  auto info = storage_->Head(props_path);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no Hudi table at '" + location_ +
                              "': .hoodie/hoodie.properties is missing");
    }
    return info.status();
  }
  const std::string props_tag =
      std::to_string(info->size) + ":" + std::to_string(info->modification_time_ms);
  auto state = std::make_shared<State>();
  state->props_tag = props_tag;
  if (prev && prev->props_tag == props_tag) {
    state->props = prev->props;
  } else {
    LS_ASSIGN_OR_RETURN(std::string text, storage_->Read(props_path));
    auto props = hudi::ParseTableProperties(text);
    if (!props.ok()) return props.status().WithContext("Hudi table");
    state->props = std::move(*props);
  }
  const hudi::TableProperties& props = state->props;
  LS_ASSIGN_OR_RETURN(hudi::ActiveTimeline active,
                      hudi::ListActiveTimeline(*storage_, location_, props));
  for (const TimelineInstant& t : active.completed) {
    state->listing_key += hudi::BaseName(t.path) + ":" + std::to_string(t.size) + "\n";
    if (state->earliest_active.empty() || hudi::InstantBefore(t.time, state->earliest_active)) {
      state->earliest_active = t.time;
    }
  }
  for (const std::string& p : active.pending) state->listing_key += p + "?\n";
  if (prev && prev->props_tag == props_tag && prev->listing_key == state->listing_key) return prev;

  // The archive changes only when active instants move into it.
  if (prev && prev->props_tag == props_tag && prev->earliest_active == state->earliest_active) {
    state->archived = prev->archived;
    state->archive_present = prev->archive_present;
  } else {
    auto archived =
        hudi::ReadArchivedTimeline(*storage_, location_, props, options_.archive_limits);
    if (!archived.ok()) return archived.status().WithContext("Hudi table archived timeline");
    state->archived = std::move(archived->completed);
    state->archive_present = archived->present;
  }

  // Decode the metadata of active instants not seen before.
  std::vector<size_t> todo;
  std::vector<std::shared_ptr<const TimelineInstant>> decoded(active.completed.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < active.completed.size(); ++i) {
      const TimelineInstant& t = active.completed[i];
      auto it = parsed_.find(t.path + "|" + std::to_string(t.size));
      if (it != parsed_.end()) {
        decoded[i] = it->second;
      } else {
        todo.push_back(i);
      }
    }
  }
  const int64_t max_bytes = options_.max_metadata_bytes;
  // Each index writes only its own slot of `decoded`.
  LS_RETURN_IF_ERROR(ParallelFor(todo.size(), options_.max_parallel_reads, [&](size_t k) -> Status {
    TimelineInstant t = active.completed[todo[k]];
    const std::string what = "Hudi instant file " + hudi::BaseName(t.path);
    bool needed = hudi::IsWriteAction(t.action) || t.action == "rollback" ||
                  t.action == "restore" || t.action == "clean";
    if (!needed) {
      decoded[todo[k]] = std::make_shared<const TimelineInstant>(std::move(t));
      return Status::OK();
    }
    if (t.size > max_bytes) {
      return Status::TooLarge(what + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    auto bytes = storage_->Read(t.path);
    if (!bytes.ok()) return bytes.status().WithContext(what);
    if (hudi::IsWriteAction(t.action)) {
      auto m = hudi::ParseCommitMetadata(std::move(*bytes), what);
      if (!m.ok()) return m.status();
      t.commit = std::make_shared<const hudi::CommitMetadata>(std::move(*m));
    } else if (t.action == "rollback") {
      LS_ASSIGN_OR_RETURN(t.undone, hudi::ParseRollbackInstants(std::move(*bytes), what));
    } else if (t.action == "restore") {
      LS_ASSIGN_OR_RETURN(t.undone, hudi::ParseRestoreInstants(std::move(*bytes), what));
    } else {
      LS_ASSIGN_OR_RETURN(hudi::CleanMetadata c, hudi::ParseCleanMetadata(std::move(*bytes), what));
      t.clean = std::make_shared<const hudi::CleanMetadata>(std::move(c));
    }
    decoded[todo[k]] = std::make_shared<const TimelineInstant>(std::move(t));
    return Status::OK();
  }));

  // Archived and active instants; an instant in both counts once (active).
  std::map<std::pair<std::string, std::string>, const TimelineInstant*> all;
  for (const TimelineInstant& t : state->archived) all[{t.time, t.action}] = &t;
  for (const auto& t : decoded) all[{t->time, t->action}] = t.get();
  for (const auto& [key, t] : all) {
    if (state->timeline_start.empty() || hudi::InstantBefore(t->time, state->timeline_start)) {
      state->timeline_start = t->time;
    }
    for (const std::string& u : t->undone) state->undone.insert(u);
    if (t->clean) {
      ++state->cleans;
      for (const auto& [partition, files] : t->clean->deleted_files) {
        for (const std::string& f : files) {
          state->cleaned[partition].insert(f);
          state->cleaned_by[f] = t->time;
        }
      }
    }
  }
  std::vector<const TimelineInstant*> writes;
  for (const auto& [key, t] : all) {
    if (hudi::IsWriteAction(t->action) && state->undone.count(t->time) == 0) writes.push_back(t);
  }
  const bool by_completion = props.timeline_layout_version >= 2;
  auto completion_of = [&](const TimelineInstant* t) {
    return by_completion && !t->completion_time.empty() ? t->completion_time : t->time;
  };
  std::stable_sort(writes.begin(), writes.end(),
                   [&](const TimelineInstant* a, const TimelineInstant* b) {
                     std::string ca = completion_of(a), cb = completion_of(b);
                     if (ca != cb) return hudi::InstantBefore(ca, cb);
                     return hudi::InstantBefore(a->time, b->time);
                   });
  uint64_t hash = Mix(0, props_tag);
  int64_t last_ts = INT64_MIN;
  for (const TimelineInstant* t : writes) {
    HudiVersion v;
    v.version = static_cast<int64_t>(state->versions.size());
    v.instant = t->time;
    v.completion = completion_of(t);
    v.action = t->action;
    auto ts = hudi::InstantTimeMillis(v.completion, props.timeline_utc);
    if (!ts.ok()) return ts.status().WithContext("Hudi instant " + t->time);
    v.timestamp_ms = std::max(*ts, last_ts);  // never decreasing
    last_ts = v.timestamp_ms;
    v.commit = t->commit ? t->commit : std::make_shared<const hudi::CommitMetadata>();
    hash = Mix(Mix(hash, v.instant), v.completion);
    v.prefix_hash = hash;
    state->versions.push_back(std::move(v));
  }
  LS_RETURN_IF_ERROR(CompleteFromListing(state.get()));
  std::vector<hudi::IndexedCommit> commits;
  commits.reserve(state->versions.size());
  for (const HudiVersion& v : state->versions) {
    commits.push_back({v.version, v.instant, v.completion, v.commit.get()});
  }
  auto index = hudi::FileIndex::Build(commits, state->cleaned, by_completion);
  if (!index.ok()) return index.status().WithContext("Hudi table");
  state->index = std::move(*index);
  if (props.base_file_format != "PARQUET") {
    state->unservable =
        Status::Unsupported("Hudi tables with base file format " + props.base_file_format +
                            " are not supported (base files must be parquet)");
  } else {
    for (const std::string& ext : state->index->base_extensions()) {
      if (ext != "parquet") {
        state->unservable = Status::Unsupported("the Hudi table has base files of format '" + ext +
                                                "'; only parquet is supported");
        break;
      }
    }
  }
  std::shared_ptr<const State> done = state;
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, std::shared_ptr<const TimelineInstant>> kept;
  for (size_t i = 0; i < active.completed.size(); ++i) {
    const TimelineInstant& t = active.completed[i];
    kept[t.path + "|" + std::to_string(t.size)] = decoded[i];
  }
  parsed_ = std::move(kept);
  state_ = done;
  return done;
}

Status HudiTable::CompleteFromListing(State* state) const {
  std::vector<hudi::IncompleteCommit> incomplete;
  std::set<std::string> known;
  for (const HudiVersion& v : state->versions) {
    if (v.commit->write_stats.empty()) {
      if (v.action == "replacecommit" && v.commit->replaced_file_ids.empty()) {
        // A listing shows what it wrote, not which file groups it retired.
        state->unservable = Status::Unsupported(
            "Hudi replacecommit " + v.instant +
            " has no metadata, so the replaced file groups it retired are unknown");
      }
      incomplete.push_back({v.instant, v.action == "deltacommit"});
    }
    for (const hudi::WriteStat& s : v.commit->write_stats) known.insert(s.path);
  }
  if (incomplete.empty()) return Status::OK();
  auto files = hudi::ListDataFiles(*storage_, location_, options_.listing_limits);
  if (!files.ok()) {
    return files.status().WithContext(
        "Hudi table: commit metadata without write stats, so its folders are listed");
  }
  auto stats = hudi::AttributeListedFiles(*files, incomplete, known, state->cleaned,
                                          state->props.table_version >= 8);
  for (HudiVersion& v : state->versions) {
    auto it = stats.find(v.instant);
    if (it == stats.end() || !v.commit->write_stats.empty()) continue;
    auto listed = std::make_shared<hudi::CommitMetadata>(*v.commit);
    listed->write_stats = std::move(it->second);
    v.commit = std::move(listed);
  }
  return Status::OK();
}

Result<int64_t> HudiTable::LatestVersion() {
  LS_ASSIGN_OR_RETURN(auto state, Load());
  return state->versions.empty() ? int64_t{0} : static_cast<int64_t>(state->versions.size()) - 1;
}

Result<int64_t> HudiTable::CheckVersion(const State& state, std::optional<int64_t> version) const {
  const int64_t latest =
      state.versions.empty() ? 0 : static_cast<int64_t>(state.versions.size()) - 1;
  if (!version) return latest;
  if (*version < 0 || *version > latest) {
    return Status::InvalidArgument("Cannot time travel Hudi table to version " +
                                   std::to_string(*version) + ". Available versions: [0, " +
                                   std::to_string(latest) + "].");
  }
  return *version;
}

Result<int64_t> HudiTable::VersionAtTimestamp(int64_t timestamp_ms, TimestampBound bound) {
  LS_ASSIGN_OR_RETURN(auto state, Load());
  const auto& v = state->versions;
  if (v.empty()) return int64_t{0};
  if (bound == TimestampBound::kAtOrBefore) {
    auto it =
        std::upper_bound(v.begin(), v.end(), timestamp_ms,
                         [](int64_t ts, const HudiVersion& e) { return ts < e.timestamp_ms; });
    if (it == v.begin()) {
      return Status::InvalidArgument(
          "The provided timestamp (" + FormatIso8601Millis(timestamp_ms) +
          ") is before the earliest version available to this table (0). Please use a "
          "timestamp greater than or equal to " +
          FormatIso8601Millis(v.front().timestamp_ms) + ".");
    }
    return (it - 1)->version;
  }
  auto it = std::lower_bound(v.begin(), v.end(), timestamp_ms,
                             [](const HudiVersion& e, int64_t ts) { return e.timestamp_ms < ts; });
  if (it == v.end()) {
    return Status::InvalidArgument("The provided timestamp (" + FormatIso8601Millis(timestamp_ms) +
                                   ") is after the latest version available to this table (" +
                                   std::to_string(v.back().version) +
                                   "). Please use a timestamp less than or equal to " +
                                   FormatIso8601Millis(v.back().timestamp_ms) + ".");
  }
  return it->version;
}

Result<std::string> HudiTable::ResolveFilePath(std::string_view recorded_path) const {
  std::string out;
  LS_RETURN_IF_ERROR(ResolveFilePathInto(recorded_path, &out));
  return out;
}

Status HudiTable::ResolveFilePathInto(std::string_view recorded_path, std::string* out) const {
  // Files of the merge cache: a local folder or an object-store prefix.
  if (!recorded_path.empty() && options_.merge_cache) {
    const std::string& dir = options_.merge_cache->dir();
    if (recorded_path.size() > dir.size() && recorded_path.compare(0, dir.size(), dir) == 0 &&
        recorded_path[dir.size()] == '/') {
      *out = recorded_path;
      return Status::OK();
    }
  }
  if (recorded_path.empty() || recorded_path[0] == '/' ||
      recorded_path.find("://") != std::string::npos) {
    return Status::Corruption("Hudi file path '" + std::string(recorded_path) +
                              "' is not inside the table");
  }
  Storage::JoinInto(location_, recorded_path, out);
  return Status::OK();
}

Result<std::vector<CommitChanges>> HudiTable::Changes(int64_t start_version, int64_t end_version) {
  LS_ASSIGN_OR_RETURN(auto state, Load());
  if (state->unservable) return *state->unservable;
  LS_RETURN_IF_ERROR(CheckVersion(*state, start_version).status());
  LS_RETURN_IF_ERROR(CheckVersion(*state, end_version).status());
  std::vector<CommitChanges> out;
  if (state->versions.empty()) {
    CommitChanges empty;
    out.push_back(std::move(empty));
    return out;
  }
  std::unique_ptr<SliceContext> before;
  for (int64_t v = start_version; v <= end_version; ++v) {
    const HudiVersion& hv = state->versions[static_cast<size_t>(v)];
    LS_ASSIGN_OR_RETURN(auto now, MakeSliceContext(state, v, false));
    if (v > 0 && !before) {
      LS_ASSIGN_OR_RETURN(before, MakeSliceContext(state, v - 1, false));
    }
    CommitChanges c;
    c.version = v;
    c.timestamp_ms = hv.timestamp_ms;
    if (!hv.commit->operation_type.empty()) c.operation = hv.commit->operation_type;
    const bool data_change = !DataNeutral(*hv.commit);
    for (const hudi::FileGroup* g : state->index->GroupsTouchedAt(v)) {
      std::optional<DataFile> old_file, new_file;
      if (v > 0) {
        if (auto s = state->index->SliceAt(*g, v - 1)) {
          LS_ASSIGN_OR_RETURN(old_file, ServeSlice(*before, *s));
        }
      }
      if (auto s = state->index->SliceAt(*g, v)) {
        LS_ASSIGN_OR_RETURN(new_file, ServeSlice(*now, *s));
      }
      if (old_file && new_file && old_file->path == new_file->path) continue;
      if (old_file) {
        FileChange ch;
        ch.type = ChangeType::kRemove;
        ch.file = std::move(*old_file);
        ch.file.data_change = data_change;
        ch.file.stats.reset();
        ch.deletion_timestamp = hv.timestamp_ms;
        c.changes.push_back(std::move(ch));
      }
      if (new_file) {
        FileChange ch;
        ch.type = ChangeType::kAdd;
        ch.file = std::move(*new_file);
        ch.file.data_change = data_change;
        c.changes.push_back(std::move(ch));
      }
    }
    if (state->props.cdc_enabled && data_change && options_.merge_cache) {
      LS_ASSIGN_OR_RETURN(auto cdc,
                          ChangeData(*now, before.get(), state->SchemaAt(v).value_or("")));
      if (cdc) {
        for (FileChange& ch : *cdc) c.changes.push_back(std::move(ch));
      }
    }
    if (v > start_version && state->SchemaAt(v) != state->SchemaAt(v - 1)) {
      LS_ASSIGN_OR_RETURN(auto snap, Snapshot(v));
      c.metadata = snap->metadata;
    }
    out.push_back(std::move(c));
    before = std::move(now);
  }
  return out;
}

Result<std::optional<std::vector<FileChange>>> HudiTable::ChangeData(
    const SliceContext& ctx, const SliceContext* before, const std::string& schema_text) {
  using Out = std::optional<std::vector<FileChange>>;
  const State& state = *ctx.state;
  const HudiVersion& hv = state.versions[static_cast<size_t>(ctx.version)];
  if (!ctx.schema) return Out();
  ContentCache& cache = *options_.merge_cache;
  const hudi::SliceLimits& limits = options_.slice_limits;
  std::vector<FileChange> out;
  // One cdf file: from the cache under `key`, else converted and cached.
  // false: the change cannot be derived exactly (the version keeps its
  // file-level changes).
  auto add = [&](const std::string& partition, const std::string& key,
                 const std::function<Result<std::string>(int64_t*)>& convert) -> Result<bool> {
    FileChange ch;
    ch.type = ChangeType::kCdc;
    auto values = ctx.partitions->Parse(partition);
    if (!values.ok()) return values.status().WithContext("Hudi table");
    ch.file.partition_values = std::move(*values);
    ch.file.modification_time = hv.timestamp_ms;
    if (auto size = cache.Find(key, ".parquet")) {
      ch.file.size = *size;
    } else {
      int64_t rows = 0;
      auto bytes = convert(&rows);
      if (!bytes.ok()) {
        if (bytes.status().code() == StatusCode::kUnsupported) return false;
        return bytes.status();
      }
      LS_RETURN_IF_ERROR(cache.Put(key, ".parquet", *bytes));
      ch.file.size = static_cast<int64_t>(bytes->size());
    }
    ch.file.path = cache.PathOf(key, ".parquet");
    out.push_back(std::move(ch));
    return true;
  };
  const std::string schema_hash = std::to_string(std::hash<std::string>{}(schema_text));
  auto key_of = [&](const std::string& text) {
    return HexEncode(Sha256(text + "|" + schema_hash)).substr(0, 40);
  };
  const std::vector<const hudi::FileGroup*> touched = state.index->GroupsTouchedAt(ctx.version);
  auto group_of = [&](const std::string& partition,
                      const std::string& file_id) -> const hudi::FileGroup* {
    for (const hudi::FileGroup* g : touched) {
      if (g->partition == partition && g->file_id == file_id) return g;
    }
    return nullptr;
  };
  // The base file a write stat's prevCommit names (Hudi's "base file on").
  auto previous_base = [&](const hudi::WriteStat& s) -> hudi::BaseFileRef {
    hudi::BaseFileRef ref;
    if (const hudi::FileGroup* g = group_of(s.partition_path, s.file_id)) {
      for (const hudi::IndexedFile& b : g->bases) {
        if (b.instant == s.prev_commit && b.version < ctx.version) ref = {b.path, b.size};
      }
    }
    return ref;
  };
  auto base_as = [&](const std::string& partition, const hudi::BaseFileRef& file,
                     const char* kind) -> Result<bool> {
    if (file.size > limits.max_base_bytes) {
      return Status::TooLarge("base file " + file.path + " is too large to read change data from");
    }
    return add(
        partition,
        key_of(std::string("hudi-") + kind + "s-v1|" + file.path + "|" + std::to_string(file.size)),
        [&](int64_t* rows) {
          return hudi::BaseFileAsChanges(storage_, location_, file, *ctx.schema, kind, rows);
        });
  };
  // LOG_FILE write stats by file group (a group's logs are one change).
  std::map<std::pair<std::string, std::string>, std::vector<const hudi::WriteStat*>> log_stats;
  std::string operation = hv.commit->operation_type;
  for (char& c : operation) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  for (const hudi::WriteStat& s : hv.commit->write_stats) {
    if (!s.cdc_stats.empty()) {  // AS_IS
      for (const auto& [path, size] : s.cdc_stats) {
        if (path.find("..") != std::string::npos || path.empty() || path[0] == '/') {
          return Status::Corruption("commit " + hv.instant +
                                    " names a change log outside the table");
        }
        hudi::ChangeLogInputs in;
        in.storage = storage_;
        in.table_root = location_;
        in.log_path = path;
        in.schema = ctx.schema.get();
        in.before = previous_base(s);
        if (hudi::ParseBaseFileName(hudi::BaseName(s.path))) in.after = {s.path, s.file_size};
        in.limits = limits;
        const std::string key =
            key_of("hudi-cdc-v2|" + path + "|" + std::to_string(size) + "|" + in.before.path + "|" +
                   in.after.path + "|" + std::to_string(in.after.size));
        LS_ASSIGN_OR_RETURN(bool ok, add(s.partition_path, key, [&](int64_t* rows) {
                              return hudi::CdcLogAsChangeFile(in, rows);
                            }));
        if (!ok) return Out();
      }
      continue;
    }
    // Without a change log Hudi infers the change from the file written; a
    // base file of mixed changes is not served as change data.
    if (!hudi::ParseBaseFileName(hudi::BaseName(s.path))) {
      auto log = hudi::ParseLogFileName(hudi::BaseName(s.path));
      if (!log || log->cdc) return Out();
      log_stats[{s.partition_path, s.file_id}].push_back(&s);  // LOG_FILE
      continue;
    }
    bool ok = false;
    if (operation == "DELETE" && s.num_writes == 0 && s.num_deletes != 0) {  // BASE_FILE_DELETE
      hudi::BaseFileRef prev = previous_base(s);
      if (prev.path.empty()) return Out();
      LS_ASSIGN_OR_RETURN(ok, base_as(s.partition_path, prev, "delete"));
    } else if (s.num_update_writes == 0 && s.num_deletes == 0 &&
               s.num_writes == s.num_inserts) {  // BASE_FILE_INSERT
      LS_ASSIGN_OR_RETURN(ok, base_as(s.partition_path, {s.path, s.file_size}, "insert"));
    }
    if (!ok) return Out();
  }

  // LOG_FILE: the keys a group's new log blocks write, compared between its
  // merged slices before and after the write.
  for (const auto& entry : log_stats) {
    const auto& group_key = entry.first;
    const std::vector<const hudi::WriteStat*>& stats = entry.second;
    const hudi::FileGroup* g = group_of(group_key.first, group_key.second);
    if (g == nullptr) return Out();
    std::optional<hudi::FileSlice> now_slice = state.index->SliceAt(*g, ctx.version);
    std::optional<hudi::FileSlice> old_slice;
    if (before != nullptr) old_slice = state.index->SliceAt(*g, ctx.version - 1);
    std::string files =
        "hudi-log-changes-v1|" + hv.instant + "|" + group_key.first + "|" + group_key.second;
    for (const auto& sl : {old_slice, now_slice}) {
      files += "|";
      if (!sl) continue;
      if (sl->base != nullptr) files += sl->base->path + ":" + std::to_string(sl->base->size);
      for (const hudi::IndexedFile* l : sl->logs) {
        files += "," + l->path + ":" + std::to_string(l->size);
      }
    }
    LS_ASSIGN_OR_RETURN(
        bool ok, add(group_key.first, key_of(files), [&](int64_t* rows) -> Result<std::string> {
          std::vector<std::string> keys;
          std::set<std::string> seen;
          for (const hudi::WriteStat* s : stats) {
            const std::string what = "log file " + s->path;
            if (s->file_size > limits.max_log_bytes) {
              return Status::TooLarge(what + " is larger than " +
                                      std::to_string(limits.max_log_bytes) + " bytes");
            }
            auto bytes = storage_->Read(storage_->Join(location_, s->path));
            if (!bytes.ok()) {
              if (bytes.status().code() == StatusCode::kNotFound) {
                return Status::Corruption(what + " is missing (a commit lists it)");
              }
              return bytes.status().WithContext(what);
            }
            if (static_cast<int64_t>(bytes->size()) > limits.max_log_bytes) {
              return Status::TooLarge(what + " is larger than " +
                                      std::to_string(limits.max_log_bytes) + " bytes");
            }
            LS_ASSIGN_OR_RETURN(auto got,
                                hudi::LogFileChangedKeys(*bytes, hv.instant, limits, what));
            for (std::string& k : got) {
              if (seen.insert(k).second) keys.push_back(std::move(k));
            }
          }
          std::optional<parquet::ParquetReader> old_rows, new_rows;
          if (old_slice) {
            LS_ASSIGN_OR_RETURN(old_rows, OpenSliceRows(*before, *old_slice));
          }
          if (now_slice) {
            LS_ASSIGN_OR_RETURN(new_rows, OpenSliceRows(ctx, *now_slice));
          }
          return hudi::SliceDiffAsChangeFile(old_rows ? &*old_rows : nullptr,
                                             new_rows ? &*new_rows : nullptr, keys, *ctx.schema,
                                             rows);
        }));
    if (!ok) return Out();
  }

  // REPLACE_COMMIT: every row of the last slice of a retired group deleted.
  for (const auto& [partition, ids] : hv.commit->replaced_file_ids) {
    for (const std::string& id : ids) {
      const hudi::FileGroup* g = group_of(partition, id);
      if (g == nullptr || before == nullptr) continue;
      std::optional<hudi::FileSlice> slice = state.index->SliceAt(*g, ctx.version - 1);
      if (!slice) continue;
      const bool cow = state.props.type == hudi::TableType::kCopyOnWrite;
      if (cow || slice->logs.empty()) {
        if (slice->base == nullptr) continue;
        LS_ASSIGN_OR_RETURN(bool ok,
                            base_as(partition, {slice->base->path, slice->base->size}, "delete"));
        if (!ok) return Out();
        continue;
      }
      std::string files = "hudi-replaced-v1|" + hv.instant + "|" + partition + "|" + id;
      if (slice->base != nullptr) files += "|" + slice->base->path;
      for (const hudi::IndexedFile* l : slice->logs) {
        files += "|" + l->path + ":" + std::to_string(l->size);
      }
      LS_ASSIGN_OR_RETURN(bool ok,
                          add(partition, key_of(files), [&](int64_t* rows) -> Result<std::string> {
                            LS_ASSIGN_OR_RETURN(auto reader, OpenSliceRows(*before, *slice));
                            if (!reader) {
                              *rows = 0;
                              return hudi::EmptyChangeFile(*ctx.schema);
                            }
                            return hudi::ParquetRowsAsChanges(*reader, *ctx.schema, "delete", rows);
                          }));
      if (!ok) return Out();
    }
  }
  return Out(std::move(out));
}

Result<std::optional<parquet::ParquetReader>> HudiTable::OpenSliceRows(
    const SliceContext& ctx, const hudi::FileSlice& slice) {
  using Out = std::optional<parquet::ParquetReader>;
  const State& state = *ctx.state;
  auto open_base = [&]() -> Result<Out> {
    if (slice.base->size > options_.slice_limits.max_base_bytes) {
      return Status::TooLarge("base file " + slice.base->path +
                              " is too large to read change data from");
    }
    Result<parquet::ParquetReader> reader =
        hudi::OpenBaseFile(storage_, location_, slice.base->path, slice.base->size);
    if (!reader.ok()) return reader.status();
    return Out(std::move(*reader));
  };
  if (state.props.type == hudi::TableType::kCopyOnWrite || slice.logs.empty()) {
    if (slice.base == nullptr) return Out();
    return open_base();
  }
  hudi::SliceReader reader(SliceInputsOf(ctx), slice);
  LS_ASSIGN_OR_RETURN(hudi::SliceOutcome plan, reader.Plan());
  if (plan.kind == hudi::SliceOutcome::Kind::kEmpty) return Out();
  if (plan.kind == hudi::SliceOutcome::Kind::kBase) return open_base();
  int64_t merged_rows = 0;
  auto merged = reader.Merge(&merged_rows);
  if (!merged.ok()) return merged.status().WithContext("Hudi file group " + slice.group->file_id);
  auto file = std::make_shared<MemoryFile>(std::move(*merged));
  LS_ASSIGN_OR_RETURN(parquet::ParquetReader parquet_reader,
                      parquet::ParquetReader::Open(std::shared_ptr<const RandomAccessFile>(file)));
  return Out(std::move(parquet_reader));
}

}  // namespace lakeshare
