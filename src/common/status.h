// Status and Result<T>: the one error style of lakeshare.
//
// Every fallible function returns a Status (no value) or a Result<T> (a value
// or a non-OK Status). Exceptions from third-party libraries are caught at the
// boundary where they are called and turned into a Status. Codes are mapped to
// HTTP/protocol errors in exactly one place: server/errors.cc.
#pragma once

#include <cassert>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace lakeshare {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed (400)
  kNotFound,            // the object does not exist or is not visible (404)
  kUnauthenticated,     // no or bad credentials (401)
  kPermissionDenied,    // authenticated but not allowed (403)
  kFailedPrecondition,  // request is well formed but the object cannot serve it (400)
  kAlreadyExists,       // the name (or id) of an object to create is taken (409)
  kUnsupported,         // a feature we (deliberately) do not support (400)
  kTooLarge,            // request or input exceeds a configured limit (413)
  kTooManyRequests,     // the caller must wait before trying again (429)
  kCorruption,          // data read from storage is malformed (table metadata, files)
  kIOError,             // storage could not be read
  kUnavailable,         // a dependency is temporarily unavailable
  kInternal,            // a bug
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status TooLarge(std::string m) { return {StatusCode::kTooLarge, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status TooManyRequests(std::string m) {
    return {StatusCode::kTooManyRequests, std::move(m)};
  }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<prefix>: <message>".
  Status WithContext(std::string_view prefix) const;
  std::string ToString() const;

  bool operator==(const Status& o) const { return code_ == o.code_ && message_ == o.message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

// A value of type T, or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T ValueOr(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline const Status& ToStatus(const Status& s) { return s; }
template <typename T>
const Status& ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace lakeshare

#define LS_CONCAT_IMPL(a, b) a##b
#define LS_CONCAT(a, b) LS_CONCAT_IMPL(a, b)

// Returns the Status of `expr` (a Status or a Result) from the current function if it is not OK.
// The Status is copied out, so `LS_RETURN_IF_ERROR(F().status())` is safe even
// though status() refers into a temporary.
#define LS_RETURN_IF_ERROR(expr)                                          \
  do {                                                                    \
    ::lakeshare::Status _ls_st = ::lakeshare::internal::ToStatus((expr)); \
    if (!_ls_st.ok()) return _ls_st;                                      \
  } while (0)

#define LS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                             \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

// `LS_ASSIGN_OR_RETURN(auto x, Foo());` declares/assigns x or returns Foo()'s error.
#define LS_ASSIGN_OR_RETURN(lhs, rexpr) \
  LS_ASSIGN_OR_RETURN_IMPL(LS_CONCAT(_ls_result_, __LINE__), lhs, rexpr)
