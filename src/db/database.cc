#include "db/database.h"

#include <algorithm>
#include <random>
#include <thread>

namespace lakeshare::db {

// ---------------------------------------------------------------- Transaction

Result<ExecResult> Transaction::Run(std::string_view sql, const Params& params) {
  if (failed_) return *failed_;
  Status invalid = ValidateParams(params);
  if (!invalid.ok()) {
    last_error_kind_ = ErrorKind::kInvalidData;
    failed_ = invalid;
    return invalid;
  }
  auto r = conn_->Execute(sql, params);
  last_error_kind_ = conn_->last_error_kind();
  if (!r.ok()) {
    if (last_error_kind_ == ErrorKind::kConflict) conflict_ = true;
    if (last_error_kind_ == ErrorKind::kConnection || conn_->broken()) connection_lost_ = true;
    failed_ = r.status();
  }
  return r;
}

Result<std::vector<Row>> Transaction::Query(std::string_view sql, const Params& params) {
  LS_ASSIGN_OR_RETURN(ExecResult r, Run(sql, params));
  return std::move(r.rows);
}

Result<std::optional<Row>> Transaction::QueryRow(std::string_view sql, const Params& params) {
  LS_ASSIGN_OR_RETURN(ExecResult r, Run(sql, params));
  if (r.rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(r.rows.front()));
}

Result<int64_t> Transaction::Exec(std::string_view sql, const Params& params) {
  LS_ASSIGN_OR_RETURN(ExecResult r, Run(sql, params));
  return r.affected;
}

Status Transaction::ExecScript(std::string_view sql) {
  if (failed_) return *failed_;
  Status st = conn_->ExecuteScript(sql);
  last_error_kind_ = conn_->last_error_kind();
  if (!st.ok()) {
    if (last_error_kind_ == ErrorKind::kConflict) conflict_ = true;
    if (last_error_kind_ == ErrorKind::kConnection || conn_->broken()) connection_lost_ = true;
    failed_ = st;
  }
  return st;
}

// ------------------------------------------------------------------- Database

Result<std::shared_ptr<Database>> Database::Open(std::string_view url,
                                                 const DatabaseOptions& options) {
  if (options.max_connections < 1 || options.max_attempts < 1) {
    return Status::InvalidArgument("database pool size and attempts must be positive");
  }
  Dialect dialect;
  std::function<Result<std::unique_ptr<Connection>>()> connect;
  if (url.starts_with("sqlite:")) {
    std::string_view path = url.substr(7);
    if (path.starts_with("//")) path.remove_prefix(2);
    SqliteOptions o{std::string(path), options.busy_timeout_ms};
    dialect = Dialect::kSqlite;
    connect = [o] { return OpenSqliteConnection(o); };
  } else if (url.starts_with("postgresql:") || url.starts_with("postgres:")) {
    std::string_view rest = url.substr(url.find(':') + 1);
    // A URI goes to libpq whole; otherwise the rest is a key=value string.
    std::string conninfo = rest.starts_with("//") ? std::string(url) : std::string(rest);
    PostgresOptions o{conninfo, options.connect_timeout_s};
    dialect = Dialect::kPostgres;
    connect = [o] { return OpenPostgresConnection(o); };
  } else {
    return Status::InvalidArgument(
        "database URL must start with 'sqlite:' or 'postgresql:' (got '" +
        std::string(url.substr(0, std::min<size_t>(url.size(), 16))) + "...')");
  }
  LS_ASSIGN_OR_RETURN(auto first, connect());
  std::shared_ptr<Database> db(new Database(dialect, std::move(connect), options));
  db->open_ = 1;
  db->idle_.push_back(std::move(first));
  return db;
}

Database::Database(Dialect dialect, std::function<Result<std::unique_ptr<Connection>>()> connect,
                   const DatabaseOptions& options)
    : dialect_(dialect), connect_(std::move(connect)), options_(options) {}

Database::~Database() = default;

void Database::SetMetrics(DatabaseMetrics metrics) {
  std::call_once(metrics_once_, [&] {
    metrics_storage_ = metrics;
    metrics_.store(&metrics_storage_, std::memory_order_release);
  });
}

Database::PoolStats Database::pool_stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return PoolStats{open_, static_cast<int>(idle_.size()), options_.max_connections};
}

void Database::Observe(std::chrono::steady_clock::time_point start, bool ok) const {
  const DatabaseMetrics* m = metrics_.load(std::memory_order_acquire);
  if (m == nullptr) return;
  if (m->seconds != nullptr) {
    m->seconds->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (!ok && m->errors != nullptr) m->errors->Increment();
}

Result<std::unique_ptr<Connection>> Database::Acquire() {
  const DatabaseMetrics* m = metrics_.load(std::memory_order_acquire);
  if (m == nullptr || m->pool_wait_seconds == nullptr) return AcquireSlow();
  const auto start = std::chrono::steady_clock::now();
  auto conn = AcquireSlow();
  m->pool_wait_seconds->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return conn;
}

Result<std::unique_ptr<Connection>> Database::AcquireSlow() {
  std::unique_lock<std::mutex> lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  for (;;) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    if (open_ < options_.max_connections) {
      ++open_;
      lock.unlock();
      auto conn = connect_();  // slow: not under the lock
      if (!conn.ok()) {
        std::lock_guard<std::mutex> relock(mu_);
        --open_;
        cv_.notify_one();
      }
      return conn;
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.max_connections) {
      return Status::Unavailable("no database connection became free in time");
    }
  }
}

void Database::Release(std::unique_ptr<Connection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (conn && !conn->broken()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;  // dropped; a later Acquire reconnects
  }
  cv_.notify_one();
}

void Database::Backoff(int attempt) {
  // Exponential with full jitter, 1 ms .. 64 ms, so colliding writers spread.
  thread_local std::minstd_rand rng(std::random_device{}());
  int cap = 1 << std::min(attempt, 6);
  std::uniform_int_distribution<int> dist(0, cap * 1000);
  std::this_thread::sleep_for(std::chrono::microseconds(500 + dist(rng)));
}

Status Database::Transact(TxMode mode, const std::function<Status(Transaction&)>& fn) {
  const auto start = std::chrono::steady_clock::now();
  Status st = TransactOnce(mode, fn);
  Observe(start, st.ok());
  return st;
}

Status Database::TransactOnce(TxMode mode, const std::function<Status(Transaction&)>& fn) {
  std::unique_lock<std::mutex> writer;
  if (dialect_ == Dialect::kSqlite && mode != TxMode::kReadOnly) {
    writer = std::unique_lock<std::mutex>(sqlite_writer_mu_);
  }
  for (int attempt = 1;; ++attempt) {
    auto acquired = Acquire();
    if (!acquired.ok()) return acquired.status();
    std::unique_ptr<Connection> conn = std::move(acquired).value();
    Transaction tx(conn.get());

    Status st = conn->ExecuteScript(BeginStatement(dialect_, mode));
    if (!st.ok()) {
      tx.last_error_kind_ = conn->last_error_kind();
      tx.conflict_ = tx.last_error_kind_ == ErrorKind::kConflict;
      tx.connection_lost_ = tx.last_error_kind_ == ErrorKind::kConnection || conn->broken();
    } else {
      if (mode == TxMode::kSchemaChange && !SchemaLockStatement(dialect_).empty()) {
        auto locked = tx.Query(SchemaLockStatement(dialect_));
        st = locked.status();
      }
      if (st.ok()) st = fn(tx);
      // A callback that swallowed a statement error still must not commit.
      if (st.ok() && tx.failed_) st = *tx.failed_;
    }

    bool committed = false;
    if (st.ok()) {
      st = conn->ExecuteScript("COMMIT");
      committed = st.ok();
      if (!st.ok()) {
        tx.conflict_ = conn->last_error_kind() == ErrorKind::kConflict;
        // Whether a COMMIT whose connection died took effect is unknown:
        // never retry that one.
        tx.connection_lost_ = false;
      }
    }
    if (!committed && !conn->broken() && conn->in_transaction()) {
      // A connection still inside a transaction after ROLLBACK is in an
      // unknown state: drop it rather than hand it out again.
      if (!conn->ExecuteScript("ROLLBACK").ok() || conn->in_transaction()) conn.reset();
    }
    Release(std::move(conn));
    if (committed) return Status::OK();

    bool retry = (tx.conflict_ || tx.connection_lost_) && attempt < options_.max_attempts;
    if (!retry) {
      if (tx.conflict_) {
        return Status::Unavailable("database busy: transaction still conflicting after " +
                                   std::to_string(attempt) + " attempts (" + st.message() + ")");
      }
      return st;
    }
    retries_.fetch_add(1);
    if (tx.conflict_) Backoff(attempt);
  }
}

Result<std::vector<Row>> Database::Query(std::string_view sql, const Params& params) {
  const auto start = std::chrono::steady_clock::now();
  auto rows = QueryOnce(sql, params);
  Observe(start, rows.ok());
  return rows;
}

Result<std::vector<Row>> Database::QueryOnce(std::string_view sql, const Params& params) {
  LS_RETURN_IF_ERROR(ValidateParams(params));
  for (int attempt = 1;; ++attempt) {
    LS_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Acquire());
    auto r = conn->Execute(sql, params);
    ErrorKind kind = conn->last_error_kind();
    bool lost = kind == ErrorKind::kConnection || conn->broken();
    Release(std::move(conn));
    if (r.ok()) return std::move(r->rows);
    // A lone read is safe to repeat, whatever happened.
    if ((kind != ErrorKind::kConflict && !lost) || attempt >= options_.max_attempts) {
      return r.status();
    }
    retries_.fetch_add(1);
    if (kind == ErrorKind::kConflict) Backoff(attempt);
  }
}

}  // namespace lakeshare::db
