#include "protocol/file_id_digests.h"

#include <gtest/gtest.h>

#include "protocol/response_lines.h"

namespace lakeshare {
namespace {

FileList::ChunkPtr ChunkOf(std::vector<std::string> paths) {
  auto chunk = std::make_shared<FileList::Chunk>();
  for (std::string& p : paths) chunk->emplace_back().path = std::move(p);
  return chunk;
}

// The ids the answer writes from the digests, as a plain answer hashes them.
void ExpectIdsOf(const FileList::Chunk& chunk, const std::string& digests, FileIdHash hash) {
  const size_t size = FileIdDigests::DigestSize(hash);
  ASSERT_EQ(digests.size(), chunk.size() * size);
  for (size_t i = 0; i < chunk.size(); ++i) {
    char expected[68], got[68];
    const size_t n = QuotedFileId(chunk[i].path, hash, expected);
    const auto* digest = reinterpret_cast<const unsigned char*>(digests.data()) + i * size;
    ASSERT_EQ(QuotedFileIdOfDigest(digest, hash, got), n);
    EXPECT_EQ(std::string(got, n), std::string(expected, n)) << chunk[i].path;
  }
}

TEST(FileIdDigestsTest, DigestsAreTheFileIdsOfTheChunkInOrder) {
  FileIdDigests cache;
  auto chunk = ChunkOf({"a.parquet", "p=1/b%20c.parquet", "s3://bucket/t/d.parquet"});
  ExpectIdsOf(*chunk, *cache.Of(chunk, FileIdHash::kMd5), FileIdHash::kMd5);
  ExpectIdsOf(*chunk, *cache.Of(chunk, FileIdHash::kSha256), FileIdHash::kSha256);
  EXPECT_EQ(cache.bytes(), 3u * 16 + 3u * 32);
  // The known MD5 of "a.parquet", as FileId gives it.
  char id[68];
  size_t n = QuotedFileIdOfDigest(
      reinterpret_cast<const unsigned char*>(cache.Of(chunk, FileIdHash::kMd5)->data()),
      FileIdHash::kMd5, id);
  EXPECT_EQ(std::string(id + 1, n - 2), FileId("a.parquet"));
}

TEST(FileIdDigestsTest, SecondCallReusesTheDigests) {
  FileIdDigests cache;
  auto chunk = ChunkOf({"x.parquet", "y.parquet"});
  auto first = cache.Of(chunk, FileIdHash::kMd5);
  EXPECT_EQ(cache.Of(chunk, FileIdHash::kMd5).get(), first.get());
  // Another chunk with other files gets its own.
  auto other = ChunkOf({"z.parquet", "y.parquet"});
  auto theirs = cache.Of(other, FileIdHash::kMd5);
  EXPECT_NE(theirs.get(), first.get());
  ExpectIdsOf(*other, *theirs, FileIdHash::kMd5);
}

TEST(FileIdDigestsTest, FreedChunkIsNotMistakenForANewOne) {
  FileIdDigests cache;
  auto chunk = ChunkOf({"old.parquet"});
  const void* address = chunk.get();
  auto old_ids = cache.Of(chunk, FileIdHash::kMd5);
  chunk.reset();
  // Whether or not the allocator reuses the address, the new chunk's ids
  // are its own.
  auto fresh = ChunkOf({"new.parquet"});
  auto ids = cache.Of(fresh, FileIdHash::kMd5);
  ExpectIdsOf(*fresh, *ids, FileIdHash::kMd5);
  if (fresh.get() == address) {
    EXPECT_NE(*ids, *old_ids);
  }
}

TEST(FileIdDigestsTest, BoundedLeastRecentlyUsedFirst) {
  FileIdDigests cache(/*capacity_bytes=*/64);  // two chunks of two MD5 ids
  auto a = ChunkOf({"a1", "a2"});
  auto b = ChunkOf({"b1", "b2"});
  auto c = ChunkOf({"c1", "c2"});
  auto a_ids = cache.Of(a, FileIdHash::kMd5);
  auto b_ids = cache.Of(b, FileIdHash::kMd5);
  EXPECT_EQ(cache.Of(a, FileIdHash::kMd5).get(), a_ids.get());  // a most recent
  cache.Of(c, FileIdHash::kMd5);                                // evicts b
  EXPECT_EQ(cache.bytes(), 64u);
  EXPECT_EQ(cache.Of(a, FileIdHash::kMd5).get(), a_ids.get());
  auto b_again = cache.Of(b, FileIdHash::kMd5);
  EXPECT_NE(b_again.get(), b_ids.get());
  EXPECT_EQ(*b_again, *b_ids);
  EXPECT_LE(cache.bytes(), 64u);
}

TEST(FileIdDigestsTest, ChunkLargerThanTheBoundIsComputedButNotKept) {
  FileIdDigests cache(/*capacity_bytes=*/16);
  auto chunk = ChunkOf({"a", "b"});
  ExpectIdsOf(*chunk, *cache.Of(chunk, FileIdHash::kMd5), FileIdHash::kMd5);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(FileIdDigestsTest, CapacityFollowsTheSnapshotCache) {
  EXPECT_EQ(FileIdDigests::CapacityFor(0), FileIdDigests::kDefaultCapacityBytes);
  EXPECT_EQ(FileIdDigests::CapacityFor(int64_t{1} << 30), FileIdDigests::kDefaultCapacityBytes);
  // A cache sized for a 10 000 000-file snapshot (about 4 GB) keeps its
  // 10 000 000 MD5 ids.
  EXPECT_EQ(FileIdDigests::CapacityFor(int64_t{8} << 30), size_t{512} << 20);
  EXPECT_GE(FileIdDigests::CapacityFor(int64_t{4} << 30), size_t{10000000} * 16);
}

TEST(FileIdDigestsTest, SetCapacityDropsWhatNoLongerFits) {
  FileIdDigests cache(/*capacity_bytes=*/64);
  auto a = ChunkOf({"a1", "a2"});
  auto b = ChunkOf({"b1", "b2"});
  auto a_ids = cache.Of(a, FileIdHash::kMd5);
  auto b_ids = cache.Of(b, FileIdHash::kMd5);
  EXPECT_EQ(cache.bytes(), 64u);
  cache.SetCapacity(32);  // a is the least recent: dropped
  EXPECT_EQ(cache.bytes(), 32u);
  EXPECT_EQ(cache.Of(b, FileIdHash::kMd5).get(), b_ids.get());
  cache.SetCapacity(128);  // room again for three
  auto a_again = cache.Of(a, FileIdHash::kMd5);
  EXPECT_NE(a_again.get(), a_ids.get());
  EXPECT_EQ(*a_again, *a_ids);
  cache.Of(ChunkOf({"c1", "c2"}), FileIdHash::kMd5);
  EXPECT_EQ(cache.bytes(), 96u);
  EXPECT_EQ(cache.Of(b, FileIdHash::kMd5).get(), b_ids.get());
}

}  // namespace
}  // namespace lakeshare
