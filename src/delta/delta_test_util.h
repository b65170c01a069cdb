// Test helpers for src/delta: paths of the shared test tables, and temporary
// tables with hand-written logs (a request-counting Storage is
// testing/counting_storage.h). Only *_test.cc and *_benchmark.cc files
// include this header.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "delta/delta_log_listing.h"

namespace lakeshare::testing {

#ifdef LAKESHARE_TESTDATA_DIR
// A table of the shared delta-rs test data (read-only).
inline std::string TestTable(const std::string& name) {
  return std::string(LAKESHARE_TESTDATA_DIR) + "/delta/delta-rs/" + name;
}
#endif

// A fresh folder under the system temp dir, removed on destruction, with an
// empty `_delta_log` inside.
class TempTable {
 public:
  explicit TempTable(const std::string& tag = "t") {
    static std::atomic<int> counter{0};
    root_ = std::filesystem::temp_directory_path() /
            ("ls_delta_" + tag + "_" + std::to_string(::getpid()) + "_" +
             std::to_string(counter.fetch_add(1)));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "_delta_log");
  }
  ~TempTable() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TempTable(const TempTable&) = delete;
  TempTable& operator=(const TempTable&) = delete;

  std::string root() const { return root_.string(); }
  std::filesystem::path log_dir() const { return root_ / "_delta_log"; }
  std::filesystem::path commit_path(int64_t version) const {
    return log_dir() / DeltaCommitFileName(version);
  }

  // Writes a log file; with `mtime_ms`, also sets its modification time.
  void WriteLogFile(const std::string& name, const std::string& content,
                    std::optional<int64_t> mtime_ms = std::nullopt) const {
    auto path = log_dir() / name;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    if (mtime_ms) SetMtime(path, *mtime_ms);
  }
  void WriteCommit(int64_t version, const std::string& content,
                   std::optional<int64_t> mtime_ms = std::nullopt) const {
    WriteLogFile(DeltaCommitFileName(version), content, mtime_ms);
  }

  static void SetMtime(const std::filesystem::path& path, int64_t mtime_ms) {
    using namespace std::chrono;
    auto sys = sys_time<milliseconds>(milliseconds(mtime_ms));
    std::filesystem::last_write_time(path, file_clock::from_sys(sys));
  }

 private:
  std::filesystem::path root_;
};

// One-line JSON actions for synthetic logs.
inline std::string ProtocolJson(int reader = 1, int writer = 2,
                                const std::string& extra_fields = "") {
  return R"({"protocol":{"minReaderVersion":)" + std::to_string(reader) +
         R"(,"minWriterVersion":)" + std::to_string(writer) + extra_fields + "}}\n";
}
inline std::string MetadataJson(const std::string& configuration = "{}",
                                const std::string& partition_columns = "[]") {
  return R"({"metaData":{"id":"test-id","format":{"provider":"parquet","options":{}},)"
         R"("schemaString":"{\"type\":\"struct\",\"fields\":[]}","partitionColumns":)" +
         partition_columns + R"(,"configuration":)" + configuration +
         R"(,"createdTime":1000}})"
         "\n";
}
inline std::string AddJson(const std::string& path, int64_t size = 100,
                           const std::string& extra_fields = "") {
  return R"({"add":{"path":")" + path + R"(","partitionValues":{},"size":)" + std::to_string(size) +
         R"(,"modificationTime":1,"dataChange":true)" + extra_fields + "}}\n";
}
inline std::string RemoveJson(const std::string& path, const std::string& extra_fields = "") {
  return R"({"remove":{"path":")" + path + R"(","deletionTimestamp":2,"dataChange":true)" +
         extra_fields + "}}\n";
}
inline std::string DvJson(const std::string& id, std::optional<int> offset = 1) {
  return R"(,"deletionVector":{"storageType":"u","pathOrInlineDv":")" + id + "\"" +
         (offset ? ",\"offset\":" + std::to_string(*offset) : std::string()) +
         R"(,"sizeInBytes":34,"cardinality":3})";
}
inline std::string CommitInfoJson(std::optional<int64_t> in_commit_timestamp = std::nullopt) {
  std::string s = R"({"commitInfo":{"timestamp":5,"operation":"WRITE")";
  if (in_commit_timestamp) s += ",\"inCommitTimestamp\":" + std::to_string(*in_commit_timestamp);
  return s + "}}\n";
}

}  // namespace lakeshare::testing
