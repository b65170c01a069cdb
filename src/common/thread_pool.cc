#include "common/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <system_error>
#include <utility>

namespace lakeshare {
namespace {

// What one ParallelFor shares with its helpers. Helpers hold it by
// shared_ptr: one that starts after the call returned finds no index left
// and never touches `work`.
struct ParallelState {
  ParallelState(size_t count, const std::function<Status(size_t)>* fn)
      : n(count), work(fn), first_failed(count), error_index(count) {}

  const size_t n;
  const std::function<Status(size_t)>* const work;  // valid while indices remain
  std::atomic<size_t> next{0};
  std::atomic<size_t> finished{0};  // indices run or skipped
  std::atomic<size_t> first_failed;

  std::mutex mu;
  std::condition_variable all_done;
  size_t error_index;  // guarded by mu
  Status error;        // guarded by mu
};

Status RunOne(const std::function<Status(size_t)>& work, size_t i) {
  try {
    return work(i);
  } catch (const std::bad_alloc&) {
    return Status::Unavailable("out of memory");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("unexpected exception: ") + e.what());
  } catch (...) {
    return Status::Internal("unexpected exception");
  }
}

// Takes indices until none is left.
void Drain(ParallelState& s) {
  for (size_t i = s.next.fetch_add(1); i < s.n; i = s.next.fetch_add(1)) {
    if (i < s.first_failed.load()) {
      Status st = RunOne(*s.work, i);
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(s.mu);
        if (i < s.error_index) {
          s.error_index = i;
          s.error = std::move(st);
        }
        size_t seen = s.first_failed.load();
        while (i < seen && !s.first_failed.compare_exchange_weak(seen, i)) {
        }
      }
    }
    if (s.finished.fetch_add(1) + 1 == s.n) {
      std::lock_guard<std::mutex> lock(s.mu);
      s.all_done.notify_all();
    }
  }
}

}  // namespace

size_t ThreadPool::MaxThreads() {
  return std::max<size_t>(8, 2 * static_cast<size_t>(std::thread::hardware_concurrency()));
}

ThreadPool& ThreadPool::Shared() {
  static ThreadPool* pool = new ThreadPool(MaxThreads());
  return *pool;
}

ThreadPool::ThreadPool(size_t max_threads) : max_threads_(std::max<size_t>(1, max_threads)) {}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool ThreadPool::TrySubmit(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ || queue_.size() >= max_threads_) return false;
  queue_.push_back(std::move(task));
  if (idle_ < queue_.size() && threads_.size() < max_threads_) {
    try {
      threads_.emplace_back([this] { Run(); });
    } catch (const std::system_error&) {
      // No thread to spare: an existing one (or the caller) does the work.
    }
  }
  wake_.notify_one();
  return true;
}

size_t ThreadPool::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_.size();
}

void ThreadPool::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    ++idle_;
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (queue_.empty()) return;  // stopping
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

Status ParallelFor(size_t n, size_t max_parallelism, const std::function<Status(size_t)>& work) {
  if (n == 0) return Status::OK();
  const size_t helpers = std::min(n, std::max<size_t>(max_parallelism, 1)) - 1;
  if (helpers == 0) {
    for (size_t i = 0; i < n; ++i) LS_RETURN_IF_ERROR(RunOne(work, i));
    return Status::OK();
  }
  auto state = std::make_shared<ParallelState>(n, &work);
  ThreadPool& pool = ThreadPool::Shared();
  for (size_t h = 0; h < helpers; ++h) {
    if (!pool.TrySubmit([state] { Drain(*state); })) break;
  }
  Drain(*state);
  std::unique_lock<std::mutex> lock(state->mu);
  state->all_done.wait(lock, [&] { return state->finished.load() == n; });
  return state->error_index < n ? state->error : Status::OK();
}

}  // namespace lakeshare
