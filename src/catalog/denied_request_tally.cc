#include "catalog/denied_request_tally.h"

namespace lakeshare {

DeniedRequestTally::DeniedRequestTally(int64_t window_ms, size_t max_keys)
    : window_ms_(window_ms > 0 ? window_ms : 1), max_keys_(max_keys) {}

bool DeniedRequestTally::Counts(const AuditEntry& entry) {
  return entry.actor_kind == "anonymous" && entry.outcome == "denied";
}

bool DeniedRequestTally::Admit(const AuditEntry& entry) {
  int64_t window = entry.time_ms - entry.time_ms % window_ms_;
  if (window_start_ != 0 && window > window_start_) Close(&closed_);
  // An entry stamped a little before the open window (threads race) counts
  // in the open one.
  if (window_start_ == 0 || window > window_start_) window_start_ = window;
  Key key{entry.remote_address.value_or(""), entry.action};
  auto it = counts_.find(key);
  if (it != counts_.end()) {
    Count& c = it->second;
    if (c.more++ == 0) c.first_ms = entry.time_ms;
    c.last_detail = entry.detail.value_or("");
    return false;
  }
  if (counts_.size() < max_keys_) {
    counts_.emplace(std::move(key), Count{});
    return true;
  }
  if (overflow_++ == 0) overflow_first_ms_ = entry.time_ms;
  return false;
}

void DeniedRequestTally::Close(std::vector<AuditEntry>* out) {
  std::string window = " in the " + std::to_string(window_ms_ / 1000) + " s window";
  for (auto& [key, c] : counts_) {
    if (c.more == 0) continue;
    AuditEntry e;
    e.time_ms = c.first_ms;
    e.actor_kind = "anonymous";
    e.action = key.second;
    e.outcome = "denied";
    if (!key.first.empty()) e.remote_address = key.first;
    e.detail = std::to_string(c.more) + " more denied requests from this address" + window +
               " (the last: " + c.last_detail + ")";
    out->push_back(std::move(e));
  }
  if (overflow_ > 0) {
    AuditEntry e;
    e.time_ms = overflow_first_ms_;
    e.actor_kind = "anonymous";
    e.action = "deniedRequests";
    e.outcome = "denied";
    e.detail = std::to_string(overflow_) + " denied requests from addresses beyond the " +
               std::to_string(max_keys_) + " counted one by one" + window;
    out->push_back(std::move(e));
  }
  counts_.clear();
  overflow_ = 0;
  window_start_ = 0;
}

std::vector<AuditEntry> DeniedRequestTally::TakeClosed(int64_t now_ms, bool all) {
  if (window_start_ != 0 && (all || now_ms >= window_start_ + window_ms_)) Close(&closed_);
  return std::exchange(closed_, {});
}

int64_t DeniedRequestTally::next_close_ms() const {
  if (!closed_.empty()) return 1;  // due now
  return window_start_ != 0 ? window_start_ + window_ms_ : 0;
}

}  // namespace lakeshare
