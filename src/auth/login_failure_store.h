// Where LoginThrottle (login_throttle.h) also keeps its failure counts when
// several server processes must share them: with N replicas behind a load
// balancer, counts kept per process would give an attacker N times the
// guesses. The catalog database implements it (catalog/sql_login_failures.h).
//
// A count is keyed by LoginThrottle's keys (a name from an address, an
// address); it is forgotten once it has had no failure for forget_after_ms.
// Implementations are thread-safe; errors are the store's (the throttle then
// relies on its own in-process counts).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace lakeshare {

class LoginFailureStore {
 public:
  virtual ~LoginFailureStore() = default;

  // The latest time (epoch ms) from which any of `keys` may try again; 0 if
  // none is waiting (never failed, or forgotten).
  virtual Result<int64_t> AllowedFromMs(const std::vector<std::string>& keys, int64_t now_ms,
                                        int64_t forget_after_ms) = 0;

  // Counts one failure of `key` at `now_ms` (a forgotten count starts again
  // at 1) and stores allowed_from(failures counted), atomically with
  // respect to other processes' failures of the same key.
  virtual Status RecordFailure(const std::string& key, int64_t now_ms, int64_t forget_after_ms,
                               const std::function<int64_t(int64_t failures)>& allowed_from) = 0;

  // Forgets `key`'s count (a successful login).
  virtual Status Clear(const std::string& key) = 0;
};

}  // namespace lakeshare
