// One backend connection: the internal seam between Database (pooling,
// transactions, retries) and the two drivers. Not thread-safe: the pool hands
// a connection to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "db/dialect.h"
#include "db/value.h"

namespace lakeshare::db {

// Why a statement failed, as far as callers need to react differently.
enum class ErrorKind {
  kNone,
  kConflict,     // serialization failure, deadlock, busy/locked: retry the transaction
  kUnique,       // unique or primary-key violation
  kForeignKey,   // foreign-key violation
  kInvalidData,  // NOT NULL / CHECK violation, bad value
  kConnection,   // the connection is gone (or could not be made)
  kCorruption,   // the database file or server data is corrupt
  kOther,
};

// The Status code for a failure of `kind` (one mapping for both backends):
// kConflict/kConnection → kUnavailable, kUnique/kForeignKey →
// kFailedPrecondition, kInvalidData → kInvalidArgument, kCorruption →
// kCorruption, anything else → kInternal.
Status MakeDbError(ErrorKind kind, std::string_view backend_message);

struct ExecResult {
  std::vector<Row> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Runs one statement with bound parameters, through a per-connection cache
  // of prepared statements keyed by the SQL text.
  virtual Result<ExecResult> Execute(std::string_view sql, const Params& params) = 0;
  // Runs parameterless SQL text (possibly several statements): BEGIN,
  // COMMIT, DDL.
  virtual Status ExecuteScript(std::string_view sql) = 0;

  // The classification of the last failure (kNone after a success).
  ErrorKind last_error_kind() const { return last_error_; }
  // True once the connection is unusable; the pool then drops it.
  virtual bool broken() const = 0;
  // True between BEGIN and COMMIT/ROLLBACK (also in an aborted transaction).
  virtual bool in_transaction() const = 0;
  virtual Dialect dialect() const = 0;

 protected:
  ErrorKind last_error_ = ErrorKind::kNone;
};

// Opening. kUnavailable if the server cannot be reached, kInvalidArgument
// for a malformed connection string, kIOError/kCorruption for a bad file.
struct SqliteOptions {
  std::string path;
  int busy_timeout_ms = 5000;
};
Result<std::unique_ptr<Connection>> OpenSqliteConnection(const SqliteOptions& options);

struct PostgresOptions {
  std::string conninfo;  // a libpq URI or key=value string
  int connect_timeout_s = 10;
};
Result<std::unique_ptr<Connection>> OpenPostgresConnection(const PostgresOptions& options);

}  // namespace lakeshare::db
