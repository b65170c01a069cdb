// ParallelFor: runs independent pieces of one request's work (reading
// commits, decoding row groups, converting manifests, sorting halves) on a
// bounded, process-wide pool of threads.
//
// Contract:
//  - Bounded: the pool never has more than ThreadPool::kMaxThreads threads,
//    however many requests run at once; its threads are started as work
//    arrives and then kept. A request gets what is free, up to its own
//    `max_parallelism` (counting the calling thread).
//  - The calling thread always works too, taking indices like the helpers,
//    and waits only for indices a helper has already started. So a call
//    never waits for a free thread, and nesting is safe: work(i) may itself
//    call ParallelFor (or run on a pool thread) without deadlock; when the
//    pool is busy the caller simply does more of the work itself.
//  - Errors: work(i) returns a Status. When one fails, indices above it that
//    have not started are skipped (cancellation), those below still run, and
//    ParallelFor returns the error of the lowest failing index: the same
//    answer as running 0..n-1 one after the other and stopping at the first
//    error. An exception thrown by work(i) is its Status: kUnavailable for
//    std::bad_alloc, kInternal for any other.
//  - There is no other cancellation: a caller that must stop early (say, at
//    a deadline) returns an error from work.
//  - work(i) runs at most once per index and may run on any thread, so what
//    it shares with other indices must be safe to use concurrently; each
//    index should write only its own output slot.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"

namespace lakeshare {

class ThreadPool {
 public:
  // The pool's bound: max(8, 2 x cores). Work is I/O as often as it is CPU
  // (commits read from a store 8 at a time), hence more threads than cores.
  static size_t MaxThreads();

  // The process-wide pool (never destroyed: its threads outlive main).
  static ThreadPool& Shared();

  explicit ThreadPool(size_t max_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `task` to run on a pool thread, starting one if none is idle and
  // the bound allows. False (nothing queued) when the queue already holds
  // as many tasks as the pool has threads: the caller should do the work
  // itself. Tasks must not throw.
  bool TrySubmit(std::function<void()> task);

  size_t threads() const;

 private:
  void Run();

  const size_t max_threads_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  std::vector<std::thread> threads_;         // guarded by mu_
  size_t idle_ = 0;                          // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
};

// Runs work(i) for every i in [0, n) on up to `max_parallelism` threads of
// ThreadPool::Shared() (the caller included); see the contract above.
// max_parallelism <= 1 runs everything on the calling thread.
Status ParallelFor(size_t n, size_t max_parallelism, const std::function<Status(size_t)>& work);

}  // namespace lakeshare
