// What /metrics costs a request: ServeMetrics::OnRequest (route match plus
// three series updates) and its audit-event counting, against the cost of a
// small request (tens of microseconds); and what a scrape costs.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <thread>

#include "cli/serve_metrics.h"

namespace lakeshare {
namespace {

void BM_OnRequestShares(benchmark::State& state) {
  static ServeMetrics metrics("/delta-sharing", nullptr);
  RequestRecord record{"GET", "/delta-sharing/shares",       200,
                       123,   std::chrono::microseconds(80), true};
  for (auto _ : state) metrics.OnRequest(record);
}
BENCHMARK(BM_OnRequestShares)->Threads(1)->Threads(2);

void BM_OnRequestQuery(benchmark::State& state) {
  static ServeMetrics metrics("/delta-sharing", nullptr);
  RequestRecord record{"POST",
                       "/delta-sharing/shares/sales/schemas/default/tables/orders/query",
                       200,
                       40000,
                       std::chrono::milliseconds(3),
                       true};
  for (auto _ : state) metrics.OnRequest(record);
}
BENCHMARK(BM_OnRequestQuery)->Threads(1)->Threads(2);

void BM_RecordAuditEvent(benchmark::State& state) {
  ServeMetrics metrics("/delta-sharing", nullptr);
  for (auto _ : state) {
    SharingAuditEvent event;
    event.action = "queryTable";
    event.num_files = 10;
    metrics.Record(std::move(event));
  }
}
BENCHMARK(BM_RecordAuditEvent);

void BM_Render(benchmark::State& state) {
  ServeMetrics metrics("/delta-sharing", nullptr);
  for (int status : {200, 400, 401, 403, 404}) {
    for (const char* path : {"/delta-sharing/shares", "/delta-sharing/shares/s/schemas",
                             "/delta-sharing/shares/s/schemas/d/tables/t/query", "/x"}) {
      metrics.OnRequest(
          RequestRecord{"GET", path, status, 10, std::chrono::microseconds(100), true});
    }
  }
  for (auto _ : state) benchmark::DoNotOptimize(metrics.Render());
}
BENCHMARK(BM_Render);

}  // namespace
}  // namespace lakeshare
