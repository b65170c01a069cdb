#include "storage/local_url_signer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "common/encoding.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

struct UrlParts {
  std::string encoded_path, expires, signature;
};

UrlParts Split(const std::string& url, const std::string& base) {
  EXPECT_EQ(url.rfind(base + "/files/", 0), 0u) << url;
  std::string rest = url.substr(base.size() + 7);
  UrlParts p;
  size_t q = rest.find('?');
  p.encoded_path = rest.substr(0, q);
  EXPECT_EQ(p.encoded_path.find('/'), std::string::npos);
  std::string query = rest.substr(q + 1);
  size_t amp = query.find('&');
  p.expires = query.substr(8, amp - 8);
  p.signature = query.substr(amp + 11);
  return p;
}

TEST(LocalUrlSignerTest, RoundTrip) {
  LocalUrlSigner signer("0123456789abcdef0123456789abcdef");
  auto url = signer.Presign("/data/t/part 1.parquet", 2000, {"http://h:1/ds"});
  ASSERT_OK(url);
  EXPECT_EQ(url->expiration_ms, 2000);
  UrlParts p = Split(url->url, "http://h:1/ds");
  // The URL does not reveal where the file is kept, nor its name.
  EXPECT_EQ(url->url.find("data"), std::string::npos);
  EXPECT_EQ(url->url.find("part"), std::string::npos);
  EXPECT_EQ(PercentDecode(url->url)->find(Base64UrlEncode("/data/t")), std::string::npos);
  EXPECT_EQ(*signer.Verify(p.encoded_path, p.expires, p.signature, 1000), "/data/t/part 1.parquet");
  // Another expiry seals the same path differently.
  UrlParts p2 = Split(signer.Presign("/data/t/part 1.parquet", 3000, {"http://h:1/ds"})->url,
                      "http://h:1/ds");
  EXPECT_NE(p.encoded_path, p2.encoded_path);
}

TEST(LocalUrlSignerTest, SealsTheFolderTheFileMustStayIn) {
  LocalUrlSigner signer("0123456789abcdef0123456789abcdef");
  PresignedUrl url;
  ASSERT_OK(signer.PresignBeneathInto("/data/t/p=1/a.parquet", 7, 2000, {"http://h"}, &url));
  UrlParts p = Split(url.url, "http://h");
  ASSERT_OK_AND_ASSIGN(LocalUrlSigner::VerifiedFile file,
                       signer.VerifyFile(p.encoded_path, p.expires, p.signature, 1000));
  EXPECT_EQ(file.path, "/data/t/p=1/a.parquet");
  EXPECT_EQ(file.root, "/data/t");
  // Without a folder: "/".
  p = Split(signer.Presign("/data/t/a.parquet", 2000, {"http://h"})->url, "http://h");
  ASSERT_OK_AND_ASSIGN(file, signer.VerifyFile(p.encoded_path, p.expires, p.signature, 1000));
  EXPECT_EQ(file.root, "/");
  // The folder must be a folder of the path.
  EXPECT_THAT(signer.PresignBeneathInto("/data/t/a.parquet", 6, 2000, {"http://h"}, &url),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(signer.PresignBeneathInto("/data/t/a.parquet", 17, 2000, {"http://h"}, &url),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(LocalUrlSignerTest, RefusesTamperingAndExpiry) {
  LocalUrlSigner signer("0123456789abcdef0123456789abcdef");
  UrlParts p = Split(signer.Presign("/data/t/a.parquet", 2000, {"http://h"})->url, "http://h");
  UrlParts b = Split(signer.Presign("/data/t/b.parquet", 2000, {"http://h"})->url, "http://h");
  auto denied = [&](const UrlParts& q, int64_t now = 1000) {
    auto r = signer.Verify(q.encoded_path, q.expires, q.signature, now);
    return !r.ok() && r.status().code() == StatusCode::kPermissionDenied;
  };
  EXPECT_TRUE(denied(p, 2000));  // expired
  UrlParts q = p;
  q.expires = "3000";
  EXPECT_TRUE(denied(q));
  q = p;
  q.expires = "02000";  // the same number, spelt otherwise
  EXPECT_TRUE(denied(q));
  q = p;
  q.encoded_path = Base64UrlEncode("/data/t/b.parquet");
  EXPECT_TRUE(denied(q));
  q = p;
  q.signature = b.signature;  // another file's signature
  EXPECT_TRUE(denied(q));
  q = p;
  q.encoded_path = b.encoded_path;
  EXPECT_TRUE(denied(q));
  for (size_t i = 0; i < p.encoded_path.size(); ++i) {
    q = p;
    q.encoded_path[i] = q.encoded_path[i] == 'A' ? 'B' : 'A';
    EXPECT_TRUE(denied(q)) << i;
  }
  q = p;
  q.signature[3] = q.signature[3] == 'A' ? 'B' : 'A';
  EXPECT_TRUE(denied(q));
  q = p;
  q.signature = "";
  EXPECT_TRUE(denied(q));
  q = p;
  q.expires = "12abc";
  EXPECT_TRUE(denied(q));
  // A URL signed with another key is refused.
  LocalUrlSigner other("fedcba9876543210fedcba9876543210");
  EXPECT_FALSE(other.Verify(p.encoded_path, p.expires, p.signature, 1000).ok());
}

// PresignInto reuses the buffer it is given: the same URL as Presign
// whatever was in it before.
TEST(LocalUrlSignerTest, PresignIntoReplacesThePreviousUrl) {
  LocalUrlSigner signer("0123456789abcdef0123456789abcdef");
  PresignedUrl reused;
  reused.url = std::string(500, 'x');
  for (const char* path : {"/data/t/a-long-file-name-of-some-length.parquet", "/d/b.parquet"}) {
    ASSERT_OK(signer.PresignInto(path, 2000, {"http://h"}, &reused));
    EXPECT_EQ(reused.url, signer.Presign(path, 2000, {"http://h"})->url);
    EXPECT_EQ(reused.expiration_ms, 2000);
  }
  EXPECT_FALSE(signer.PresignInto("/data/../x", 2000, {"http://h"}, &reused).ok());
}

TEST(LocalUrlSignerTest, NeverSignsTraversal) {
  LocalUrlSigner signer("0123456789abcdef0123456789abcdef");
  EXPECT_FALSE(signer.Presign("/data/../etc/passwd", 1, {""}).ok());
  EXPECT_FALSE(signer.Presign("relative/x", 1, {""}).ok());
  EXPECT_FALSE(signer.Presign("/data//x", 1, {""}).ok());
  EXPECT_FALSE(signer.Presign("/data/./x", 1, {""}).ok());
}

TEST(SigningKeyTest, CreatesOnceWithPrivateMode) {
  auto dir = std::filesystem::temp_directory_path() / ("ls_key_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "k").string();
  auto k1 = LoadOrCreateSigningKey(path);
  ASSERT_OK(k1);
  EXPECT_EQ(k1->size(), 64u);
  auto k2 = LoadOrCreateSigningKey(path);
  EXPECT_EQ(*k1, *k2);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_FALSE(LoadOrCreateSigningKey((dir / "missing-dir" / "k").string()).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lakeshare
