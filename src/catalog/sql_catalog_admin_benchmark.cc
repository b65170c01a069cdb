// What authenticating an admin request costs now that sessions live in the
// database: FindAdminSession (one indexed query) on SQLite and on a private
// PostgreSQL server (testing/test_database.h), with many stored sessions.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog_schema.h"
#include "catalog/sql_catalog_admin.h"
#include "testing/test_database.h"

namespace lakeshare {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

struct SessionDb {
  explicit SessionDb(testing::Backend backend, int sessions) {
    auto t = testing::TestDatabase::Create(backend);
    if (!t.ok()) std::abort();
    test_db = std::move(t).value();
    auto d = OpenCatalogDatabase(test_db->url());
    if (!d.ok()) std::abort();
    CatalogAdminOptions o;
    o.password_hash = PasswordHashParams{1024, 1, 1};
    admin = std::make_unique<CatalogAdmin>(*d, o);
    auto user = admin->CreateAdminUser("ops", "a long enough password", AdminRole::kAdmin);
    if (!user.ok()) std::abort();
    for (int i = 0; i < sessions; ++i) {
      auto s = admin->CreateAdminSession(*user, kT0, 3'600'000);
      if (!s.ok()) std::abort();
      tokens.push_back(s->token);
    }
  }
  std::unique_ptr<testing::TestDatabase> test_db;
  std::unique_ptr<CatalogAdmin> admin;
  std::vector<std::string> tokens;
};

// range(0): stored sessions. The clock stays within the refresh interval,
// so this is the lookup alone (the once-a-minute last_used write is not in it).
void FindSession(benchmark::State& state, testing::Backend backend) {
  SessionDb db(backend, static_cast<int>(state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    auto r = db.admin->FindAdminSession(db.tokens[i++ % db.tokens.size()], kT0 + 1);
    if (!r.ok() || !r->has_value()) state.SkipWithError("lookup failed");
    benchmark::DoNotOptimize(r);
  }
}

void BM_FindAdminSessionSqlite(benchmark::State& state) {
  FindSession(state, testing::Backend::kSqlite);
}
void BM_FindAdminSessionPostgres(benchmark::State& state) {
  FindSession(state, testing::Backend::kPostgres);
}
BENCHMARK(BM_FindAdminSessionSqlite)->Arg(10)->Arg(10000)->UseRealTime();
BENCHMARK(BM_FindAdminSessionPostgres)->Arg(10)->Arg(10000)->UseRealTime();

}  // namespace
}  // namespace lakeshare
