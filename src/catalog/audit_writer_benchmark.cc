// The cost of Submit() on the request path, and how fast the background
// writer drains a burst into SQLite.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "catalog/audit_writer.h"
#include "catalog/catalog_schema.h"

namespace lakeshare {
namespace {

AuditEntry Entry(int64_t i) {
  AuditEntry e;
  e.actor_kind = "recipient";
  e.actor_name = "partner";
  e.action = "queryTable";
  e.object = "table:sales.default.orders";
  e.outcome = "ok";
  e.detail = "200";
  e.num_files = i % 1000;
  e.remote_address = "203.0.113.7";
  return e;
}

struct Db {
  Db() {
    dir = std::filesystem::temp_directory_path() /
          ("lakeshare-audit-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto d = OpenCatalogDatabase("sqlite:" + (dir / "catalog.db").string());
    if (!d.ok()) std::abort();
    admin = std::make_shared<CatalogAdmin>(*d);
  }
  ~Db() {
    admin.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
  std::shared_ptr<CatalogAdmin> admin;
};

// Submit() alone (the writer drains concurrently; the queue is large
// enough that nothing is dropped within a benchmark run).
void BM_Submit(benchmark::State& state) {
  Db db;
  AuditWriterOptions o;
  o.capacity = 1 << 22;
  AuditWriter w(db.admin, o);
  int64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(w.Submit(Entry(i++)));
  w.Flush(std::chrono::seconds(120));  // the loop is over: not timed
  state.counters["dropped"] = static_cast<double>(w.stats().dropped);
}
BENCHMARK(BM_Submit);

// Entries per second written to SQLite, in batches: submit a burst, flush.
void BM_DrainToSqlite(benchmark::State& state) {
  Db db;
  AuditWriterOptions o;
  o.capacity = 1 << 20;
  AuditWriter w(db.admin, o);
  const int64_t burst = state.range(0);
  int64_t i = 0;
  for (auto _ : state) {
    for (int64_t k = 0; k < burst; ++k) w.Submit(Entry(i++));
    w.Flush(std::chrono::seconds(120));
  }
  state.SetItemsProcessed(state.iterations() * burst);
}
BENCHMARK(BM_DrainToSqlite)->Arg(1)->Arg(100)->Arg(10000)->UseRealTime();

}  // namespace
}  // namespace lakeshare
