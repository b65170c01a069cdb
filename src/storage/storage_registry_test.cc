#include "storage/storage_registry.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/time_util.h"
#include "storage/local_url_signer.h"
#include "storage/s3_store.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

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

TEST(StorageRegistryTest, UnknownSchemesAreUnsupported) {
  StorageRegistry r(kKey);
  EXPECT_EQ(r.ForLocation("ftp://x/y").status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(r.ForLocation("s3://").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.ForLocation("abfss://nocontainer/x").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakeshare
