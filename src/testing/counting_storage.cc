#include "testing/counting_storage.h"

#include <thread>

#include "storage/local_storage.h"

namespace lakeshare::testing {

int CountingStorage::Counts::ReadsOf(const std::string& part) const {
  return static_cast<int>(std::count_if(read.begin(), read.end(), [&](const std::string& n) {
    return n.find(part) != std::string::npos;
  }));
}

class CountingStorage::Track {
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
  Track(const Track&) = delete;
  Track& operator=(const Track&) = delete;

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

CountingStorage::CountingStorage(std::shared_ptr<Storage> inner)
    : inner_(inner ? std::move(inner) : std::make_shared<LocalStorage>()) {}

CountingStorage::Counts CountingStorage::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

CountingStorage::Counts CountingStorage::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  Counts c = std::move(counts_);
  counts_ = Counts();
  return c;
}

Result<std::string> CountingStorage::Read(const std::string& path) {
  Track track(*this, path, &Counts::reads);
  return track.Bytes(inner_->Read(path));
}

Result<std::string> CountingStorage::ReadRange(const std::string& path, int64_t offset,
                                               int64_t length) {
  Track track(*this, path, &Counts::range_reads);
  if (!fail_reads_of.empty() && path.find(fail_reads_of) != std::string::npos) {
    return Status::IOError(path + ": the store refused access (test)");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    counts_.ranges.emplace_back(offset, length);
  }
  return track.Bytes(inner_->ReadRange(path, offset, length));
}

Result<FileInfo> CountingStorage::Head(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_.heads;
  }
  return inner_->Head(path);
}

Result<std::vector<FileInfo>> CountingStorage::ListDirectory(const std::string& dir) {
  auto r = inner_->ListDirectory(dir);
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.lists;
  if (r.ok()) counts_.listed += static_cast<int64_t>(r->size());
  return r;
}

Result<std::vector<std::string>> CountingStorage::ListSubfolders(const std::string& dir) {
  auto r = inner_->ListSubfolders(dir);
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.lists;
  if (r.ok()) counts_.listed += static_cast<int64_t>(r->size());
  return r;
}

Result<std::vector<FileInfo>> CountingStorage::ListDirectoryAfter(const std::string& dir,
                                                                  const std::string& start_after) {
  auto r = inner_->ListDirectoryAfter(dir, start_after);
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.lists_after;
  counts_.starts.push_back(start_after);
  if (r.ok()) counts_.listed += static_cast<int64_t>(r->size());
  return r;
}

}  // namespace lakeshare::testing
