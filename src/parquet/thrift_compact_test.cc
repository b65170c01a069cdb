#include "parquet/thrift_compact.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "testing/status_matchers.h"

namespace lakeshare::parquet {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

TEST(ZigZagTest, MapsSignedToUnsigned) {
  EXPECT_EQ(ZigZagEncode64(0), 0u);
  EXPECT_EQ(ZigZagEncode64(-1), 1u);
  EXPECT_EQ(ZigZagEncode64(1), 2u);
  EXPECT_EQ(ZigZagEncode64(-2), 3u);
  EXPECT_EQ(ZigZagEncode64(INT64_MAX), UINT64_MAX - 1);
  EXPECT_EQ(ZigZagEncode64(INT64_MIN), UINT64_MAX);
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{123456789}, INT64_MIN, INT64_MAX}) {
    EXPECT_EQ(ZigZagDecode64(ZigZagEncode64(v)), v);
  }
}

// Byte layouts worked out by hand from the compact protocol specification.
TEST(CompactWriterTest, ProducesSpecBytes) {
  std::string out;
  CompactWriter w(&out);
  w.StructBegin();
  w.I32Field(1, 1);        // delta 1, type 5; zigzag(1) = 2
  w.BoolField(2, true);    // delta 1, type 1
  w.BoolField(3, false);   // delta 1, type 2
  w.I64Field(20, -1);      // delta 17: long form, type 6, zigzag id 40; zigzag(-1) = 1
  w.BinaryField(5, "ab");  // id goes down: long form, zigzag(5) = 10
  w.ListField(6, CType::kI32, 3);
  w.I32(0);
  w.I32(-64);                            // zigzag 127
  w.I32(64);                             // zigzag 128 = 0x80 0x01
  w.ListField(7, CType::kBoolTrue, 16);  // long size form: 0xf1, varint 16
  for (int i = 0; i < 16; ++i) w.Bool(i % 2 == 0);
  w.StructField(8);
  w.StructEnd();
  w.StructEnd();
  std::string want = Bytes({0x15, 0x02, 0x11, 0x12, 0x06, 0x28, 0x01, 0x08, 0x0a, 0x02, 'a',
                            'b',  0x19, 0x35, 0x00, 0x7f, 0x80, 0x01, 0x19, 0xf1, 0x10});
  for (int i = 0; i < 16; ++i) want.push_back(i % 2 == 0 ? 1 : 2);
  want += Bytes({0x1c, 0x00, 0x00});
  EXPECT_EQ(out, want);
}

TEST(CompactWriterTest, MapAndSetHeaders) {
  std::string out;
  CompactWriter w(&out);
  w.MapBegin(CType::kBinary, CType::kI32, 0);  // empty map: just the size
  w.MapBegin(CType::kBinary, CType::kI32, 2);
  w.SetBegin(CType::kI64, 2);
  EXPECT_EQ(out, Bytes({0x00, 0x02, 0x85, 0x26}));
}

// Writes one value of every type, reads it back.
TEST(CompactRoundTripTest, EveryType) {
  std::string out;
  CompactWriter w(&out);
  // A NUL inside, and long enough for a two-byte length varint.
  const std::string binary = std::string("with\0nul", 8) + std::string(150, 'x');
  const std::string uuid = "0123456789abcdef";
  w.StructBegin();
  w.BoolField(1, true);
  w.BoolField(2, false);
  w.I8Field(3, -128);
  w.I16Field(4, INT16_MIN);
  w.I16Field(5, INT16_MAX);
  w.I32Field(6, INT32_MIN);
  w.I32Field(7, INT32_MAX);
  w.I64Field(8, INT64_MIN);
  w.I64Field(9, INT64_MAX);
  w.DoubleField(10, -0.0);
  w.DoubleField(11, std::numeric_limits<double>::infinity());
  w.BinaryField(12, binary);
  w.BinaryField(13, "");
  w.ListField(14, CType::kI64, 20);
  for (int i = 0; i < 20; ++i) w.I64(int64_t{1} << (i * 3));
  w.FieldHeader(15, CType::kSet);
  w.SetBegin(CType::kBinary, 2);
  w.Binary("a");
  w.Binary("b");
  w.FieldHeader(16, CType::kMap);
  w.MapBegin(CType::kBinary, CType::kStruct, 1);
  w.Binary("k");
  w.StructBegin();
  w.I32Field(1, 42);
  w.StructEnd();
  w.StructField(300);  // long-form id
  w.DoubleField(1, 1.5);
  w.StructField(2);
  w.I16Field(1, -7);
  w.StructEnd();
  w.StructEnd();
  w.FieldHeader(-5, CType::kUuid);  // negative ids are legal on the wire
  w.Uuid(uuid);
  w.FieldHeader(17, CType::kList);
  w.ListBegin(CType::kDouble, 1);
  w.Double(std::nan(""));
  w.StructEnd();

  CompactReader r(out);
  FieldHeader h;
  ASSERT_OK(r.StructBegin());
  auto next = [&](int16_t id, CType type) {
    ASSERT_OK(r.ReadFieldHeader(&h));
    EXPECT_EQ(h.id, id);
    EXPECT_EQ(h.type, type);
  };
  next(1, CType::kBoolTrue);
  EXPECT_TRUE(h.bool_value());
  next(2, CType::kBoolFalse);
  EXPECT_FALSE(h.bool_value());
  int8_t i8;
  next(3, CType::kByte);
  ASSERT_OK(r.ReadI8(&i8));
  EXPECT_EQ(i8, -128);
  int16_t i16;
  next(4, CType::kI16);
  ASSERT_OK(r.ReadI16(&i16));
  EXPECT_EQ(i16, INT16_MIN);
  next(5, CType::kI16);
  ASSERT_OK(r.ReadI16(&i16));
  EXPECT_EQ(i16, INT16_MAX);
  int32_t i32;
  next(6, CType::kI32);
  ASSERT_OK(r.ReadI32(&i32));
  EXPECT_EQ(i32, INT32_MIN);
  next(7, CType::kI32);
  ASSERT_OK(r.ReadI32(&i32));
  EXPECT_EQ(i32, INT32_MAX);
  int64_t i64;
  next(8, CType::kI64);
  ASSERT_OK(r.ReadI64(&i64));
  EXPECT_EQ(i64, INT64_MIN);
  next(9, CType::kI64);
  ASSERT_OK(r.ReadI64(&i64));
  EXPECT_EQ(i64, INT64_MAX);
  double d;
  next(10, CType::kDouble);
  ASSERT_OK(r.ReadDouble(&d));
  EXPECT_EQ(d, 0.0);
  EXPECT_TRUE(std::signbit(d));
  next(11, CType::kDouble);
  ASSERT_OK(r.ReadDouble(&d));
  EXPECT_TRUE(std::isinf(d));
  std::string s;
  next(12, CType::kBinary);
  ASSERT_OK(r.ReadBinary(&s));
  EXPECT_EQ(s, binary);
  next(13, CType::kBinary);
  ASSERT_OK(r.ReadBinary(&s));
  EXPECT_EQ(s, "");
  ContainerHeader c;
  next(14, CType::kList);
  ASSERT_OK(r.ReadListHeader(&c));
  EXPECT_EQ(c.elem, CType::kI64);
  ASSERT_EQ(c.size, 20u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(r.ReadI64(&i64));
    EXPECT_EQ(i64, int64_t{1} << (i * 3));
  }
  next(15, CType::kSet);
  ASSERT_OK(r.ReadListHeader(&c));
  EXPECT_EQ(c.size, 2u);
  ASSERT_OK(r.ReadBinary(&s));
  EXPECT_EQ(s, "a");
  ASSERT_OK(r.ReadBinary(&s));
  EXPECT_EQ(s, "b");
  next(16, CType::kMap);
  ASSERT_OK(r.ReadMapHeader(&c));
  EXPECT_EQ(c.size, 1u);
  EXPECT_EQ(c.elem, CType::kBinary);
  EXPECT_EQ(c.value, CType::kStruct);
  ASSERT_OK(r.ReadBinary(&s));
  EXPECT_EQ(s, "k");
  ASSERT_OK(r.StructBegin());
  next(1, CType::kI32);
  ASSERT_OK(r.ReadI32(&i32));
  EXPECT_EQ(i32, 42);
  next(0, CType::kStop);
  r.StructEnd();
  next(300, CType::kStruct);
  ASSERT_OK(r.StructBegin());
  next(1, CType::kDouble);
  ASSERT_OK(r.ReadDouble(&d));
  EXPECT_EQ(d, 1.5);
  next(2, CType::kStruct);
  ASSERT_OK(r.StructBegin());
  next(1, CType::kI16);
  ASSERT_OK(r.ReadI16(&i16));
  EXPECT_EQ(i16, -7);
  next(0, CType::kStop);
  r.StructEnd();
  next(0, CType::kStop);
  r.StructEnd();
  next(-5, CType::kUuid);
  ASSERT_OK(r.ReadUuid(&s));
  EXPECT_EQ(s, uuid);
  next(17, CType::kList);  // delta from -5 is 22: long form
  ASSERT_OK(r.ReadListHeader(&c));
  ASSERT_OK(r.ReadDouble(&d));
  EXPECT_TRUE(std::isnan(d));
  next(0, CType::kStop);
  r.StructEnd();
  EXPECT_EQ(r.remaining(), 0u);

  // Skipping the whole message consumes exactly the same bytes.
  CompactReader skipper(out);
  ASSERT_OK(skipper.SkipElement(CType::kStruct));
  EXPECT_EQ(skipper.remaining(), 0u);
}

TEST(CompactReaderTest, BoolListElementsAcceptEitherTypeCode) {
  // Element type 2 (bool false) also means "bool"; 0 is accepted as false.
  const std::string r_bytes = Bytes({0x32, 0x01, 0x02, 0x00});
  CompactReader r(r_bytes);
  ContainerHeader c;
  ASSERT_OK(r.ReadListHeader(&c));
  EXPECT_EQ(c.elem, CType::kBoolTrue);
  bool b;
  ASSERT_OK(r.ReadBool(&b));
  EXPECT_TRUE(b);
  ASSERT_OK(r.ReadBool(&b));
  EXPECT_FALSE(b);
  ASSERT_OK(r.ReadBool(&b));
  EXPECT_FALSE(b);
  const std::string bad_bytes = Bytes({0x07});
  CompactReader bad(bad_bytes);
  EXPECT_EQ(bad.ReadBool(&b).code(), StatusCode::kCorruption);
}

void ExpectCorrupt(const std::string& bytes) {
  CompactReader r(bytes);
  Status st = r.SkipElement(CType::kStruct);
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st;
}

TEST(CompactReaderTest, RejectsMalformedInput) {
  ExpectCorrupt("");                                     // nothing
  ExpectCorrupt(Bytes({0x15}));                          // field without value
  ExpectCorrupt(Bytes({0x15, 0x80}));                    // unterminated varint
  ExpectCorrupt(Bytes({0x18, 0x05, 'a', 'b'}));          // binary longer than the input
  ExpectCorrupt(Bytes({0x1e, 0x00}));                    // unknown type 14
  ExpectCorrupt(Bytes({0x10, 0x00}));                    // nonzero stop byte
  ExpectCorrupt(Bytes({0x17, 1, 2, 3, 4, 5, 6, 7}));     // double cut short
  ExpectCorrupt(Bytes({0x19, 0x50, 0x00}));              // list element type 0
  ExpectCorrupt(Bytes({0x1d, 0x00}));                    // uuid cut short
  ExpectCorrupt(Bytes({0x05, 0x80, 0x80, 0x04, 0x00}));  // field id beyond i16
  // Field id overflow by deltas: 32767 then +1.
  ExpectCorrupt(Bytes({0x05, 0xfe, 0xff, 0x03, 0x00, 0x15, 0x00, 0x00}));

  // Varints: 11 bytes, and a 10th byte carrying more than bit 64.
  std::string eleven = Bytes({0x16});
  eleven.append(10, '\xff');
  eleven += Bytes({0x01, 0x00});
  ExpectCorrupt(eleven);
  std::string overflow = Bytes({0x16});
  overflow.append(9, '\xff');
  overflow += Bytes({0x02, 0x00});
  ExpectCorrupt(overflow);
  std::string max64 = Bytes({0x16});
  max64.append(9, '\xff');
  max64 += Bytes({0x01, 0x00});
  CompactReader ok(max64);
  EXPECT_OK(ok.SkipElement(CType::kStruct));

  // An i32 or i16 that does not fit.
  const std::string r32_bytes = Bytes({0x80, 0x80, 0x80, 0x80, 0x10});
  CompactReader r32(r32_bytes);
  int32_t i32;
  EXPECT_EQ(r32.ReadI32(&i32).code(), StatusCode::kCorruption);
  const std::string r16_bytes = Bytes({0x80, 0x80, 0x04});
  CompactReader r16(r16_bytes);
  int16_t i16;
  EXPECT_EQ(r16.ReadI16(&i16).code(), StatusCode::kCorruption);
}

TEST(CompactReaderTest, RejectsHugeContainerSizes) {
  // A list claiming 2^31-1 elements in a few bytes fails before allocating.
  ExpectCorrupt(Bytes({0x19, 0xf5, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00}));
  // More than 2^31-1 elements, and a size beyond 32 bits.
  ExpectCorrupt(Bytes({0x19, 0xf5, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00}));
  ExpectCorrupt(Bytes({0x19, 0xf5, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00}));
  // Doubles take 8 bytes each: 3 doubles cannot fit in 9 bytes.
  ExpectCorrupt(Bytes({0x19, 0x37, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  // Maps: 1000 entries in a handful of bytes.
  ExpectCorrupt(Bytes({0x1b, 0xe8, 0x07, 0x55, 0x00, 0x00}));

  const std::string r_bytes = Bytes({0xf5, 0xff, 0xff, 0xff, 0xff, 0x07});
  CompactReader r(r_bytes);
  ContainerHeader c;
  EXPECT_EQ(r.ReadListHeader(&c).code(), StatusCode::kCorruption);
}

TEST(CompactReaderTest, LimitsNestingDepth) {
  // 10000 nested structs: field 1 of type struct, over and over.
  std::string deep(10000, '\x1c');
  deep.append(10001, '\0');
  ExpectCorrupt(deep);
  // 10000 nested single-element lists of lists.
  std::string lists = Bytes({0x19});
  for (int i = 0; i < 10000; ++i) lists.push_back('\x19');
  ExpectCorrupt(lists);
  // Maps of maps.
  std::string maps = Bytes({0x1b});
  for (int i = 0; i < 10000; ++i) maps += Bytes({0x01, 0xbb});
  ExpectCorrupt(maps);

  // Depth within the limit is fine.
  std::string ok(CompactReader::kDefaultMaxDepth - 1, '\x1c');
  ok.append(CompactReader::kDefaultMaxDepth, '\0');
  CompactReader r(ok);
  EXPECT_OK(r.SkipElement(CType::kStruct));
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CompactReaderTest, TruncationAtEveryPositionFails) {
  std::string out;
  CompactWriter w(&out);
  w.StructBegin();
  w.I64Field(1, 1234567890123);
  w.BinaryField(2, "hello");
  w.ListField(3, CType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.StructBegin();
    w.BoolField(1, i == 0);
    w.DoubleField(2, i);
    w.StructEnd();
  }
  w.StructEnd();
  for (size_t n = 0; n < out.size(); ++n) {
    CompactReader r(std::string_view(out).substr(0, n));
    EXPECT_EQ(r.SkipElement(CType::kStruct).code(), StatusCode::kCorruption) << n;
  }
  CompactReader full(out);
  EXPECT_OK(full.SkipElement(CType::kStruct));
}

TEST(CompactReaderTest, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  int ok = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string buf(rng() % 64, '\0');
    for (char& c : buf) c = static_cast<char>(rng());
    // Bias towards structure: short-form field headers of container types.
    if (iter % 2 == 0 && !buf.empty()) buf[0] = static_cast<char>(0x10 | (9 + rng() % 4));
    CompactReader r(buf);
    Status st = r.SkipElement(static_cast<CType>(1 + rng() % 13));
    if (st.ok()) {
      ++ok;
      EXPECT_LE(r.position(), buf.size());
    } else {
      EXPECT_EQ(st.code(), StatusCode::kCorruption);
    }
  }
  EXPECT_GT(ok, 0);
}

TEST(CompactReaderTest, FieldHeaderOutsideStructIsAnError) {
  const std::string r_bytes = Bytes({0x15, 0x02});
  CompactReader r(r_bytes);
  FieldHeader h;
  EXPECT_EQ(r.ReadFieldHeader(&h).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace lakeshare::parquet
