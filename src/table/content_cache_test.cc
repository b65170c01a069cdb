#include "table/content_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/crypto.h"
#include "common/encoding.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

class ContentCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("content-cache-" + HexEncode(RandomBytes(8)));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ContentCacheTest, StoresFindsAndEvictsBySuffix) {
  ContentCacheOptions options;
  options.dir = dir_.string();
  options.capacity_bytes = 100;
  options.min_age_ms = 0;
  ASSERT_OK_AND_ASSIGN(auto cache, ContentCache::Open(options));
  const std::string key = HexEncode(Sha256("a"));
  EXPECT_FALSE(cache->Find(key, ".bin").has_value());
  ASSERT_OK(cache->Put(key, ".bin", std::string(60, 'x')));
  EXPECT_EQ(cache->Find(key, ".bin"), 60);
  EXPECT_FALSE(cache->Find(key, ".parquet").has_value());  // another file
  EXPECT_EQ(cache->PathOf(key, ".bin"),
            dir_.string() + "/" + key.substr(0, 2) + "/" + key + ".bin");
  // A second file beyond the bound evicts down to 90% of it.
  ASSERT_OK(cache->Put(HexEncode(Sha256("b")), ".parquet", std::string(60, 'y')));
  EXPECT_LE(cache->bytes(), 90);
  EXPECT_EQ(cache->evictions(), 1u);
  // Keys and suffixes that could name other paths are refused.
  EXPECT_FALSE(cache->Put("../../etc", ".bin", "x").ok());
  EXPECT_FALSE(cache->Put(key, "/../x", "x").ok());
  // A reopened cache counts what the folder holds.
  ASSERT_OK_AND_ASSIGN(auto again, ContentCache::Open(options));
  EXPECT_EQ(again->bytes(), cache->bytes());
}

}  // namespace
}  // namespace lakeshare
