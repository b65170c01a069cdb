#include "storage/s3_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/time_util.h"
#include "testing/status_matchers.h"
#include "testing/test_http_server.h"

namespace lakeshare {
namespace {

using testing::QueryOf;
using testing::TestHttpServer;

std::string PathOf(const std::string& target) { return target.substr(0, target.find('?')); }

// A fake bucket "b" served path-style: objects by key.
struct FakeS3 {
  std::map<std::string, std::string> objects;
  int page_size = 1000;
  std::atomic<int> lists{0};
  std::vector<std::string> copies;  // "source directive" of each CopyObject

  TestHttpServer::Response Handle(const TestHttpServer::Request& r) {
    TestHttpServer::Response resp;
    std::string path = *PercentDecode(PathOf(r.target));
    auto q = QueryOf(r.target);
    if (r.headers.count("authorization") == 0 ||
        r.headers.at("authorization").find("Credential=AKID/") == std::string::npos ||
        r.headers.count("x-amz-date") == 0 || r.headers.count("x-amz-content-sha256") == 0) {
      resp.status = 403;
      resp.body = "<Error><Code>AccessDenied</Code><Message>unsigned</Message></Error>";
      return resp;
    }
    if (path == "/b" && q.count("list-type")) {
      ++lists;
      std::string prefix = q["prefix"];
      std::string after =
          q.count("continuation-token") ? q["continuation-token"] : q["start-after"];
      std::string body =
          "<?xml version=\"1.0\"?><ListBucketResult "
          "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
      int n = 0;
      std::string last;
      bool truncated = false;
      std::set<std::string> prefixes;
      for (const auto& [k, v] : objects) {
        if (k.compare(0, prefix.size(), prefix) != 0 || k <= after) continue;
        if (n == page_size) {
          truncated = true;
          break;
        }
        size_t slash = k.find('/', prefix.size());
        if (slash != std::string::npos) {
          prefixes.insert(k.substr(0, slash + 1));
        } else {
          body += "<Contents><Key>" + k +
                  "</Key><LastModified>2024-05-06T07:08:09.000Z</LastModified><Size>" +
                  std::to_string(v.size()) + "</Size></Contents>";
        }
        ++n;
        last = k;
      }
      for (const auto& p : prefixes)
        body += "<CommonPrefixes><Prefix>" + p + "</Prefix></CommonPrefixes>";
      body += std::string("<IsTruncated>") + (truncated ? "true" : "false") + "</IsTruncated>";
      if (truncated) body += "<NextContinuationToken>" + last + "</NextContinuationToken>";
      resp.body = body + "</ListBucketResult>";
      return resp;
    }
    std::string key = path.substr(3);
    if (r.method == "PUT" && path.rfind("/b/", 0) == 0) {
      auto source = r.headers.find("x-amz-copy-source");
      if (source != r.headers.end()) {  // a copy onto itself: a touch
        copies.push_back(source->second + " " + r.headers.at("x-amz-metadata-directive"));
        resp.body = "<CopyObjectResult><LastModified>x</LastModified></CopyObjectResult>";
        return resp;
      }
      if (r.headers.at("x-amz-content-sha256") != HexEncode(Sha256(r.body))) {
        resp.status = 400;
        resp.body = "<Error><Code>XAmzContentSHA256Mismatch</Code></Error>";
        return resp;
      }
      objects[key] = r.body;
      return resp;
    }
    if (r.method == "DELETE" && path.rfind("/b/", 0) == 0) {
      objects.erase(key);
      resp.status = 204;
      return resp;
    }
    auto it = objects.find(key);
    if (path.rfind("/b/", 0) != 0 || it == objects.end()) {
      resp.status = 404;
      resp.body =
          "<Error><Code>NoSuchKey</Code><Message>The specified key does not "
          "exist.</Message></Error>";
      return resp;
    }
    return testing::ObjectResponse(r, "range", it->second, std::move(resp));
  }
};

class S3StoreTest : public ::testing::Test {
 protected:
  S3StoreTest()
      : server_([this](const auto& r) { return fake_.Handle(r); }),
        http_(std::make_shared<HttpClient>(Options())) {
    S3StoreSettings s;
    s.auth = S3StoreSettings::Auth::kAwsV4Header;
    s.endpoint = server_.base_url();
    s.path_style = true;
    s.credentials.id = "AKID";
    s.credentials.secret = "SECRET";
    store_ = std::make_unique<S3Store>(s, http_);
  }
  static HttpClientOptions Options() {
    HttpClientOptions o;
    o.initial_backoff_ms = 1;
    o.max_backoff_ms = 2;
    return o;
  }
  FakeS3 fake_;
  TestHttpServer server_;
  std::shared_ptr<HttpClient> http_;
  std::unique_ptr<S3Store> store_;
};

TEST_F(S3StoreTest, ReadsHeadsAndRanges) {
  fake_.objects["t/_delta_log/00000000000000000000.json"] = "0123456789";
  std::string p = "s3://b/t/_delta_log/00000000000000000000.json";
  auto all = store_->Read(p);
  ASSERT_OK(all);
  EXPECT_EQ(*all, "0123456789");
  auto part = store_->ReadRange(p, 2, 3);
  ASSERT_OK(part);
  EXPECT_EQ(*part, "234");
  auto tail = store_->ReadRange(p, 8, 100);
  ASSERT_OK(tail);
  EXPECT_EQ(*tail, "89");
  auto past = store_->ReadRange(p, 10, 5);
  ASSERT_OK(past);
  EXPECT_EQ(*past, "");
  auto head = store_->Head(p);
  ASSERT_OK(head);
  EXPECT_EQ(head->size, 10);
  EXPECT_EQ(head->modification_time_ms, 1255369800000);
  EXPECT_EQ(head->path, p);
}

// The merge cache's writes: PutObject with the payload's hash signed,
// DeleteObject (a missing object is fine), and a touch as CopyObject onto
// itself.
TEST_F(S3StoreTest, WritesDeletesAndTouches) {
  const std::string p = "s3://b/cache/ab cd.parquet";
  ASSERT_OK(store_->Write(p, "merged bytes"));
  EXPECT_EQ(fake_.objects["cache/ab cd.parquet"], "merged bytes");
  EXPECT_EQ(*store_->Read(p), "merged bytes");
  ASSERT_OK(store_->Touch(p));
  EXPECT_EQ(fake_.copies, std::vector<std::string>{"/b/cache/ab%20cd.parquet REPLACE"});
  ASSERT_OK(store_->Delete(p));
  EXPECT_EQ(fake_.objects.count("cache/ab cd.parquet"), 0u);
  EXPECT_OK(store_->Delete(p));  // already gone
  EXPECT_THAT(store_->Write("s3://b/cache/", "x"), testing::StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(S3StoreTest, MissingObjectIsNotFound) {
  auto r = store_->Read("s3://b/none");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("s3://b/none"), std::string::npos);
  EXPECT_EQ(store_->Head("s3://b/none").status().code(), StatusCode::kNotFound);
}

TEST_F(S3StoreTest, ListsOneLevelAcrossPages) {
  fake_.page_size = 3;
  for (int i = 0; i < 10; ++i) {
    fake_.objects["t/_delta_log/" + std::to_string(100 + i) + ".json"] = std::string(i, 'x');
  }
  fake_.objects["t/_delta_log/_sidecars/a.parquet"] = "s";
  fake_.objects["t/part-0.parquet"] = "p";
  fake_.objects["t/_delta_log/"] = "";  // a folder marker
  auto list = store_->ListDirectory("s3://b/t/_delta_log");
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 10u);
  EXPECT_EQ((*list)[0].path, "s3://b/t/_delta_log/100.json");
  EXPECT_EQ((*list)[9].size, 9);
  EXPECT_EQ((*list)[0].modification_time_ms, *ParseTimestampMillis("2024-05-06T07:08:09Z"));
  EXPECT_GE(fake_.lists.load(), 4);

  auto after = store_->ListDirectoryAfter("s3://b/t/_delta_log/", "106.json");
  ASSERT_OK(after);
  ASSERT_EQ(after->size(), 3u);
  EXPECT_EQ((*after)[0].path, "s3://b/t/_delta_log/107.json");

  auto missing = store_->ListDirectory("s3://b/nothing");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto folders_only = store_->ListDirectory("s3://b/t/_delta_log/_sidecars/..");
  EXPECT_FALSE(folders_only.ok());
}

TEST_F(S3StoreTest, KeepsTheSchemeOfTheLocation) {
  fake_.objects["t/x.json"] = "x";
  auto list = store_->ListDirectory("s3a://b/t");
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].path, "s3a://b/t/x.json");
}

TEST_F(S3StoreTest, RefusalNamesTheLocationNotTheSecret) {
  S3StoreSettings s = store_->settings();
  s.credentials.id = "OTHER";
  S3Store other(s, http_);
  auto r = other.Read("s3://b/t/x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_NE(r.status().message().find("refused access"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("AccessDenied"), std::string::npos);
  EXPECT_EQ(r.status().message().find("SECRET"), std::string::npos);
}

TEST_F(S3StoreTest, PresignsOneObject) {
  int64_t now = NowMillis();
  int64_t wanted = store_->ClampExpiration(now, now + 3600 * 1000 + 123);
  EXPECT_EQ(wanted % 1000, 0);
  EXPECT_LE(wanted, now + 3600 * 1000 + 123);
  auto url = store_->Presign("s3://b/t/part 1.parquet", wanted, {});
  ASSERT_OK(url);
  EXPECT_EQ(url->expiration_ms, wanted);
  EXPECT_EQ(url->url.rfind(server_.base_url() + "/b/t/part%201.parquet?", 0), 0u) << url->url;
  auto q = QueryOf(url->url.substr(url->url.find('/', 8)));
  EXPECT_EQ(q["X-Amz-Algorithm"], "AWS4-HMAC-SHA256");
  EXPECT_EQ(q["X-Amz-SignedHeaders"], "host");
  EXPECT_EQ(q["X-Amz-Credential"].rfind("AKID/", 0), 0u);
  // X-Amz-Date + X-Amz-Expires is exactly the announced expiry.
  std::string d = q["X-Amz-Date"];  // 20240101T000000Z
  auto signed_at =
      ParseTimestampMillis(d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) + "T" +
                           d.substr(9, 2) + ":" + d.substr(11, 2) + ":" + d.substr(13, 2) + "Z");
  ASSERT_OK(signed_at);
  EXPECT_EQ(*signed_at + std::stoll(q["X-Amz-Expires"]) * 1000, wanted);
  EXPECT_EQ(q["X-Amz-Signature"].size(), 64u);
}

TEST_F(S3StoreTest, PresignedUrlsAreCappedAtSevenDays) {
  int64_t now = NowMillis();
  int64_t year = now + int64_t{365} * 24 * 3600 * 1000;
  int64_t clamped = store_->ClampExpiration(now, year);
  EXPECT_EQ(clamped, (now / 1000 + 7 * 24 * 3600) * 1000);
  auto url = store_->Presign("s3://b/k", year, {});
  ASSERT_OK(url);
  EXPECT_NE(url->url.find("X-Amz-Expires=604800"), std::string::npos) << url->url;
  EXPECT_LE(url->expiration_ms, clamped + 1000);
}

TEST(S3StoreAnonymousTest, CannotPresign) {
  S3Store store(S3StoreSettings{}, std::make_shared<HttpClient>());
  auto url = store.Presign("s3://b/k", NowMillis() + 1000, {});
  ASSERT_FALSE(url.ok());
  EXPECT_NE(url.status().message().find("no S3 credentials"), std::string::npos);
}

TEST(S3StoreAddressingTest, VirtualHostedByDefault) {
  S3StoreSettings s;
  s.auth = S3StoreSettings::Auth::kAwsV4Header;
  s.region = "eu-west-1";
  s.credentials = {"AKID", "SECRET", nullptr, std::string("TOKEN")};
  S3Store store(s, std::make_shared<HttpClient>());
  auto where = ParseObjectLocation("s3://my-bucket/a b/c.json");
  ASSERT_OK(where);
  auto call = store.BuildCall("GET", *where, {}, {}, 1700000000);
  ASSERT_OK(call);
  EXPECT_EQ(call->url, "https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/c.json");
  bool token = false;
  for (const auto& [k, v] : call->headers)
    token = token || (k == "x-amz-security-token" && v == "TOKEN");
  EXPECT_TRUE(token);
  auto dotted = ParseObjectLocation("s3://my.bucket/k");
  call = store.BuildCall("GET", *dotted, {}, {}, 1700000000);
  ASSERT_OK(call);
  EXPECT_EQ(call->url, "https://s3.eu-west-1.amazonaws.com/my.bucket/k");
  auto url = store.Presign("s3://my-bucket/k", (NowMillis() / 1000 + 60) * 1000, {});
  ASSERT_OK(url);
  EXPECT_NE(url->url.find("X-Amz-Security-Token=TOKEN"), std::string::npos);
}

}  // namespace
}  // namespace lakeshare

namespace lakeshare {
namespace {

// GCS through its XML API: every request (listing, GET with a range) is
// signed in the query string with the HMAC key; no Authorization header.
TEST(GcsStoreTest, ListsAndReadsWithQuerySignedRequests) {
  std::vector<std::string> targets;
  std::mutex mu;
  testing::TestHttpServer server([&](const testing::TestHttpServer::Request& r) {
    {
      std::lock_guard<std::mutex> lock(mu);
      targets.push_back(r.target);
    }
    testing::TestHttpServer::Response resp;
    auto q = QueryOf(r.target);
    if (q["X-Goog-Algorithm"] != "GOOG4-HMAC-SHA256" ||
        q["X-Goog-Credential"].rfind("GOOGHMAC/", 0) != 0 || q["X-Goog-Signature"].size() != 64 ||
        r.headers.count("authorization")) {
      resp.status = 403;
      return resp;
    }
    if (PathOf(r.target) == "/b" && q["list-type"] == "2") {
      resp.body =
          "<ListBucketResult><Contents><Key>t/_delta_log/0.json</Key><Size>4</Size>"
          "<LastModified>2024-01-01T00:00:00.000Z</LastModified></Contents>"
          "<IsTruncated>false</IsTruncated></ListBucketResult>";
      return resp;
    }
    resp.status = r.headers.count("range") ? 206 : 200;
    resp.body = "abcd";
    return resp;
  });
  S3StoreSettings s;
  s.name = "GCS";
  s.auth = S3StoreSettings::Auth::kGoogV4Query;
  s.flavor = &kGoogHmacV4;
  s.service = "storage";
  s.region = "auto";
  s.endpoint = server.base_url();
  s.path_style = true;
  s.credentials.id = "GOOGHMAC";
  s.credentials.secret = "hmac-secret";
  S3Store store(s, std::make_shared<HttpClient>());
  auto list = store.ListDirectory("gs://b/t/_delta_log");
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].path, "gs://b/t/_delta_log/0.json");
  auto part = store.ReadRange("gs://b/t/_delta_log/0.json", 0, 4);
  ASSERT_OK(part);
  EXPECT_EQ(*part, "abcd");
  auto url = store.Presign("gs://b/t/x.parquet",
                           store.ClampExpiration(NowMillis(), NowMillis() + 60000), {});
  ASSERT_OK(url);
  EXPECT_NE(url->url.find("X-Goog-Algorithm=GOOG4-HMAC-SHA256"), std::string::npos);
  EXPECT_EQ(url->url.find("hmac-secret"), std::string::npos);
  // The secret never travels.
  for (const auto& t : targets) EXPECT_EQ(t.find("hmac-secret"), std::string::npos);
}

// The merge cache on GCS: a PUT of the bytes and a touch (copy onto itself
// with x-goog- headers, which the query signature covers), query-signed.
TEST(GcsStoreTest, WritesAndTouchesWithQuerySignedRequests) {
  std::map<std::string, std::string> objects;
  std::vector<std::string> copies;
  std::mutex mu;
  testing::TestHttpServer server([&](const testing::TestHttpServer::Request& r) {
    std::lock_guard<std::mutex> lock(mu);
    testing::TestHttpServer::Response resp;
    auto q = QueryOf(r.target);
    if (q["X-Goog-Algorithm"] != "GOOG4-HMAC-SHA256" || r.headers.count("authorization")) {
      resp.status = 403;
      return resp;
    }
    const std::string path = *PercentDecode(PathOf(r.target));
    if (r.method == "PUT" && r.headers.count("x-goog-copy-source")) {
      if (q["X-Goog-SignedHeaders"].find("x-goog-copy-source") == std::string::npos) {
        resp.status = 403;
        return resp;
      }
      copies.push_back(r.headers.at("x-goog-copy-source") + " " +
                       r.headers.at("x-goog-metadata-directive"));
      return resp;
    }
    if (r.method == "PUT") {
      objects[path] = r.body;
      return resp;
    }
    resp.status = 404;
    return resp;
  });
  S3StoreSettings s;
  s.name = "GCS";
  s.auth = S3StoreSettings::Auth::kGoogV4Query;
  s.flavor = &kGoogHmacV4;
  s.service = "storage";
  s.region = "auto";
  s.endpoint = server.base_url();
  s.path_style = true;
  s.credentials.id = "GOOGHMAC";
  s.credentials.secret = "hmac-secret";
  S3Store store(s, std::make_shared<HttpClient>());
  ASSERT_OK(store.Write("gs://b/cache/k.parquet", "PAR1 bytes"));
  ASSERT_OK(store.Touch("gs://b/cache/k.parquet"));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(objects["/b/cache/k.parquet"], "PAR1 bytes");
  EXPECT_EQ(copies, std::vector<std::string>{"/b/cache/k.parquet REPLACE"});
}

}  // namespace
}  // namespace lakeshare
