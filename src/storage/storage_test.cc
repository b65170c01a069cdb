// Storage's default random access (ranged reads, the kept footer tail) and
// MemoryFile.
#include "storage/storage.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storage/random_access_file.h"
#include "testing/counting_storage.h"
#include "testing/memory_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::CountingStorage;
using ::lakeshare::testing::MemoryStorage;
using ::lakeshare::testing::StatusIs;

class RangedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    memory_->Put("mem/obj", "0123456789abcdefghij");
    storage_ = std::make_shared<CountingStorage>(memory_);
  }
  std::string Read(const RandomAccessFile& f, uint64_t offset, size_t length) {
    std::string out(length, '\0');
    EXPECT_OK(f.ReadAt(offset, length, out.data()));
    return out;
  }
  std::shared_ptr<MemoryStorage> memory_ = std::make_shared<MemoryStorage>();
  std::shared_ptr<CountingStorage> storage_;
};

TEST_F(RangedFileTest, AsksTheStoreForTheSizeOnlyWhenNotKnown) {
  ASSERT_OK_AND_ASSIGN(auto file, storage_->OpenRandomAccess("mem/obj", std::nullopt));
  EXPECT_EQ(file->Size(), 20u);
  EXPECT_FALSE(file->ReadsAreCheap());
  EXPECT_EQ(storage_->Take().heads, 1);
  ASSERT_OK_AND_ASSIGN(auto known, storage_->OpenRandomAccess("mem/obj", 20));
  EXPECT_EQ(known->Size(), 20u);
  EXPECT_EQ(storage_->Take().requests(), 0);
  EXPECT_THAT(storage_->OpenRandomAccess("mem/missing", std::nullopt).status(),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(storage_->OpenRandomAccess("mem/obj", -1).status(),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(RangedFileTest, KeepsTheFirstReadThatReachesTheEnd) {
  ASSERT_OK_AND_ASSIGN(auto file, storage_->OpenRandomAccess("mem/obj", 20));
  EXPECT_EQ(Read(*file, 0, 4), "0123");
  EXPECT_EQ(Read(*file, 12, 8), "cdefghij");  // the footer read: kept
  EXPECT_EQ(storage_->Take().range_reads, 2);
  EXPECT_EQ(Read(*file, 15, 3), "fgh");  // inside the kept tail
  EXPECT_EQ(storage_->Take().range_reads, 0);
  // Ending inside the tail: only the part before it is fetched.
  EXPECT_EQ(Read(*file, 8, 8), "89abcdef");
  CountingStorage::Counts counts = storage_->Take();
  ASSERT_EQ(counts.range_reads, 1);
  EXPECT_EQ(counts.ranges[0], (std::pair<int64_t, int64_t>{8, 4}));
}

TEST_F(RangedFileTest, ReportsReadsPastTheEndAndVanishedObjects) {
  ASSERT_OK_AND_ASSIGN(auto file, storage_->OpenRandomAccess("mem/obj", 20));
  char buf[8];
  EXPECT_THAT(file->ReadAt(15, 8, buf), StatusIs(StatusCode::kCorruption));
  memory_->Put("mem/obj", "0123");
  EXPECT_THAT(file->ReadAt(0, 8, buf), StatusIs(StatusCode::kCorruption));
  memory_->Remove("mem/obj");
  // Opened, then gone: an I/O error, not the absence of the table's file.
  EXPECT_THAT(file->ReadAt(0, 8, buf), StatusIs(StatusCode::kIOError));
}

TEST(MemoryFileTest, ReadsOwnedAndBorrowedBytes) {
  MemoryFile owned(std::string("hello"));
  const std::string text = "world";
  MemoryFile borrowed{std::string_view(text)};
  char buf[3];
  ASSERT_OK(owned.ReadAt(1, 3, buf));
  EXPECT_EQ(std::string(buf, 3), "ell");
  ASSERT_OK(borrowed.ReadAt(2, 3, buf));
  EXPECT_EQ(std::string(buf, 3), "rld");
  EXPECT_TRUE(owned.ReadsAreCheap());
  EXPECT_EQ(borrowed.Size(), 5u);
  EXPECT_THAT(owned.ReadAt(3, 3, buf), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(owned.ReadAt(6, 0, buf), StatusIs(StatusCode::kCorruption));
}

}  // namespace
}  // namespace lakeshare
