// Test helpers for src/delta: paths of the shared test tables, and temporary
// tables with hand-written logs. Only *_test.cc and *_benchmark.cc files
// include this header.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "delta/delta_log_listing.h"
#include "storage/local_storage.h"

namespace lakeshare::delta_testing {

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

// A Storage over local files that counts what is asked of it, as an object
// store would be asked (one call = one request). It is not a LocalStorage,
// so readers take their object-store paths (ranged checkpoint reads).
// `read_delay` makes reads slow enough for their overlap to show.
// Thread-safe.
class CountingStorage final : public Storage {
 public:
  struct Counts {
    int reads = 0;        // Read (whole objects)
    int range_reads = 0;  // ReadRange
    int heads = 0;
    int lists = 0;        // ListDirectory (the whole folder)
    int lists_after = 0;  // ListDirectoryAfter
    int64_t bytes = 0;    // bytes returned by reads
    int64_t listed = 0;   // entries returned by listings
    int max_concurrent_reads = 0;
    std::vector<std::string> starts;                  // start_after of each ListDirectoryAfter
    std::vector<std::string> read;                    // file names read, in call order
    std::vector<std::pair<int64_t, int64_t>> ranges;  // offset, length of each ReadRange
    int requests() const { return reads + range_reads + heads + lists + lists_after; }
    // Reads of files whose name contains `part`.
    int ReadsOf(const std::string& part) const {
      return static_cast<int>(std::count_if(read.begin(), read.end(), [&](const std::string& n) {
        return n.find(part) != std::string::npos;
      }));
    }
  };

  std::chrono::milliseconds read_delay{0};
  // Reads of files whose name contains this fail as a store error would
  // (empty: none). Set before use, not while reads run.
  std::string fail_reads_of;

  Counts counts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_;
  }
  // The counts so far, then starts again from zero.
  Counts Take() {
    std::lock_guard<std::mutex> lock(mu_);
    Counts c = std::move(counts_);
    counts_ = Counts();
    return c;
  }

  Result<std::string> Read(const std::string& path) override {
    Track track(*this, path, &Counts::reads);
    return track.Bytes(local_.Read(path));
  }
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) override {
    Track track(*this, path, &Counts::range_reads);
    if (!fail_reads_of.empty() && path.find(fail_reads_of) != std::string::npos) {
      return Status::IOError(path + ": the store refused access (test)");
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      counts_.ranges.emplace_back(offset, length);
    }
    return track.Bytes(local_.ReadRange(path, offset, length));
  }
  Result<FileInfo> Head(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_.heads;
    return local_.Head(path);
  }
  Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) override {
    auto r = local_.ListDirectory(dir);
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_.lists;
    if (r.ok()) counts_.listed += static_cast<int64_t>(r->size());
    return r;
  }
  Result<std::vector<FileInfo>> ListDirectoryAfter(const std::string& dir,
                                                   const std::string& start_after) override {
    auto r = local_.ListDirectoryAfter(dir, start_after);
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_.lists_after;
    counts_.starts.push_back(start_after);
    if (r.ok()) counts_.listed += static_cast<int64_t>(r->size());
    return r;
  }

 private:
  // Counts one read while it runs.
  class Track {
   public:
    Track(CountingStorage& s, const std::string& path, int Counts::*kind) : s_(s) {
      {
        std::lock_guard<std::mutex> lock(s_.mu_);
        ++(s_.counts_.*kind);
        s_.counts_.read.push_back(path.substr(path.rfind('/') + 1));
        ++s_.in_flight_;
        s_.counts_.max_concurrent_reads = std::max(s_.counts_.max_concurrent_reads, s_.in_flight_);
      }
      if (s_.read_delay.count() > 0) std::this_thread::sleep_for(s_.read_delay);
    }
    ~Track() {
      std::lock_guard<std::mutex> lock(s_.mu_);
      --s_.in_flight_;
    }
    Result<std::string> Bytes(Result<std::string> r) {
      if (r.ok()) {
        std::lock_guard<std::mutex> lock(s_.mu_);
        s_.counts_.bytes += static_cast<int64_t>(r->size());
      }
      return r;
    }

   private:
    CountingStorage& s_;
  };

  LocalStorage local_;
  mutable std::mutex mu_;
  Counts counts_;      // guarded by mu_
  int in_flight_ = 0;  // guarded by mu_
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

}  // namespace lakeshare::delta_testing
