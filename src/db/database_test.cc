#include "db/database.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "db/migrations.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace lakeshare::db {
namespace {

using testing::Backend;
using testing::TestDatabase;

class DatabaseTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto t = TestDatabase::Create(GetParam());
    ASSERT_OK(t);
    test_db_ = std::move(t).value();
    auto db = Database::Open(test_db_->url());
    ASSERT_OK(db);
    db_ = *db;
  }
  void TearDown() override { db_.reset(); }

  Status Script(const std::string& sql) {
    return db_->Write([&](Transaction& tx) { return tx.ExecScript(sql); });
  }

  std::unique_ptr<TestDatabase> test_db_;
  std::shared_ptr<Database> db_;
};

TEST_P(DatabaseTest, BindsAndReadsEveryType) {
  ASSERT_OK(Script("CREATE TABLE t (i BIGINT, s TEXT, b BOOLEAN, n TEXT)"));
  const std::string nasty = "it's \"quoted\" ?; DROP TABLE t; -- ünïcödé";
  Status st = db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(int64_t n,
                        tx.Exec("INSERT INTO t (i, s, b, n) VALUES (?, ?, ?, ?)",
                                {int64_t{-9007199254740993}, nasty, true, std::nullopt}));
    EXPECT_EQ(n, 1);
    return Status::OK();
  });
  ASSERT_OK(st);
  auto rows = db_->Query("SELECT i, s, b, n, '?' FROM t WHERE s = ?", {nasty});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  const Row& r = rows->front();
  EXPECT_EQ(r.Int(0), -9007199254740993);
  EXPECT_EQ(r.Text(1), nasty);
  EXPECT_TRUE(r.Bool(2));
  EXPECT_TRUE(r.IsNull(3));
  EXPECT_EQ(r.OptText(3), std::nullopt);
  EXPECT_EQ(r.Text(4), "?");
  // The table survived the would-be injection.
  EXPECT_OK(db_->Query("SELECT COUNT(*) FROM t"));
}

TEST_P(DatabaseTest, RejectsTextThatNeitherBackendCanStoreAlike) {
  ASSERT_OK(Script("CREATE TABLE t (s TEXT)"));
  for (std::string bad :
       {std::string("a\0b", 3), std::string("\xff\xfe"), std::string("\xc0\xaf")}) {
    Status st = db_->Write(
        [&](Transaction& tx) { return tx.Exec("INSERT INTO t (s) VALUES (?)", {bad}).status(); });
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st;
  }
  EXPECT_EQ(db_->Query("SELECT s FROM t WHERE s = ?", {std::string("\xff")}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(DatabaseTest, ConstraintViolationsMapToClearCodes) {
  ASSERT_OK(
      Script("CREATE TABLE p (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
             "n BIGINT CHECK (n >= 0))"));
  ASSERT_OK(Script("CREATE TABLE c (id TEXT PRIMARY KEY, p_id TEXT NOT NULL REFERENCES p (id))"));
  auto insert = [&](std::string_view sql, Params params, ErrorKind* kind) {
    return db_->Write([&](Transaction& tx) -> Status {
      auto r = tx.Exec(sql, params);
      *kind = tx.last_error_kind();
      return r.status();
    });
  };
  ErrorKind kind;
  ASSERT_OK(insert("INSERT INTO p VALUES (?, ?, ?)", {"1", "a", 1}, &kind));

  Status dup = insert("INSERT INTO p VALUES (?, ?, ?)", {"2", "a", 1}, &kind);
  EXPECT_EQ(dup.code(), StatusCode::kFailedPrecondition) << dup;
  EXPECT_EQ(kind, ErrorKind::kUnique);

  Status fk = insert("INSERT INTO c VALUES (?, ?)", {"x", "nope"}, &kind);
  EXPECT_EQ(fk.code(), StatusCode::kFailedPrecondition) << fk;
  EXPECT_EQ(kind, ErrorKind::kForeignKey);

  Status null = insert("INSERT INTO p VALUES (?, ?, ?)", {"3", std::nullopt, 1}, &kind);
  EXPECT_EQ(null.code(), StatusCode::kInvalidArgument) << null;
  EXPECT_EQ(kind, ErrorKind::kInvalidData);

  Status check = insert("INSERT INTO p VALUES (?, ?, ?)", {"4", "d", -1}, &kind);
  EXPECT_EQ(check.code(), StatusCode::kInvalidArgument) << check;
}

TEST_P(DatabaseTest, FailedCallbackRollsBackAndFailedStatementDoomsTheTransaction) {
  ASSERT_OK(Script("CREATE TABLE t (k TEXT PRIMARY KEY)"));
  Status st = db_->Write([&](Transaction& tx) -> Status {
    LS_RETURN_IF_ERROR(tx.Exec("INSERT INTO t VALUES (?)", {"a"}).status());
    return Status::NotFound("changed my mind");
  });
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_TRUE(db_->Query("SELECT k FROM t")->empty());

  // A callback that ignores a failed statement still does not commit.
  st = db_->Write([&](Transaction& tx) -> Status {
    (void)tx.Exec("INSERT INTO t VALUES (?)", {"b"});
    (void)tx.Exec("INSERT INTO t VALUES (?)", {"b"});  // duplicate
    auto later = tx.Query("SELECT k FROM t");
    EXPECT_FALSE(later.ok());
    return Status::OK();
  });
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st;
  EXPECT_TRUE(db_->Query("SELECT k FROM t")->empty());
  // The connection is usable afterwards.
  EXPECT_OK(db_->Write(
      [&](Transaction& tx) { return tx.Exec("INSERT INTO t VALUES (?)", {"c"}).status(); }));
}

TEST_P(DatabaseTest, ConcurrentReadModifyWriteLosesNoUpdate) {
  ASSERT_OK(Script("CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)"));
  ASSERT_OK(db_->Write(
      [](Transaction& tx) { return tx.Exec("INSERT INTO counter VALUES (1, 0)").status(); }));
  constexpr int kThreads = 4, kPerThread = 25;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        Status st = db_->Write([](Transaction& tx) -> Status {
          // Deliberately a read, then a write of the value read.
          LS_ASSIGN_OR_RETURN(auto row, tx.QueryRow("SELECT n FROM counter WHERE id = 1"));
          return tx.Exec("UPDATE counter SET n = ? WHERE id = 1", {row->Int(0) + 1}).status();
        });
        if (!st.ok()) {
          ADD_FAILURE() << st;
          ++errors;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(db_->Query("SELECT n FROM counter")->front().Int(0), kThreads * kPerThread);
}

TEST_P(DatabaseTest, SecondHandleSeesCommittedChangesAtOnce) {
  ASSERT_OK(Script("CREATE TABLE t (k TEXT PRIMARY KEY)"));
  auto other = Database::Open(test_db_->url());
  ASSERT_OK(other);
  ASSERT_TRUE((*other)->Query("SELECT k FROM t")->empty());  // warms a pooled connection
  ASSERT_OK(
      db_->Write([](Transaction& tx) { return tx.Exec("INSERT INTO t VALUES ('x')").status(); }));
  EXPECT_EQ((*other)->Query("SELECT k FROM t")->size(), 1u);
}

TEST_P(DatabaseTest, PoolServesMoreThreadsThanConnections) {
  DatabaseOptions opts;
  opts.max_connections = 2;
  auto small = Database::Open(test_db_->url(), opts);
  ASSERT_OK(small);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        Status st = (*small)->Read([](Transaction& tx) { return tx.Query("SELECT 1").status(); });
        if (st.ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 120);
}

TEST_P(DatabaseTest, ReportsLatencyPoolWaitsErrorsAndPoolState) {
  MetricsRegistry registry;
  Histogram& seconds = registry.AddHistogram("q", "q", {0.001, 1}).With({});
  Histogram& wait = registry.AddHistogram("w", "w", {0.001, 1}).With({});
  Counter& errors = registry.AddCounter("e", "e").With({});
  DatabaseOptions opts;
  opts.max_connections = 3;
  auto db = Database::Open(test_db_->url(), opts);
  ASSERT_OK(db);
  EXPECT_EQ((*db)->pool_stats().max, 3);
  (*db)->SetMetrics(DatabaseMetrics{&seconds, &wait, &errors});
  ASSERT_OK((*db)->Query("SELECT 1"));
  ASSERT_OK((*db)->Read([](Transaction& tx) { return tx.Query("SELECT 1").status(); }));
  EXPECT_FALSE((*db)->Query("SELECT * FROM no_such_table").ok());
  EXPECT_EQ(seconds.count(), 3u);
  EXPECT_EQ(errors.value(), 1u);
  EXPECT_GE(wait.count(), 3u);  // one acquisition per call at least
  Database::PoolStats pool = (*db)->pool_stats();
  EXPECT_GE(pool.open, 1);
  EXPECT_EQ(pool.idle, pool.open);  // nothing in use now
  // Held inside a transaction, a connection is not idle.
  ASSERT_OK((*db)->Read([&](Transaction& tx) {
    Database::PoolStats inside = (*db)->pool_stats();
    EXPECT_EQ(inside.open - inside.idle, 1);
    return tx.Query("SELECT 1").status();
  }));
}

TEST_P(DatabaseTest, MigrationsApplyOnceInOrder) {
  std::vector<Migration> v1 = {
      {1, "people", {"CREATE TABLE IF NOT EXISTS people (id {AUTO_ID}, name TEXT NOT NULL)"}}};
  EXPECT_EQ(*SchemaVersion(*db_), 0);
  ASSERT_OK(ApplyMigrations(*db_, v1));
  ASSERT_OK(ApplyMigrations(*db_, v1));  // re-run: nothing to do
  EXPECT_EQ(*SchemaVersion(*db_), 1);
  ASSERT_OK(db_->Write([](Transaction& tx) {
    return tx.Exec("INSERT INTO people (name) VALUES ('a'), ('b')").status();
  }));
  auto ids = db_->Query("SELECT id FROM people ORDER BY id");
  ASSERT_EQ(ids->size(), 2u);
  EXPECT_LT((*ids)[0].Int(0), (*ids)[1].Int(0));

  auto v2 = v1;
  v2.push_back({2, "email", {"ALTER TABLE people ADD COLUMN email TEXT"}});
  ASSERT_OK(ApplyMigrations(*db_, v2));
  ASSERT_OK(ApplyMigrations(*db_, v2));
  EXPECT_EQ(*SchemaVersion(*db_), 2);
  EXPECT_OK(db_->Query("SELECT email FROM people"));
  EXPECT_EQ(db_->Query("SELECT version FROM schema_migrations ORDER BY version")->size(), 2u);

  // An older program refuses a newer database.
  Status older = ApplyMigrations(*db_, v1);
  EXPECT_EQ(older.code(), StatusCode::kFailedPrecondition) << older;

  // A failing step leaves nothing behind.
  auto v3 = v2;
  v3.push_back({3, "broken", {"CREATE TABLE half (x TEXT)", "THIS IS NOT SQL"}});
  EXPECT_FALSE(ApplyMigrations(*db_, v3).ok());
  EXPECT_EQ(*SchemaVersion(*db_), 2);
  EXPECT_FALSE(db_->Query("SELECT x FROM half").ok());

  std::vector<Migration> unordered = {{2, "b", {}}, {1, "a", {}}};
  EXPECT_EQ(ApplyMigrations(*db_, unordered).code(), StatusCode::kInvalidArgument);
}

TEST_P(DatabaseTest, ConcurrentMigrationsFromTwoServers) {
  std::vector<Migration> list;
  for (int v = 1; v <= 5; ++v) {
    list.push_back({v,
                    "t" + std::to_string(v),
                    {"CREATE TABLE IF NOT EXISTS t" + std::to_string(v) + " (x TEXT)"}});
  }
  auto other = Database::Open(test_db_->url());
  ASSERT_OK(other);
  Status a, b;
  std::thread ta([&] { a = ApplyMigrations(*db_, list); });
  std::thread tb([&] { b = ApplyMigrations(**other, list); });
  ta.join();
  tb.join();
  EXPECT_OK(a);
  EXPECT_OK(b);
  EXPECT_EQ(*SchemaVersion(*db_), 5);
  EXPECT_EQ(db_->Query("SELECT version FROM schema_migrations")->size(), 5u);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

TEST(DatabaseOpenTest, RejectsUnknownSchemesAndBadConnectionStrings) {
  EXPECT_EQ(Database::Open("mysql://x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Database::Open("sqlite::memory:").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Database::Open("postgresql:nonsense_key=1").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(DatabaseOpenTest, UnreachableServerIsUnavailable) {
  auto r = Database::Open("postgresql:host=/nonexistent-lakeshare-dir port=1 connect_timeout=2");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status();
  auto tcp = Database::Open("postgresql://127.0.0.1:1/x?connect_timeout=2");
  EXPECT_EQ(tcp.status().code(), StatusCode::kUnavailable) << tcp.status();
}

TEST(DatabaseOpenTest, SqliteFileProblems) {
  auto t = TestDatabase::Create(Backend::kSqlite);
  ASSERT_OK(t);
  std::string garbage = (*t)->dir() + "/garbage.db";
  std::ofstream(garbage) << std::string(4096, 'x');
  auto r = Database::Open("sqlite:" + garbage);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status();
  auto missing = Database::Open("sqlite:" + (*t)->dir() + "/no/such/dir/db");
  EXPECT_EQ(missing.status().code(), StatusCode::kIOError) << missing.status();
}

// The catalog holds token and password hashes: only its owner may read it,
// nor its -wal and -shm files (issue 18: they were 0644).
TEST(DatabaseOpenTest, NewSqliteFilesAreTheOwnersAlone) {
  auto t = TestDatabase::Create(Backend::kSqlite);
  ASSERT_OK(t);
  const std::string path = (*t)->dir() + "/private.db";
  const mode_t old_mask = ::umask(022);
  auto db = Database::Open("sqlite:" + path);
  ::umask(old_mask);
  ASSERT_OK(db);
  ASSERT_OK(
      (*db)->Write([](Transaction& tx) { return tx.ExecScript("CREATE TABLE t (x INTEGER)"); }));
  for (const std::string& f : {path, path + "-wal", path + "-shm"}) {
    struct stat st {};
    ASSERT_EQ(::stat(f.c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
}

}  // namespace
}  // namespace lakeshare::db
