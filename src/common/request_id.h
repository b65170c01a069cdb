// The id of the request a thread is working on: taken from a sane
// X-Request-Id header or made here, echoed in the response, printed on every
// log line written while the request is handled (the log formatter reads
// CurrentRequestId()) and stored in the audit log.
//
// Threading: the current id is thread-local; ScopedRequestId sets it for a
// scope on one thread (the string it points at must outlive the scope).
#pragma once

#include <string>
#include <string_view>

namespace lakeshare {

inline constexpr size_t kMaxRequestIdLength = 64;

// 1..64 characters of [A-Za-z0-9._:-]: safe in a log line, a header and a
// database column, and bounded.
bool IsSaneRequestId(std::string_view id);

// A new random id: 16 lowercase hex digits (64 bits).
std::string NewRequestId();

// The client's id when sane, else a new one.
std::string RequestIdFrom(const std::string* header);

// The id of the request this thread works on; "" when none.
std::string_view CurrentRequestId();

class ScopedRequestId {
 public:
  explicit ScopedRequestId(const std::string& id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  const std::string* previous_;
};

}  // namespace lakeshare
