// Test fake of the catalog database server: a fresh, empty database per test
// on either backend, so one test suite runs against both SQLite and
// PostgreSQL (real ones: a file, and a real server process).
//
// PostgreSQL: the first test that needs it starts a private cluster for the
// whole test process — the server binaries are found with `pg_config
// --bindir` (or $LAKESHARE_PG_BINDIR, or the newest
// /usr/lib/postgresql/<major>/bin), the cluster listens only on a Unix socket
// in its own temporary directory (no TCP port), and it is stopped and deleted
// at exit (and dies with the test process if that crashes). initdb runs once
// per machine into a cached template ($TMPDIR/lakeshare-pgtpl-*), copied for
// every process: ctest runs each test in its own process. When run as root,
// the server runs as the `postgres` user (PostgreSQL refuses root).
// $LAKESHARE_TEST_POSTGRES_CONNINFO (a libpq key=value string of a role that
// may CREATE DATABASE) uses an existing server instead.
//
// Threading: Create may be called from any thread; a TestDatabase is used by
// one test. Errors: Create returns kUnavailable when no PostgreSQL can be
// started (the reason says what to install); the failure is remembered for
// the rest of the process.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "common/status.h"

namespace lakeshare::testing {

enum class Backend { kSqlite, kPostgres };

std::string BackendName(Backend b);
// For GoogleTest's parameter printing.
void PrintTo(Backend b, std::ostream* os);

class PostgresTestCluster;  // the process-wide server (test_database.cc)

// A fresh empty database for one test, removed by the destructor (close
// every Database on it first).
class TestDatabase {
 public:
  static Result<std::unique_ptr<TestDatabase>> Create(Backend backend);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Backend backend() const { return backend_; }
  // The database's db::Database::Open URL.
  const std::string& url() const { return url_; }
  // SQLite: the directory holding the database file.
  const std::string& dir() const { return dir_; }

 private:
  TestDatabase() = default;
  Backend backend_ = Backend::kSqlite;
  std::string url_;
  std::string dir_;
  std::string pg_name_;
  PostgresTestCluster* cluster_ = nullptr;
};

}  // namespace lakeshare::testing
