// CompactOptional<T>: an optional value kept on the heap, so an empty one
// costs one pointer instead of sizeof(T). For rarely present fields of
// objects held by the million (a data file's deletion vector or tags).
//
// Value semantics like std::optional (copies are deep); not thread-safe for
// concurrent mutation, like any value.
#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace lakeshare {

template <typename T>
class CompactOptional {
 public:
  CompactOptional() = default;
  CompactOptional(std::nullopt_t) {}  // NOLINT: implicit like std::optional
  CompactOptional(T value)            // NOLINT
      : value_(std::make_unique<T>(std::move(value))) {}
  CompactOptional(std::optional<T> value) {  // NOLINT
    if (value) value_ = std::make_unique<T>(std::move(*value));
  }
  CompactOptional(const CompactOptional& o)
      : value_(o.value_ ? std::make_unique<T>(*o) : nullptr) {}
  CompactOptional(CompactOptional&&) noexcept = default;
  CompactOptional& operator=(const CompactOptional& o) {
    if (this != &o) value_ = o.value_ ? std::make_unique<T>(*o) : nullptr;
    return *this;
  }
  CompactOptional& operator=(CompactOptional&&) noexcept = default;
  CompactOptional& operator=(std::nullopt_t) {
    value_.reset();
    return *this;
  }

  bool has_value() const { return value_ != nullptr; }
  explicit operator bool() const { return value_ != nullptr; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return value_.get(); }
  const T* operator->() const { return value_.get(); }
  // nullptr when empty.
  const T* get() const { return value_.get(); }

  template <typename... Args>
  T& emplace(Args&&... args) {
    value_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *value_;
  }
  void reset() { value_.reset(); }
  std::optional<T> ToOptional() const { return value_ ? std::optional<T>(*value_) : std::nullopt; }

  friend bool operator==(const CompactOptional& a, const CompactOptional& b) {
    if (!a || !b) return !a && !b;
    return *a == *b;
  }

 private:
  std::unique_ptr<T> value_;
};

}  // namespace lakeshare
