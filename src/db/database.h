// The database handle: a small connection pool over SQLite or PostgreSQL,
// transactions with automatic retry of conflicts, and nothing else. SQL text
// is written once in the portable dialect of db/dialect.h; values are always
// bound parameters.
//
// Threading: Database is thread-safe; a Transaction belongs to the thread
// running the callback and must not escape it. Do not start a transaction
// from inside another one (the pool may have no second connection to give).
//
// Errors: every failure is a Status (see MakeDbError in db/connection.h):
// server unreachable → kUnavailable; constraint violations →
// kFailedPrecondition (unique, foreign key) or kInvalidArgument (NOT NULL,
// CHECK, bad value); corrupt file/data → kCorruption; conflicts still
// failing after all retries → kUnavailable.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "db/connection.h"
#include "db/dialect.h"
#include "db/value.h"
#include "metrics/metrics_registry.h"

namespace lakeshare::db {

// Where a Database reports its work (metrics/metrics_registry.h series,
// whose registry must outlive the database's last call). Any may be null.
struct DatabaseMetrics {
  Histogram* seconds = nullptr;            // each Transact or Query, retries included
  Histogram* pool_wait_seconds = nullptr;  // waiting for a pooled connection
  Counter* errors = nullptr;               // Transact or Query calls that failed
};

struct DatabaseOptions {
  int max_connections = 8;
  // How long a SQLite statement waits for another process's lock before the
  // transaction is retried.
  int busy_timeout_ms = 5000;
  int connect_timeout_s = 10;
  // Attempts of a transaction that keeps hitting conflicts (serialization
  // failures, deadlocks, SQLITE_BUSY) before giving up with kUnavailable.
  int max_attempts = 30;
  // How long to wait for a free pooled connection.
  std::chrono::milliseconds acquire_timeout{30000};
};

// The statements of one transaction. Once a statement fails the transaction
// is doomed (PostgreSQL aborts it; SQLite is made to behave the same): later
// statements return the first error, and the callback should return it.
class Transaction {
 public:
  Result<std::vector<Row>> Query(std::string_view sql, const Params& params = {});
  // The first row, or nullopt if there is none.
  Result<std::optional<Row>> QueryRow(std::string_view sql, const Params& params = {});
  // Returns the number of rows changed.
  Result<int64_t> Exec(std::string_view sql, const Params& params = {});
  // Parameterless SQL run as is, not prepared nor cached (DDL).
  Status ExecScript(std::string_view sql);

  Dialect dialect() const { return conn_->dialect(); }
  // What made the last statement fail (kNone if it succeeded): lets callers
  // turn e.g. a unique violation into a message naming the object.
  ErrorKind last_error_kind() const { return last_error_kind_; }

 private:
  friend class Database;
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Result<ExecResult> Run(std::string_view sql, const Params& params);

  Connection* conn_;
  ErrorKind last_error_kind_ = ErrorKind::kNone;
  bool conflict_ = false;         // some statement hit a retryable conflict
  bool connection_lost_ = false;  // the connection died (before COMMIT)
  std::optional<Status> failed_;  // the first error
};

class Database {
 public:
  // `url` is "sqlite:<file path>" (also "sqlite://<path>"), or a PostgreSQL
  // "postgresql://..." / "postgres://..." URI, or "postgresql:<libpq
  // key=value string>". Opens one connection to check the database is
  // reachable. kInvalidArgument for an unknown scheme.
  static Result<std::shared_ptr<Database>> Open(std::string_view url,
                                                const DatabaseOptions& options = {});

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect dialect() const { return dialect_; }

  // Runs `fn` in a transaction and commits if it returns OK (rolls back
  // otherwise). On a conflict the whole callback is run again, so it must
  // not have side effects outside the transaction other than assigning its
  // outputs. Returns fn's error, or the commit's.
  Status Transact(TxMode mode, const std::function<Status(Transaction&)>& fn);
  Status Write(const std::function<Status(Transaction&)>& fn) {
    return Transact(TxMode::kReadWrite, fn);
  }
  Status Read(const std::function<Status(Transaction&)>& fn) {
    return Transact(TxMode::kReadOnly, fn);
  }
  // One statement outside an explicit transaction (one round trip on
  // PostgreSQL): for hot single-query reads. Reads only: it is run again
  // after a conflict or a lost connection.
  Result<std::vector<Row>> Query(std::string_view sql, const Params& params = {});

  // Transactions run again after a conflict, since Open (for tests and
  // metrics).
  int64_t retry_count() const { return retries_.load(); }

  // Reports to `metrics` from now on. Once per Database (later calls are
  // ignored); thread-safe.
  void SetMetrics(DatabaseMetrics metrics);
  struct PoolStats {
    int open = 0;  // connections handed out or idle
    int idle = 0;
    int max = 0;
  };
  PoolStats pool_stats();

 private:
  Database(Dialect dialect, std::function<Result<std::unique_ptr<Connection>>()> connect,
           const DatabaseOptions& options);
  Result<std::unique_ptr<Connection>> Acquire();
  Result<std::unique_ptr<Connection>> AcquireSlow();
  void Release(std::unique_ptr<Connection> conn);
  void Backoff(int attempt);

  const Dialect dialect_;
  const std::function<Result<std::unique_ptr<Connection>>()> connect_;
  const DatabaseOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // connections handed out or idle

  // SQLite has a single writer anyway; queueing in-process writers here is
  // fairer and cheaper than its busy-wait polling.
  std::mutex sqlite_writer_mu_;
  std::atomic<int64_t> retries_{0};
  std::once_flag metrics_once_;
  DatabaseMetrics metrics_storage_;                       // written once, before metrics_
  std::atomic<const DatabaseMetrics*> metrics_{nullptr};  // null: no metrics
  // Reports one call that began at `start` with outcome `ok`.
  void Observe(std::chrono::steady_clock::time_point start, bool ok) const;
  Status TransactOnce(TxMode mode, const std::function<Status(Transaction&)>& fn);
  Result<std::vector<Row>> QueryOnce(std::string_view sql, const Params& params);
};

}  // namespace lakeshare::db
