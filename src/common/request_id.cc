#include "common/request_id.h"

#include <cstdint>
#include <random>

namespace lakeshare {
namespace {

thread_local const std::string* current_request_id = nullptr;

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

}  // namespace

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

std::string NewRequestId() {
  // Per thread: no lock on the request path. Seeded from the OS, so ids of
  // replicas and restarts do not collide.
  thread_local std::mt19937_64 rng{(static_cast<uint64_t>(std::random_device{}()) << 32) ^
                                   std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = rng();
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[v & 0xf];
    v >>= 4;
  }
  return out;
}

std::string RequestIdFrom(const std::string* header) {
  if (header != nullptr && IsSaneRequestId(*header)) return *header;
  return NewRequestId();
}

std::string_view CurrentRequestId() {
  return current_request_id == nullptr ? std::string_view() : *current_request_id;
}

ScopedRequestId::ScopedRequestId(const std::string& id) : previous_(current_request_id) {
  current_request_id = &id;
}

ScopedRequestId::~ScopedRequestId() { current_request_id = previous_; }

}  // namespace lakeshare
