#include "table/deletion_vector_bytes.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

TEST(DeletionVectorBytes, RoaringBitmapArrayRoundTrip) {
  std::vector<uint64_t> positions = {0, 3, 65536, 70000};
  for (uint64_t i = 100000; i < 110000; ++i) positions.push_back(i);  // a bitmap container
  positions.push_back((uint64_t{1} << 32) + 5);                       // a second bucket
  std::string bytes = SerializeRoaringBitmapArray(positions);
  auto back = ParseRoaringBitmapArray(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, positions);
  // Without the magic it is the portable 64-bit layout.
  auto portable = ParsePortableRoaring64(std::string_view(bytes).substr(4));
  ASSERT_TRUE(portable.has_value());
  EXPECT_EQ(*portable, positions);
  EXPECT_FALSE(ParsePortableRoaring64(std::string_view(bytes).substr(4), 100).has_value());
}

TEST(DeletionVectorBytes, RunContainers) {
  // One bucket (key 0) holding a portable bitmap with one run container
  // [5, 9] and one array container {65536 + 2}: cookie 12347 | (2-1) << 16.
  std::string b;
  auto u16 = [&](uint16_t v) {
    b.append({static_cast<char>(v & 0xff), static_cast<char>(v >> 8)});
  };
  auto u32 = [&](uint32_t v) {
    u16(static_cast<uint16_t>(v));
    u16(static_cast<uint16_t>(v >> 16));
  };
  u32(1);  // 8-byte bucket count
  u32(0);
  u32(0);  // bucket key
  u32(12347 | (1u << 16));
  b.push_back('\x01');  // run flags: container 0 is a run container
  u16(0);
  u16(4);  // key 0, cardinality 5
  u16(1);
  u16(0);  // key 1, cardinality 1
  u16(1);  // one run
  u16(5);
  u16(4);  // start 5, length 4 + 1
  u16(2);
  auto got = ParsePortableRoaring64(b);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, (std::vector<uint64_t>{5, 6, 7, 8, 9, 65538}));
  // Truncated or with bytes left over: malformed.
  EXPECT_FALSE(ParsePortableRoaring64(b.substr(0, b.size() - 1)).has_value());
  EXPECT_FALSE(ParsePortableRoaring64(b + "x").has_value());
}

TEST(DeletionVectorBytes, GarbageNeverParses) {
  EXPECT_FALSE(ParseRoaringBitmapArray("").has_value());
  EXPECT_FALSE(ParseRoaringBitmapArray("abcdefghijklmnop").has_value());
  std::string bytes = SerializeRoaringBitmapArray({1, 2, 3});
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(ParseRoaringBitmapArray(bytes.substr(0, n)).has_value()) << n;
  }
}

TEST(DeletionVectorBytes, Z85) {
  // The ZeroMQ RFC 32 test vector.
  auto d = Z85Decode("HelloWorld");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(*d, std::string("\x86\x4F\xD2\x6F\xB5\x59\xF7\x5B", 8));
  EXPECT_EQ(Z85Encode(*d), "HelloWorld");
  EXPECT_FALSE(Z85Decode("Hell").has_value());
  EXPECT_FALSE(Z85Decode("#####").has_value());  // > 2^32
}

TEST(DeletionVectorBytes, InlineDescriptor) {
  DeletionVector dv = InlineDeletionVector({1, 2});
  EXPECT_EQ(dv.storage_type, "i");
  EXPECT_EQ(dv.cardinality, 2);
  auto bytes = Z85Decode(dv.path_or_inline_dv);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->substr(0, dv.size_in_bytes), SerializeRoaringBitmapArray({1, 2}));
}

TEST(DeletionVectorBytes, DvFileLayout) {
  std::string bitmap = SerializeRoaringBitmapArray({7, 9});
  std::string file = DeletionVectorFile(bitmap);
  ASSERT_EQ(file.size(), bitmap.size() + 9);
  EXPECT_EQ(file[0], '\x01');
  EXPECT_EQ(static_cast<uint8_t>(file[4]), bitmap.size());  // big-endian size
  auto back = ReadDeletionVectorFile(file, 1);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, bitmap);
  std::string damaged = file;
  damaged[8] ^= 1;
  EXPECT_FALSE(ReadDeletionVectorFile(damaged, 1).has_value());  // CRC
  EXPECT_FALSE(ReadDeletionVectorFile(file, 2).has_value());
  EXPECT_FALSE(ReadDeletionVectorFile(file.substr(0, file.size() - 1), 1).has_value());
}

}  // namespace
}  // namespace lakeshare
