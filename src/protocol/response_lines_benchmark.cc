// The cost of writing one file line of a query answer, URL already signed
// (parquet and delta response formats), with a path, a partition value and
// stats of the sizes a large table has.
//
//   protocol_benchmark --benchmark_filter=FileLine
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "protocol/response_lines.h"

namespace lakeshare {
namespace {

DataFile SampleFile() {
  DataFile f;
  f.path = "part=3/0f2b6c1e-5d7a-4c3e-9b1a-2e4f6a8c0d1e-c000.snappy.parquet";
  f.partition_values["part"] = "3";
  f.size = 53360958;
  f.modification_time = 1700000000000;
  f.stats =
      R"({"numRecords":60274,"minValues":{"id":25176,"value":0.609190,"name":"aaa94496"},)"
      R"("maxValues":{"id":30176,"value":1.5,"name":"zzz00001"},"nullCount":{"id":0,"value":2,)"
      R"("name":0}})";
  return f;
}

PresignedUrl SampleUrl() {
  PresignedUrl url;
  url.url =
      "http://127.0.0.1:43743/delta-sharing/files/"
      "Lqe8pMnaDb4bYcXBKkeo1sQW-pyJmFtEjJQKULu5kuAMUH62tiBm-6Tp0zG6PeNXFoDFhf_AiikkCLE94kSZIKtjS-"
      "Lvm2Hfi1MEw4f12GJVBKlVZlIuBwCKq4cPf_xLwWjjDxOUc20-oBHevB0qsSs?expires=1796567423975&"
      "signature=ywi4GXocjfndaIs4kDxvrA";
  url.expiration_ms = 1796567423975;
  return url;
}

void BM_ParquetFileLine(benchmark::State& state) {
  const DataFile f = SampleFile();
  const PresignedUrl url = SampleUrl();
  const unsigned char digest[16] = {0x63, 0x1c, 0xf4, 0x5b, 0xc9, 0x04, 0xc8, 0xee,
                                    0xf5, 0xba, 0x45, 0xf3, 0x1d, 0x26, 0xea, 0xee};
  std::string out;
  for (auto _ : state) {
    if (out.size() > (1 << 20)) out.clear();
    AppendParquetFileLine(&out, f, url, FileLineOptions{}, FileIdHash::kMd5, "file", digest);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParquetFileLine);

void BM_DeltaFileLine(benchmark::State& state) {
  const DataFile f = SampleFile();
  const PresignedUrl url = SampleUrl();
  DeltaFileLine line;
  line.id = "631cf45bc904c8eef5ba45f31d26eaee631cf45bc904c8eef5ba45f31d26eaee";
  std::string out;
  for (auto _ : state) {
    if (out.size() > (1 << 20)) out.clear();
    AppendDeltaFileLine(&out, f, url, line, FileLineOptions{});
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DeltaFileLine);

}  // namespace
}  // namespace lakeshare
