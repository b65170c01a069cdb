#include "storage/storage_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/time_util.h"
#include "storage/azure_store.h"
#include "storage/local_url_signer.h"
#include "storage/s3_store.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

const std::string kKey = "0123456789abcdef0123456789abcdef";

StorageLocationConfig S3Entry(const std::string& location, const std::string& id) {
  StorageLocationConfig e;
  e.location = location;
  e.access_key_id = id;
  e.secret_access_key = "secret-" + id;
  e.endpoint = "http://127.0.0.1:1";
  return e;
}

std::string KeyIdOf(const StorageBackend& b) {
  auto* s3 = dynamic_cast<S3Store*>(b.storage.get());
  return s3 ? s3->settings().credentials.id : "";
}

TEST(StorageRegistryTest, LocalPathsStayLocal) {
  StorageRegistry r(kKey);
  auto n = r.NormalizeLocation("file:///data/t/");
  ASSERT_OK(n);
  EXPECT_EQ(*n, "/data/t");
  auto b = r.ForLocation("/data/t");
  ASSERT_OK(b);
  EXPECT_EQ(b->signer.get(), static_cast<UrlSigner*>(r.local_signer().get()));
}

TEST(StorageRegistryTest, LongestPrefixWins) {
  StorageRegistry r(kKey, {S3Entry("s3://bucket", "A"), S3Entry("s3://bucket/deep/er", "B"),
                           S3Entry("s3://", "C"), S3Entry("s3://other/x", "D")});
  ASSERT_OK(r.Validate());
  EXPECT_EQ(KeyIdOf(*r.ForLocation("s3://bucket/t")), "A");
  EXPECT_EQ(KeyIdOf(*r.ForLocation("s3a://bucket/deep/er/t")), "B");
  EXPECT_EQ(KeyIdOf(*r.ForLocation("s3://bucket/deep/erx")), "A");  // segment boundary
  EXPECT_EQ(KeyIdOf(*r.ForLocation("s3://third/t")), "C");
  EXPECT_EQ(KeyIdOf(*r.ForLocation("s3://other/y")), "C");
  EXPECT_EQ(KeyIdOf(*r.ForLocation("s3://other/x/t")), "D");
  // One backend per entry, shared.
  EXPECT_EQ(r.ForLocation("s3://bucket/t1")->storage.get(),
            r.ForLocation("s3://bucket/t2")->storage.get());
}

TEST(StorageRegistryTest, EnvironmentFillsIn) {
  CloudEnvironment env;
  env.vars["AWS_ACCESS_KEY_ID"] = "ENVID";
  env.vars["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET";
  env.vars["AWS_SESSION_TOKEN"] = "ENVTOKEN";
  env.vars["AWS_REGION"] = "ap-south-1";
  StorageLocationConfig endpoint_only;
  endpoint_only.location = "s3://minio";
  endpoint_only.endpoint = "http://127.0.0.1:9000";
  StorageRegistry r(kKey, {endpoint_only}, env);
  auto* a = dynamic_cast<S3Store*>(r.ForLocation("s3://minio/t")->storage.get());
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->settings().credentials.id, "ENVID");
  EXPECT_EQ(a->settings().credentials.session_token, std::optional<std::string>("ENVTOKEN"));
  EXPECT_EQ(a->settings().region, "ap-south-1");
  EXPECT_TRUE(a->settings().path_style);
  auto* d = dynamic_cast<S3Store*>(r.ForLocation("s3://aws-bucket/t")->storage.get());
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->settings().endpoint, "");
  EXPECT_FALSE(d->settings().path_style);
  EXPECT_EQ(d->settings().credentials.id, "ENVID");
}

TEST(StorageRegistryTest, ErrorsNameTheLocationNeverTheSecret) {
  StorageLocationConfig half;
  half.location = "s3://bucket/p";
  half.secret_access_key = "TOPSECRET";
  StorageRegistry r(kKey, {half});
  Status st = r.Validate();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("s3://bucket/p"), std::string::npos) << st;
  EXPECT_EQ(st.message().find("TOPSECRET"), std::string::npos);
  auto b = r.ForLocation("s3://bucket/p/t");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kIOError);
  for (const std::string& line : r.Describe()) EXPECT_EQ(line.find("TOPSECRET"), std::string::npos);
}

TEST(StorageRegistryTest, GcsServiceAccountFromEnvironment) {
  CloudEnvironment env;
  env.vars["GOOGLE_APPLICATION_CREDENTIALS"] =
      std::string(LAKESHARE_TESTDATA_DIR) + "/signing/gcs/test_service_account.not-a-test.json";
  StorageRegistry r(kKey, {}, env);
  auto b = r.ForLocation("gs://bucket/table/");
  ASSERT_OK(b);
  auto* s = dynamic_cast<S3Store*>(b->storage.get());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->settings().credentials.id,
            "test-iam-credentials@dummy-project-id.iam.gserviceaccount.com");
  auto url = b->signer->Presign("gs://bucket/table/part 0.parquet",
                                b->signer->ClampExpiration(NowMillis(), NowMillis() + 60000), {});
  ASSERT_OK(url);
  EXPECT_EQ(
      url->url.rfind("https://storage.googleapis.com/bucket/table/part%200.parquet?"
                     "X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=test-iam-credentials",
                     0),
      0u)
      << url->url;
  EXPECT_EQ(*r.NormalizeLocation("gs://bucket/table/"), "gs://bucket/table");

  CloudEnvironment bad;
  bad.vars["GOOGLE_APPLICATION_CREDENTIALS"] = "/nonexistent/sa.json";
  StorageRegistry r2(kKey, {}, bad);
  auto b2 = r2.ForLocation("gs://bucket/t");
  ASSERT_FALSE(b2.ok());
  EXPECT_NE(b2.status().message().find("/nonexistent/sa.json"), std::string::npos);
}

StorageLocationConfig AzureEntry(const std::string& location, const std::string& sas) {
  StorageLocationConfig e;
  e.location = location;
  e.sas_token = sas;
  e.endpoint = "http://127.0.0.1:1";
  return e;
}

std::string SasOf(const Result<StorageBackend>& b) {
  if (!b.ok()) return "error: " + b.status().message();
  auto* az = dynamic_cast<AzureStore*>(b->storage.get());
  return az ? az->settings().sas_token : "";
}

std::string AccountOf(const Result<StorageBackend>& b) {
  auto* az = b.ok() ? dynamic_cast<AzureStore*>(b->storage.get()) : nullptr;
  return az ? az->settings().account : "";
}

// The account a location names (abfss/wasbs) must be the entry's; an az://
// location names none, so only az:// (or whole-scheme) entries serve it.
TEST(StorageRegistryTest, AzureEntriesApplyToTheirOwnAccount) {
  StorageLocationConfig conn;
  conn.location = "az://bars/";
  conn.connection_string =
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
      "SharedAccessSignature=sv=conn;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;";
  StorageRegistry r(
      kKey, {AzureEntry("wasbs://bars@otheraccount.blob.core.windows.net/tables", "sv=other"),
             AzureEntry("abfss://bars@thirdaccount.dfs.core.windows.net/", "sv=third"), conn});
  ASSERT_OK(r.Validate());
  // az:// names no account: never another account's entry, even a longer one.
  EXPECT_EQ(SasOf(r.ForLocation("az://bars/tables/t")), "sv=conn");
  EXPECT_EQ(AccountOf(r.ForLocation("az://bars/tables/t")), "devstoreaccount1");
  EXPECT_EQ(SasOf(r.ForLocation("abfss://bars@otheraccount.dfs.core.windows.net/tables/t")),
            "sv=other");
  EXPECT_EQ(SasOf(r.ForLocation("wasbs://bars@thirdaccount.blob.core.windows.net/tables/t")),
            "sv=third");
  // The az:// entry's account (from its connection string) serves that
  // account's abfss:// locations too.
  EXPECT_EQ(SasOf(r.ForLocation("abfss://bars@devstoreaccount1.dfs.core.windows.net/t")),
            "sv=conn");
  // An account no entry names: none applies (the environment's settings).
  EXPECT_THAT(SasOf(r.ForLocation("abfss://bars@fourth.dfs.core.windows.net/tables/t")),
              ::testing::Not(::testing::AnyOf("sv=other", "sv=third", "sv=conn")));
}

TEST(StorageRegistryTest, AzureAccountNameOfAnAzEntry) {
  StorageLocationConfig named = AzureEntry("az://c/p", "sv=named");
  named.account_name = "acct1";
  StorageRegistry r(kKey, {named, AzureEntry("abfss://c@acct2.dfs.core.windows.net/p", "sv=2")});
  ASSERT_OK(r.Validate());
  EXPECT_EQ(SasOf(r.ForLocation("az://c/p/t")), "sv=named");
  EXPECT_EQ(SasOf(r.ForLocation("abfss://c@acct1.dfs.core.windows.net/p/t")), "sv=named");
  EXPECT_EQ(SasOf(r.ForLocation("abfss://c@acct2.dfs.core.windows.net/p/t")), "sv=2");
}

TEST(StorageRegistryTest, AmbiguousEntriesAreAConfigurationError) {
  // Two S3 stores (endpoints) for one bucket and prefix: which is meant?
  StorageLocationConfig minio = S3Entry("s3://bucket/p", "A");
  StorageLocationConfig other = S3Entry("s3a://bucket/p/", "B");
  other.endpoint = "http://127.0.0.1:2";
  StorageRegistry s3(kKey, {minio, other});
  EXPECT_THAT(s3.Validate(), StatusIs(StatusCode::kInvalidArgument,
                                      ::testing::HasSubstr("both apply to the same locations")));
  // GCS alike, and whole-scheme entries.
  StorageLocationConfig g1, g2;
  g1.location = g2.location = "gs://";
  StorageRegistry gcs(kKey, {g1, g2});
  EXPECT_THAT(gcs.Validate(), StatusIs(StatusCode::kInvalidArgument));
  // Azure: one account written two ways is ambiguous; two accounts are not.
  StorageLocationConfig az = AzureEntry("az://c/", "sv=1");
  az.account_name = "acct1";
  StorageRegistry same(kKey, {az, AzureEntry("abfss://c@acct1.dfs.core.windows.net", "sv=2")});
  EXPECT_THAT(same.Validate(), StatusIs(StatusCode::kInvalidArgument));
  StorageRegistry two(kKey, {AzureEntry("abfss://c@acct1.dfs.core.windows.net", "sv=1"),
                             AzureEntry("wasbs://c@acct2.blob.core.windows.net/", "sv=2")});
  EXPECT_OK(two.Validate());
  // Different prefixes of one bucket are not ambiguous (the longest wins).
  StorageRegistry nested(kKey, {S3Entry("s3://bucket", "A"), S3Entry("s3://bucket/p", "B")});
  EXPECT_OK(nested.Validate());
}

TEST(StorageRegistryTest, EntriesApplyToTheirOwnCloud) {
  StorageRegistry r(kKey, {S3Entry("s3://", "S3"), AzureEntry("az://", "sv=az")});
  ASSERT_OK(r.Validate());
  EXPECT_EQ(KeyIdOf(*r.ForLocation("s3a://b/t")), "S3");
  EXPECT_EQ(SasOf(r.ForLocation("az://b/t")), "sv=az");
  // gs:// is neither: the GCS default (anonymous without credentials).
  auto gcs = r.ForLocation("gs://b/t");
  ASSERT_OK(gcs);
  EXPECT_EQ(KeyIdOf(*gcs), "");
}

TEST(StorageRegistryTest, UnknownSchemesAreUnsupported) {
  StorageRegistry r(kKey);
  EXPECT_EQ(r.ForLocation("ftp://x/y").status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(r.ForLocation("s3://").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.ForLocation("abfss://nocontainer/x").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakeshare
