#include "protocol/lines_ahead.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <utility>
#include <vector>

#include "common/thread_pool.h"

namespace lakeshare {
namespace {

// Ranges are cut by file count: small enough that a range is about one
// piece, large enough that a range's overhead (a lock, a hand-over) is
// negligible next to its lines.
constexpr size_t kFirstRangeFiles = 128;
constexpr size_t kMinRangeFiles = 16;
constexpr size_t kMaxRangeFiles = 4096;
// While an answer has helpers (fewer answers than cores), its ranges are
// larger than a piece: a quarter of the hand-overs, writes and wake-ups
// (about 10 % of a warm answer's server CPU); the memory this takes is
// bounded by the cores, not by the answers.
constexpr size_t kAloneRangeBytes = size_t{1} << 20;

std::atomic<size_t> g_active_answers{0};

size_t Cores() {
  static const size_t kCores = std::max<size_t>(1, std::thread::hardware_concurrency());
  return kCores;
}

// Helpers one answer may have now: the cores no other answer keeps busy.
size_t AllowedHelpers() {
  const size_t answers = g_active_answers.load(std::memory_order_relaxed);
  const size_t cores = Cores();
  return answers >= cores ? 0 : std::min(LinesAhead::kMaxHelpers, cores - answers);
}

}  // namespace

struct LinesAhead::State {
  State(Source s, size_t first, size_t target)
      : source(std::move(s)),
        end(source.snapshot->files.size()),
        next(first),
        target_bytes(target) {
    // One signer per range in production at most: Produce's push_back
    // (on pool threads, which must not throw) never allocates.
    signers.reserve(kWindow);
  }

  struct Range {
    size_t begin = 0;
    size_t end = 0;
    bool done = false;
    std::string bytes;
    Status status;
  };

  const Source source;
  const size_t end;

  std::mutex mu;
  std::condition_variable range_done;
  std::deque<Range> window;  // claimed and not taken, in order
  size_t next;               // first file of the next range to claim
  size_t target_bytes;
  uint64_t done_files = 0;  // over the ranges done: what a file's line weighs
  uint64_t done_bytes = 0;
  bool stopped = false;                              // cancelled, or a range failed
  size_t helpers = 0;                                // pool tasks running or queued
  std::vector<std::unique_ptr<FileSigner>> signers;  // idle ones
  std::vector<std::string> buffers;                  // idle ones

  // A range for the caller to produce, or null. `*signer` and `*buffer`
  // are the caller's until Finish. Requires mu.
  Range* ClaimLocked(std::unique_ptr<FileSigner>* signer, std::string* buffer) {
    if (stopped || next >= end || window.size() >= kWindow) return nullptr;
    size_t n = kFirstRangeFiles;
    if (done_files > 0) {
      const uint64_t per_file = std::max<uint64_t>(1, done_bytes / done_files);
      const size_t target =
          AllowedHelpers() > 0 ? std::max(target_bytes, kAloneRangeBytes) : target_bytes;
      n = std::clamp<size_t>(target / per_file, kMinRangeFiles, kMaxRangeFiles);
    }
    Range& r = window.emplace_back();
    r.begin = next;
    r.end = std::min(end, next + n);
    next = r.end;
    if (!signers.empty()) {
      *signer = std::move(signers.back());
      signers.pop_back();
    }
    if (!buffers.empty()) {
      *buffer = std::move(buffers.back());
      buffers.pop_back();
    }
    return &r;  // deque: stays valid while ranges are added at the back
  }

  // Produces `r`'s lines without the lock (r's begin/end are not modified
  // once claimed), then hands them over.
  void Produce(Range* r, std::unique_ptr<FileSigner> signer, std::string buffer) {
    buffer.clear();
    Status st;
    try {
      if (!signer) signer = std::make_unique<FileSigner>(source.signer);
      st = AppendFileRangeLines(&buffer, source.snapshot->files, r->begin, r->end,
                                source.filter.get(), *signer, source.format, source.id_hash,
                                source.line_options);
    } catch (const std::bad_alloc&) {
      st = Status::Unavailable("out of memory");
    } catch (const std::exception& e) {
      st = Status::Internal(std::string("unexpected exception: ") + e.what());
    } catch (...) {
      st = Status::Internal("unexpected exception");
    }
    std::lock_guard<std::mutex> lock(mu);
    r->bytes = std::move(buffer);
    r->status = std::move(st);
    r->done = true;
    if (!r->status.ok()) stopped = true;
    done_files += r->end - r->begin;
    done_bytes += r->bytes.size();
    signers.push_back(std::move(signer));
    range_done.notify_all();
  }

  // A pool thread: produces ranges while the window and the answers allow.
  static void Help(const std::shared_ptr<State>& self) {
    std::unique_lock<std::mutex> lock(self->mu);
    while (self->helpers <= AllowedHelpers()) {
      std::unique_ptr<FileSigner> signer;
      std::string buffer;
      Range* r = self->ClaimLocked(&signer, &buffer);
      if (r == nullptr) break;
      lock.unlock();
      self->Produce(r, std::move(signer), std::move(buffer));
      lock.lock();
    }
    --self->helpers;
  }

  // Starts helpers up to what is allowed. Requires mu.
  static void StartHelpersLocked(const std::shared_ptr<State>& self) {
    const size_t allowed = AllowedHelpers();
    size_t unclaimed = kWindow - std::min(kWindow, self->window.size());
    while (self->helpers < allowed && unclaimed > 0 && !self->stopped && self->next < self->end) {
      ++self->helpers;
      if (!ThreadPool::Shared().TrySubmit([self] { Help(self); })) {
        --self->helpers;  // the pool is full: the reader produces
        return;
      }
      --unclaimed;
    }
  }
};

LinesAhead::LinesAhead(Source source, size_t begin, size_t target_bytes)
    : state_(std::make_shared<State>(std::move(source), begin, std::max<size_t>(1, target_bytes))) {
  g_active_answers.fetch_add(1, std::memory_order_relaxed);
}

LinesAhead::~LinesAhead() {
  g_active_answers.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->stopped = true;
}

size_t LinesAhead::ActiveAnswers() { return g_active_answers.load(std::memory_order_relaxed); }

LinesAhead::Taken LinesAhead::Take(std::string* out) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  State::StartHelpersLocked(state_);
  while (true) {
    if (s.window.empty()) {
      std::unique_ptr<FileSigner> signer;
      std::string buffer;
      State::Range* r = s.ClaimLocked(&signer, &buffer);
      if (r == nullptr) return Taken{Status::OK(), true};  // nothing left (or stopped)
      lock.unlock();
      s.Produce(r, std::move(signer), std::move(buffer));
      lock.lock();
      continue;
    }
    State::Range& front = s.window.front();
    if (front.done) {
      Taken taken{std::move(front.status), false};
      if (out->empty()) {
        out->swap(front.bytes);
        s.buffers.push_back(std::move(front.bytes));  // *out's old buffer, for a later range
      } else {
        out->append(front.bytes);
        s.buffers.push_back(std::move(front.bytes));
      }
      s.window.pop_front();
      taken.last = !taken.status.ok() || (s.window.empty() && s.next >= s.end);
      if (!taken.last) State::StartHelpersLocked(state_);
      return taken;
    }
    // A helper is on the range needed: produce a later one meanwhile.
    std::unique_ptr<FileSigner> signer;
    std::string buffer;
    if (State::Range* r = s.ClaimLocked(&signer, &buffer)) {
      lock.unlock();
      s.Produce(r, std::move(signer), std::move(buffer));
      lock.lock();
      continue;
    }
    s.range_done.wait(lock, [&] { return s.window.front().done; });
  }
}

}  // namespace lakeshare
