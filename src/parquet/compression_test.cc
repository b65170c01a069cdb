#include "parquet/compression.h"

#include <gtest/gtest.h>

#include <random>

#include "testing/status_matchers.h"

namespace lakeshare::parquet {
namespace {

std::string SampleData() {
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "row " + std::to_string(i % 97) + ";";
  return s;
}

class CodecTest : public ::testing::TestWithParam<CompressionCodec> {};

TEST_P(CodecTest, RoundTrips) {
  for (const std::string& input : {SampleData(), std::string(), std::string("x")}) {
    auto compressed = Compress(GetParam(), input);
    ASSERT_OK(compressed);
    if (input.size() > 1000 && GetParam() != CompressionCodec::kUncompressed) {
      EXPECT_LT(compressed->size(), input.size() / 4);
    }
    auto back = Decompress(GetParam(), *compressed, input.size());
    ASSERT_OK(back);
    EXPECT_EQ(*back, input);
  }
}

TEST_P(CodecTest, RejectsWrongSizesAndGarbage) {
  std::string input = SampleData();
  auto compressed = Compress(GetParam(), input);
  ASSERT_OK(compressed);
  EXPECT_EQ(Decompress(GetParam(), *compressed, input.size() + 1).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(Decompress(GetParam(), *compressed, input.size() - 1).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(Decompress(GetParam(), *compressed, size_t{1} << 33).status().code(),
            StatusCode::kCorruption);
  std::mt19937 rng(5);
  for (int iter = 0; iter < 300; ++iter) {
    std::string bad = *compressed;
    if (iter % 2 == 0) {
      bad.resize(rng() % bad.size());
    } else {
      for (int f = 0; f < 3; ++f) bad[rng() % bad.size()] = static_cast<char>(rng());
    }
    auto r = Decompress(GetParam(), bad, input.size());
    if (r.ok()) {
      EXPECT_EQ(r->size(), input.size());  // a flip inside a literal can still decode
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllWritable, CodecTest,
                         ::testing::Values(CompressionCodec::kUncompressed,
                                           CompressionCodec::kSnappy, CompressionCodec::kGzip,
                                           CompressionCodec::kZstd, CompressionCodec::kLz4,
                                           CompressionCodec::kLz4Raw),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(CompressionTest, HadoopLz4FallsBackToRawBlocks) {
  std::string input = SampleData();
  auto raw = Compress(CompressionCodec::kLz4Raw, input);
  ASSERT_OK(raw);
  auto back = Decompress(CompressionCodec::kLz4, *raw, input.size());
  ASSERT_OK(back);
  EXPECT_EQ(*back, input);
}

TEST(CompressionTest, UnsupportedCodecs) {
  EXPECT_EQ(Compress(CompressionCodec::kLzo, "x").status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(Decompress(CompressionCodec::kBrotli, "x", 1).status().code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(Decompress(static_cast<CompressionCodec>(99), "x", 1).status().code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(CodecName(CompressionCodec::kZstd), "ZSTD");
}

}  // namespace
}  // namespace lakeshare::parquet
