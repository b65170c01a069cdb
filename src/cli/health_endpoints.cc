#include "cli/health_endpoints.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "catalog/catalog_schema.h"
#include "server/errors.h"

namespace lakeshare {

namespace {

constexpr auto kDatabaseCheckInterval = std::chrono::seconds(1);

HttpResponse Answer(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.SetHeader("Content-Type", "application/json");
  r.SetHeader("Cache-Control", "no-store");
  r.body = std::move(body);
  return r;
}

}  // namespace

HealthEndpoints::HealthEndpoints(std::shared_ptr<db::Database> database,
                                 std::function<bool()> stopping)
    : database_(std::move(database)), stopping_(std::move(stopping)) {}

HttpResponse HealthEndpoints::Handle(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = ErrorResponse(405, "METHOD_NOT_ALLOWED", "use GET or HEAD");
    r.SetHeader("Allow", "GET, HEAD");
    return r;
  }
  if (request.path == "/healthz") return Answer(200, R"({"status":"ok"})");
  if (stopping_ && stopping_()) {
    return Answer(503, R"({"status":"unavailable","reason":"server is shutting down"})");
  }
  if (Status st = CheckDatabase(); !st.ok()) {
    return Answer(503, R"({"status":"unavailable","reason":"catalog database not ready"})");
  }
  return Answer(200, R"({"status":"ready"})");
}

Status HealthEndpoints::CheckDatabase() {
  if (!database_) return Status::OK();
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (checked_ && now - checked_at_ < kDatabaseCheckInterval) return last_;
  Status st;
  Result<std::vector<db::Row>> rows =
      database_->Query("SELECT MAX(version) FROM schema_migrations");
  if (!rows.ok()) {
    st = rows.status();
  } else {
    int64_t want = CatalogMigrations().back().version;
    int64_t have =
        (!rows->empty() && rows->front().size() > 0) ? rows->front().OptInt(0).value_or(0) : 0;
    if (have < want) {
      st = Status::FailedPrecondition("catalog schema version " + std::to_string(have) +
                                      ", this server needs " + std::to_string(want));
    }
  }
  if (!st.ok() && (last_.ok() || !checked_)) {
    spdlog::warn("readyz: catalog database not ready: {}", st.message());
  }
  checked_ = true;
  checked_at_ = now;
  last_ = st;
  return st;
}

}  // namespace lakeshare
