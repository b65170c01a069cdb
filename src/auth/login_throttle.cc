#include "auth/login_throttle.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

namespace lakeshare {
namespace {

// A name from an address: one attacker's failures throttle only their own
// attempts at the name, never its owner's from elsewhere. '\n' cannot be
// in an address, so pairs cannot collide.
std::string UserKey(std::string_view user, std::string_view address) {
  std::string key = "u:";
  key.append(address);
  key += '\n';
  for (char c : user) key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return key;
}

std::string AddressKey(std::string_view address) { return "a:" + std::string(address); }

}  // namespace

LoginThrottle::LoginThrottle(LoginThrottleOptions options) : options_(options) {}

int64_t LoginThrottle::Wait(const std::string& key, int64_t now_ms) {
  auto it = counts_.find(key);
  if (it == counts_.end()) return 0;
  if (now_ms - it->second.last_failure_ms >= options_.forget_after_ms) {
    counts_.erase(it);
    return 0;
  }
  return std::max<int64_t>(0, it->second.allowed_from_ms - now_ms);
}

int64_t LoginThrottle::WaitMs(std::string_view user, std::string_view address, int64_t now_ms) {
  const std::string user_key = UserKey(user, address);
  int64_t wait = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wait = Wait(user_key, now_ms);
    if (!address.empty()) wait = std::max(wait, Wait(AddressKey(address), now_ms));
  }
  if (options_.store) {
    std::vector<std::string> keys = {user_key};
    if (!address.empty()) keys.push_back(AddressKey(address));
    Result<int64_t> from = options_.store->AllowedFromMs(keys, now_ms, options_.forget_after_ms);
    if (from.ok()) {
      wait = std::max(wait, *from - now_ms);
    } else {
      spdlog::warn("login throttle: shared counts unavailable ({}); using this process's",
                   from.status().ToString());
    }
  }
  return wait;
}

int64_t LoginThrottle::AllowedFrom(int64_t failures, int free_failures, int64_t now_ms) const {
  int64_t over = failures - free_failures;
  if (over <= 0) return 0;
  int64_t delay = options_.base_delay_ms;
  for (int64_t i = 1; i < over && delay < options_.max_delay_ms; ++i) delay *= 2;
  return now_ms + std::min(delay, options_.max_delay_ms);
}

void LoginThrottle::Fail(std::string key, int free_failures, int64_t now_ms) {
  Count& c = counts_[std::move(key)];
  if (c.failures > 0 && now_ms - c.last_failure_ms >= options_.forget_after_ms) c = Count{};
  ++c.failures;
  c.last_failure_ms = now_ms;
  if (int64_t from = AllowedFrom(c.failures, free_failures, now_ms); from > 0) {
    c.allowed_from_ms = from;
  }
}

void LoginThrottle::StoreFailure(const std::string& key, int free_failures, int64_t now_ms) {
  Status st = options_.store->RecordFailure(
      key, now_ms, options_.forget_after_ms,
      [&](int64_t failures) { return AllowedFrom(failures, free_failures, now_ms); });
  if (!st.ok()) {
    spdlog::warn("login throttle: could not count a failure in the shared counts ({})",
                 st.ToString());
  }
}

void LoginThrottle::RecordFailure(std::string_view user, std::string_view address, int64_t now_ms) {
  const std::string user_key = UserKey(user, address);
  {
    std::lock_guard<std::mutex> lock(mu_);
    Fail(user_key, options_.free_failures_per_user, now_ms);
    if (!address.empty()) Fail(AddressKey(address), options_.free_failures_per_address, now_ms);
    if (counts_.size() > options_.max_entries) Shrink();
  }
  if (options_.store) {
    StoreFailure(user_key, options_.free_failures_per_user, now_ms);
    if (!address.empty()) {
      StoreFailure(AddressKey(address), options_.free_failures_per_address, now_ms);
    }
  }
}

void LoginThrottle::RecordSuccess(std::string_view user, std::string_view address) {
  const std::string user_key = UserKey(user, address);
  {
    std::lock_guard<std::mutex> lock(mu_);
    counts_.erase(user_key);
  }
  if (options_.store) {
    if (Status st = options_.store->Clear(user_key); !st.ok()) {
      spdlog::warn("login throttle: could not clear a shared count ({})", st.ToString());
    }
  }
}

void LoginThrottle::Shrink() {
  std::vector<int64_t> times;
  times.reserve(counts_.size());
  for (const auto& [key, c] : counts_) times.push_back(c.last_failure_ms);
  auto mid = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), mid, times.end());
  const int64_t cutoff = *mid;
  for (auto it = counts_.begin(); it != counts_.end();) {
    it = it->second.last_failure_ms < cutoff ? counts_.erase(it) : std::next(it);
  }
}

size_t LoginThrottle::entries() {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_.size();
}

}  // namespace lakeshare
