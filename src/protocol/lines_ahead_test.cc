// The answer produced on several cores (LinesAhead, through QueryBodyStream)
// must be the bytes the one-thread producer makes, in every mode it serves.
#include "protocol/lines_ahead.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <thread>
#include <vector>

#include "delta/delta_table.h"
#include "storage/local_storage.h"
#include "storage/local_url_signer.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

constexpr int64_t kExpiration = 1900000000000;

// `n` files in chunks of uneven sizes (as a snapshot brought forward has);
// file `bad` (if any) lies outside the table.
std::shared_ptr<const TableSnapshot> Snapshot(size_t n, size_t bad = SIZE_MAX) {
  std::vector<FileList::ChunkPtr> chunks;
  auto chunk = std::make_shared<FileList::Chunk>();
  const size_t sizes[] = {512, 7, 300, 1, 512, 64};
  size_t size_index = 0;
  for (size_t i = 0; i < n; ++i) {
    DataFile f;
    char path[64];
    std::snprintf(path, sizeof(path), "p=%zu/part-%06zu.parquet", i % 5, i);
    f.path = i == bad ? "/elsewhere/x.parquet" : path;
    f.partition_values["p"] = std::to_string(i % 5);
    f.size = static_cast<int64_t>(1000 + i);
    f.modification_time = 1700000000000;
    // Lines of uneven lengths, so ranges adapt their size.
    f.stats = "{\"numRecords\":" + std::to_string(10 + i % 7) + ",\"pad\":\"" +
              std::string(i % 97 * 3, 'x') + "\"}";
    if (i % 11 == 0) {
      DeletionVector dv;
      dv.storage_type = "i";
      dv.path_or_inline_dv = "wi5b=000000000000000000";
      dv.size_in_bytes = 12;
      dv.cardinality = 1;
      f.deletion_vector = dv;
    }
    chunk->push_back(std::move(f));
    if (chunk->size() == sizes[size_index % 6]) {
      chunks.push_back(std::move(chunk));
      chunk = std::make_shared<FileList::Chunk>();
      ++size_index;
    }
  }
  chunks.push_back(std::move(chunk));
  auto s = std::make_shared<TableSnapshot>();
  s->version = 3;
  s->files = FileList::FromChunks(std::move(chunks));
  return s;
}

FileSigner Signer() {
  auto storage = std::make_shared<LocalStorage>();
  ResolvedTable table;
  table.location = "/data/tables/t";
  table.format = std::make_shared<DeltaTable>(table.location, storage);
  table.backend.storage = storage;
  table.backend.signer = std::make_shared<LocalUrlSigner>(std::string(64, 'k'));
  return FileSigner(table, SignContext{"http://127.0.0.1:8080/delta-sharing"}, kExpiration,
                    "s.d.t");
}

class EveryThird : public FileFilter {
 public:
  bool Keep(const DataFile& file) const override { return file.size % 3 == 0; }
};

struct Answer {
  std::string body;
  Status status;
  size_t pieces = 0;
};

// Streams an answer as the server does: pieces of about `hint` bytes, the
// producing thread's buffer swapped with the written one.
Answer Stream(std::shared_ptr<const TableSnapshot> snapshot, QueryStreamOptions o, bool parallel,
              bool filtered, size_t hint) {
  o.parallel_min_files = parallel ? 0 : SIZE_MAX;
  QueryBodyStream stream("{\"protocol\":{}}\n", std::move(snapshot), Signer(),
                         filtered ? std::make_unique<EveryThird>() : nullptr, std::move(o));
  Answer a;
  std::string piece;
  while (true) {
    piece.clear();
    Result<bool> more = stream.Next(&piece, hint);
    if (!more.ok()) {
      a.status = more.status();
      return a;
    }
    a.body += piece;
    ++a.pieces;
    if (!*more) return a;
  }
}

void ExpectSameAnswer(std::shared_ptr<const TableSnapshot> snapshot, const QueryStreamOptions& o,
                      bool filtered) {
  for (size_t hint : {size_t{1}, size_t{5000}, size_t{256} << 10}) {
    Answer serial = Stream(snapshot, o, false, filtered, hint);
    Answer parallel = Stream(snapshot, o, true, filtered, hint);
    ASSERT_OK(serial.status);
    ASSERT_OK(parallel.status);
    EXPECT_GT(serial.body.size(), 10000u);
    EXPECT_EQ(parallel.body, serial.body) << "hint " << hint;
  }
  EXPECT_EQ(LinesAhead::ActiveAnswers(), 0u);
}

TEST(LinesAheadTest, ParquetAnswerIsTheSerialOne) {
  ExpectSameAnswer(Snapshot(5000), QueryStreamOptions{}, false);
}

TEST(LinesAheadTest, DeltaAnswerIsTheSerialOne) {
  QueryStreamOptions o;
  o.format = ResponseFormat::kDelta;
  o.id_hash = FileIdHash::kSha256;
  o.line_options.include_version = true;
  o.line_options.version = 3;
  o.line_options.timestamp_ms = 1700000000123;
  ExpectSameAnswer(Snapshot(3000), o, false);
}

TEST(LinesAheadTest, FilteredAnswerIsTheSerialOne) {
  ExpectSameAnswer(Snapshot(5000), QueryStreamOptions{}, true);
}

TEST(LinesAheadTest, RestFromAPagePositionWithEndStreamActionIsTheSerialOne) {
  QueryStreamOptions o;
  o.start_index = 1234;  // a page token without maxFiles: the rest of the snapshot
  o.end_stream_action = true;
  o.refresh_token = "r";
  ExpectSameAnswer(Snapshot(4000), o, false);
  Answer a = Stream(Snapshot(4000), o, true, false, 5000);
  EXPECT_EQ(a.body.find("\"size\":2233,"), std::string::npos);  // file 1233
  EXPECT_NE(a.body.find("\"size\":2234,"), std::string::npos);
  EXPECT_NE(a.body.rfind("{\"endStreamAction\""), std::string::npos);
}

TEST(LinesAheadTest, EmptyRestIsTheSerialOne) {
  QueryStreamOptions o;
  o.start_index = 100;
  o.end_stream_action = true;
  auto snapshot = Snapshot(100);
  Answer serial = Stream(snapshot, o, false, false, 5000);
  Answer parallel = Stream(snapshot, o, true, false, 5000);
  ASSERT_OK(parallel.status);
  EXPECT_EQ(parallel.body, serial.body);
}

TEST(LinesAheadTest, FailingLineEndsTheAnswerAsTheSerialProducer) {
  auto snapshot = Snapshot(5000, /*bad=*/3777);
  // With endStreamAction: the lines before the bad file, then its error.
  QueryStreamOptions o;
  o.end_stream_action = true;
  Answer serial = Stream(snapshot, o, false, false, 5000);
  Answer parallel = Stream(snapshot, o, true, false, 5000);
  ASSERT_OK(parallel.status);
  EXPECT_EQ(parallel.body, serial.body);
  EXPECT_NE(parallel.body.find("\"size\":4776,"), std::string::npos);  // file 3776
  EXPECT_EQ(parallel.body.find("\"size\":4778,"), std::string::npos);
  EXPECT_NE(parallel.body.find("{\"endStreamAction\""), std::string::npos);
  // Without: the body breaks off with the error, never past the bad file.
  Answer serial_cut = Stream(snapshot, QueryStreamOptions{}, false, false, 5000);
  Answer cut = Stream(snapshot, QueryStreamOptions{}, true, false, 5000);
  EXPECT_FALSE(serial_cut.status.ok());
  EXPECT_EQ(cut.status.code(), serial_cut.status.code());
  EXPECT_EQ(cut.status.message(), serial_cut.status.message());
  EXPECT_EQ(cut.body.find("\"size\":4778,"), std::string::npos);
  EXPECT_EQ(serial.body.compare(0, cut.body.size(), cut.body), 0);
  EXPECT_EQ(LinesAhead::ActiveAnswers(), 0u);
}

TEST(LinesAheadTest, LimitAndMaxFilesStayOnOneThreadAndAnswerAlike) {
  auto snapshot = Snapshot(5000);
  QueryStreamOptions o;
  o.limit = 700;
  Answer serial = Stream(snapshot, o, false, false, 5000);
  Answer parallel = Stream(snapshot, o, true, false, 5000);
  EXPECT_EQ(parallel.body, serial.body);
  o.limit.reset();
  o.max_files = 900;
  o.end_stream_action = true;
  o.make_page_token = [](uint64_t next, int64_t rows) {
    return std::to_string(next) + "/" + std::to_string(rows);
  };
  serial = Stream(snapshot, o, false, false, 5000);
  parallel = Stream(snapshot, o, true, false, 5000);
  EXPECT_EQ(parallel.body, serial.body);
  EXPECT_NE(parallel.body.find("\"nextPageToken\":\"900/0\""), std::string::npos);
}

TEST(LinesAheadTest, AbandonedAnswerCancelsItsRanges) {
  auto snapshot = Snapshot(20000);
  for (int i = 0; i < 20; ++i) {
    QueryStreamOptions o;
    o.parallel_min_files = 0;
    QueryBodyStream stream("", snapshot, Signer(), nullptr, o);
    std::string piece;
    ASSERT_OK_AND_ASSIGN(bool more, stream.Next(&piece, 4096));
    EXPECT_TRUE(more);
    EXPECT_FALSE(piece.empty());
  }  // destroyed while helpers may still produce
  EXPECT_EQ(LinesAhead::ActiveAnswers(), 0u);
}

TEST(LinesAheadTest, ConcurrentAnswersAreEachTheSerialOne) {
  auto snapshot = Snapshot(6000);
  const std::string expected = Stream(snapshot, QueryStreamOptions{}, false, false, 8192).body;
  std::vector<std::thread> threads;
  std::vector<std::string> bodies(6);
  for (size_t t = 0; t < bodies.size(); ++t) {
    threads.emplace_back(
        [&, t] { bodies[t] = Stream(snapshot, QueryStreamOptions{}, true, false, 8192).body; });
  }
  for (auto& t : threads) t.join();
  for (const std::string& body : bodies) EXPECT_EQ(body, expected);
  EXPECT_EQ(LinesAhead::ActiveAnswers(), 0u);
}

}  // namespace
}  // namespace lakeshare
