#include "storage/local_storage.h"
#include "testing/status_matchers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace lakeshare {
namespace {

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
