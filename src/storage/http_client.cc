#include "storage/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "common/strings.h"

namespace lakeshare {
namespace {

std::once_flag g_curl_init;

bool RetryableCurlCode(CURLcode c) {
  switch (c) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

struct Sink {
  std::string* body;
  int64_t limit;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t bytes = size * n;
  if (static_cast<int64_t>(sink->body->size() + bytes) > sink->limit) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, bytes);
  return bytes;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100 Continue)
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  AsciiLowerInPlace(&name);
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  (*headers)[name] = std::string(value);
  return size * n;
}

int64_t RandomBelow(int64_t n) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  if (n <= 0) return 0;
  return std::uniform_int_distribution<int64_t>(0, n - 1)(rng);
}

}  // namespace

struct HttpClient::ShareLocks {
  std::mutex mu[CURL_LOCK_DATA_LAST];
};

struct HttpClient::Attempt {
  CURLcode code = CURLE_OK;
  bool too_large = false;
  HttpAnswer answer;
};

namespace {

void LockShare(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<std::mutex*>(user)[data].lock();
}
void UnlockShare(CURL*, curl_lock_data data, void* user) {
  static_cast<std::mutex*>(user)[data].unlock();
}

}  // namespace

HttpClient::HttpClient(HttpClientOptions options)
    : options_(options), share_locks_(std::make_unique<ShareLocks>()) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURLSH* share = curl_share_init();
  curl_share_setopt(share, CURLSHOPT_LOCKFUNC, LockShare);
  curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, UnlockShare);
  curl_share_setopt(share, CURLSHOPT_USERDATA, share_locks_->mu);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  share_ = share;
}

HttpClient::~HttpClient() {
  for (void* h : pool_) curl_easy_cleanup(static_cast<CURL*>(h));
  curl_share_cleanup(static_cast<CURLSH*>(share_));
}

void* HttpClient::AcquireHandle() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!pool_.empty()) {
      void* h = pool_.back();
      pool_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::ReleaseHandle(void* handle) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (pool_.size() < options_.max_pooled_handles) {
    pool_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

bool HttpClient::IsRetryableStatus(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

HttpClient::Attempt HttpClient::Perform(const HttpCall& call) {
  Attempt a;
  CURL* h = static_cast<CURL*>(AcquireHandle());
  if (h == nullptr) {
    a.code = CURLE_OUT_OF_MEMORY;
    return a;
  }
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_SHARE, static_cast<CURLSH*>(share_));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout_ms));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                   std::max(1L, static_cast<long>(options_.stall_timeout_ms / 1000)));
  curl_easy_setopt(h, CURLOPT_MAXCONNECTS, 64L);  // the shared cache keeps this many idle
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);    // what was signed is what is sent
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  if (call.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (call.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  if (!call.body.empty() || call.method == "PUT" || call.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  }
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");
  for (const auto& [k, v] : call.headers) {
    std::string line = v.empty() ? k + ";" : k + ": " + v;
    headers = curl_slist_append(headers, line.c_str());
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  Sink sink{&a.answer.body, call.max_response_bytes};
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &a.answer.headers);

  a.code = curl_easy_perform(h);
  a.too_large = sink.too_large;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.answer.status);
  long connects = 0;
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
  connections_ += connects;
  curl_slist_free_all(headers);
  curl_easy_setopt(h, CURLOPT_SHARE, nullptr);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  if (a.code == CURLE_OK) {
    ReleaseHandle(h);
  } else {
    curl_easy_cleanup(h);  // a broken transfer may leave odd state behind
  }
  return a;
}

int64_t HttpClient::BackoffMs(int attempt, const HttpAnswer* answer) const {
  int64_t cap = options_.initial_backoff_ms << std::min(attempt - 1, 20);
  cap = std::min(cap, options_.max_backoff_ms);
  int64_t wait = RandomBelow(cap + 1);
  if (answer != nullptr && options_.honour_retry_after) {
    if (const std::string* ra = answer->Header("retry-after")) {
      // Seconds; the HTTP-date form is not honoured.
      std::optional<int64_t> s = ParseNumber<int64_t>(TrimWhitespace(*ra));
      if (s && *s > 0 && *s < INT64_MAX / 1000) {
        wait = std::max(wait, std::min<int64_t>(*s * 1000, options_.max_backoff_ms));
      }
    }
  }
  return wait;
}

Result<HttpAnswer> HttpClient::Send(const HttpCall& call) {
  return Send([&call]() -> Result<HttpCall> { return call; });
}

Result<HttpAnswer> HttpClient::Send(const std::function<Result<HttpCall>()>& make) {
  int max_attempts = std::max(1, options_.max_attempts);
  for (int attempt = 1;; ++attempt) {
    LS_ASSIGN_OR_RETURN(HttpCall call, make());
    const HttpClientMetrics* m = call.metrics;
    const auto started = std::chrono::steady_clock::now();
    Attempt a = Perform(call);
    ++requests_;
    if (m != nullptr) {
      if (m->requests != nullptr) m->requests->Increment();
      if (m->seconds != nullptr) {
        m->seconds->Observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      }
    }
    auto failed = [m] {
      if (m != nullptr && m->errors != nullptr) m->errors->Increment();
    };
    const std::string& what = call.what.empty() ? call.peer : call.what;
    if (a.code == CURLE_OK) {
      if (!IsRetryableStatus(a.answer.status) || attempt >= max_attempts) {
        if (IsRetryableStatus(a.answer.status)) failed();
        a.answer.attempts = attempt;
        return std::move(a.answer);
      }
    } else if (a.too_large) {
      failed();
      return Status::TooLarge(what + ": the answer is larger than " +
                              std::to_string(call.max_response_bytes) + " bytes");
    } else if (!RetryableCurlCode(a.code) || attempt >= max_attempts) {
      failed();
      std::string tries = attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : "";
      if (a.code == CURLE_PARTIAL_FILE) {
        return Status::IOError(what + ": " + call.peer + " sent a truncated answer" + tries);
      }
      if (a.code == CURLE_OPERATION_TIMEDOUT) {
        return Status::Unavailable(what + ": " + call.peer + " did not answer in time" + tries);
      }
      if (RetryableCurlCode(a.code)) {
        return Status::Unavailable(what + ": cannot reach " + call.peer + ": " +
                                   curl_easy_strerror(a.code) + tries);
      }
      return Status::IOError(what + ": request failed: " + std::string(curl_easy_strerror(a.code)));
    }
    ++retries_;
    if (m != nullptr && m->retries != nullptr) m->retries->Increment();
    int64_t wait = BackoffMs(attempt, a.code == CURLE_OK ? &a.answer : nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
}

HttpClientStats HttpClient::stats() const {
  HttpClientStats s;
  s.requests = requests_.load();
  s.retries = retries_.load();
  s.connections_opened = connections_.load();
  return s;
}

}  // namespace lakeshare
