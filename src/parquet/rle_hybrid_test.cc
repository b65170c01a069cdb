#include "parquet/rle_hybrid.h"

#include <gtest/gtest.h>

#include <random>

#include "testing/status_matchers.h"

namespace lakeshare::parquet {
namespace {

std::string Encode(const std::vector<uint32_t>& v, int bw) {
  std::string out;
  AppendRleHybrid(v.data(), v.size(), bw, &out);
  return out;
}

std::vector<uint32_t> DecodeOrDie(const std::string& data, int bw, size_t n) {
  std::vector<uint32_t> out;
  Status st = RleHybridDecoder(data, bw).Decode(&out, n);
  EXPECT_OK(st);
  return out;
}

TEST(RleHybridTest, KnownEncodings) {
  // Eight ones: one RLE run, header varint(8 << 1) and a one-byte value.
  EXPECT_EQ(Encode({1, 1, 1, 1, 1, 1, 1, 1}, 1), std::string("\x10\x01", 2));
  // 1,0,1: one bit-packed group (header 1 << 1 | 1), bits LSB first, padded.
  EXPECT_EQ(Encode({1, 0, 1}, 1), std::string("\x03\x05", 2));
  // Bit width 3, values 0..7: the layout from the parquet spec.
  EXPECT_EQ(Encode({0, 1, 2, 3, 4, 5, 6, 7}, 3), std::string("\x03\x88\xc6\xfa", 4));
  // A 300-long run: two-byte varint header, two-byte value for width 9.
  EXPECT_EQ(Encode(std::vector<uint32_t>(300, 257), 9), std::string("\xd8\x04\x01\x01", 4));
  EXPECT_EQ(Encode({}, 1), "");
}

TEST(RleHybridTest, MixesRunsAndLiterals) {
  // 3 literals, then a long run that first completes the literal group.
  std::vector<uint32_t> v = {1, 0, 1};
  v.insert(v.end(), 20, 1);
  v.push_back(0);
  std::string enc = Encode(v, 1);
  EXPECT_EQ(DecodeOrDie(enc, 1, v.size()), v);
  // 8 literals (3 + 5 of the run), an RLE run of 15, then a padded group.
  EXPECT_EQ(enc, std::string("\x03\xfd\x1e\x01\x03\x00", 6));
}

TEST(RleHybridTest, RoundTripsRandomDataAtEveryWidth) {
  std::mt19937 rng(1);
  for (int bw : {0, 1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 24, 31, 32}) {
    uint64_t limit = bw == 32 ? 0x100000000ull : (1ull << bw);
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<uint32_t> v(rng() % 500);
      for (size_t i = 0; i < v.size(); ++i) {
        // Runs of random length so both run kinds appear.
        if (i > 0 && rng() % 3 != 0) {
          v[i] = v[i - 1];
        } else {
          v[i] = static_cast<uint32_t>(rng() % limit);
        }
      }
      std::string enc = Encode(v, bw);
      EXPECT_EQ(DecodeOrDie(enc, bw, v.size()), v) << "bw " << bw;
      // Decoding in pieces gives the same values.
      RleHybridDecoder d(enc, bw);
      std::vector<uint32_t> pieces;
      while (pieces.size() < v.size()) {
        size_t n = std::min<size_t>(1 + rng() % 17, v.size() - pieces.size());
        std::vector<uint32_t> part;
        ASSERT_OK(d.Decode(&part, n));
        pieces.insert(pieces.end(), part.begin(), part.end());
      }
      EXPECT_EQ(pieces, v);
    }
  }
}

TEST(RleHybridTest, BitWidthFor) {
  EXPECT_EQ(BitWidthFor(0), 0);
  EXPECT_EQ(BitWidthFor(1), 1);
  EXPECT_EQ(BitWidthFor(2), 2);
  EXPECT_EQ(BitWidthFor(255), 8);
  EXPECT_EQ(BitWidthFor(256), 9);
  EXPECT_EQ(BitWidthFor(UINT32_MAX), 32);
}

TEST(RleHybridDecoderTest, RejectsMalformedInput) {
  std::vector<uint32_t> out;
  // Asking for more values than there are.
  EXPECT_EQ(RleHybridDecoder(std::string("\x10\x01", 2), 1).Decode(&out, 9).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(RleHybridDecoder("", 1).Decode(&out, 1).code(), StatusCode::kCorruption);
  // RLE value wider than the bit width.
  EXPECT_EQ(RleHybridDecoder(std::string("\x10\x02", 2), 1).Decode(&out, 1).code(),
            StatusCode::kCorruption);
  // RLE value cut off (width 16 needs two bytes).
  EXPECT_EQ(RleHybridDecoder(std::string("\x10\x02", 2), 16).Decode(&out, 1).code(),
            StatusCode::kCorruption);
  // Unterminated header, and an absurd one.
  EXPECT_EQ(RleHybridDecoder(std::string("\x80", 1), 1).Decode(&out, 1).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(RleHybridDecoder(std::string(12, '\xff'), 1).Decode(&out, 1).code(),
            StatusCode::kCorruption);
  // Bad bit width.
  EXPECT_EQ(RleHybridDecoder(std::string("\x10\x01", 2), 33).Decode(&out, 1).code(),
            StatusCode::kCorruption);
}

TEST(RleHybridDecoderTest, AcceptsATruncatedLastBitPackedRun) {
  // Header says 2 groups (16 values at width 1 = 2 bytes) but one byte follows:
  // the 8 values present decode, the 9th is an error.
  std::string data("\x05\xa5", 2);
  std::vector<uint32_t> out;
  ASSERT_OK(RleHybridDecoder(data, 1).Decode(&out, 8));
  EXPECT_EQ(out, (std::vector<uint32_t>{1, 0, 1, 0, 0, 1, 0, 1}));
  EXPECT_EQ(RleHybridDecoder(data, 1).Decode(&out, 9).code(), StatusCode::kCorruption);
}

TEST(RleHybridDecoderTest, RandomBytesNeverCrash) {
  std::mt19937 rng(3);
  std::vector<uint32_t> out;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string buf(rng() % 32, '\0');
    for (char& c : buf) c = static_cast<char>(rng());
    int bw = static_cast<int>(rng() % 34);
    Status st = RleHybridDecoder(buf, bw).Decode(&out, rng() % 100);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), StatusCode::kCorruption);
    }
  }
}

}  // namespace
}  // namespace lakeshare::parquet
