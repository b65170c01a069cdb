// LoginThrottle's shared counts (auth/login_failure_store.h) in the catalog
// database's `login_failures` table (catalog_schema.cc, migration 3): every
// server on one database counts every failed login, so N replicas give no
// more guesses than one. A failure is one serializable write transaction
// (read, count, write; retried on conflict by db::Database); a wait check is
// one indexed read of at most two rows. Rows idle past forget_after are
// deleted now and then on the way (at most one delete per kPruneEvery
// failures), so the table stays as small as the in-process counts.
//
// Thread-safe. Errors: the database's.
#pragma once

#include <atomic>
#include <memory>

#include "auth/login_failure_store.h"
#include "db/database.h"

namespace lakeshare {

class SqlLoginFailures : public LoginFailureStore {
 public:
  // `db` must carry the catalog schema (MigrateCatalogSchema).
  explicit SqlLoginFailures(std::shared_ptr<db::Database> db);

  Result<int64_t> AllowedFromMs(const std::vector<std::string>& keys, int64_t now_ms,
                                int64_t forget_after_ms) override;
  Status RecordFailure(const std::string& key, int64_t now_ms, int64_t forget_after_ms,
                       const std::function<int64_t(int64_t failures)>& allowed_from) override;
  Status Clear(const std::string& key) override;

  // Failures' counts in the table (for tests).
  Result<int64_t> Failures(const std::string& key);

  static constexpr int64_t kPruneEvery = 64;

 private:
  std::shared_ptr<db::Database> db_;
  std::atomic<int64_t> failures_recorded_{0};
};

}  // namespace lakeshare
