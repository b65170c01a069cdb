#include "protocol/sharing_audit.h"

#include <boost/json.hpp>
#include <cstring>

namespace lakeshare {
namespace {

// "errorCode: message" of a JSON error body, cut to a sane length.
std::string ErrorDetail(const std::string& body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  std::string out;
  if (!ec && v.is_object()) {
    const auto& o = v.as_object();
    if (auto* c = o.if_contains("errorCode"); c && c->is_string()) out = c->as_string().c_str();
    if (auto* m = o.if_contains("message"); m && m->is_string()) {
      out += (out.empty() ? "" : ": ") + std::string(m->as_string().c_str());
    }
  }
  if (out.size() > 512) out.resize(512);
  return out;
}

// Counts the file lines of an NDJSON answer as it streams: every line but
// protocol, metaData and endStreamAction (the protocol's line types are
// one-key objects, so the key opens the line).
class CountingStream : public BodyStream {
 public:
  CountingStream(std::unique_ptr<BodyStream> inner, SharingAuditEvent event,
                 std::shared_ptr<SharingAuditSink> sink)
      : inner_(std::move(inner)), event_(std::move(event)), sink_(std::move(sink)) {}

  ~CountingStream() override {
    if (!reported_) Report("aborted: the client went away before the answer was complete");
  }

  Result<bool> Next(std::string* out, size_t size_hint) override {
    size_t start = out->size();
    Result<bool> more = inner_->Next(out, size_hint);
    Scan(out->data() + start, out->size() - start);
    if (!more.ok()) {
      Report("aborted: " + more.status().message());
    } else if (!*more) {
      if (!line_.empty()) Classify();  // a last line without '\n'
      Report("");
    }
    return more;
  }

  std::optional<uint64_t> Length() const override { return inner_->Length(); }

 private:
  static constexpr size_t kKeyBytes = 20;  // enough for {"endStreamAction"

  void Scan(const char* p, size_t n) {
    const char* end = p + n;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* stop = nl ? nl : end;
      if (line_.size() < kKeyBytes) {
        line_.append(p, std::min(static_cast<size_t>(stop - p), kKeyBytes - line_.size()));
      }
      if (!nl) break;
      Classify();
      p = nl + 1;
    }
  }

  void Classify() {
    std::string_view l = line_;
    if (!l.empty() && l.rfind("{\"protocol\"", 0) != 0 && l.rfind("{\"metaData\"", 0) != 0 &&
        l.rfind("{\"endStreamAction\"", 0) != 0) {
      ++files_;
    }
    line_.clear();
  }

  void Report(std::string detail) {
    reported_ = true;
    event_.num_files = files_;
    if (!detail.empty()) event_.detail = std::move(detail);
    sink_->Record(std::move(event_));
  }

  std::unique_ptr<BodyStream> inner_;
  SharingAuditEvent event_;
  std::shared_ptr<SharingAuditSink> sink_;
  std::string line_;  // the first bytes of the current line
  int64_t files_ = 0;
  bool reported_ = false;
};

}  // namespace

void DescribeSharingRequest(const std::vector<std::string>& seg, SharingAuditEvent* e) {
  const size_t n = seg.size();
  e->action = "unknown";
  if (n == 0 || seg[0] != "shares") return;
  if (n == 1) {
    e->action = "listShares";
    return;
  }
  e->object = "share:" + seg[1];
  if (n == 2) {
    e->action = "getShare";
  } else if (n == 3 && seg[2] == "schemas") {
    e->action = "listSchemas";
  } else if (n == 3 && seg[2] == "all-tables") {
    e->action = "listAllTables";
  } else if (n >= 4 && seg[2] == "schemas") {
    e->object = "schema:" + seg[1] + "." + seg[3];
    if (n == 5 && seg[4] == "tables") {
      e->action = "listTables";
    } else if ((n == 6 || n == 7) && seg[4] == "tables") {
      e->object = "table:" + seg[1] + "." + seg[3] + "." + seg[5];
      std::string what = n == 7 ? seg[6] : "";
      e->action = what.empty() || what == "version" ? "tableVersion"
                  : what == "metadata"              ? "tableMetadata"
                  : what == "query"                 ? "queryTable"
                  : what == "changes"               ? "tableChanges"
                                                    : "unknown";
    }
  }
}

void AuditResponse(HttpResponse* response, SharingAuditEvent event,
                   std::shared_ptr<SharingAuditSink> sink) {
  event.status = response->status;
  if (response->status >= 400 && !response->stream) event.detail = ErrorDetail(response->body);
  if (!event.reason.empty()) {
    event.detail += (event.detail.empty() ? "" : "; ") + std::string("reason: ") + event.reason;
    if (event.detail.size() > 1024) event.detail.resize(1024);
  }
  if (response->stream && response->status < 300 &&
      (event.action == "queryTable" || event.action == "tableChanges")) {
    response->stream = std::make_unique<CountingStream>(std::move(response->stream),
                                                        std::move(event), std::move(sink));
    return;
  }
  sink->Record(std::move(event));
}

}  // namespace lakeshare
