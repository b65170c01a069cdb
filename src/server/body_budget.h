// A server-wide bound on the request body bytes held by connections whose
// requests have not been handled yet (so not authenticated either): a
// connection reserves what its body may grow to (the declared Content-Length,
// or the body limit for a chunked body) before reading it, and gives it back
// when the handler is done with the request. Without it, many connections
// each just under the per-request body limit add up to any amount of memory.
// Thread-safe (one atomic counter).
#pragma once

#include <atomic>
#include <cstdint>

namespace lakeshare {

class BodyBudget {
 public:
  explicit BodyBudget(uint64_t capacity) : capacity_(capacity) {}

  // A held reservation; gives its bytes back when destroyed. Movable.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) {
      other.budget_ = nullptr;
      other.bytes_ = 0;
    }
    Reservation& operator=(Reservation&& other) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation() { Release(); }

    void Release();
    uint64_t bytes() const { return bytes_; }

   private:
    friend class BodyBudget;
    Reservation(BodyBudget* budget, uint64_t bytes) : budget_(budget), bytes_(bytes) {}
    BodyBudget* budget_ = nullptr;
    uint64_t bytes_ = 0;
  };

  // True and `*out` holding `bytes` if they fit; false (nothing reserved)
  // otherwise. A capacity of 0 means no bound.
  bool TryReserve(uint64_t bytes, Reservation* out);
  uint64_t held() const { return held_.load(std::memory_order_relaxed); }

 private:
  const uint64_t capacity_;
  std::atomic<uint64_t> held_{0};
};

}  // namespace lakeshare
