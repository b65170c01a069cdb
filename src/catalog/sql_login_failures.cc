#include "catalog/sql_login_failures.h"

#include <algorithm>

namespace lakeshare {

using db::Transaction;

SqlLoginFailures::SqlLoginFailures(std::shared_ptr<db::Database> db) : db_(std::move(db)) {}

Result<int64_t> SqlLoginFailures::AllowedFromMs(const std::vector<std::string>& keys,
                                                int64_t now_ms, int64_t forget_after_ms) {
  int64_t latest = 0;
  for (const std::string& key : keys) {
    LS_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT allowed_from_ms FROM login_failures "
                                              "WHERE throttle_key = ? AND last_failure_ms > ?",
                                              {key, now_ms - forget_after_ms}));
    if (!rows.empty()) latest = std::max(latest, rows[0].Int(0));
  }
  return latest;
}

Status SqlLoginFailures::RecordFailure(
    const std::string& key, int64_t now_ms, int64_t forget_after_ms,
    const std::function<int64_t(int64_t failures)>& allowed_from) {
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT failures, last_failure_ms, allowed_from_ms "
                                              "FROM login_failures WHERE throttle_key = ?",
                                              {key}));
    const bool forgotten = !row || now_ms - row->Int(1) >= forget_after_ms;
    const int64_t failures = forgotten ? 1 : row->Int(0) + 1;
    // A wait already set (by another process's clock) is never shortened.
    int64_t from = allowed_from(failures);
    if (!forgotten) from = std::max(from, row->Int(2));
    if (!row) {
      return tx
          .Exec(
              "INSERT INTO login_failures (throttle_key, failures, last_failure_ms, "
              "allowed_from_ms) VALUES (?, ?, ?, ?)",
              {key, failures, now_ms, from})
          .status();
    }
    return tx
        .Exec(
            "UPDATE login_failures SET failures = ?, last_failure_ms = ?, allowed_from_ms = ? "
            "WHERE throttle_key = ?",
            {failures, std::max(now_ms, row->Int(1)), from, key})
        .status();
  }));
  if (failures_recorded_.fetch_add(1) % kPruneEvery == 0) {
    // Best effort: a failed prune is retried kPruneEvery failures later.
    (void)db_->Write([&](Transaction& tx) -> Status {
      return tx
          .Exec("DELETE FROM login_failures WHERE last_failure_ms < ?", {now_ms - forget_after_ms})
          .status();
    });
  }
  return Status::OK();
}

Status SqlLoginFailures::Clear(const std::string& key) {
  return db_->Write([&](Transaction& tx) -> Status {
    return tx.Exec("DELETE FROM login_failures WHERE throttle_key = ?", {key}).status();
  });
}

Result<int64_t> SqlLoginFailures::Failures(const std::string& key) {
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT failures FROM login_failures "
                                            "WHERE throttle_key = ?",
                                            {key}));
  return rows.empty() ? 0 : rows[0].Int(0);
}

}  // namespace lakeshare
