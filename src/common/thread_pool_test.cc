#include "common/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <thread>
#include <vector>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

TEST(ParallelForTest, RunsEveryIndexOnce) {
  std::vector<std::atomic<int>> runs(1000);
  ASSERT_OK(ParallelFor(runs.size(), 4, [&](size_t i) {
    runs[i].fetch_add(1);
    return Status::OK();
  }));
  for (const auto& r : runs) EXPECT_EQ(r.load(), 1);
}

TEST(ParallelForTest, NothingToDoIsOk) {
  EXPECT_OK(ParallelFor(0, 4, [](size_t) { return Status::Internal("never called"); }));
}

TEST(ParallelForTest, ParallelismOneRunsInOrderOnTheCaller) {
  std::vector<size_t> order;
  const std::thread::id caller = std::this_thread::get_id();
  ASSERT_OK(ParallelFor(5, 1, [&](size_t i) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    order.push_back(i);
    return Status::OK();
  }));
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
}

TEST(ParallelForTest, LowestFailingIndexWins) {
  // Whatever the threads' timing, the answer is that of a sequential run.
  for (int round = 0; round < 20; ++round) {
    Status st = ParallelFor(200, 8, [](size_t i) {
      if (i == 37) return Status::NotFound("37");
      if (i == 150) return Status::Corruption("150");
      return Status::OK();
    });
    EXPECT_THAT(st, StatusIs(StatusCode::kNotFound));
  }
}

TEST(ParallelForTest, IndicesBelowAFailureStillRun) {
  std::vector<std::atomic<int>> runs(300);
  Status st = ParallelFor(runs.size(), 4, [&](size_t i) {
    runs[i].fetch_add(1);
    return i == 299 ? Status::IOError("last") : Status::OK();
  });
  EXPECT_THAT(st, StatusIs(StatusCode::kIOError));
  for (const auto& r : runs) EXPECT_EQ(r.load(), 1);
}

TEST(ParallelForTest, ExceptionsBecomeStatuses) {
  EXPECT_THAT(ParallelFor(4, 2,
                          [](size_t i) -> Status {
                            if (i == 1) throw std::bad_alloc();
                            return Status::OK();
                          }),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(ParallelFor(4, 2,
                          [](size_t i) -> Status {
                            if (i == 2) throw std::runtime_error("boom");
                            return Status::OK();
                          }),
              StatusIs(StatusCode::kInternal));
}

TEST(ParallelForTest, NestedCallsDoNotDeadlock) {
  // More outer work than pool threads, each calling ParallelFor again: the
  // callers do the work themselves when the pool is busy.
  const size_t outer = ThreadPool::MaxThreads() * 2;
  std::atomic<size_t> total{0};
  ASSERT_OK(ParallelFor(outer, outer, [&](size_t) {
    return ParallelFor(50, 8, [&](size_t) {
      total.fetch_add(1);
      return Status::OK();
    });
  }));
  EXPECT_EQ(total.load(), outer * 50);
}

TEST(ThreadPoolTest, NeverStartsMoreThreadsThanItsBound) {
  ThreadPool pool(2);
  std::atomic<int> done{0};
  int queued = 0;
  for (int i = 0; i < 100; ++i) {
    if (pool.TrySubmit([&] { done.fetch_add(1); })) ++queued;
    EXPECT_LE(pool.threads(), 2u);
  }
  EXPECT_GT(queued, 0);
  while (done.load() < queued) std::this_thread::yield();
  EXPECT_LE(pool.threads(), 2u);
}

TEST(ThreadPoolTest, RefusesWorkWhenItsQueueIsFull) {
  // Declared before the pool: its destructor joins the task that reads them.
  std::atomic<bool> release{false};
  std::atomic<int> started{0};
  ThreadPool pool(1);
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.fetch_add(1);
    while (!release.load()) std::this_thread::yield();
  }));
  while (started.load() == 0) std::this_thread::yield();
  // The one thread is busy: one task may wait in the queue, no more.
  EXPECT_TRUE(pool.TrySubmit([] {}));
  EXPECT_FALSE(pool.TrySubmit([] {}));
  release.store(true);
}

}  // namespace
}  // namespace lakeshare
