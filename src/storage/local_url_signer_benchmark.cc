// The cost of one signed local URL and of its parts (HMAC-SHA256 of the
// payload, the AES-256-CTR seal), at the size of a file path of a large table.
//
//   storage_benchmark --benchmark_filter='Presign|Hmac|Aes'
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "storage/local_url_signer.h"

namespace lakeshare {
namespace {

// Paths as a table of a million files has them, in the answer's order: one
// folder, partition folders of about a hundred files each, long random names.
std::vector<std::string> Paths() {
  std::vector<std::string> paths;
  for (int i = 0; i < 1024; ++i) {
    char p[128];
    std::snprintf(p, sizeof(p), "/data/tables/sales/part=%d/%08x-%04x-4%03x-a%03x-%012x.parquet",
                  i / 103, 0x9e3779b9u * static_cast<unsigned>(i), i * 7 % 0xffff, i % 0xfff,
                  i * 3 % 0xfff, 0x85ebca6bu * static_cast<unsigned>(i));
    paths.emplace_back(p);
  }
  return paths;
}

void BM_PresignLocalUrl(benchmark::State& state) {
  LocalUrlSigner signer(std::string(64, 'k'));
  const auto paths = Paths();
  const SignContext context{"http://127.0.0.1:8080/delta-sharing"};
  const size_t root = std::string_view("/data/tables/sales").size();
  PresignedUrl url;
  size_t i = 0;
  for (auto _ : state) {
    auto st =
        signer.PresignBeneathInto(paths[i++ % paths.size()], root, 1900000000000, context, &url);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(url.url.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PresignLocalUrl);

void BM_HmacSha256Key(benchmark::State& state) {
  HmacSha256Key key(std::string(32, 'k'));
  const auto paths = Paths();
  unsigned char mac[32];
  size_t i = 0;
  for (auto _ : state) {
    key.Mac({"lakeshare-file-url-v3\n", "1900000000000", "\n", "18:", paths[i++ % paths.size()]},
            mac);
    benchmark::DoNotOptimize(mac);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HmacSha256Key);

void BM_Aes256CtrKey(benchmark::State& state) {
  Aes256CtrKey key(std::string(32, 'k'));
  const std::string iv(16, 'i');
  const std::string data(static_cast<size_t>(state.range(0)), 'p');
  std::string out(data.size(), '\0');
  for (auto _ : state) {
    if (!key.Apply(iv, data, out.data())) state.SkipWithError("Apply failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_Aes256CtrKey)->Arg(90)->Arg(1000);

}  // namespace
}  // namespace lakeshare
