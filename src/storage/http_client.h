// The HTTP client of the project, on libcurl: the object-store backends and
// the Iceberg REST catalog (iceberg/rest_catalog.h) send through it.
//
// Connections, DNS answers and TLS sessions are shared by all requests (a
// curl share handle) and easy handles are pooled, so consecutive requests to
// a store reuse a warm connection. Every attempt has a connect timeout and a
// total timeout. Connection failures, timeouts, truncated bodies and the
// statuses stores use for throttling or transient trouble (429, 500, 502,
// 503, 504) are retried a bounded number of times with exponential backoff
// and full jitter (honouring Retry-After up to the backoff cap); other 4xx
// answers are never retried.
//
// Errors: a request that never got an answer is kUnavailable (unreachable,
// timed out) or kIOError (truncated body); a body over the call's limit is
// kTooLarge. Messages name `HttpCall::what` (a store location), never the URL
// (it may carry a SAS token or a signature). HTTP error statuses are not
// errors here: the caller maps them. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "metrics/metrics_registry.h"

namespace lakeshare {

struct HttpClientOptions {
  int64_t connect_timeout_ms = 5000;
  int64_t request_timeout_ms = 120000;  // per attempt, whole transfer
  // A transfer slower than 1 byte/s for this long is abandoned (and retried).
  int64_t stall_timeout_ms = 30000;
  int max_attempts = 4;  // first try + retries
  int64_t initial_backoff_ms = 100;
  int64_t max_backoff_ms = 4000;
  size_t max_pooled_handles = 32;
  // Stores that answer slowly with 503 SlowDown want slower callers: when
  // false (tests), Retry-After is ignored.
  bool honour_retry_after = true;
};

// Where one backend's requests are counted (metrics/metrics_registry.h
// series; storage/object_store_metrics.h makes them). Null members count
// nothing.
struct HttpClientMetrics {
  Counter* requests = nullptr;  // attempts sent
  Counter* retries = nullptr;
  Counter* errors = nullptr;     // calls that failed in the end (no answer, or 429/5xx)
  Histogram* seconds = nullptr;  // per attempt
};

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int64_t max_response_bytes = int64_t{1} << 31;
  std::string what;                            // for messages: "s3://bucket/key"
  std::string peer = "the store";              // who answers, for messages
  const HttpClientMetrics* metrics = nullptr;  // must outlive the call
};

struct HttpAnswer {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  int attempts = 0;

  const std::string* Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
};

// Counters for benchmarks and tests.
struct HttpClientStats {
  int64_t requests = 0;  // attempts sent
  int64_t retries = 0;
  int64_t connections_opened = 0;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `call`, retrying as described above.
  Result<HttpAnswer> Send(const HttpCall& call);
  // As Send, but asks `make` for the request before every attempt (so a
  // signature can carry the attempt's time).
  Result<HttpAnswer> Send(const std::function<Result<HttpCall>()>& make);

  HttpClientStats stats() const;
  const HttpClientOptions& options() const { return options_; }

  static bool IsRetryableStatus(long status);

 private:
  struct Attempt;
  Attempt Perform(const HttpCall& call);
  void* AcquireHandle();
  void ReleaseHandle(void* handle);
  int64_t BackoffMs(int attempt, const HttpAnswer* answer) const;

  struct ShareLocks;
  const HttpClientOptions options_;
  std::unique_ptr<ShareLocks> share_locks_;
  void* share_ = nullptr;  // CURLSH*
  std::mutex pool_mu_;
  std::vector<void*> pool_;  // idle CURL*, guarded by pool_mu_
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> retries_{0};
  std::atomic<int64_t> connections_{0};
};

}  // namespace lakeshare
