// What auditing adds to a sharing request: counting the file lines of a
// streamed answer as it goes out, and handing the event to the sink.
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/sharing_audit.h"

namespace lakeshare {
namespace {

// A 10 000-file answer shaped like a parquet-format /query body.
std::string Body() {
  std::string body = "{\"protocol\":{\"minReaderVersion\":1}}\n{\"metaData\":{\"id\":\"x\"}}\n";
  for (int i = 0; i < 10000; ++i) {
    body += "{\"file\":{\"url\":\"https://share.example.com/delta-sharing/files/" +
            std::string(180, 'a') + std::to_string(i) + "\",\"id\":\"" + std::string(32, 'f') +
            "\",\"partitionValues\":{\"part\":\"7\"},\"size\":123456,\"stats\":\"{"
            "\\\"numRecords\\\":1000}\","
            "\"expirationTimestamp\":1700000000000}}\n";
  }
  return body;
}

class Replay : public BodyStream {
 public:
  explicit Replay(const std::string* body) : body_(body) {}
  Result<bool> Next(std::string* out, size_t size_hint) override {
    size_t n = std::min(size_hint, body_->size() - pos_);
    out->append(*body_, pos_, n);
    pos_ += n;
    return pos_ < body_->size();
  }

 private:
  const std::string* body_;
  size_t pos_ = 0;
};

class NullSink : public SharingAuditSink {
 public:
  void Record(SharingAuditEvent e) override { benchmark::DoNotOptimize(e.num_files); }
};

void Drain(HttpResponse& r) {
  std::string out;
  for (;;) {
    out.clear();
    auto more = r.stream->Next(&out, 64 * 1024);
    if (!more.ok() || !*more) break;
  }
}

void BM_StreamPlain(benchmark::State& state) {
  std::string body = Body();
  for (auto _ : state) {
    HttpResponse r;
    r.stream = std::make_unique<Replay>(&body);
    Drain(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_StreamPlain);

void BM_StreamAudited(benchmark::State& state) {
  std::string body = Body();
  auto sink = std::make_shared<NullSink>();
  for (auto _ : state) {
    HttpResponse r;
    r.stream = std::make_unique<Replay>(&body);
    SharingAuditEvent e;
    e.action = "queryTable";
    e.recipient = "alice";
    e.object = "table:s.d.t";
    AuditResponse(&r, std::move(e), sink);
    Drain(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_StreamAudited);

}  // namespace
}  // namespace lakeshare
