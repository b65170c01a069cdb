#include "protocol/sharing_audit.h"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

class Collect : public SharingAuditSink {
 public:
  void Record(SharingAuditEvent e) override {
    std::lock_guard lock(mu);
    events.push_back(std::move(e));
  }
  std::mutex mu;
  std::vector<SharingAuditEvent> events;
};

// Produces `body` in pieces of `piece` bytes, then optionally fails.
class PieceStream : public BodyStream {
 public:
  PieceStream(std::string body, size_t piece, bool fail = false)
      : body_(std::move(body)), piece_(piece), fail_(fail) {}
  Result<bool> Next(std::string* out, size_t) override {
    size_t n = std::min(piece_, body_.size() - pos_);
    out->append(body_, pos_, n);
    pos_ += n;
    if (pos_ < body_.size()) return true;
    if (fail_) return Status::IOError("storage went away");
    return false;
  }

 private:
  std::string body_;
  size_t piece_, pos_ = 0;
  bool fail_;
};

const std::string kBody =
    "{\"protocol\":{\"minReaderVersion\":1}}\n"
    "{\"metaData\":{\"id\":\"x\"}}\n"
    "{\"file\":{\"url\":\"u1\"}}\n"
    "{\"file\":{\"url\":\"u2\"}}\n"
    "{\"metaData\":{\"id\":\"historical\"}}\n"
    "{\"add\":{\"url\":\"u3\"}}\n"
    "{\"cdf\":{\"url\":\"u4\"}}\n"
    "{\"endStreamAction\":{\"minUrlExpirationTimestamp\":1}}\n";

SharingAuditEvent Event(std::string action) {
  SharingAuditEvent e;
  e.action = std::move(action);
  e.recipient = "alice";
  return e;
}

void Drain(HttpResponse& r) {
  std::string out;
  for (;;) {
    auto more = r.stream->Next(&out, 4096);
    if (!more.ok() || !*more) break;
  }
}

TEST(SharingAuditTest, CountsFileLinesWhateverThePieces) {
  for (size_t piece : {size_t{1}, size_t{3}, size_t{17}, size_t{64}, kBody.size()}) {
    auto sink = std::make_shared<Collect>();
    HttpResponse r;
    r.stream = std::make_unique<PieceStream>(kBody, piece);
    AuditResponse(&r, Event("queryTable"), sink);
    EXPECT_TRUE(sink->events.empty());  // not before the answer is complete
    Drain(r);
    ASSERT_EQ(sink->events.size(), 1u) << piece;
    EXPECT_EQ(sink->events[0].num_files, 4) << piece;
    EXPECT_EQ(sink->events[0].status, 200);
    EXPECT_EQ(sink->events[0].detail, "");
    r.stream.reset();
    EXPECT_EQ(sink->events.size(), 1u);  // reported once
  }
}

TEST(SharingAuditTest, LastLineWithoutNewline) {
  auto sink = std::make_shared<Collect>();
  HttpResponse r;
  r.stream = std::make_unique<PieceStream>("{\"protocol\":{}}\n{\"file\":{}}", 5);
  AuditResponse(&r, Event("tableChanges"), sink);
  Drain(r);
  ASSERT_EQ(sink->events.size(), 1u);
  EXPECT_EQ(sink->events[0].num_files, 1);
}

TEST(SharingAuditTest, FailedAndAbandonedStreams) {
  auto sink = std::make_shared<Collect>();
  {
    HttpResponse r;
    r.stream = std::make_unique<PieceStream>(kBody, 40, /*fail=*/true);
    AuditResponse(&r, Event("queryTable"), sink);
    Drain(r);
  }
  {
    HttpResponse r;
    r.stream = std::make_unique<PieceStream>(kBody, 70);
    AuditResponse(&r, Event("queryTable"), sink);
    std::string out;
    ASSERT_OK(r.stream->Next(&out, 70));  // one piece, then the client leaves
  }
  ASSERT_EQ(sink->events.size(), 2u);
  EXPECT_EQ(sink->events[0].detail, "aborted: storage went away");
  EXPECT_EQ(sink->events[0].num_files, 4);
  EXPECT_EQ(sink->events[1].detail.rfind("aborted", 0), 0u);
  EXPECT_EQ(sink->events[1].num_files, 0);  // only protocol and metaData were out
}

TEST(SharingAuditTest, PlainAnswersAndErrors) {
  auto sink = std::make_shared<Collect>();
  HttpResponse ok;
  ok.body = "{\"items\":[]}";
  AuditResponse(&ok, Event("listShares"), sink);
  HttpResponse err;
  err.status = 404;
  err.body = "{\"errorCode\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"share 'x' not found\"}";
  AuditResponse(&err, Event("getShare"), sink);
  HttpResponse junk;
  junk.status = 500;
  junk.body = "not json";
  AuditResponse(&junk, Event("getShare"), sink);
  ASSERT_EQ(sink->events.size(), 3u);
  EXPECT_EQ(sink->events[0].status, 200);
  EXPECT_FALSE(sink->events[0].num_files);
  EXPECT_EQ(sink->events[1].detail, "RESOURCE_DOES_NOT_EXIST: share 'x' not found");
  EXPECT_EQ(sink->events[2].detail, "");
}

TEST(SharingAuditTest, TheReasonTheClientWasNotToldIsAudited) {
  auto sink = std::make_shared<Collect>();
  HttpResponse err;
  err.status = 400;
  err.body =
      "{\"errorCode\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"table s.d.t is unavailable\"}";
  SharingAuditEvent e = Event("queryTable");
  e.reason = "NotFound: No Delta table at '/data/t'";
  AuditResponse(&err, std::move(e), sink);
  ASSERT_EQ(sink->events.size(), 1u);
  EXPECT_EQ(sink->events[0].detail,
            "RESOURCE_DOES_NOT_EXIST: table s.d.t is unavailable; reason: NotFound: No Delta table "
            "at '/data/t'");
}

TEST(SharingAuditTest, DescribesRequests) {
  struct Case {
    std::vector<std::string> seg;
    const char* action;
    const char* object;
  } cases[] = {
      {{"shares"}, "listShares", ""},
      {{"shares", "s"}, "getShare", "share:s"},
      {{"shares", "s", "schemas"}, "listSchemas", "share:s"},
      {{"shares", "s", "all-tables"}, "listAllTables", "share:s"},
      {{"shares", "s", "schemas", "d", "tables"}, "listTables", "schema:s.d"},
      {{"shares", "s", "schemas", "d", "tables", "t"}, "tableVersion", "table:s.d.t"},
      {{"shares", "s", "schemas", "d", "tables", "t", "version"}, "tableVersion", "table:s.d.t"},
      {{"shares", "s", "schemas", "d", "tables", "t", "metadata"}, "tableMetadata", "table:s.d.t"},
      {{"shares", "s", "schemas", "d", "tables", "t", "query"}, "queryTable", "table:s.d.t"},
      {{"shares", "s", "schemas", "d", "tables", "t", "changes"}, "tableChanges", "table:s.d.t"},
      {{"shares", "s", "schemas", "d", "tables", "t", "nope"}, "unknown", "table:s.d.t"},
      {{"other"}, "unknown", ""},
      {{}, "unknown", ""},
  };
  for (const auto& c : cases) {
    SharingAuditEvent e;
    DescribeSharingRequest(c.seg, &e);
    EXPECT_EQ(e.action, c.action);
    EXPECT_EQ(e.object, c.object);
  }
}

}  // namespace
}  // namespace lakeshare
