// CountingStorage: a Storage over another one (local files unless told
// otherwise) that counts what is asked of it, as an object store would be
// asked: one call, one request. Readers see a store, not local files (its
// random-access reads are ranged requests through ReadRange), so tests of
// request counts and ranged checkpoint reads run on local folders.
// `read_delay` makes reads slow enough for their overlap to show.
// Thread-safe, except that read_delay and fail_reads_of are set before use.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/storage.h"

namespace lakeshare::testing {

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
    int ReadsOf(const std::string& part) const;
  };

  // Counts the requests to `inner` (nullptr: a LocalStorage).
  explicit CountingStorage(std::shared_ptr<Storage> inner = nullptr);

  std::chrono::milliseconds read_delay{0};
  // Ranged reads of files whose name contains this fail as a store error
  // would (empty: none).
  std::string fail_reads_of;

  Counts counts() const;
  // The counts so far, then starts again from zero.
  Counts Take();

  Result<std::string> Read(const std::string& path) override;
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) override;
  Result<FileInfo> Head(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) override;
  Result<std::vector<FileInfo>> ListDirectoryAfter(const std::string& dir,
                                                   const std::string& start_after) override;
  // Counted as a listing.
  Result<std::vector<std::string>> ListSubfolders(const std::string& dir) override;

 private:
  class Track;  // counts one read while it runs

  std::shared_ptr<Storage> inner_;
  mutable std::mutex mu_;
  Counts counts_;      // guarded by mu_
  int in_flight_ = 0;  // guarded by mu_
};

}  // namespace lakeshare::testing
