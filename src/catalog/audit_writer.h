// Writes audit entries to the catalog database in the background, so that
// the request an entry describes never waits for the database: Submit()
// only queues it (a mutex and a deque push). One writer thread drains the
// queue in batches, one transaction per batch (CatalogAdmin::
// AppendAuditBatch), so under load many entries share one commit.
//
// The queue is bounded (`capacity` entries). When it is full — the database
// is down, or slower than the request rate — a new entry is dropped, never
// the request delayed: drops are counted, logged (at most every 10 s), and
// recorded in the audit log itself as soon as the writer can write again (a
// "system" entry, action "auditEntriesDropped", detail the count), so a gap
// in the trail is never silent. A batch that fails to commit stays queued
// and is retried with backoff.
//
// Denied anonymous requests are counted, not written one by one
// (denied_request_tally.h). With a retention, the writer thread also
// deletes entries older than it, in batches, at start and every
// `prune_interval` (every replica may do so: deleting is idempotent).
//
// Stop() (also run by the destructor) writes what is queued, waiting at most
// `flush_timeout` (plus the batch in flight, if the database hangs: Stop
// returns after twice the timeout whatever happens); whatever is still
// unwritten then is logged as lost.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "catalog/sql_catalog_admin.h"

namespace lakeshare {

struct AuditWriterOptions {
  size_t capacity = 65536;               // queued entries
  size_t max_batch = 512;                // entries per transaction
  std::chrono::milliseconds linger{20};  // how long a small batch waits for company
  std::chrono::milliseconds flush_timeout{5000};
  std::chrono::milliseconds max_retry_delay{2000};
  std::chrono::milliseconds denied_window{60000};  // counting window of denied requests
  size_t denied_keys = 10000;                      // (address, action) pairs per window
  std::chrono::milliseconds retention{0};          // 0: entries are kept forever
  std::chrono::milliseconds prune_interval{std::chrono::hours(1)};
  int64_t prune_batch = 10000;  // rows per delete transaction
};

class AuditWriter {
 public:
  explicit AuditWriter(std::shared_ptr<CatalogAdmin> admin, AuditWriterOptions options = {});
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Queues `entry` (time_ms 0 means now: the time is taken here, not when
  // it is written). False when it was dropped: queue full, or stopped.
  bool Submit(AuditEntry entry);

  // Blocks until every entry submitted before the call is written or
  // dropped, or `timeout` passes; true if the queue drained.
  bool Flush(std::chrono::milliseconds timeout);

  // Flushes (bounded by flush_timeout) and stops the writer thread; later
  // Submit() calls drop. Idempotent.
  void Stop();

  struct Stats {
    uint64_t written = 0;  // entries committed
    uint64_t dropped = 0;  // entries refused because the queue was full, or lost at Stop
    uint64_t counted = 0;  // denied requests counted into a summary instead of written
    uint64_t pruned = 0;   // entries deleted for the retention
    uint64_t failed_batches = 0;
    size_t queued = 0;
  };
  Stats stats();

 private:
  struct State;
  static void Run(std::shared_ptr<State> state);
  static void Prune(State& s);
  // Shared with the writer thread, which may outlive this object when the
  // database hangs past the flush timeout (it is then detached).
  std::shared_ptr<State> state_;
};

}  // namespace lakeshare
