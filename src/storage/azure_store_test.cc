#include "storage/azure_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/time_util.h"
#include "testing/status_matchers.h"
#include "testing/test_http_server.h"

namespace lakeshare {
namespace {

using testing::QueryOf;
using testing::TestHttpServer;

// Source: Microsoft Learn, "Authorize with Shared Key", section "Blob, Queue,
// and File services (Shared Key authorization)": the documented string to
// sign of a Get Container Metadata request
// (GET
// https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata&timeout=20,
// x-ms-date Sun, 11 Oct 2009 21:49:13 GMT, x-ms-version 2009-09-19).
TEST(AzureSharedKeyTest, DocumentedGetContainerMetadataExample) {
  NameValues headers{{"x-ms-date", "Sun, 11 Oct 2009 21:49:13 GMT"},
                     {"x-ms-version", "2009-09-19"}};
  NameValues query{{"restype", "container"}, {"comp", "metadata"}, {"timeout", "20"}};
  std::string sts = AzureSharedKeyStringToSign("GET", "myaccount", "/mycontainer", query, headers);
  EXPECT_EQ(sts,
            "GET\n\n\n\n\n\n\n\n\n\n\n\n"
            "x-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2009-09-19\n"
            "/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20");
}

TEST(AzureSharedKeyTest, HeadersAndRepeatedParameters) {
  NameValues headers{{"Content-Length", "0"},
                     {"Content-Type", "text/plain"},
                     {"X-MS-Meta-b", "  two  "},
                     {"x-ms-meta-a", "one"}};
  NameValues query{{"Include", "snapshots"}, {"include", "metadata"}};
  std::string sts = AzureSharedKeyStringToSign("PUT", "acct", "/c/a%20b", query, headers);
  EXPECT_EQ(sts,
            "PUT\n\n\n\n\ntext/plain\n\n\n\n\n\n\n"
            "x-ms-meta-a:one\nx-ms-meta-b:two\n"
            "/acct/c/a%20b\ninclude:metadata,snapshots");
}

// Source: Microsoft Learn, "Create a service SAS", section "Version 2020-12-06
// and later" of the string to sign: sp, st, se, canonicalizedResource, si,
// sip, spr, sv, sr, snapshot time, encryption scope, rscc, rscd, rsce, rscl,
// rsct, one per line; the canonicalized resource of a blob is
// "/blob/<account>/<container>/<blob>". Parameters of the documented
// example URL (sp=r, se=2019-04-30T02:23:26Z, spr=https, blob
// sascontainer/sasblob.txt of myaccount), with a version of that family.
TEST(AzureSasTest, DocumentedServiceSasLayout) {
  std::string sts = AzureServiceSasStringToSign("r", "", "2019-04-30T02:23:26Z",
                                                "/blob/myaccount/sascontainer/sasblob.txt", "https",
                                                "2022-11-02");
  EXPECT_EQ(sts,
            "r\n\n2019-04-30T02:23:26Z\n/blob/myaccount/sascontainer/sasblob.txt\n\n\nhttps\n"
            "2022-11-02\nb\n\n\n\n\n\n\n");
  int lines = 0;
  for (char c : sts) lines += c == '\n';
  EXPECT_EQ(lines, 15);  // 16 fields
}

// Source: Microsoft Learn, "Create a user delegation SAS", string to sign for
// version 2020-12-06 and later (24 fields, the signed key fields after the
// canonicalized resource).
TEST(AzureSasTest, DocumentedUserDelegationSasLayout) {
  AzureUserDelegationKey k;
  k.signed_oid = "oid";
  k.signed_tid = "tid";
  k.signed_start = "2024-01-01T00:00:00Z";
  k.signed_expiry = "2024-01-08T00:00:00Z";
  k.signed_service = "b";
  k.signed_version = "2022-11-02";
  std::string sts = AzureUserDelegationSasStringToSign(
      "r", "", "2024-01-02T00:00:00Z", "/blob/acct/c/b.parquet", k, "https", "2022-11-02");
  EXPECT_EQ(sts,
            "r\n\n2024-01-02T00:00:00Z\n/blob/acct/c/b.parquet\noid\ntid\n2024-01-01T00:00:00Z\n"
            "2024-01-08T00:00:00Z\nb\n2022-11-02\n\n\n\n\nhttps\n2022-11-02\nb\n\n\n\n\n\n\n");
  int lines = 0;
  for (char c : sts) lines += c == '\n';
  EXPECT_EQ(lines, 23);
}

TEST(AzureConnectionStringTest, ParsesTheUsualForms) {
  AzureStoreSettings s;
  ASSERT_OK(
      ApplyAzureConnectionString("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;"
                                 "EndpointSuffix=core.chinacloudapi.cn",
                                 &s));
  EXPECT_EQ(s.account, "acct");
  EXPECT_EQ(s.account_key, "key");
  EXPECT_EQ(s.endpoint_suffix, "core.chinacloudapi.cn");
  EXPECT_EQ(s.auth, AzureStoreSettings::Auth::kSharedKey);

  AzureStoreSettings dev;
  ASSERT_OK(ApplyAzureConnectionString("UseDevelopmentStorage=true", &dev));
  EXPECT_EQ(dev.account, "devstoreaccount1");
  EXPECT_EQ(dev.endpoint, "http://127.0.0.1:10000/devstoreaccount1");
  EXPECT_EQ(dev.account_key.size(), 64u);

  AzureStoreSettings sas;
  EXPECT_EQ(
      ApplyAzureConnectionString(
          "BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=?sv=x&sig=y",
          &sas)
          .code(),
      StatusCode::kInvalidArgument);  // no account name
  sas.account = "";
  ASSERT_OK(ApplyAzureConnectionString("AccountName=acct;SharedAccessSignature=?sv=x&sig=y", &sas));
  EXPECT_EQ(sas.sas_token, "sv=x&sig=y");
  EXPECT_EQ(sas.auth, AzureStoreSettings::Auth::kSasToken);
  EXPECT_FALSE(ApplyAzureConnectionString("AccountName=a;AccountKey=!!!", &s).ok());
}

// A fake Blob service for account "acct" (path style, like the emulator).
struct FakeBlob {
  std::map<std::string, std::string> blobs;  // "container/name"
  int page_size = 2;

  TestHttpServer::Response Handle(const TestHttpServer::Request& r) {
    TestHttpServer::Response resp;
    std::string path = *PercentDecode(r.target.substr(0, r.target.find('?')));
    auto q = QueryOf(r.target);
    if (r.headers.count("x-ms-version") == 0 || r.headers.count("x-ms-date") == 0 ||
        r.headers.count("authorization") == 0 ||
        r.headers.at("authorization").rfind("SharedKey acct:", 0) != 0) {
      resp.status = 403;
      resp.headers.emplace_back("x-ms-error-code", "AuthorizationFailure");
      resp.body =
          "<?xml "
          "version=\"1.0\"?><Error><Code>AuthorizationFailure</Code><Message>no\nRequestId:1</"
          "Message></Error>";
      return resp;
    }
    if (path == "/acct/c" && q["comp"] == "list") {
      std::string prefix = q["prefix"];
      std::string marker = q["marker"];
      std::string body = "<?xml version=\"1.0\"?><EnumerationResults><Blobs>";
      int n = 0;
      std::string next;
      for (const auto& [k, v] : blobs) {
        std::string name = k.substr(2);
        if (name.compare(0, prefix.size(), prefix) != 0 || name < marker) continue;
        if (n == page_size) {
          next = name;
          break;
        }
        size_t slash = name.find('/', prefix.size());
        if (slash != std::string::npos) {
          body += "<BlobPrefix><Name>" + name.substr(0, slash + 1) + "</Name></BlobPrefix>";
        } else {
          body += "<Blob><Name>" + name +
                  "</Name><Properties><Last-Modified>Wed, 12 Oct 2009 17:50:00 "
                  "GMT</Last-Modified><Content-Length>" +
                  std::to_string(v.size()) + "</Content-Length></Properties></Blob>";
        }
        ++n;
      }
      body += "</Blobs><NextMarker>" + next + "</NextMarker></EnumerationResults>";
      resp.body = body;
      return resp;
    }
    auto it = blobs.find(path.substr(6));
    if (path.rfind("/acct/", 0) != 0 || it == blobs.end()) {
      resp.status = 404;
      resp.headers.emplace_back("x-ms-error-code", "BlobNotFound");
      return resp;
    }
    return testing::ObjectResponse(r, "x-ms-range", it->second, std::move(resp));
  }
};

class AzureStoreTest : public ::testing::Test {
 protected:
  AzureStoreTest() : server_([this](const auto& r) { return fake_.Handle(r); }) {
    AzureStoreSettings s;
    s.auth = AzureStoreSettings::Auth::kSharedKey;
    s.account = "acct";
    s.account_key = "0123456789abcdef";
    s.endpoint = server_.base_url() + "/acct";
    HttpClientOptions o;
    o.initial_backoff_ms = 1;
    o.max_backoff_ms = 2;
    store_ = std::make_unique<AzureStore>(s, std::make_shared<HttpClient>(o));
  }
  FakeBlob fake_;
  TestHttpServer server_;
  std::unique_ptr<AzureStore> store_;
};

TEST_F(AzureStoreTest, ReadsListsAndSigns) {
  for (int i = 0; i < 5; ++i)
    fake_.blobs["c/t/_delta_log/" + std::to_string(i) + ".json"] = "abc" + std::to_string(i);
  fake_.blobs["c/t/_delta_log/_sidecars/x"] = "s";
  auto list = store_->ListDirectory("az://c/t/_delta_log");
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 5u);
  EXPECT_EQ((*list)[0].path, "az://c/t/_delta_log/0.json");
  EXPECT_EQ((*list)[0].size, 4);
  EXPECT_EQ((*list)[0].modification_time_ms, 1255369800000);
  auto after = store_->ListDirectoryAfter("az://c/t/_delta_log", "2.json");
  ASSERT_OK(after);
  EXPECT_EQ(after->size(), 2u);
  EXPECT_EQ(*store_->Read("az://c/t/_delta_log/3.json"), "abc3");
  EXPECT_EQ(*store_->ReadRange("az://c/t/_delta_log/3.json", 1, 2), "bc");
  EXPECT_EQ(*store_->ReadRange("az://c/t/_delta_log/3.json", 9, 2), "");
  EXPECT_EQ(store_->Head("az://c/t/_delta_log/3.json")->size, 4);
  EXPECT_EQ(store_->Read("az://c/none").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListDirectory("az://c/none").status().code(), StatusCode::kNotFound);
  // The abfss form addresses the same blobs (the account comes from the location).
  EXPECT_EQ(*store_->Read("abfss://c@acct.dfs.core.windows.net/t/_delta_log/1.json"), "abc1");

  int64_t now = NowMillis();
  int64_t exp = store_->ClampExpiration(now, now + 3600 * 1000 + 7);
  EXPECT_EQ(exp % 1000, 0);
  auto url = store_->Presign("az://c/t/part 0.parquet", exp, {});
  ASSERT_OK(url);
  EXPECT_EQ(url->expiration_ms, exp);
  auto q = QueryOf(url->url.substr(url->url.find('/', 8)));
  EXPECT_EQ(q["sr"], "b");
  EXPECT_EQ(q["sp"], "r");
  EXPECT_EQ(q["spr"], "https,http");  // the (fake) store speaks plain HTTP
  std::string sts = AzureServiceSasStringToSign("r", "", q["se"], "/blob/acct/c/t/part 0.parquet",
                                                "https,http", q["sv"]);
  EXPECT_EQ(q["sig"], Base64Encode(HmacSha256("0123456789abcdef", sts)));
  EXPECT_EQ(url->url.rfind(server_.base_url() + "/acct/c/t/part%200.parquet?", 0), 0u);
}

TEST_F(AzureStoreTest, RefusalNamesTheErrorCode) {
  AzureStoreSettings s = store_->settings();
  s.auth = AzureStoreSettings::Auth::kSasToken;
  s.sas_token = "sv=2022&sig=SECRETSIG";
  AzureStore sas(s, std::make_shared<HttpClient>());
  auto r = sas.Read("az://c/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_NE(r.status().message().find("AuthorizationFailure"), std::string::npos) << r.status();
  EXPECT_EQ(r.status().message().find("SECRETSIG"), std::string::npos);
  EXPECT_EQ(r.status().message().find("RequestId"), std::string::npos);
  auto url = sas.Presign("az://c/x", NowMillis() + 60000, {});
  ASSERT_FALSE(url.ok());
  EXPECT_NE(url.status().message().find("SAS token only"), std::string::npos);
}

TEST(AzureEntraTest, UserDelegationSasWithATokenAndAKey) {
  const std::string key_value = "user-delegation-key-bytes-000000";
  std::atomic<int> token_calls{0}, key_calls{0};
  TestHttpServer server([&](const TestHttpServer::Request& r) {
    TestHttpServer::Response resp;
    if (r.method == "POST" && r.target == "/tenant-1/oauth2/v2.0/token") {
      ++token_calls;
      bool ok =
          r.body.find("grant_type=client_credentials") != std::string::npos &&
          r.body.find("client_id=app-1") != std::string::npos &&
          r.body.find("client_secret=s3cr3t") != std::string::npos &&
          r.body.find("scope=https%3A%2F%2Fstorage.azure.com%2F.default") != std::string::npos;
      resp.status = ok ? 200 : 401;
      resp.body = R"({"token_type":"Bearer","expires_in":3599,"access_token":"tok-123"})";
      return resp;
    }
    if (r.method == "POST" && r.target.find("comp=userdelegationkey") != std::string::npos) {
      ++key_calls;
      if (r.headers.count("authorization") == 0 ||
          r.headers.at("authorization") != "Bearer tok-123" ||
          r.body.find("<KeyInfo><Start>") == std::string::npos) {
        resp.status = 403;
        return resp;
      }
      resp.body =
          "<?xml "
          "version=\"1.0\"?><UserDelegationKey><SignedOid>oid-1</SignedOid><SignedTid>tid-1</"
          "SignedTid>"
          "<SignedStart>2024-01-01T00:00:00Z</SignedStart><SignedExpiry>2099-01-01T00:00:00Z</"
          "SignedExpiry>"
          "<SignedService>b</SignedService><SignedVersion>2022-11-02</SignedVersion><Value>" +
          Base64Encode(key_value) + "</Value></UserDelegationKey>";
      return resp;
    }
    resp.status = 404;
    return resp;
  });
  AzureStoreSettings s;
  s.auth = AzureStoreSettings::Auth::kEntraApplication;
  s.account = "acct";
  s.endpoint = server.base_url() + "/acct";
  s.tenant_id = "tenant-1";
  s.client_id = "app-1";
  s.client_secret = "s3cr3t";
  s.authority_url = server.base_url();
  AzureStore store(s, std::make_shared<HttpClient>());
  int64_t now = NowMillis();
  int64_t exp = store.ClampExpiration(now, now + int64_t{30} * 24 * 3600 * 1000);
  EXPECT_LE(exp, now + int64_t{7} * 24 * 3600 * 1000);  // a delegation key lives 7 days at most
  for (int i = 0; i < 3; ++i) {
    auto url = store.Presign("az://c/t/f" + std::to_string(i) + ".parquet", exp, {});
    ASSERT_OK(url);
    auto q = QueryOf(url->url.substr(url->url.find('/', 8)));
    EXPECT_EQ(q["skoid"], "oid-1");
    EXPECT_EQ(q["sktid"], "tid-1");
    EXPECT_EQ(q["sks"], "b");
    AzureUserDelegationKey k{
        "oid-1",   "tid-1", "2024-01-01T00:00:00Z", "2099-01-01T00:00:00Z", "b", "2022-11-02",
        key_value, 0};
    std::string sts = AzureUserDelegationSasStringToSign(
        "r", "", q["se"], "/blob/acct/c/t/f" + std::to_string(i) + ".parquet", k, "https,http",
        q["sv"]);
    EXPECT_EQ(q["sig"], Base64Encode(HmacSha256(key_value, sts)));
    EXPECT_EQ(url->url.find("s3cr3t"), std::string::npos);
  }
  EXPECT_EQ(token_calls.load(), 1);  // cached
  EXPECT_EQ(key_calls.load(), 1);
}

}  // namespace
}  // namespace lakeshare
