#include "table/content_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/time_util.h"
#include "storage/random_access_file.h"
#include "testing/memory_storage.h"
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

// The cache under an object-store prefix: files are objects of the store
// (flat under the prefix), found by asking the store, read back through it,
// counted by one listing when opened, and evicted by deleting the least
// recently used objects once the bound is passed.
TEST(ContentCacheRemoteTest, StoresFindsReadsAndEvictsObjects) {
  auto store = std::make_shared<testing::MemoryStorage>();
  ContentCacheOptions options;
  options.dir = "s3://bucket/cache/";
  options.storage = store;
  options.capacity_bytes = 100;
  options.min_age_ms = 0;
  ASSERT_OK_AND_ASSIGN(auto cache, ContentCache::Open(options));  // no objects yet
  EXPECT_TRUE(cache->remote());
  EXPECT_EQ(cache->dir(), "s3://bucket/cache");
  const std::string a = HexEncode(Sha256("a"));
  const std::string b = HexEncode(Sha256("b"));
  EXPECT_EQ(cache->PathOf(a, ".parquet"), "s3://bucket/cache/" + a + ".parquet");
  EXPECT_FALSE(cache->Find(a, ".parquet").has_value());
  ASSERT_OK(cache->Put(a, ".parquet", std::string(60, 'x')));
  EXPECT_EQ(cache->Find(a, ".parquet"), 60);
  ASSERT_OK_AND_ASSIGN(std::string bytes, cache->Read(a, ".parquet"));
  EXPECT_EQ(bytes, std::string(60, 'x'));
  ASSERT_OK_AND_ASSIGN(auto file, cache->OpenFile(a, ".parquet", 60));
  std::string tail(4, '\0');
  ASSERT_OK(file->ReadAt(56, 4, tail.data()));
  EXPECT_EQ(tail, "xxxx");

  // Another replica (or a restart) finds the objects and counts them.
  ASSERT_OK_AND_ASSIGN(auto replica, ContentCache::Open(options));
  EXPECT_EQ(replica->bytes(), 60);
  EXPECT_EQ(replica->Find(a, ".parquet"), 60);

  // A file last used long ago is refreshed when found (Storage::Touch)...
  store->Put(cache->PathOf(a, ".parquet"), std::string(60, 'x'), 1000);
  EXPECT_EQ(cache->Find(a, ".parquet"), 60);
  ASSERT_OK_AND_ASSIGN(FileInfo touched, store->Head(cache->PathOf(a, ".parquet")));
  EXPECT_GT(touched.modification_time_ms, NowMillis() - 60000);
  // ... and the least recently used one goes first beyond the bound.
  store->Put(cache->PathOf(a, ".parquet"), std::string(60, 'x'), 1000);
  ASSERT_OK(cache->Put(b, ".parquet", std::string(60, 'y')));
  EXPECT_EQ(cache->evictions(), 1u);
  EXPECT_FALSE(cache->Find(a, ".parquet").has_value());
  EXPECT_EQ(cache->Find(b, ".parquet"), 60);
  EXPECT_EQ(cache->bytes(), 60);
  // Keys that could name other objects are refused.
  EXPECT_FALSE(cache->Put("../../etc", ".bin", "x").ok());
}

TEST(ContentCacheRemoteTest, RecentlyUsedObjectsAreKeptBeyondTheBound) {
  auto store = std::make_shared<testing::MemoryStorage>();
  ContentCacheOptions options;
  options.dir = "abfss://c@acct.dfs.core.windows.net/cache";
  options.storage = store;
  options.capacity_bytes = 100;
  options.min_age_ms = 3600 * 1000;  // signed URLs may still be downloading
  ASSERT_OK_AND_ASSIGN(auto cache, ContentCache::Open(options));
  ASSERT_OK(cache->Put(HexEncode(Sha256("a")), ".bin", std::string(60, 'x')));
  ASSERT_OK(cache->Put(HexEncode(Sha256("b")), ".bin", std::string(60, 'y')));
  EXPECT_EQ(cache->evictions(), 0u);
  EXPECT_EQ(cache->bytes(), 120);
}

TEST(ContentCacheRemoteTest, APrefixNeedsAStore) {
  ContentCacheOptions options;
  options.dir = "gs://bucket/cache";
  EXPECT_THAT(ContentCache::Open(options).status(),
              testing::StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("gs://")));
  options.dir = "relative/cache";
  EXPECT_THAT(ContentCache::Open(options).status(),
              testing::StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace lakeshare
