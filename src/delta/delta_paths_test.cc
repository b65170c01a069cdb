#include "delta/delta_paths.h"

#include <gtest/gtest.h>

#include "common/encoding.h"
#include "testing/status_matchers.h"
namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

TEST(DeltaPathsTest, DetectsSchemes) {
  EXPECT_TRUE(HasUriScheme("s3://bucket/key"));
  EXPECT_TRUE(HasUriScheme("file:/tmp/x"));
  EXPECT_TRUE(HasUriScheme("abfss://c@a.dfs.core.windows.net/x"));
  EXPECT_TRUE(HasUriScheme("s3a+x.y-z:rest"));
  EXPECT_FALSE(HasUriScheme("part-0.parquet"));
  EXPECT_FALSE(HasUriScheme("x=a:b/part-0.parquet"));  // "=" cannot be in a scheme
  EXPECT_FALSE(HasUriScheme("/abs/path"));
  EXPECT_FALSE(HasUriScheme("1a:b"));
  EXPECT_FALSE(HasUriScheme(""));
}

TEST(DeltaPathsTest, CanonicalPaths) {
  EXPECT_EQ(CanonicalDeltaPath("x=A%252FA/p.parquet"), "x=A%2FA/p.parquet");
  EXPECT_EQ(CanonicalDeltaPath("plain.parquet"), "plain.parquet");
  EXPECT_EQ(CanonicalDeltaPath("bad%zz.parquet"), "bad%zz.parquet");
  EXPECT_EQ(CanonicalDeltaPath("s3://b/a%20b"), "s3://b/a%20b");
}

std::string Normalized(const DeltaTableRoot& root, std::string path) {
  NormalizeRecordedPath(root, &path);
  return path;
}

TEST(DeltaPathsTest, TableRoots) {
  EXPECT_EQ(DeltaTableRoot::Of("/data/t1/").local, "/data/t1");
  EXPECT_EQ(DeltaTableRoot::Of("file:///data/t%201").local, "/data/t 1");
  EXPECT_EQ(DeltaTableRoot::Of("file:///data/t1").uri, "");
  EXPECT_EQ(DeltaTableRoot::Of("s3://b/t1/").uri, "s3://b/t1");
  EXPECT_EQ(DeltaTableRoot::Of("s3://b/t1").local, "");
}

TEST(DeltaPathsTest, FileUrisUnderTheRootBecomeRelative) {
  const DeltaTableRoot root = DeltaTableRoot::Of("/data/t 1");
  EXPECT_EQ(Normalized(root, "file:/data/t%201/part-0.parquet"), "part-0.parquet");
  EXPECT_EQ(Normalized(root, "file:///data/t%201/part-0.parquet"), "part-0.parquet");
  EXPECT_EQ(Normalized(root, "file://localhost/data/t%201/part-0.parquet"), "part-0.parquet");
  EXPECT_EQ(Normalized(root, "file:///data/t%201/part%2D0.parquet"), "part-0.parquet");
  // Re-encoded as writers record it: decoding gives the file's name back.
  EXPECT_EQ(Normalized(root, "file:///data/t%201/x=a%2520b/p.parquet"), "x=a%2520b/p.parquet");
  EXPECT_EQ(CanonicalDeltaPath(Normalized(root, "file:///data/t%201/x=a%2520b/p.parquet")),
            "x=a%20b/p.parquet");
}

TEST(DeltaPathsTest, OtherFileUrisGetOneSpelling) {
  const DeltaTableRoot root = DeltaTableRoot::Of("/data/t1");
  EXPECT_EQ(Normalized(root, "file:/other/p.parquet"), "file:///other/p.parquet");
  EXPECT_EQ(Normalized(root, "file://localhost/other/p%2Eparquet"), "file:///other/p.parquet");
  EXPECT_EQ(Normalized(root, "file:///data/t1x/p.parquet"), "file:///data/t1x/p.parquet");
  // Climbing out stays a '..' path, which resolving refuses.
  std::string climbing = Normalized(root, "file:///data/t1/../secret.key");
  EXPECT_EQ(climbing, "../secret.key");
  EXPECT_THAT(ResolveDeltaFilePath("/data/t1", climbing), StatusIs(StatusCode::kCorruption));
  // Not a local file: left for resolving to refuse.
  EXPECT_EQ(Normalized(root, "file://elsewhere/p.parquet"), "file://elsewhere/p.parquet");
}

TEST(DeltaPathsTest, RelativeAndForeignPathsStayAsRecorded) {
  const DeltaTableRoot local = DeltaTableRoot::Of("/data/t1");
  for (const char* p : {"part-0.parquet", "x=a:b/p.parquet", "a%20b/p.parquet",
                        "/data/t1/p.parquet", "s3://b/t1/p.parquet"}) {
    std::string path = p;
    EXPECT_FALSE(NormalizeRecordedPath(local, &path)) << p;
    EXPECT_EQ(path, p);
  }
  const DeltaTableRoot s3 = DeltaTableRoot::Of("s3://b/t1");
  EXPECT_EQ(Normalized(s3, "s3://b/t1/a%20b/p.parquet"), "a%20b/p.parquet");
  EXPECT_EQ(Normalized(s3, "s3://b/t10/p.parquet"), "s3://b/t10/p.parquet");
  EXPECT_EQ(Normalized(s3, "s3://other/t1/p.parquet"), "s3://other/t1/p.parquet");
  EXPECT_EQ(Normalized(s3, "file:///b/t1/p.parquet"), "file:///b/t1/p.parquet");
}

TEST(DeltaPathsTest, ResolvesRecordedPaths) {
  const std::string root = "/data/tables/t1";
  EXPECT_EQ(*ResolveDeltaFilePath(root, "part-0.parquet"), root + "/part-0.parquet");
  EXPECT_EQ(*ResolveDeltaFilePath(root + "/", "part-0.parquet"), root + "/part-0.parquet");
  // Percent-decoded once: the folder on disk is literally "x=A%2FA".
  EXPECT_EQ(*ResolveDeltaFilePath(root, "x=A%252FA/part-7.parquet"),
            root + "/x=A%2FA/part-7.parquet");
  EXPECT_EQ(*ResolveDeltaFilePath(root, "x=B%2520B/p.parquet"), root + "/x=B%20B/p.parquet");
  EXPECT_EQ(*ResolveDeltaFilePath(root, "a%20b/c.parquet"), root + "/a b/c.parquet");
  // Absolute URIs.
  EXPECT_EQ(*ResolveDeltaFilePath(root, "file:///other/t%20x/p.parquet"), "/other/t x/p.parquet");
  EXPECT_EQ(*ResolveDeltaFilePath(root, "file:/other/p.parquet"), "/other/p.parquet");
  EXPECT_EQ(*ResolveDeltaFilePath(root, "s3://bucket/t/p%20q.parquet"),
            "s3://bucket/t/p%20q.parquet");
  EXPECT_EQ(ResolveDeltaFilePath(root, "file://remotehost/p.parquet").status().code(),
            StatusCode::kInvalidArgument);
  // Paths that would leave the table, or are malformed.
  EXPECT_EQ(ResolveDeltaFilePath(root, "../other/p.parquet").status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ResolveDeltaFilePath(root, "a/%2E%2E/%2E%2E/etc/passwd").status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ResolveDeltaFilePath(root, "bad%zz").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ResolveDeltaFilePath(root, "").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ResolveDeltaFilePath(root, "/etc/passwd").status().code(), StatusCode::kUnsupported);
  // A ".." inside a name is fine.
  EXPECT_EQ(*ResolveDeltaFilePath(root, "a..b/c.parquet"), root + "/a..b/c.parquet");
}

// The buffer-reusing form gives the same answers, whatever the buffer held.
TEST(DeltaPathsTest, ResolveIntoReusesTheBuffer) {
  const std::string root = "/data/tables/t1";
  std::string out = "left over from the previous file, longer than the next path";
  ASSERT_OK(ResolveDeltaFilePathInto(root, "part-0.parquet", &out));
  EXPECT_EQ(out, root + "/part-0.parquet");
  ASSERT_OK(ResolveDeltaFilePathInto(root, "a%20b/c.parquet", &out));
  EXPECT_EQ(out, root + "/a b/c.parquet");
  ASSERT_OK(ResolveDeltaFilePathInto(root, "s3://b/k.parquet", &out));
  EXPECT_EQ(out, "s3://b/k.parquet");
  EXPECT_EQ(ResolveDeltaFilePathInto(root, "%", &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(ResolveDeltaFilePathInto(root, "x/../../y", &out).code(), StatusCode::kCorruption);
}

TEST(DeltaPathsTest, EncodesLikeJavaUri) {
  EXPECT_EQ(EncodeDeltaPath("part-00000-x.c000.snappy.parquet"),
            "part-00000-x.c000.snappy.parquet");
  EXPECT_EQ(EncodeDeltaPath("region=North America/p.parquet"), "region=North%20America/p.parquet");
  EXPECT_EQ(EncodeDeltaPath("region=Asia%2FPacific/p"), "region=Asia%252FPacific/p");
  EXPECT_EQ(EncodeDeltaPath("a=ü"), "a=%C3%BC");
  EXPECT_EQ(*PercentDecode(EncodeDeltaPath("x=a%3Ab c/ü")), "x=a%3Ab c/ü");
}

}  // namespace
}  // namespace lakeshare
