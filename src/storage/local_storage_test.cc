#include "storage/local_storage.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

class LocalStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ls_local_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "sub");
    std::ofstream(dir_ / "b.txt") << "hello world";
    std::ofstream(dir_ / "a.txt") << "x";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  LocalStorage storage_;
};

TEST_F(LocalStorageTest, ReadsWholeAndRanges) {
  EXPECT_EQ(*storage_.Read((dir_ / "b.txt").string()), "hello world");
  EXPECT_EQ(*storage_.ReadRange((dir_ / "b.txt").string(), 6, 100), "world");
  EXPECT_EQ(*storage_.ReadRange((dir_ / "b.txt").string(), 50, 1), "");
  EXPECT_EQ(storage_.Read((dir_ / "missing").string()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_.Read((dir_ / "sub").string()).status().code(), StatusCode::kNotFound);
}

TEST_F(LocalStorageTest, OpensFilesForRandomAccess) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RandomAccessFile> file,
                       storage_.OpenRandomAccess((dir_ / "b.txt").string(), std::nullopt));
  EXPECT_EQ(file->Size(), 11u);
  EXPECT_TRUE(file->ReadsAreCheap());
  char buf[5];
  ASSERT_OK(file->ReadAt(6, 5, buf));
  EXPECT_EQ(std::string(buf, 5), "world");
  ASSERT_OK(file->ReadAt(0, 0, buf));
  EXPECT_THAT(file->ReadAt(7, 5, buf), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(storage_.OpenRandomAccess((dir_ / "missing").string(), std::nullopt).status(),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(storage_.OpenRandomAccess((dir_ / "sub").string(), std::nullopt).status(),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(LocalStorageTest, RandomAccessReportsAFileThatShrank) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RandomAccessFile> file,
                       storage_.OpenRandomAccess((dir_ / "b.txt").string(), std::nullopt));
  std::filesystem::resize_file(dir_ / "b.txt", 3);
  char buf[5];
  EXPECT_THAT(file->ReadAt(6, 5, buf), StatusIs(StatusCode::kIOError));
}

TEST_F(LocalStorageTest, ListsFilesSortedWithoutFolders) {
  auto list = storage_.ListDirectory(dir_.string());
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].path, (dir_ / "a.txt").string());
  EXPECT_EQ((*list)[1].size, 11);
  EXPECT_EQ(storage_.ListDirectory((dir_ / "nope").string()).status().code(),
            StatusCode::kNotFound);
}

TEST_F(LocalStorageTest, ListsNamesAfterAStart) {
  auto after = storage_.ListDirectoryAfter(dir_.string(), "a.txt");
  ASSERT_OK(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].path, (dir_ / "b.txt").string());
  EXPECT_EQ(storage_.ListDirectoryAfter(dir_.string(), "a")->size(), 2u);  // a prefix of a name
  EXPECT_TRUE(storage_.ListDirectoryAfter(dir_.string(), "b.txt")->empty());
  EXPECT_EQ(storage_.ListDirectoryAfter((dir_ / "nope").string(), "a").status().code(),
            StatusCode::kNotFound);
}

// A table folder t/ beside a secret: links inside t/ may point within it,
// never out of it.
TEST_F(LocalStorageTest, OpensBeneathATableFolderWithoutLinksOut) {
  const std::filesystem::path table = dir_ / "t";
  std::filesystem::create_directories(table / "p=1");
  std::ofstream(table / "p=1" / "data.parquet") << "table data";
  std::ofstream(dir_ / "secret.key") << "the signing key";
  std::filesystem::create_symlink(dir_ / "secret.key", table / "absolute.parquet");
  std::filesystem::create_symlink("../../secret.key", table / "p=1" / "relative.parquet");
  std::filesystem::create_symlink(dir_, table / "up");
  const std::string root = table.string();

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RandomAccessFile> file,
                       OpenLocalFileBeneath(root, (table / "p=1" / "data.parquet").string()));
  char buf[10];
  ASSERT_OK(file->ReadAt(0, 10, buf));
  EXPECT_EQ(std::string(buf, 10), "table data");

  for (const std::string leaf : {"absolute.parquet", "p=1/relative.parquet", "up/secret.key"}) {
    const std::string path = root + "/" + leaf;
    EXPECT_THAT(OpenLocalFileBeneath(root, path).status(), StatusIs(StatusCode::kPermissionDenied))
        << leaf;
    // The plain open follows links: the check is what keeps the key safe.
    EXPECT_OK(storage_.OpenRandomAccess(path, std::nullopt).status());
  }
  // Not in the folder at all, or missing.
  EXPECT_THAT(OpenLocalFileBeneath(root, (dir_ / "secret.key").string()).status(),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(OpenLocalFileBeneath(root, root + "x/a").status(),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(OpenLocalFileBeneath(root, root + "/missing.parquet").status(),
              StatusIs(StatusCode::kNotFound));
  // A link to the table folder itself is the provider's choice: followed.
  std::filesystem::create_symlink(table, dir_ / "alias");
  EXPECT_OK(OpenLocalFileBeneath((dir_ / "alias").string(),
                                 (dir_ / "alias" / "p=1" / "data.parquet").string())
                .status());
}

TEST(LocalPathTest, ConvertsLocations) {
  EXPECT_EQ(*LocalPathFromLocation("/a/b"), "/a/b");
  EXPECT_EQ(*LocalPathFromLocation("file:///a/b%20c"), "/a/b c");
  EXPECT_EQ(*LocalPathFromLocation("file:/a/b"), "/a/b");
  EXPECT_EQ(*LocalPathFromLocation("file://localhost/a"), "/a");
  EXPECT_FALSE(LocalPathFromLocation("relative/x").ok());
  EXPECT_FALSE(LocalPathFromLocation("file://otherhost/a").ok());
  EXPECT_FALSE(LocalPathFromLocation("s3://bucket/key").ok());
}

}  // namespace
}  // namespace lakeshare
