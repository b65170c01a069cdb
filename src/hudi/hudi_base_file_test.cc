#include "hudi/hudi_base_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>

#include "hudi/hudi_test_util.h"
#include "parquet/parquet_writer.h"
#include "storage/local_storage.h"
#include "testing/memory_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::HudiTempDir;
using ::lakeshare::testing::MemoryStorage;
using ::lakeshare::testing::StatusIs;
using ::testing::HasSubstr;

std::string SmallParquet() {
  parquet::ParquetSchema schema{{{"id", parquet::ColumnType::kInt64}}};
  auto bytes = parquet::WriteParquetFile(schema, {{{std::vector<int64_t>{1, 2, 3}, {}}}});
  EXPECT_OK(bytes);
  return bytes.ok() ? *bytes : std::string();
}

void WriteLocal(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(OpenBaseFileTest, LocalFileOpensWithTheCommitsSize) {
  HudiTempDir dir;
  const std::string bytes = SmallParquet();
  WriteLocal(dir.path() + "/a.parquet", bytes);
  auto storage = std::make_shared<LocalStorage>();
  ASSERT_OK_AND_ASSIGN(auto reader, hudi::OpenBaseFile(storage, dir.path(), "a.parquet",
                                                       static_cast<int64_t>(bytes.size())));
  EXPECT_EQ(reader.num_rows(), 3);
}

TEST(OpenBaseFileTest, LocalFileMissingOrOfAnotherSizeIsCorruption) {
  HudiTempDir dir;
  const std::string bytes = SmallParquet();
  const auto size = static_cast<int64_t>(bytes.size());
  auto storage = std::make_shared<LocalStorage>();
  EXPECT_THAT(hudi::OpenBaseFile(storage, dir.path(), "gone.parquet", size).status(),
              StatusIs(StatusCode::kCorruption,
                       HasSubstr("base file gone.parquet is missing (a commit lists it)")));
  WriteLocal(dir.path() + "/short.parquet", bytes.substr(0, bytes.size() - 5));
  EXPECT_THAT(hudi::OpenBaseFile(storage, dir.path(), "short.parquet", size).status(),
              StatusIs(StatusCode::kCorruption, HasSubstr("shorter than its commit says")));
  WriteLocal(dir.path() + "/long.parquet", bytes);
  EXPECT_THAT(hudi::OpenBaseFile(storage, dir.path(), "long.parquet", size - 5).status(),
              StatusIs(StatusCode::kCorruption, HasSubstr("longer than its commit says")));
}

// An object store opens without a request: absence and truncation show on
// the first read and keep their Hudi messages.
TEST(OpenBaseFileTest, ObjectStoreKeepsTheMessages) {
  const std::string bytes = SmallParquet();
  const auto size = static_cast<int64_t>(bytes.size());
  auto storage = std::make_shared<MemoryStorage>();
  storage->Put("t/a.parquet", bytes);
  storage->Put("t/short.parquet", bytes.substr(0, bytes.size() - 5));
  ASSERT_OK_AND_ASSIGN(auto reader, hudi::OpenBaseFile(storage, "t", "a.parquet", size));
  EXPECT_EQ(reader.num_rows(), 3);
  EXPECT_THAT(hudi::OpenBaseFile(storage, "t", "gone.parquet", size).status(),
              StatusIs(StatusCode::kCorruption, HasSubstr("is missing (a commit lists it)")));
  EXPECT_THAT(hudi::OpenBaseFile(storage, "t", "short.parquet", size).status(),
              StatusIs(StatusCode::kCorruption, HasSubstr("shorter than its commit says")));
}

}  // namespace
}  // namespace lakeshare
