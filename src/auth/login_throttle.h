// LoginThrottle: slows password guessing at the admin login. Failed logins
// are counted per username (case-insensitive) from each client address, and
// per client address. Once either has failed more than its free allowance,
// every further attempt it covers must wait: base_delay after the first
// failure over the allowance, doubling with each failure after that, up to
// max_delay. The wait applies whether or not the password would be right,
// so the only way on is to wait. Counting names per address means an
// attacker guessing a name throttles only their own attempts: its owner,
// from another address, logs in as usual (a lockout is no denial of
// service). A success clears the name's count from that address but not
// the address's (an attacker who owns one account cannot reset the count by
// logging into it). A count is forgotten once it has had no failure for
// forget_after.
//
// At most max_entries counts are kept in memory (on overflow the least
// recently failed half is dropped), so a flood of made-up names cannot grow
// memory. With a `store` (login_failure_store.h: the catalog database) the
// counts are also kept there and a wait is the longer of the two, so
// replicas sharing the store share the counts; without one (no database)
// each process throttles on its own. A store that fails is logged and the
// in-process counts still hold. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/login_failure_store.h"

namespace lakeshare {

struct LoginThrottleOptions {
  int free_failures_per_user = 5;  // of one name from one address
  // Higher: many people may log in from behind one NAT or proxy.
  int free_failures_per_address = 20;
  int64_t base_delay_ms = 1000;
  int64_t max_delay_ms = 15 * 60 * 1000;
  int64_t forget_after_ms = 60 * 60 * 1000;
  size_t max_entries = 100000;
  // Shared counts (several processes); none: this process's only.
  std::shared_ptr<LoginFailureStore> store;
};

class LoginThrottle {
 public:
  explicit LoginThrottle(LoginThrottleOptions options = {});

  // 0 if a login of `user` from `address` may be checked at `now_ms`;
  // otherwise how many milliseconds the client must wait first.
  int64_t WaitMs(std::string_view user, std::string_view address, int64_t now_ms);
  void RecordFailure(std::string_view user, std::string_view address, int64_t now_ms);
  void RecordSuccess(std::string_view user, std::string_view address);

  size_t entries();  // for tests

 private:
  struct Count {
    int failures = 0;
    int64_t last_failure_ms = 0;
    int64_t allowed_from_ms = 0;
  };
  void Fail(std::string key, int free_failures, int64_t now_ms);
  // When a key with `failures` (of which `free_failures` are free) at
  // `now_ms` may try again.
  int64_t AllowedFrom(int64_t failures, int free_failures, int64_t now_ms) const;
  void StoreFailure(const std::string& key, int free_failures, int64_t now_ms);
  int64_t Wait(const std::string& key, int64_t now_ms);
  void Shrink();

  const LoginThrottleOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Count> counts_;  // "u:<address>\n<user>", "a:<address>"
};

}  // namespace lakeshare
