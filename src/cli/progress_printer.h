// Progress of a long command (generate-delta, generate-iceberg) on stderr:
// "generate-delta: files 300000/1000000 (30%) after 3.1 s", at most one line
// per interval, plus the last step of every stage (so a stage's end is always
// shown). Thread-safe (a generator may report from several threads).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

namespace lakeshare {

class ProgressPrinter {
 public:
  ProgressPrinter(std::string command, std::ostream* out,
                  std::chrono::milliseconds interval = std::chrono::seconds(1));

  void Report(std::string_view stage, int64_t done, int64_t total);

 private:
  using Clock = std::chrono::steady_clock;
  const std::string command_;
  std::ostream* const out_;
  const std::chrono::milliseconds interval_;
  const Clock::time_point start_;
  std::mutex mu_;
  Clock::time_point last_line_{};
};

}  // namespace lakeshare
