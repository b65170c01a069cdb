#include "parquet/value_decoders.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>

#include "parquet/delta_encodings.h"
#include "parquet/rle_hybrid.h"
#include "testing/status_matchers.h"

namespace lakeshare::parquet {
namespace {

ColumnBatch Decode(Encoding enc, Type type, std::string_view data, size_t count, Status* st,
                   int32_t type_length = 0, const ColumnBatch* dict = nullptr) {
  ColumnBatch out;
  ValueContext ctx;
  ctx.type = type;
  ctx.type_length = type_length;
  int64_t budget = 1 << 20;
  ctx.byte_budget = &budget;
  *st = DecodeValues(enc, ctx, data, count, dict, &out);
  return out;
}

std::string DeltaLengths(const std::vector<std::string>& values) {
  std::vector<int64_t> lengths;
  for (const auto& v : values) lengths.push_back(static_cast<int64_t>(v.size()));
  std::string out;
  EncodeDeltaBinaryPacked(lengths.data(), lengths.size(), &out);
  for (const auto& v : values) out += v;
  return out;
}

TEST(ValueDecodersTest, DeltaBinaryPackedRoundTrips) {
  std::mt19937_64 rng(7);
  for (size_t n : {0u, 1u, 2u, 31u, 32u, 33u, 128u, 129u, 1000u, 4097u}) {
    std::vector<int64_t> v(n);
    for (size_t i = 0; i < n; ++i) {
      switch (i % 4) {
        case 0:
          v[i] = static_cast<int64_t>(rng());
          break;
        case 1:
          v[i] = std::numeric_limits<int64_t>::min();
          break;
        case 2:
          v[i] = std::numeric_limits<int64_t>::max();
          break;
        default:
          v[i] = static_cast<int64_t>(i);
      }
    }
    std::string enc;
    EncodeDeltaBinaryPacked(v.data(), v.size(), &enc);
    Status st;
    ColumnBatch b = Decode(Encoding::kDeltaBinaryPacked, Type::kInt64, enc, n, &st);
    ASSERT_OK(st);
    EXPECT_EQ(b.int64s, v) << n;
    // Fewer values than announced is fine; more is corruption.
    if (n > 0) {
      b = Decode(Encoding::kDeltaBinaryPacked, Type::kInt64, enc, n - 1, &st);
      EXPECT_OK(st);
    }
    Decode(Encoding::kDeltaBinaryPacked, Type::kInt64, enc, n + 1, &st);
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
  }
  // INT32 wraps in 32 bits.
  std::vector<int64_t> v = {std::numeric_limits<int32_t>::max(),
                            std::numeric_limits<int32_t>::min(), 0, -5, 17};
  std::string enc;
  // Encode as the 32-bit wrapped deltas a 32-bit writer produces.
  EncodeDeltaBinaryPacked(v.data(), v.size(), &enc);
  Status st;
  ColumnBatch b = Decode(Encoding::kDeltaBinaryPacked, Type::kInt32, enc, v.size(), &st);
  // A 64-bit delta of 2^32 - 1 does not fit INT32's 32-bit widths.
  if (st.ok()) {
    ASSERT_EQ(b.int32s.size(), v.size());
    for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(b.int32s[i], static_cast<int32_t>(v[i]));
  } else {
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
  }
  std::vector<int64_t> small = {5, 3, 100, -7, 0};
  enc.clear();
  EncodeDeltaBinaryPacked(small.data(), small.size(), &enc);
  b = Decode(Encoding::kDeltaBinaryPacked, Type::kInt32, enc, small.size(), &st);
  ASSERT_OK(st);
  EXPECT_EQ(b.int32s, (std::vector<int32_t>{5, 3, 100, -7, 0}));
}

TEST(ValueDecodersTest, DeltaByteArrays) {
  std::vector<std::string> values = {"", "apple", "applesauce", "apply", "banana", "", "band"};
  Status st;
  const std::string dlba = DeltaLengths(values);  // the views point into it
  ColumnBatch b =
      Decode(Encoding::kDeltaLengthByteArray, Type::kByteArray, dlba, values.size(), &st);
  ASSERT_OK(st);
  ASSERT_EQ(b.binaries.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(b.binaries[i], values[i]);

  // DELTA_BYTE_ARRAY: prefix lengths, then the suffixes as DLBA.
  std::vector<int64_t> prefixes;
  std::vector<std::string> suffixes;
  std::string prev;
  for (const auto& v : values) {
    size_t p = 0;
    while (p < prev.size() && p < v.size() && prev[p] == v[p]) ++p;
    prefixes.push_back(static_cast<int64_t>(p));
    suffixes.push_back(v.substr(p));
    prev = v;
  }
  std::string enc;
  EncodeDeltaBinaryPacked(prefixes.data(), prefixes.size(), &enc);
  enc += DeltaLengths(suffixes);
  b = Decode(Encoding::kDeltaByteArray, Type::kByteArray, enc, values.size(), &st);
  ASSERT_OK(st);
  ASSERT_EQ(b.binaries.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(b.binaries[i], values[i]);
  EXPECT_EQ(b.buffers.size(), 1u);

  // A prefix longer than the previous value is corruption.
  std::vector<int64_t> bad_prefix = {0, 9};
  enc.clear();
  EncodeDeltaBinaryPacked(bad_prefix.data(), 2, &enc);
  enc += DeltaLengths({"ab", "c"});
  Decode(Encoding::kDeltaByteArray, Type::kByteArray, enc, 2, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);

  // A length beyond the data is corruption.
  std::vector<int64_t> long_len = {1000};
  enc.clear();
  EncodeDeltaBinaryPacked(long_len.data(), 1, &enc);
  enc += "short";
  Decode(Encoding::kDeltaLengthByteArray, Type::kByteArray, enc, 1, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
}

TEST(ValueDecodersTest, ByteStreamSplit) {
  std::vector<double> d = {1.5, -2.25, 1e300, 0};
  std::string enc(d.size() * 8, '\0');
  for (size_t i = 0; i < d.size(); ++i) {
    unsigned char b[8];
    std::memcpy(b, &d[i], 8);
    for (size_t k = 0; k < 8; ++k) enc[k * d.size() + i] = static_cast<char>(b[k]);
  }
  Status st;
  ColumnBatch b = Decode(Encoding::kByteStreamSplit, Type::kDouble, enc, d.size(), &st);
  ASSERT_OK(st);
  EXPECT_EQ(b.doubles, d);
  // FIXED_LEN_BYTE_ARRAY(3): "abc", "def" → streams "ad", "be", "cf".
  b = Decode(Encoding::kByteStreamSplit, Type::kFixedLenByteArray, "adbecf", 2, &st, 3);
  ASSERT_OK(st);
  ASSERT_EQ(b.binaries.size(), 2u);
  EXPECT_EQ(b.binaries[0], "abc");
  EXPECT_EQ(b.binaries[1], "def");
  Decode(Encoding::kByteStreamSplit, Type::kFloat, "abcdefg", 2, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
}

TEST(ValueDecodersTest, PlainAndDictionary) {
  Status st;
  const std::string dict_page("\1\0\0\0a\2\0\0\0bc", 11);  // views point into it
  ColumnBatch dict = Decode(Encoding::kPlain, Type::kByteArray, dict_page, 2, &st);
  ASSERT_OK(st);
  std::vector<uint32_t> idx = {1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0};
  std::string enc(1, '\1');
  AppendRleHybrid(idx.data(), idx.size(), 1, &enc);
  ColumnBatch b =
      Decode(Encoding::kRleDictionary, Type::kByteArray, enc, idx.size(), &st, 0, &dict);
  ASSERT_OK(st);
  ASSERT_EQ(b.binaries.size(), idx.size());
  EXPECT_EQ(b.binaries[0], "bc");
  EXPECT_EQ(b.binaries[10], "a");
  // An index beyond the dictionary, a missing dictionary, a bad bit width.
  idx = {2};
  enc = std::string(1, '\2');
  AppendRleHybrid(idx.data(), 1, 2, &enc);
  Decode(Encoding::kRleDictionary, Type::kByteArray, enc, 1, &st, 0, &dict);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  Decode(Encoding::kRleDictionary, Type::kByteArray, enc, 1, &st, 0, nullptr);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  Decode(Encoding::kRleDictionary, Type::kByteArray, std::string("\x21\x02\x00", 3), 1, &st, 0,
         &dict);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);

  // PLAIN booleans, INT96, FIXED_LEN_BYTE_ARRAY, and truncation.
  b = Decode(Encoding::kPlain, Type::kBoolean, "\x05", 3, &st);
  ASSERT_OK(st);
  EXPECT_EQ(b.bools, (std::vector<uint8_t>{1, 0, 1}));
  Decode(Encoding::kPlain, Type::kBoolean, "\x05", 9, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  b = Decode(Encoding::kPlain, Type::kInt96, std::string(24, '\1'), 2, &st);
  ASSERT_OK(st);
  EXPECT_EQ(b.int96s.size(), 2u);
  Decode(Encoding::kPlain, Type::kInt96, std::string(23, '\1'), 2, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  b = Decode(Encoding::kPlain, Type::kFixedLenByteArray, "abcdef", 3, &st, 2);
  ASSERT_OK(st);
  EXPECT_EQ(b.binaries[2], "ef");
  Decode(Encoding::kPlain, Type::kByteArray, std::string("\xff\xff\xff\xff", 4), 1, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  // RLE booleans (v2 pages).
  std::vector<uint32_t> bits = {1, 1, 0, 1};
  std::string rle;
  AppendRleHybrid(bits.data(), bits.size(), 1, &rle);
  std::string with_len(4, '\0');
  uint32_t len = static_cast<uint32_t>(rle.size());
  std::memcpy(with_len.data(), &len, 4);
  b = Decode(Encoding::kRle, Type::kBoolean, with_len + rle, 4, &st);
  ASSERT_OK(st);
  EXPECT_EQ(b.bools, (std::vector<uint8_t>{1, 1, 0, 1}));
  // Encodings that do not fit the type.
  Decode(Encoding::kDeltaBinaryPacked, Type::kDouble, "", 0, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  Decode(static_cast<Encoding>(77), Type::kInt32, "", 0, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
}

TEST(ValueDecodersTest, HybridLevels) {
  std::mt19937 rng(3);
  for (int width = 1; width <= 16; ++width) {
    std::vector<uint32_t> v(1000);
    uint32_t max = (1u << width) - 1;
    for (size_t i = 0; i < v.size(); ++i) v[i] = (i / 50) % 2 ? 1 : rng() & max;
    std::string enc;
    AppendRleHybrid(v.data(), v.size(), width, &enc);
    std::vector<uint32_t> out(v.size());
    ASSERT_OK(DecodeHybrid(enc, width, max, v.size(), out.data()));
    EXPECT_EQ(out, v);
    if (width <= 15) {
      std::vector<int16_t> levels(v.size());
      ASSERT_OK(DecodeHybrid(enc, width, max, v.size(), levels.data()));
      for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(levels[i], static_cast<int16_t>(v[i]));
      // A maximum below the data's values is corruption.
      EXPECT_EQ(DecodeHybrid(enc, width, max / 2, v.size(), levels.data()).code(),
                StatusCode::kCorruption);
    }
    EXPECT_EQ(DecodeHybrid(enc.substr(0, enc.size() / 2), width, max, v.size(), out.data()).code(),
              StatusCode::kCorruption);
  }
  std::vector<uint32_t> out(8);
  EXPECT_EQ(DecodeHybrid("\x03", 33, 1, 1, out.data()).code(), StatusCode::kCorruption);
  // A huge run header over no data.
  EXPECT_EQ(DecodeHybrid("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 3, 7, 8, out.data()).code(),
            StatusCode::kCorruption);
  // Deprecated BIT_PACKED levels, most significant bit first: 1,0,1,1 in 1 bit.
  int16_t lv[4];
  size_t used = 0;
  ASSERT_OK(DecodeBitPackedLevels("\xb0", 1, 1, 4, lv, &used));
  EXPECT_EQ(used, 1u);
  EXPECT_EQ(lv[0], 1);
  EXPECT_EQ(lv[1], 0);
  EXPECT_EQ(lv[3], 1);
  EXPECT_EQ(DecodeBitPackedLevels("", 1, 1, 4, lv, &used).code(), StatusCode::kCorruption);
}

TEST(ValueDecodersTest, HostileDeltaHeaders) {
  Status st;
  // Block size not a multiple of 128, zero miniblocks, miniblock sizes not
  // multiples of 32, huge counts, bit widths above 64.
  for (std::string bad :
       {std::string("\x07\x04\x01\x00", 4), std::string("\x80\x01\x00\x01\x00", 5),
        std::string("\x80\x01\x03\x02\x00", 5),
        std::string("\x80\x01\x04\x05\x00\x00\x41\x00\x00\x00", 10),
        std::string("\x80\x01\x04\xff\xff\xff\xff\x0f\x00", 9), std::string("\x80\x01", 2)}) {
    Decode(Encoding::kDeltaBinaryPacked, Type::kInt64, bad, 5, &st);
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
    Decode(Encoding::kDeltaLengthByteArray, Type::kByteArray, bad, 5, &st);
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
  }
}

TEST(ValueDecodersTest, RandomBytesNeverCrash) {
  std::mt19937 rng(99);
  ColumnBatch dict;
  dict.int32s = {1, 2, 3};
  dict.binaries = {"x", "y"};
  for (int iter = 0; iter < 20000; ++iter) {
    std::string data(rng() % 64, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    Encoding enc = static_cast<Encoding>(rng() % 10);
    Type type = static_cast<Type>(rng() % 8);
    Status st;
    Decode(enc, type, data, rng() % 300, &st, 1 + static_cast<int32_t>(rng() % 20), &dict);
    EXPECT_TRUE(st.ok() || st.code() == StatusCode::kCorruption) << st;
  }
}

}  // namespace
}  // namespace lakeshare::parquet
