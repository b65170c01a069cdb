#include "server/body_streaming.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "server/http_test_util.h"

namespace lakeshare {
namespace {

using namespace ::lakeshare::testing;  // NOLINT(google-build-using-namespace): test helpers

TEST(BodyStreamingTest, Streamed20MBArrivesIntactAndChunked) {
  TestServer s;
  constexpr uint64_t kTotal = 20ull << 20;
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/stream?total=" + std::to_string(kTotal))));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->chunked);
  EXPECT_TRUE(r->complete);
  EXPECT_FALSE(r->HasHeader("content-length"));
  EXPECT_EQ(r->Header("content-type"), "application/x-ndjson");
  ASSERT_EQ(r->body.size(), kTotal);
  EXPECT_TRUE(r->body == Pattern(0, kTotal));
  EXPECT_TRUE(WaitFor([&] { return s.hooks.destroyed == 1; }, 5s));
  // Keep-alive continues after a chunked body.
  ASSERT_TRUE(c.Send(GetRequest("/echo")));
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(BodyStreamingTest, StreamSkipsEmptyPieces) {
  TestServer s;
  auto r = Fetch(s.port(), GetRequest("/stream?total=50000&piece=3000&empty=1"));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->body, Pattern(0, 50000));
}

TEST(BodyStreamingTest, StreamWithLengthUsesContentLength) {
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/stream?total=300000&piece=10000&length=1")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->chunked);
  EXPECT_EQ(r->Header("content-length"), "300000");
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->body, Pattern(0, 300000));
  ASSERT_TRUE(c.Send(GetRequest("/echo")));
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(BodyStreamingTest, StreamErrorTruncatesResponse) {
  TestServer s;
  {
    Client c(s.port());
    ASSERT_TRUE(c.Send(GetRequest("/stream?total=1000000&piece=1000&fail=3")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);  // the error came after the headers
    EXPECT_TRUE(r->chunked);
    EXPECT_FALSE(r->complete);  // no terminating chunk
    EXPECT_EQ(r->body, Pattern(0, 3000));
  }
  {
    Client c(s.port());
    ASSERT_TRUE(c.Send(GetRequest("/stream?total=100000&piece=1000&fail=5&length=1")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->complete);  // fewer bytes than Content-Length, then EOF
    EXPECT_EQ(r->body, Pattern(0, 5000));
  }
  EXPECT_TRUE(WaitFor([&] { return s.hooks.destroyed == 2; }, 5s));
}

TEST(BodyStreamingTest, ClientDisconnectMidStream) {
  TestServer s;
  {
    Client c(s.port());
    ASSERT_TRUE(c.Send(GetRequest("/stream")));  // endless
    size_t got = 0;
    while (got < 2'000'000) {
      ASSERT_TRUE(c.Fill());
      got = c.buffered().size();
    }
  }  // closes mid-stream
  EXPECT_TRUE(WaitFor([&] { return s.hooks.destroyed == 1; }, 10s));
  auto ok = Fetch(s.port(), GetRequest("/echo"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(BodyStreamingTest, SlowReaderDoesNotMakeServerBuffer) {
  // Backpressure: while the client does not read, the endless producer must
  // stop once the socket buffers are full instead of piling up memory.
  TestServer s;
  Client c(s.port());
  ASSERT_TRUE(c.Send(GetRequest("/stream?piece=65536")));  // endless
  ASSERT_TRUE(c.Fill());
  // Production stops once the socket buffers are full; how soon depends on
  // the build (sanitizers) and the machine's load, so wait for it to stop.
  uint64_t stalled = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        stalled = s.hooks.produced;
        std::this_thread::sleep_for(300ms);
        return s.hooks.produced == stalled;
      },
      10s));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(s.hooks.produced, stalled);  // no progress without a reader
  EXPECT_LT(stalled, 64u << 20);         // only what kernel buffers hold
  // Reading resumes the stream; other clients are served meanwhile.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(c.Fill());
  auto ok = Fetch(s.port(), GetRequest("/echo"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  c.Close();
  EXPECT_TRUE(WaitFor([&] { return s.hooks.destroyed == 1; }, 10s));
}

// Pieces from a list; "!" fails, "throw" throws.
class ListStream : public BodyStream {
 public:
  explicit ListStream(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {}
  Result<bool> Next(std::string* out, size_t) override {
    if (next_ >= pieces_.size()) return false;
    const std::string& p = pieces_[next_++];
    if (p == "!") return Status::IOError("broken");
    if (p == "throw") throw std::runtime_error("bug");
    out->append(p);
    return next_ < pieces_.size();
  }

 private:
  std::vector<std::string> pieces_;
  size_t next_ = 0;
};

std::string Flatten(const StreamFramer::Buffers& buffers) {
  std::string out;
  for (const auto& b : buffers) out.append(static_cast<const char*>(b.data()), b.size());
  return out;
}

TEST(BodyStreamingTest, ProducePieceSkipsEmptyPiecesAndCatches) {
  std::atomic<bool> aborted{false};
  ListStream stream({"", "", "ab", "", "c"});
  std::string piece;
  ASSERT_OK_AND_ASSIGN(bool more, ProducePiece(&stream, &piece, 10, aborted));
  EXPECT_TRUE(more);
  EXPECT_EQ(piece, "ab");
  piece.clear();
  ASSERT_OK_AND_ASSIGN(more, ProducePiece(&stream, &piece, 10, aborted));
  EXPECT_FALSE(more);
  EXPECT_EQ(piece, "c");

  ListStream failing({"!"});
  EXPECT_THAT(ProducePiece(&failing, &piece, 10, aborted), StatusIs(StatusCode::kIOError));
  ListStream throwing({"throw"});
  EXPECT_THAT(ProducePiece(&throwing, &piece, 10, aborted), StatusIs(StatusCode::kInternal));
  aborted = true;
  ListStream endless({"x", "x"});
  EXPECT_THAT(ProducePiece(&endless, &piece, 10, aborted), StatusIs(StatusCode::kUnavailable));
}

TEST(BodyStreamingTest, ChunkedFraming) {
  StreamFramer framer(BodyFraming::kChunked, 0);
  const std::string piece(26, 'z'), end = "end", empty;
  ASSERT_OK_AND_ASSIGN(StreamFramer::Buffers b, framer.Frame(piece, false));
  EXPECT_EQ(Flatten(b), "1a\r\n" + piece + "\r\n");
  ASSERT_OK_AND_ASSIGN(b, framer.Frame(end, true));
  EXPECT_EQ(Flatten(b), "3\r\nend\r\n0\r\n\r\n");
  StreamFramer nothing(BodyFraming::kChunked, 0);
  ASSERT_OK_AND_ASSIGN(b, nothing.Frame(empty, true));
  EXPECT_EQ(Flatten(b), "0\r\n\r\n");
  EXPECT_EQ(framer.body_bytes(), 29u);
}

TEST(BodyStreamingTest, ContentLengthMustMatch) {
  const std::string abc = "abc", de = "de", raw = "raw";
  StreamFramer exact(BodyFraming::kContentLength, 5);
  ASSERT_OK_AND_ASSIGN(StreamFramer::Buffers b, exact.Frame(abc, false));
  EXPECT_EQ(Flatten(b), "abc");
  ASSERT_OK_AND_ASSIGN(b, exact.Frame(de, true));
  EXPECT_EQ(Flatten(b), "de");

  StreamFramer longer(BodyFraming::kContentLength, 2);
  EXPECT_THAT(longer.Frame(abc, false), StatusIs(StatusCode::kInternal));
  StreamFramer shorter(BodyFraming::kContentLength, 5);
  EXPECT_THAT(shorter.Frame(abc, true), StatusIs(StatusCode::kInternal));

  StreamFramer until_close(BodyFraming::kUntilClose, 0);
  ASSERT_OK_AND_ASSIGN(b, until_close.Frame(raw, true));
  EXPECT_EQ(Flatten(b), "raw");
}

}  // namespace
}  // namespace lakeshare
