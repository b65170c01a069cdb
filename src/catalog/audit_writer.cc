#include "catalog/audit_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "catalog/denied_request_tally.h"
#include "common/time_util.h"

namespace lakeshare {

using Clock = std::chrono::steady_clock;

struct AuditWriter::State {
  State(std::shared_ptr<CatalogAdmin> a, AuditWriterOptions o)
      : admin(std::move(a)), options(o), denied(o.denied_window.count(), o.denied_keys) {}

  std::shared_ptr<CatalogAdmin> admin;
  const AuditWriterOptions options;

  std::mutex mu;
  std::condition_variable wake;     // the writer: entries arrived, or stop
  std::condition_variable drained;  // Flush(), Stop(): progress was made
  std::deque<AuditEntry> queue;     // the front entries may be in flight
  bool stopping = false;
  bool finished = false;   // the writer thread has returned
  uint64_t submitted = 0;  // entries accepted
  uint64_t done = 0;       // accepted entries written or given up
  Stats stats;
  uint64_t unreported_drops = 0;  // not yet recorded in the audit log
  Clock::time_point last_drop_log{};
  Clock::time_point deadline{};
  DeniedRequestTally denied;
  Clock::time_point next_prune{};  // the epoch: due at start

  bool PruneDue() const {
    return options.retention.count() > 0 && !stopping && Clock::now() >= next_prune;
  }
  bool TallyDue() const {
    int64_t close = denied.next_close_ms();
    return close != 0 && (stopping || NowMillis() >= close);
  }
  // Sleeps until there are entries, a stop, a closed tally window or a due prune.
  void WaitForWork(std::unique_lock<std::mutex>& lock) {
    while (queue.empty() && !stopping && !TallyDue() && !PruneDue()) {
      auto until = Clock::time_point::max();
      if (options.retention.count() > 0) until = next_prune;
      if (int64_t close = denied.next_close_ms(); close != 0) {
        until = std::min(until, Clock::now() + std::chrono::milliseconds(close - NowMillis()));
      }
      if (until == Clock::time_point::max()) {
        wake.wait(lock);
      } else {
        wake.wait_until(lock, until);
      }
    }
  }
};

AuditWriter::AuditWriter(std::shared_ptr<CatalogAdmin> admin, AuditWriterOptions options)
    : state_(std::make_shared<State>(std::move(admin), options)) {
  std::thread([s = state_] { Run(s); }).detach();
}

AuditWriter::~AuditWriter() { Stop(); }

bool AuditWriter::Submit(AuditEntry entry) {
  if (entry.time_ms == 0) entry.time_ms = NowMillis();
  State& s = *state_;
  uint64_t dropped = 0;
  {
    std::lock_guard lock(s.mu);
    if (!s.stopping && DeniedRequestTally::Counts(entry) && !s.denied.Admit(entry)) {
      ++s.stats.counted;
      if (s.TallyDue()) s.wake.notify_one();  // the entry closed a window
      return true;
    }
    if (!s.stopping && s.queue.size() < s.options.capacity) {
      s.queue.push_back(std::move(entry));
      ++s.submitted;
      s.wake.notify_one();
      return true;
    }
    ++s.stats.dropped;
    if (s.stopping) return false;  // after shutdown: nothing to log it to
    ++s.unreported_drops;
    auto now = Clock::now();
    if (now - s.last_drop_log > std::chrono::seconds(10)) {
      s.last_drop_log = now;
      dropped = s.stats.dropped;
    }
  }
  if (dropped > 0) {
    spdlog::warn("audit log queue full (database down or too slow): {} entries dropped so far",
                 dropped);
  }
  return false;
}

bool AuditWriter::Flush(std::chrono::milliseconds timeout) {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  uint64_t target = s.submitted;
  return s.drained.wait_for(lock, timeout, [&] { return s.done >= target || s.finished; }) &&
         s.done >= target;
}

void AuditWriter::Stop() {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  if (!s.stopping) {
    s.stopping = true;
    s.deadline = Clock::now() + s.options.flush_timeout;
    s.wake.notify_all();
  }
  // The writer gives up at the deadline; a batch stuck in the database may
  // hold it longer, and then it is left to finish on its own.
  if (!s.drained.wait_for(lock, 2 * s.options.flush_timeout, [&] { return s.finished; })) {
    uint64_t lost = s.submitted - s.done;
    lock.unlock();
    spdlog::error("audit log: the database did not answer; {} entries may be lost", lost);
  }
}

AuditWriter::Stats AuditWriter::stats() {
  std::lock_guard lock(state_->mu);
  Stats st = state_->stats;
  st.queued = state_->queue.size();
  return st;
}

void AuditWriter::Prune(State& s) {
  int64_t before = NowMillis() - s.options.retention.count();
  int64_t total = 0;
  for (;;) {
    Result<int64_t> n = s.admin->PruneAudit(before, s.options.prune_batch);
    if (!n.ok()) {
      spdlog::warn("audit log: deleting entries past the retention failed ({}); will retry",
                   n.status().message());
      break;
    }
    total += *n;
    if (*n < s.options.prune_batch) break;
    std::lock_guard lock(s.mu);
    if (s.stopping) break;
  }
  if (total > 0) spdlog::info("audit log: deleted {} entries past the retention", total);
  std::lock_guard lock(s.mu);
  s.stats.pruned += static_cast<uint64_t>(total);
}

void AuditWriter::Run(std::shared_ptr<State> state) {
  State& s = *state;
  std::chrono::milliseconds backoff{50};
  std::unique_lock lock(s.mu);
  for (;;) {
    s.WaitForWork(lock);
    if (s.TallyDue()) {
      for (AuditEntry& e : s.denied.TakeClosed(NowMillis(), s.stopping)) {
        s.queue.push_back(std::move(e));
        ++s.submitted;
      }
    }
    if (s.PruneDue()) {
      s.next_prune = Clock::now() + s.options.prune_interval;
      lock.unlock();
      Prune(s);
      lock.lock();
      continue;
    }
    if (s.queue.empty() && !s.stopping) continue;
    // Let a small batch grow a little: fewer, larger commits cost the
    // database less than one per request.
    if (!s.stopping && s.queue.size() < s.options.max_batch && s.options.linger.count() > 0) {
      s.wake.wait_for(lock, s.options.linger,
                      [&] { return s.stopping || s.queue.size() >= s.options.max_batch; });
    }
    if (s.queue.empty()) break;  // stopping, and everything is written
    if (s.stopping && Clock::now() >= s.deadline) {
      size_t lost = s.queue.size();
      s.queue.clear();
      s.stats.dropped += lost;
      s.done += lost;
      lock.unlock();
      spdlog::error("audit log: {} entries could not be written before shutdown", lost);
      lock.lock();
      break;
    }
    size_t n = std::min(s.queue.size(), s.options.max_batch);
    std::vector<AuditEntry> batch;
    batch.reserve(n + 1);
    uint64_t drops = s.unreported_drops;
    if (drops > 0) {
      AuditEntry note;
      note.time_ms = NowMillis();
      note.actor_kind = "system";
      note.action = "auditEntriesDropped";
      note.outcome = "error";
      note.detail = std::to_string(drops) + " audit entries were dropped: the queue was full";
      batch.push_back(std::move(note));
    }
    for (size_t i = 0; i < n; ++i) batch.push_back(s.queue[i]);
    lock.unlock();
    Status st = s.admin->AppendAuditBatch(batch);
    lock.lock();
    if (st.ok()) {
      s.queue.erase(s.queue.begin(), s.queue.begin() + static_cast<std::ptrdiff_t>(n));
      s.done += n;
      s.stats.written += n;
      s.unreported_drops -= drops;
      backoff = std::chrono::milliseconds(50);
      s.drained.notify_all();
      continue;
    }
    ++s.stats.failed_batches;
    lock.unlock();
    spdlog::warn("audit log: writing {} entries failed ({}); will retry", n, st.message());
    lock.lock();
    // Wait before retrying; a stop request ends the wait early, and the
    // retries go on until the flush deadline.
    auto wait = backoff;
    if (s.stopping) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(s.deadline - Clock::now());
      wait = std::max(std::chrono::milliseconds(0), std::min(wait, left));
    }
    bool was_stopping = s.stopping;
    s.wake.wait_for(lock, wait, [&] { return s.stopping != was_stopping; });
    backoff = std::min(backoff * 2, s.options.max_retry_delay);
  }
  s.finished = true;
  s.drained.notify_all();
}

}  // namespace lakeshare
