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

// URLs as this signer has always made them (computed independently, with
// Python's hmac and the cryptography package's AES-CTR): the format and the
// signatures of existing URLs must not change.
TEST(LocalUrlSignerTest, KnownUrls) {
  LocalUrlSigner signer("0123456789abcdef0123456789abcdef");
  const SignContext context{"http://h:1/delta-sharing"};
  PresignedUrl url;
  const std::string path =
      "/data/tables/sales/part=7/0f2b6c1e-5d7a-4c3e-9b1a-2e4f6a8c0d1e-c000.snappy.parquet";
  ASSERT_OK(signer.PresignBeneathInto(path, 18, 1900000000000, context, &url));
  EXPECT_EQ(url.url,
            "http://h:1/delta-sharing/files/"
            "U28TodiHFuEnG8_XLG8JhZMUgg9YIogg--wCf-K2hzHCJamGeHupALmVn3YiYbX7sf1UWsOAVh-"
            "5WCLLfXbjNgN05P-Y3Ldz8dF6FMpzEA4Jo3dmFL2cHKM2brSWjre98XafK68?expires=1900000000000&"
            "signature=YAxemwm7BSl523L9_vNtlg");
  ASSERT_OK(signer.PresignInto("/d/a.parquet", 1900000000000, context, &url));
  EXPECT_EQ(url.url,
            "http://h:1/delta-sharing/files/5z2fwF_f-91y37zqPxeG3kXGyZbc3of0n1GaOLw3?expires="
            "1900000000000&signature=2mKrR62s6JGGywXab2p7Ew");
  // Longer than the signer's stack buffer and than one batch of key stream.
  ASSERT_OK(signer.PresignBeneathInto("/data/t/" + std::string(300, 'x') + ".parquet", 7,
                                      1900000000000, context, &url));
  EXPECT_EQ(
      url.url,
      "http://h:1/delta-sharing/files/"
      "B8h9QsgKU-xDCj2HFbDA8w7QF6Mbb2uMZUzax0yCpCuaEYbrRvIARR2WLHRIa9w0Gn0Aq-"
      "uwluWnZvZzDT5irQWRfs3GzQfxBZee8i77SPOYs1OmZUJr-IFKfPMFrNM0U6yNA8sqXmyQVDqiOK9CW1sh0g58nPps-"
      "CsY9lmxhFUbNFX7OsnSHaBvOPtnt9PJnCK6Gcneg272wwDNTEmwELkUlVSZbndaQ3RUzwe1Avkq7TBT-"
      "Utzty2wphFPkZaqeLZj4vSfHUuCwhF_"
      "AffZpEf97uW123jA8y6cOqPSIT3PpEFeclEeoxecTszwrEXqFuAp06AGZPbM7m"
      "Ybt3QgZEsHrV5KKUUfjF4H9YJUqh_JGryVBzv8qOLmxssuoynZjoYdtTT_"
      "UspQQxObPcHHm03rq2In0vJX00E8psbvUH3"
      "ivGHr8cDDdSbCK3ZkeA?expires=1900000000000&signature=evz6hKJmbIdR_XIQWPPx7g");
  auto parts = Split(url.url, "http://h:1/delta-sharing");
  auto file = signer.VerifyFile(parts.encoded_path, parts.expires, parts.signature, 1);
  ASSERT_OK(file.status());
  EXPECT_EQ(file->root, "/data/t");
}

// Paths the signer must refuse or accept, whatever the position of the
// offending characters relative to its 16-byte scan.
TEST(LocalUrlSignerTest, CleanPathsAtEveryOffset) {
  LocalUrlSigner signer("0123456789abcdef0123456789abcdef");
  PresignedUrl url;
  for (size_t pad = 0; pad < 40; ++pad) {
    const std::string dir = "/d" + std::string(pad, 'a');
    EXPECT_OK(signer.PresignInto(dir + "/b.c/.d./..e/x", 1, {"h"}, &url)) << pad;
    for (const std::string& bad : {dir + "//x", dir + "/./x", dir + "/../x", dir + "/.",
                                   dir + "/..", dir + "/", dir + std::string(1, '\0') + "x"}) {
      EXPECT_FALSE(signer.PresignInto(bad, 1, {"h"}, &url).ok()) << pad << " " << bad;
    }
  }
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
