#include "protocol/local_file_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/time_util.h"
#include "server/request_target.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;

TEST(ByteRangeTest, SingleRanges) {
  auto range = [](std::string_view h, int64_t size) { return ParseByteRange(h, size); };
  ByteRange r = range("bytes=2-5", 10);
  EXPECT_EQ(r.kind, ByteRange::Kind::kRange);
  EXPECT_EQ(r.start, 2);
  EXPECT_EQ(r.length, 4);
  r = range("bytes=7-", 10);
  EXPECT_EQ(r.start, 7);
  EXPECT_EQ(r.length, 3);
  r = range("bytes=-3", 10);
  EXPECT_EQ(r.start, 7);
  EXPECT_EQ(r.length, 3);
  r = range("bytes=-30", 10);  // more than the file: all of it
  EXPECT_EQ(r.start, 0);
  EXPECT_EQ(r.length, 10);
  r = range("bytes=5-100", 10);  // clipped
  EXPECT_EQ(r.length, 5);
}

TEST(ByteRangeTest, UnsatisfiableAndIgnored) {
  EXPECT_EQ(ParseByteRange("bytes=10-", 10).kind, ByteRange::Kind::kUnsatisfiable);
  EXPECT_EQ(ParseByteRange("bytes=-0", 10).kind, ByteRange::Kind::kUnsatisfiable);
  EXPECT_EQ(ParseByteRange("bytes=-5", 0).kind, ByteRange::Kind::kUnsatisfiable);
  for (const char* ignored : {"items=1-2", "bytes=1-2,4-5", "bytes=5-2", "bytes=x-", "bytes=1"}) {
    EXPECT_EQ(ParseByteRange(ignored, 10).kind, ByteRange::Kind::kWholeFile) << ignored;
  }
}

class LocalFileServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lfs-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = (dir_ / "part 1.parquet").string();
    std::ofstream(path_) << "0123456789";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A request for the URL the signer makes for `path_`.
  HttpRequest Request(const std::string& method, int64_t expiration_ms) {
    PresignedUrl url = *signer_->Presign(path_, expiration_ms, SignContext{"http://h/p"});
    std::string target = url.url.substr(std::string("http://h").size());
    HttpRequest r;
    r.method = method;
    r.target = target;
    RequestTarget parsed = *ParseRequestTarget(target);
    r.path = parsed.path;
    r.query = parsed.query;
    return r;
  }
  std::string Sealed(const HttpRequest& r) {
    std::string_view p = r.path;
    return std::string(p.substr(p.rfind('/') + 1));
  }
  std::string Drain(HttpResponse& r) {
    std::string body;
    while (r.stream) {
      Result<bool> more = r.stream->Next(&body, 4);
      EXPECT_OK(more);
      if (!more.ok() || !*more) break;
    }
    return body;
  }

  fs::path dir_;
  std::string path_;
  std::shared_ptr<LocalUrlSigner> signer_ =
      std::make_shared<LocalUrlSigner>("local-file-server-test-key");
  LocalFileServer server_{signer_};
};

TEST_F(LocalFileServerTest, ServesWholeFilesAndRanges) {
  HttpRequest r = Request("GET", NowMillis() + 60'000);
  HttpResponse whole = server_.Serve(r, Sealed(r));
  EXPECT_EQ(whole.status, 200);
  ASSERT_NE(whole.stream, nullptr);
  EXPECT_EQ(whole.stream->Length(), 10u);
  EXPECT_EQ(Drain(whole), "0123456789");
  bool named = false;
  for (const auto& [k, v] : whole.headers) {
    if (k == "Content-Disposition") named = v == "attachment; filename*=UTF-8''part%201.parquet";
  }
  EXPECT_TRUE(named);

  r.headers.emplace_back("range", "bytes=3-5");
  HttpResponse part = server_.Serve(r, Sealed(r));
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(Drain(part), "345");

  r.headers.back().second = "bytes=20-";
  EXPECT_EQ(server_.Serve(r, Sealed(r)).status, 416);
}

TEST_F(LocalFileServerTest, RefusesBadUrlsAndMethods) {
  HttpRequest r = Request("GET", NowMillis() + 60'000);
  EXPECT_EQ(server_.Serve(r, "").status, 403);
  EXPECT_EQ(server_.Serve(r, Sealed(r) + "x").status, 403);
  HttpRequest expired = Request("GET", NowMillis() - 1);
  EXPECT_EQ(server_.Serve(expired, Sealed(expired)).status, 403);
  HttpRequest post = Request("POST", NowMillis() + 60'000);
  HttpResponse refused = server_.Serve(post, Sealed(post));
  EXPECT_EQ(refused.status, 405);
  fs::remove(path_);
  EXPECT_EQ(server_.Serve(r, Sealed(r)).status, 404);
}

}  // namespace
}  // namespace lakeshare
