// The SQLite driver: one sqlite3 handle in WAL mode with foreign keys on and
// a busy timeout, plus a cache of prepared statements.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <unordered_map>

#include "db/connection.h"

namespace lakeshare::db {
namespace {

ErrorKind Classify(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorKind::kConflict;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return ErrorKind::kCorruption;
    case SQLITE_CONSTRAINT:
      switch (code) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
        case SQLITE_CONSTRAINT_ROWID:
          return ErrorKind::kUnique;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
          return ErrorKind::kForeignKey;
        default:
          return ErrorKind::kInvalidData;
      }
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return ErrorKind::kInvalidData;
    default:
      return ErrorKind::kOther;
  }
}

class SqliteConnection : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  bool broken() const override { return broken_; }
  bool in_transaction() const override { return sqlite3_get_autocommit(db_) == 0; }

  Status Fail(int code, std::string_view what) {
    last_error_ = Classify(code);
    std::string msg(what);
    msg += ": ";
    msg += sqlite3_errmsg(db_);
    if (last_error_ == ErrorKind::kCorruption) broken_ = true;
    // Disk and I/O failures are not the caller's fault nor a bug.
    int primary = code & 0xff;
    if (primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN ||
        primary == SQLITE_READONLY) {
      return Status::IOError("database I/O error: " + msg);
    }
    return MakeDbError(last_error_, msg);
  }

  Status ExecuteScript(std::string_view sql) override {
    last_error_ = ErrorKind::kNone;
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Fail(sqlite3_extended_errcode(db_), "sqlite");
    return Status::OK();
  }

  Result<ExecResult> Execute(std::string_view sql, const Params& params) override {
    last_error_ = ErrorKind::kNone;
    std::string key(sql);
    sqlite3_stmt* stmt = nullptr;
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()),
                                  SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return Fail(sqlite3_extended_errcode(db_), "sqlite prepare");
      cache_.emplace(key, stmt);
    }
    // Leave the statement reset whatever happens, so it holds no read lock.
    struct Resetter {
      sqlite3_stmt* s;
      ~Resetter() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } resetter{stmt};

    if (sqlite3_bind_parameter_count(stmt) != static_cast<int>(params.size())) {
      last_error_ = ErrorKind::kOther;
      return Status::Internal("statement expects " +
                              std::to_string(sqlite3_bind_parameter_count(stmt)) +
                              " parameters, got " + std::to_string(params.size()));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      int idx = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      switch (p.kind()) {
        case Param::Kind::kNull:
          rc = sqlite3_bind_null(stmt, idx);
          break;
        case Param::Kind::kInt:
        case Param::Kind::kBool:
          rc = sqlite3_bind_int64(stmt, idx, p.int_value());
          break;
        case Param::Kind::kText:
          rc = sqlite3_bind_text64(stmt, idx, p.text().data(), p.text().size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8);
          break;
      }
      if (rc != SQLITE_OK) return Fail(rc, "sqlite bind");
    }

    ExecResult out;
    const int ncols = sqlite3_column_count(stmt);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Fail(sqlite3_extended_errcode(db_), "sqlite");
      std::vector<std::optional<std::string>> cells;
      cells.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            cells.emplace_back(std::nullopt);
            break;
          case SQLITE_INTEGER: {
            char buf[24];
            auto [end, ec] = std::to_chars(buf, buf + sizeof buf, sqlite3_column_int64(stmt, c));
            cells.emplace_back(std::string(buf, end));
            break;
          }
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            int n = sqlite3_column_bytes(stmt, c);
            cells.emplace_back(text ? std::string(text, n) : std::string());
          }
        }
      }
      out.rows.emplace_back(std::move(cells));
    }
    out.affected = sqlite3_stmt_readonly(stmt) ? 0 : sqlite3_changes64(db_);
    return out;
  }

 private:
  sqlite3* db_;
  bool broken_ = false;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenSqliteConnection(const SqliteOptions& options) {
  if (options.path.empty() || options.path == ":memory:" || options.path.starts_with("file:")) {
    // Every pooled connection must see the same database: a real file only.
    return Status::InvalidArgument("sqlite database must be a file path, got '" + options.path +
                                   "'");
  }
  // The catalog holds token and password hashes: a new database is the
  // owner's alone (0600), and SQLite gives its -wal and -shm files the
  // database's mode. Only a missing file is made here: closing any
  // descriptor of a file drops every POSIX lock the process holds on it,
  // so an open and close of the database under the pool's live
  // connections would cancel their locks, and another process (the CLI,
  // a backup) closing it would then take itself for the last user and
  // delete the WAL that this one still writes to.
  struct stat st {};
  if (::stat(options.path.c_str(), &st) != 0) {
    int fd = ::open(options.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      return Status::IOError("cannot open sqlite database '" + options.path +
                             "': " + std::strerror(errno));
    }
    if (fd >= 0) ::close(fd);
  }
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(options.path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::IOError("cannot open sqlite database '" + options.path + "': " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  auto conn = std::make_unique<SqliteConnection>(db);
  // journal_mode=WAL is persistent in the file; the other settings are per
  // connection. A file that is not a database fails here (SQLITE_NOTADB).
  LS_RETURN_IF_ERROR(conn->ExecuteScript(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace lakeshare::db
