// /healthz and /readyz of `lakeshare serve`: unauthenticated, cheap, never
// behind a token (load balancers and Kubernetes probes call them).
//
// /healthz: 200 while the process answers at all. /readyz: 200 when the
// listener accepts requests and the server is not stopping, and, with a
// catalog database, the database answers and has the newest catalog schema;
// otherwise 503 with the reason. The database is asked at most once a second
// (a probe storm costs one query a second); the detail of a failure goes to
// the log, the answer says only what is not ready. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"
#include "db/database.h"
#include "server/http.h"

namespace lakeshare {

class HealthEndpoints {
 public:
  // `database` may be null (a YAML catalog). `stopping` says whether the
  // server is shutting down.
  HealthEndpoints(std::shared_ptr<db::Database> database, std::function<bool()> stopping);

  static bool Serves(std::string_view path) { return path == "/healthz" || path == "/readyz"; }
  HttpResponse Handle(const HttpRequest& request);

 private:
  Status CheckDatabase();

  const std::shared_ptr<db::Database> database_;
  const std::function<bool()> stopping_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point checked_at_{};
  bool checked_ = false;
  Status last_;
};

}  // namespace lakeshare
