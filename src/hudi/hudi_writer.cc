#include "hudi/hudi_writer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json_writer.h"
#include "common/time_util.h"
#include "hudi/hudi_avro_writer.h"
#include "hudi/hudi_log_writer.h"
#include "hudi/hudi_row_writer.h"
#include "hudi/hudi_schema.h"
#include "hudi/hudi_timeline_writer.h"
#include "parquet/parquet_writer.h"

namespace lakeshare::hudi {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDataFields = R"({"name":"id","type":["null","long"],"default":null},)"
                                    R"({"name":"ts","type":["null","long"],"default":null},)"
                                    R"({"name":"day","type":["null","string"],"default":null},)"
                                    R"({"name":"value","type":["null","double"],"default":null},)"
                                    R"({"name":"name","type":["null","string"],"default":null})";

std::string DataSchema() {
  return std::string(
             R"({"type":"record","name":"synthetic_record","namespace":"hoodie.synthetic","fields":[)") +
         kDataFields + "]}";
}

// The CDC block schema of a supplemental logging mode, as Hudi writes it:
// op and record key (op_key_only); op, record key and the before image
// (data_before); op, time and both images (data_before_after). Images are
// data records without the meta fields.
std::string CdcSchema(const std::string& mode) {
  if (mode == "op_key_only") {
    return R"({"type":"record","name":"Record","fields":[)"
           R"({"name":"op","type":["string","null"]},)"
           R"({"name":"record_key","type":["string","null"]}]})";
  }
  auto image = [](const char* name) {
    return std::string(R"({"name":")") + name + R"(","type":["null",{"type":"record","name":")" +
           name + R"(_image","fields":[)" + kDataFields + R"(]}],"default":null})";
  };
  const bool after = mode == "data_before_after";
  return std::string(
             R"({"type":"record","name":"cdc_record","namespace":"hoodie.synthetic","fields":[)"
             R"({"name":"op","type":["null","string"],"default":null},)") +
         (after ? R"({"name":"ts_ms","type":["null","string"],"default":null},)"
                : R"({"name":"record_key","type":["null","string"],"default":null},)") +
         image("before") + (after ? "," + image("after") : std::string()) + "]}";
}

// The schema of log records: the meta fields, then the data fields.
constexpr const char* kLogSchema =
    R"({"type":"record","name":"synthetic_record","namespace":"hoodie.synthetic","fields":[)"
    R"({"name":"_hoodie_commit_time","type":["null","string"],"default":null},)"
    R"({"name":"_hoodie_commit_seqno","type":["null","string"],"default":null},)"
    R"({"name":"_hoodie_record_key","type":["null","string"],"default":null},)"
    R"({"name":"_hoodie_partition_path","type":["null","string"],"default":null},)"
    R"({"name":"_hoodie_file_name","type":["null","string"],"default":null},)"
    R"({"name":"id","type":["null","long"],"default":null},)"
    R"({"name":"ts","type":["null","long"],"default":null},)"
    R"({"name":"day","type":["null","string"],"default":null},)"
    R"({"name":"value","type":["null","double"],"default":null},)"
    R"({"name":"name","type":["null","string"],"default":null}]})";

struct Row {
  int64_t id = 0, ts = 0;
  std::string day;
  double value = 0;
  std::string name;
};

Status WriteFile(const fs::path& path, std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::IOError("cannot write " + path.string());
  return Status::OK();
}

struct CdcChange {
  std::string op;  // i, u or d
  std::optional<Row> before, after;
};

class TableWriter {
 public:
  explicit TableWriter(const SyntheticTableOptions& o) : o_(o), root_(o.dir) {}

  Status Init() {
    if (fs::exists(root_ / ".hoodie")) {
      return Status::FailedPrecondition("'" + o_.dir + "' already holds a Hudi table");
    }
    std::string props = "#Written by lakeshare\n";
    props += "hoodie.table.name=synthetic\n";
    props +=
        "hoodie.table.type=" + std::string(o_.merge_on_read ? "MERGE_ON_READ" : "COPY_ON_WRITE") +
        "\n";
    props += "hoodie.table.version=" + std::to_string(o_.table_version) + "\n";
    props += "hoodie.timeline.layout.version=" + std::string(v9() ? "2" : "1") + "\n";
    props += "hoodie.table.recordkey.fields=id\n";
    props += "hoodie.table.partition.fields=day\n";
    props += "hoodie.datasource.write.hive_style_partitioning=true\n";
    props += "hoodie.table.base.file.format=PARQUET\n";
    if (o_.cdc) {
      std::string mode = o_.cdc_mode;
      for (char& c : mode) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      props += "hoodie.table.cdc.enabled=true\n";
      props += "hoodie.table.cdc.supplemental.logging.mode=" + mode + "\n";
    }
    if (v9()) {
      props += "hoodie.table.keygenerator.type=SIMPLE\n";
      props += "hoodie.table.ordering.fields=ts\n";
      props += "hoodie.record.merge.mode=EVENT_TIME_ORDERING\n";
      props += "hoodie.timeline.path=timeline\n";
    } else {
      props += "hoodie.table.keygenerator.class=org.apache.hudi.keygen.SimpleKeyGenerator\n";
      props += "hoodie.table.precombine.field=ts\n";
      props +=
          "hoodie.compaction.payload.class=org.apache.hudi.common.model."
          "DefaultHoodieRecordPayload\n";
    }
    props += "hoodie.table.create.schema=";
    for (char c : DataSchema()) {
      if (c == ':' || c == '=') props += '\\';
      props += c;
    }
    props += "\n";
    return WriteFile(root_ / ".hoodie" / "hoodie.properties", props);
  }

  bool v9() const { return o_.table_version >= 8; }
  fs::path TimelineDir() const { return v9() ? root_ / ".hoodie" / "timeline" : root_ / ".hoodie"; }

  // A new instant time, a second after the previous one.
  std::string NextInstant() {
    int64_t ms = o_.first_instant_ms + 1000 * next_++;
    return InstantTimeFromMillis(ms);
  }
  std::string CompletionOf(const std::string& instant) {
    int64_t ms = o_.first_instant_ms + 1000 * (next_ - 1) + 500;
    (void)instant;
    return InstantTimeFromMillis(ms);
  }

  Status Complete(const std::string& action, const std::string& instant, const std::string& bytes) {
    fs::path dir = TimelineDir();
    std::string requested_action = action == "commit" ? "commit" : action;
    LS_RETURN_IF_ERROR(WriteFile(dir / (instant + "." + requested_action + ".requested"), ""));
    LS_RETURN_IF_ERROR(WriteFile(
        dir / (instant +
               (action == "commit" ? std::string(".inflight") : "." + action + ".inflight")),
        ""));
    std::string name =
        v9() ? instant + "_" + CompletionOf(instant) + "." + action : instant + "." + action;
    LS_RETURN_IF_ERROR(WriteFile(dir / name, bytes));
    completed_.push_back({instant, v9() ? CompletionOf(instant) : instant, action, name, bytes});
    return Status::OK();
  }

  Status Commit(const std::string& action, const std::string& instant,
                const std::vector<WrittenStat>& stats, const std::string& operation,
                const std::map<std::string, std::vector<std::string>>& replaced = {}) {
    const bool replace = action == "replacecommit";
    std::string bytes =
        v9() ? AvroContainer(CommitMetadataSchema(replace),
                             {CommitMetadataRecord(stats, operation, false, DataSchema(),
                                                   replace ? &replaced : nullptr)})
             : CommitMetadataJson(stats, operation, false, DataSchema(),
                                  replace ? &replaced : nullptr);
    ++versions_;
    return Complete(action, instant, bytes);
  }

  Result<int64_t> WriteBase(const fs::path& rel, const std::vector<Row>& rows,
                            const std::string& instant, const std::string& partition) {
    if (o_.metadata_only) return int64_t{4096};
    LS_ASSIGN_OR_RETURN(auto schema, ParseAvroSchema(DataSchema()));
    LS_ASSIGN_OR_RETURN(auto fields, ToParquetFields(*schema, true));
    LS_ASSIGN_OR_RETURN(auto writer, RowWriter::Create(std::move(fields)));
    int64_t seq = 0;
    for (const Row& r : rows) {
      Value row;
      row.kind = Value::Kind::kGroup;
      auto str = [](std::string s) {
        Value v;
        v.kind = Value::Kind::kBytes;
        v.s = std::move(s);
        return v;
      };
      auto num = [](int64_t i) {
        Value v;
        v.kind = Value::Kind::kInt;
        v.i = i;
        return v;
      };
      Value dbl;
      dbl.kind = Value::Kind::kDouble;
      dbl.d = r.value;
      row.children = {str(instant),
                      str(instant + "_0_" + std::to_string(seq++)),
                      str(std::to_string(r.id)),
                      str(partition),
                      str(rel.filename().string()),
                      num(r.id),
                      num(r.ts),
                      str(r.day),
                      dbl,
                      str(r.name)};
      LS_RETURN_IF_ERROR(writer->Add(row));
    }
    LS_ASSIGN_OR_RETURN(std::string bytes, writer->Finish());
    LS_RETURN_IF_ERROR(WriteFile(root_ / rel, bytes));
    return static_cast<int64_t>(bytes.size());
  }

  Result<int64_t> WriteLog(const fs::path& rel, const std::string& instant,
                           const std::vector<Row>& updates, const std::vector<Row>& deletes,
                           const std::string& partition) {
    if (o_.metadata_only) return int64_t{1024};
    std::string file;
    std::map<int32_t, std::string> header = {{0, instant}, {2, kLogSchema}};
    if (!updates.empty()) {
      std::vector<std::string> records;
      int64_t seq = 0;
      for (const Row& r : updates) {
        AvroEncoder e;
        e.OptString(instant);
        e.OptString(instant + "_0_" + std::to_string(seq++));
        e.OptString(std::to_string(r.id));
        e.OptString(partition);
        e.OptString(rel.filename().string());
        e.OptLong(r.id);
        e.OptLong(r.ts);
        e.OptString(r.day);
        e.Branch(1);
        e.Double(r.value);
        e.OptString(r.name);
        records.push_back(e.Take());
      }
      file += LogBlockBytes(LogBlockType::kAvroData, header, DataBlockContent(records));
    }
    if (!deletes.empty()) {
      std::vector<std::pair<std::string, std::string>> keys;
      for (const Row& r : deletes) keys.emplace_back(std::to_string(r.id), partition);
      file += LogBlockBytes(LogBlockType::kDelete, header, DeleteBlockContent(keys));
    }
    LS_RETURN_IF_ERROR(WriteFile(root_ / rel, file));
    return static_cast<int64_t>(file.size());
  }

  // A change log (one CDC data block) in the table's logging mode.
  Result<int64_t> WriteCdcLog(const fs::path& rel, const std::string& instant,
                              const std::vector<CdcChange>& changes) {
    if (o_.metadata_only) return int64_t{1024};
    auto image = [](AvroEncoder& e, const std::optional<Row>& r) {
      e.Branch(r ? 1 : 0);
      if (!r) return;
      e.OptLong(r->id);
      e.OptLong(r->ts);
      e.OptString(r->day);
      e.Branch(1);
      e.Double(r->value);
      e.OptString(r->name);
    };
    std::vector<std::string> records;
    for (const CdcChange& c : changes) {
      AvroEncoder e;
      const std::string key = std::to_string(c.before ? c.before->id : c.after->id);
      if (o_.cdc_mode == "op_key_only") {
        e.Branch(0);  // ["string", "null"]
        e.String(c.op);
        e.Branch(0);
        e.String(key);
      } else if (o_.cdc_mode == "data_before") {
        e.OptString(c.op);
        e.OptString(key);
        image(e, c.before);
      } else {
        e.OptString(c.op);
        e.OptString(instant);
        image(e, c.before);
        image(e, c.after);
      }
      records.push_back(e.Take());
    }
    std::string file =
        LogBlockBytes(LogBlockType::kCdcData, {{0, instant}, {2, CdcSchema(o_.cdc_mode)}},
                      DataBlockContent(records));
    LS_RETURN_IF_ERROR(WriteFile(root_ / rel, file));
    return static_cast<int64_t>(file.size());
  }

  struct Completed {
    std::string instant, completion, action, name, bytes;
  };

  Status Clean(const std::string& partition, const std::string& file_name,
               const std::string& retain) {
    std::string instant = NextInstant();
    std::error_code ec;
    fs::remove(root_ / partition / file_name, ec);
    return Complete("clean", instant, CleanMetadataFile(instant, partition, file_name, retain));
  }

  Status Archive(int64_t n) {
    n = std::min<int64_t>(n, static_cast<int64_t>(completed_.size()));
    if (n <= 0) return Status::OK();
    std::vector<Completed> moved(completed_.begin(), completed_.begin() + n);
    for (const Completed& c : moved) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(TimelineDir(), ec)) {
        std::string name = entry.path().filename().string();
        if (name.rfind(c.instant, 0) == 0) fs::remove(entry.path(), ec);
      }
    }
    if (v9()) return ArchiveLsm(moved);
    return ArchiveLegacy(moved);
  }

  Status ArchiveLsm(const std::vector<Completed>& moved) {
    parquet::ParquetSchema schema;
    schema.columns = {{"instantTime", parquet::ColumnType::kString, false},
                      {"completionTime", parquet::ColumnType::kString, false},
                      {"action", parquet::ColumnType::kString, false},
                      {"metadata", parquet::ColumnType::kBinary, true}};
    std::vector<std::string> times, completions, actions, metadata;
    for (const Completed& c : moved) {
      times.push_back(c.instant);
      completions.push_back(c.completion);
      actions.push_back(c.action);
      metadata.push_back(c.bytes);
    }
    std::vector<parquet::ColumnData> cols(4);
    cols[0].values = times;
    cols[1].values = completions;
    cols[2].values = actions;
    cols[3].values = metadata;
    LS_ASSIGN_OR_RETURN(std::string bytes, parquet::WriteParquetFile(schema, {cols}));
    fs::path dir = TimelineDir() / "history";
    std::string name = moved.front().instant + "_" + moved.back().instant + "_0.parquet";
    LS_RETURN_IF_ERROR(WriteFile(dir / name, bytes));
    std::string manifest;
    JsonWriter w(&manifest);
    w.BeginObject().Key("files").BeginArray().BeginObject().Key("fileName").String(name);
    w.Key("fileLen").Int(static_cast<int64_t>(bytes.size())).EndObject().EndArray().EndObject();
    LS_RETURN_IF_ERROR(WriteFile(dir / "manifest_1", manifest));
    return WriteFile(dir / "_version_", "1");
  }

  Status ArchiveLegacy(const std::vector<Completed>& moved) {
    // HoodieArchivedMetaEntry, with the commit metadata as a nested record.
    std::string schema =
        R"({"type":"record","name":"HoodieArchivedMetaEntry","namespace":"org.apache.hudi.avro.model","fields":[)"
        R"({"name":"hoodieCommitMetadata","type":["null",)" +
        CommitMetadataSchema() +
        R"(],"default":null},)"
        R"({"name":"commitTime","type":["null","string"],"default":null},)"
        R"({"name":"actionType","type":["null","string"],"default":null},)"
        R"({"name":"actionState","type":["null","string"],"default":null}]})";
    std::vector<std::string> records;
    for (const Completed& c : moved) {
      AvroEncoder e;
      if (c.action == "commit" || c.action == "deltacommit") {
        const auto it = stats_.find(c.instant);
        e.Branch(1);
        std::string head = e.Take();
        head += CommitMetadataRecord(it == stats_.end() ? std::vector<WrittenStat>() : it->second,
                                     "INSERT", false, DataSchema());
        AvroEncoder tail;
        tail.OptString(c.instant);
        tail.OptString(c.action);
        tail.OptString("COMPLETED");
        head += tail.Take();
        records.push_back(std::move(head));
        continue;
      }
      e.Branch(0);
      e.OptString(c.instant);
      e.OptString(c.action);
      e.OptString("COMPLETED");
      records.push_back(e.Take());
    }
    std::string file =
        LogBlockBytes(LogBlockType::kAvroData, {{0, moved.back().instant}, {2, schema}},
                      DataBlockContent(records));
    return WriteFile(root_ / ".hoodie" / "archived" / ".commits_.archive.1_1-0-1", file);
  }

  const SyntheticTableOptions& o_;
  fs::path root_;
  int64_t next_ = 0;
  int64_t versions_ = 0;
  std::vector<Completed> completed_;
  std::map<std::string, std::vector<WrittenStat>> stats_;  // by instant (for the legacy archive)
};

std::string FileId(int64_t g) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%08llx-0000-4000-8000-%012llx-0",
                static_cast<unsigned long long>(g), static_cast<unsigned long long>(g * 7919 + 1));
  return buf;
}

}  // namespace

Result<SyntheticTable> GenerateSyntheticHudiTable(const SyntheticTableOptions& o) {
  if (o.table_version != 6 && o.table_version != 8 && o.table_version != 9) {
    return Status::InvalidArgument("table version must be 6, 8 or 9");
  }
  if (o.files < 1 || o.commits < 1 || o.rows_per_file < 1 || o.partitions < 1) {
    return Status::InvalidArgument("files, commits, rows and partitions must be positive");
  }
  if (o.delete_group && o.merge_on_read) {
    return Status::InvalidArgument("a group is deleted by a commit in copy-on-write tables only");
  }
  if (o.cdc_mode != "data_before_after" && o.cdc_mode != "data_before" &&
      o.cdc_mode != "op_key_only") {
    return Status::InvalidArgument(
        "the change logging mode must be data_before_after, data_before or op_key_only");
  }
  TableWriter w(o);
  LS_RETURN_IF_ERROR(w.Init());
  SyntheticTable out;
  struct Group {
    std::string partition, file_id, base_instant, base_path;
    std::vector<Row> rows;
  };
  std::vector<Group> groups(static_cast<size_t>(o.files));
  const int64_t commits = std::min(o.commits, o.files);
  for (int64_t c = 0; c < commits; ++c) {
    std::string instant = w.NextInstant();
    std::vector<WrittenStat> stats;
    int64_t from = o.files * c / commits, to = o.files * (c + 1) / commits;
    for (int64_t g = from; g < to; ++g) {
      Group& grp = groups[static_cast<size_t>(g)];
      const int64_t d = 1 + g % o.partitions;
      grp.partition = std::string("day=2024-01-") + (d < 10 ? "0" : "") + std::to_string(d);
      grp.file_id = FileId(g);
      grp.base_instant = instant;
      for (int64_t k = 0; k < o.rows_per_file; ++k) {
        int64_t id = g * o.rows_per_file + k;
        grp.rows.push_back({id, 1, grp.partition.substr(4), static_cast<double>(id) * 1.5,
                            "name-" + std::to_string(id)});
      }
      std::string rel = grp.partition + "/" + grp.file_id + "_0-1-" + std::to_string(g) + "_" +
                        instant + ".parquet";
      grp.base_path = rel;
      LS_ASSIGN_OR_RETURN(int64_t size, w.WriteBase(rel, grp.rows, instant, grp.partition));
      WrittenStat s{grp.partition,   grp.file_id, rel, "null", o.rows_per_file, 0, 0,
                    o.rows_per_file, size};
      stats.push_back(std::move(s));
      ++out.base_files;
    }
    w.stats_[instant] = stats;
    LS_RETURN_IF_ERROR(
        w.Commit(o.merge_on_read ? "deltacommit" : "commit", instant, stats, "INSERT"));
  }
  int64_t log_seq = 0;
  auto log_round = [&](double fraction, bool deletes) -> Status {
    if (fraction <= 0 || !o.merge_on_read) return Status::OK();
    std::string instant = w.NextInstant();
    std::vector<WrittenStat> stats;
    ++log_seq;
    for (int64_t g = 0; g < o.files; ++g) {
      Group& grp = groups[static_cast<size_t>(g)];
      int64_t n = std::min<int64_t>(
          static_cast<int64_t>(grp.rows.size()),
          static_cast<int64_t>(std::ceil(fraction * static_cast<double>(o.rows_per_file))));
      if (n == 0) continue;
      std::vector<Row> changed(grp.rows.begin(), grp.rows.begin() + n);
      if (deletes) {
        grp.rows.erase(grp.rows.begin(), grp.rows.begin() + n);
      } else {
        for (Row& r : changed) {
          r.ts = 2;
          r.value = -r.value;
        }
        std::copy(changed.begin(), changed.end(), grp.rows.begin());
      }
      // Version 6 names a log by its slice's base instant, 8+ by the writer.
      std::string named = w.v9() ? instant : grp.base_instant;
      std::string rel = grp.partition + "/." + grp.file_id + "_" + named + ".log." +
                        std::to_string(w.v9() ? 1 : log_seq) + "_0-1-" + std::to_string(g);
      LS_ASSIGN_OR_RETURN(int64_t size,
                          w.WriteLog(rel, instant, deletes ? std::vector<Row>() : changed,
                                     deletes ? changed : std::vector<Row>(), grp.partition));
      WrittenStat s{grp.partition,   grp.file_id, rel, grp.base_instant, n, deletes ? n : 0,
                    deletes ? 0 : n, 0,           size};
      stats.push_back(std::move(s));
      ++out.log_files;
    }
    w.stats_[instant] = stats;
    return w.Commit("deltacommit", instant, stats, deletes ? "DELETE" : "UPSERT");
  };
  LS_RETURN_IF_ERROR(log_round(o.update_fraction, false));
  LS_RETURN_IF_ERROR(log_round(o.delete_fraction, true));
  // Merge-on-read tables log no change data of their own: Hudi infers it
  // from their log files (no rewrite then).
  if (o.rewrite_and_clean || (o.cdc && !o.merge_on_read)) {
    Group& grp = groups[0];
    std::string instant = w.NextInstant();
    // With change logging the rewrite also deletes a row and inserts one, so
    // its change log holds all three operations.
    std::vector<CdcChange> changes;
    if (o.cdc) {
      changes.push_back({"d", grp.rows.front(), std::nullopt});
      grp.rows.erase(grp.rows.begin());
    }
    for (Row& r : grp.rows) {
      Row before = r;
      r.ts = 3;
      if (o.cdc) changes.push_back({"u", before, r});
    }
    if (o.cdc) {
      const int64_t id = o.files * o.rows_per_file;
      grp.rows.push_back({id, 3, grp.partition.substr(4), 0.5, "name-" + std::to_string(id)});
      changes.push_back({"i", std::nullopt, grp.rows.back()});
    }
    std::string rel = grp.partition + "/" + grp.file_id + "_0-2-0_" + instant + ".parquet";
    LS_ASSIGN_OR_RETURN(int64_t size, w.WriteBase(rel, grp.rows, instant, grp.partition));
    WrittenStat s{grp.partition,
                  grp.file_id,
                  rel,
                  grp.base_instant,
                  static_cast<int64_t>(grp.rows.size()),
                  0,
                  static_cast<int64_t>(grp.rows.size()),
                  0,
                  size};
    if (o.cdc) {
      std::string log = grp.partition + "/." + grp.file_id + "_" + instant + ".log.1_0-2-0-cdc";
      LS_ASSIGN_OR_RETURN(s.cdc[log], w.WriteCdcLog(log, instant, changes));
    }
    w.stats_[instant] = {s};
    // Rewriting a merge-on-read group is its compaction.
    LS_RETURN_IF_ERROR(w.Commit("commit", instant, {s}, o.merge_on_read ? "COMPACT" : "UPSERT"));
    if (o.rewrite_and_clean) {
      std::string old_name = std::filesystem::path(grp.base_path).filename().string();
      LS_RETURN_IF_ERROR(w.Clean(grp.partition, old_name, instant));
    }
    grp.base_instant = instant;
    grp.base_path = rel;
    ++out.base_files;
  }
  if (o.overwrite_partition) {
    // INSERT_OVERWRITE of the last partition: its groups retired, one new
    // group of new rows (Hudi writes it with a create handle: no change log).
    const std::string instant = w.NextInstant();
    const int64_t d = std::min(o.partitions, o.files);
    Group grp;
    grp.partition = std::string("day=2024-01-") + (d < 10 ? "0" : "") + std::to_string(d);
    grp.file_id = FileId(o.files);
    grp.base_instant = instant;
    std::map<std::string, std::vector<std::string>> replaced;
    for (Group& g : groups) {
      if (g.partition != grp.partition) continue;
      replaced[g.partition].push_back(g.file_id);
      g.rows.clear();
    }
    for (int64_t k = 0; k < o.rows_per_file; ++k) {
      const int64_t id = (o.files + 1) * o.rows_per_file + k;
      grp.rows.push_back({id, 4, grp.partition.substr(4), static_cast<double>(id) * 0.25,
                          "name-" + std::to_string(id)});
    }
    grp.base_path = grp.partition + "/" + grp.file_id + "_0-3-0_" + instant + ".parquet";
    LS_ASSIGN_OR_RETURN(int64_t size, w.WriteBase(grp.base_path, grp.rows, instant, grp.partition));
    WrittenStat s{grp.partition,   grp.file_id, grp.base_path, "null", o.rows_per_file, 0, 0,
                  o.rows_per_file, size};
    w.stats_[instant] = {s};
    LS_RETURN_IF_ERROR(w.Commit("replacecommit", instant, {s}, "INSERT_OVERWRITE", replaced));
    groups.push_back(std::move(grp));
    ++out.base_files;
  }
  if (o.delete_group) {
    Group& grp = groups[0];
    const std::string instant = w.NextInstant();
    const auto deleted = static_cast<int64_t>(grp.rows.size());
    grp.rows.clear();
    std::string rel = grp.partition + "/" + grp.file_id + "_0-4-0_" + instant + ".parquet";
    LS_ASSIGN_OR_RETURN(int64_t size, w.WriteBase(rel, grp.rows, instant, grp.partition));
    WrittenStat s{grp.partition, grp.file_id, rel, grp.base_instant, 0, deleted, 0, 0, size};
    w.stats_[instant] = {s};
    LS_RETURN_IF_ERROR(w.Commit("commit", instant, {s}, "DELETE"));
    grp.base_instant = instant;
    grp.base_path = rel;
    ++out.base_files;
  }
  LS_RETURN_IF_ERROR(w.Archive(o.archive_instants));
  out.latest_version = w.versions_ - 1;
  for (const Group& g : groups) out.rows += static_cast<int64_t>(g.rows.size());
  return out;
}

Result<std::string> WriteDemoHudiTable(const std::string& dir) {
  SyntheticTableOptions o;
  o.dir = dir + "/trips";
  o.table_version = 9;
  o.merge_on_read = true;
  o.files = 6;
  o.commits = 3;
  o.rows_per_file = 20;
  o.partitions = 3;
  o.update_fraction = 0.25;
  o.delete_fraction = 0.1;
  o.first_instant_ms = NowMillis() - 60000;
  LS_RETURN_IF_ERROR(GenerateSyntheticHudiTable(o).status());
  return std::string("trips");
}

}  // namespace lakeshare::hudi
