#include "demo/synthetic_delta_table.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <system_error>
#include <vector>

#include "common/time_util.h"
#include "delta/delta_action_writer.h"
#include "delta/delta_checkpoint_writer.h"
#include "delta/delta_log_listing.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchema = R"({"type":"struct","fields":[)"
                                R"({"name":"id","type":"long","nullable":true,"metadata":{}},)"
                                R"({"name":"name","type":"string","nullable":true,"metadata":{}},)"
                                R"({"name":"ts","type":"timestamp","nullable":true,"metadata":{}},)"
                                R"({"name":"date","type":"date","nullable":true,"metadata":{}}]})";

class Generator {
 public:
  Generator(const SyntheticTableOptions& o) : o_(o), rng_(o.seed) {}

  DataFile NewFile(int64_t mtime) {
    DataFile f;
    const int64_t day = static_cast<int64_t>(rng_() % static_cast<uint64_t>(o_.partitions));
    const std::string date = FormatDate(DaysFromCivil(2024, 1, 1) + day);
    char part[16];
    std::snprintf(part, sizeof(part), "%05d", static_cast<int>(rng_() % 1000));
    f.path = "date=" + date + "/part-" + part + "-" + Uuid() + ".c000.snappy.parquet";
    f.partition_values["date"] = date;
    f.size = static_cast<int64_t>(100000 + rng_() % 100000000);
    f.modification_time = mtime;
    f.data_change = true;
    const int64_t id = static_cast<int64_t>(rng_() % 1000000000);
    const int64_t ts = (DaysFromCivil(2024, 1, 1) + day) * 86400000;
    f.stats = R"({"numRecords":)" + std::to_string(1000 + rng_() % 1000000) +
              R"(,"minValues":{"id":)" + std::to_string(id) + R"(,"name":"alice-)" +
              std::to_string(rng_() % 10000) + R"(","ts":")" + FormatIso8601Millis(ts) +
              R"("},"maxValues":{"id":)" + std::to_string(id + 1 + rng_() % 100000) +
              R"(,"name":"zoe-)" + std::to_string(rng_() % 10000) + R"(","ts":")" +
              FormatIso8601Millis(ts + 86399999) + R"("},"nullCount":{"id":0,"name":)" +
              std::to_string(rng_() % 100) + R"(,"ts":0}})";
    return f;
  }

 private:
  std::string Uuid() {
    static const char* hex = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    uint64_t a = rng_(), b = rng_();
    for (int i = 0; i < 32; ++i) {
      if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
      uint64_t& w = i < 16 ? a : b;
      s += hex[w & 15];
      w >>= 4;
    }
    return s;
  }

  const SyntheticTableOptions& o_;

 public:
  std::mt19937_64 rng_;
};

}  // namespace

Result<SyntheticTableSummary> GenerateSyntheticTable(const std::string& dir,
                                                     const SyntheticTableOptions& o) {
  if (o.files < 0 || o.commits < 0 || o.commits_before_checkpoint < 0 || o.partitions < 1 ||
      o.adds_per_commit < 0 || o.removes_per_commit < 0 || o.rows_per_row_group < 1) {
    return Status::InvalidArgument("synthetic table: counts must be positive");
  }
  const fs::path log = fs::path(dir) / "_delta_log";
  std::error_code ec;
  if (fs::exists(log, ec)) {
    return Status::FailedPrecondition("synthetic table: " + log.string() + " already exists");
  }
  fs::create_directories(log, ec);
  if (ec) return Status::IOError("cannot create " + log.string() + ": " + ec.message());

  Generator gen(o);
  const int64_t history = o.commits_before_checkpoint;
  int64_t now = o.first_timestamp_ms - history * 60000;
  std::vector<DataFile> files;
  files.reserve(static_cast<size_t>(o.files));
  auto progress = [&o](std::string_view stage, int64_t done, int64_t total) {
    if (o.progress) o.progress(stage, done, total);
  };
  constexpr int64_t kStep = 1 << 16;  // files or commits between progress calls
  for (int64_t i = 0; i < o.files; ++i) {
    files.push_back(gen.NewFile(now - 1000 - i % 100000));
    if ((i + 1) % kStep == 0) progress("files", i + 1, o.files);
  }
  progress("files", o.files, o.files);

  TableProtocol protocol;
  protocol.min_reader_version = 1;
  protocol.min_writer_version = 2;
  TableMetadata metadata;
  metadata.id = "5a1b2c3d-0000-4000-8000-00000000bench";
  metadata.name = "synthetic";
  metadata.schema_string = kSchema;
  metadata.partition_columns = {"date"};
  metadata.created_time = o.first_timestamp_ms - 86400000;

  // Commit v: a few removes and adds (version 0: the table and its files).
  auto write_commit = [&](int64_t v) -> Status {
    std::string commit;
    CommitInfoAction info;
    info.timestamp_ms = now;
    info.operation = "WRITE";
    info.operation_parameters = {{"mode", "Append"}};
    if (v > 0) info.read_version = v - 1;
    info.is_blind_append = v == 0 || o.removes_per_commit == 0;
    AppendCommitInfoAction(info, &commit);
    if (v == 0) {
      AppendProtocolAction(protocol, &commit);
      AppendMetadataAction(metadata, &commit);
      for (const DataFile& f : files) AppendAddAction(f, &commit);
    } else {
      for (int64_t r = 0; r < o.removes_per_commit && !files.empty(); ++r) {
        size_t i = static_cast<size_t>(gen.rng_() % files.size());
        AppendRemoveAction(files[i], now, &commit);
        files[i] = std::move(files.back());
        files.pop_back();
      }
      for (int64_t a = 0; a < o.adds_per_commit; ++a) {
        files.push_back(gen.NewFile(now));
        AppendAddAction(files.back(), &commit);
      }
    }
    return WriteDeltaLogFile((log / DeltaCommitFileName(v)).string(), commit, now);
  };

  // Without history the checkpoint at 0 stands alone (no JSON commit 0).
  for (int64_t v = 0; v <= history && history > 0; ++v) {
    if (v > 0) now += 60000;
    LS_RETURN_IF_ERROR(write_commit(v));
  }
  progress("checkpoint", 0, 1);
  LS_ASSIGN_OR_RETURN(std::string checkpoint,
                      WriteCheckpointParquet(&protocol, &metadata, files,
                                             {.rows_per_row_group = o.rows_per_row_group}));
  SyntheticTableSummary summary;
  summary.checkpoint_version = history;
  summary.checkpoint_bytes = static_cast<int64_t>(checkpoint.size());
  LS_RETURN_IF_ERROR(WriteDeltaLogFile(
      (log / (DeltaVersionPrefix(history) + ".checkpoint.parquet")).string(), checkpoint, now));
  checkpoint.clear();
  checkpoint.shrink_to_fit();
  progress("checkpoint", 1, 1);
  LS_RETURN_IF_ERROR(WriteDeltaLogFile(
      (log / "_last_checkpoint").string(),
      LastCheckpointJson(history, static_cast<int64_t>(files.size()) + 2, summary.checkpoint_bytes,
                         static_cast<int64_t>(files.size())),
      now));

  for (int64_t v = history + 1; v <= history + o.commits; ++v) {
    now += 60000;
    LS_RETURN_IF_ERROR(write_commit(v));
    if ((v - history) % 1000 == 0) progress("commits", v - history, o.commits);
  }
  if (o.commits > 0) progress("commits", o.commits, o.commits);
  summary.latest_version = history + o.commits;
  summary.active_files = static_cast<int64_t>(files.size());
  return summary;
}

}  // namespace lakeshare
