// Counts denied anonymous requests (bad or missing credentials) instead of
// writing an audit row for each: one client without a token could otherwise
// write ~7 000 rows a second. The first denial of an (address, action) pair
// in a window is recorded as it is; the rest of that window become one
// summary entry when the window closes ("N more ..."). So a client costs at
// most two rows per action per window, however fast it sends.
//
// At most `max_keys` pairs are tracked per window; denials beyond them are
// not recorded one by one but counted together in one summary entry
// without an address, so many addresses cannot grow the table either.
//
// Not thread-safe: the AuditWriter calls it under its own lock.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "catalog/sql_catalog_admin.h"

namespace lakeshare {

class DeniedRequestTally {
 public:
  DeniedRequestTally(int64_t window_ms, size_t max_keys);

  // The entries it counts: anonymous actors that were denied.
  static bool Counts(const AuditEntry& entry);

  // Takes one counted entry (its time_ms set). True when the caller should
  // record it now (the pair's first in its window), false when counted.
  bool Admit(const AuditEntry& entry);

  // The summaries of the windows that closed at or before `now_ms` (of
  // every window when `all`), oldest first; forgets them.
  std::vector<AuditEntry> TakeClosed(int64_t now_ms, bool all = false);

  // When the oldest open window closes; 0 when nothing is counted.
  int64_t next_close_ms() const;

 private:
  struct Count {
    int64_t more = 0;         // denials after the first one
    int64_t first_ms = 0;     // of the first one counted (for the summary)
    std::string last_detail;  // of the last one counted
  };
  using Key = std::pair<std::string, std::string>;  // address, action

  const int64_t window_ms_;
  const size_t max_keys_;
  int64_t window_start_ = 0;  // of the open window; 0: none
  std::map<Key, Count> counts_;
  int64_t overflow_ = 0;  // denials beyond max_keys_ pairs
  int64_t overflow_first_ms_ = 0;
  std::vector<AuditEntry> closed_;  // summaries not yet taken
  void Close(std::vector<AuditEntry>* out);
};

}  // namespace lakeshare
