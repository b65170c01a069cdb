#include "server/body_budget.h"

#include <utility>

namespace lakeshare {

BodyBudget::Reservation& BodyBudget::Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    Release();
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void BodyBudget::Reservation::Release() {
  if (budget_ != nullptr && bytes_ > 0) {
    budget_->held_.fetch_sub(bytes_, std::memory_order_relaxed);
  }
  budget_ = nullptr;
  bytes_ = 0;
}

bool BodyBudget::TryReserve(uint64_t bytes, Reservation* out) {
  out->Release();
  uint64_t held = held_.load(std::memory_order_relaxed);
  do {
    if (capacity_ > 0 && (bytes > capacity_ || held > capacity_ - bytes)) return false;
  } while (!held_.compare_exchange_weak(held, held + bytes, std::memory_order_relaxed));
  *out = Reservation(this, bytes);
  return true;
}

}  // namespace lakeshare
