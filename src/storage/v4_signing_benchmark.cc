// The cost of one pre-signed S3 URL (AWS Signature V4, query form), as an
// answer of an S3-located table signs one per file.
//
//   storage_benchmark --benchmark_filter=V4Presign
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "storage/v4_signing.h"

namespace lakeshare {
namespace {

void BM_V4Presign(benchmark::State& state) {
  V4Credentials creds;
  creds.id = "AKIDEXAMPLE";
  creds.secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  V4Options o;
  o.region = "us-east-1";
  o.service = "s3";
  o.timestamp_s = 1700000000;
  V4Request r;
  r.host = "bucket.s3.us-east-1.amazonaws.com";
  size_t i = 0;
  for (auto _ : state) {
    char path[128];
    std::snprintf(path, sizeof(path),
                  "/tables/sales/part=%zu/0f2b6c1e-5d7a-4c3e-9b1a-%012zx.c000.snappy.parquet",
                  i / 100, i);
    ++i;
    r.path = path;
    auto s = V4Presign(r, creds, o, 3600);
    if (!s.ok()) state.SkipWithError(s.status().ToString().c_str());
    benchmark::DoNotOptimize(s->Url(r));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_V4Presign);

}  // namespace
}  // namespace lakeshare
