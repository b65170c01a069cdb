#include "cli/progress_printer.h"

#include <cstdio>

namespace lakeshare {

ProgressPrinter::ProgressPrinter(std::string command, std::ostream* out,
                                 std::chrono::milliseconds interval)
    : command_(std::move(command)), out_(out), interval_(interval), start_(Clock::now()) {}

void ProgressPrinter::Report(std::string_view stage, int64_t done, int64_t total) {
  std::lock_guard<std::mutex> lock(mu_);
  const Clock::time_point now = Clock::now();
  const bool last = done >= total;
  if (!last && last_line_ != Clock::time_point{} && now - last_line_ < interval_) return;
  last_line_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const int percent = total > 0 ? static_cast<int>(done * 100 / total) : 100;
  char after[32];
  std::snprintf(after, sizeof(after), "%.1f", seconds);
  *out_ << command_ << ": " << stage << ' ' << done << '/' << total << " (" << percent
        << "%) after " << after << " s" << std::endl;
}

}  // namespace lakeshare
