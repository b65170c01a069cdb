#include "iceberg/avro_file.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "iceberg/avro_writer.h"
#include "iceberg/iceberg_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare::iceberg {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchema = R"({"type":"record","name":"r","fields":[
  {"name":"id","type":"long"},{"name":"name","type":["null","string"]},
  {"name":"tags","type":{"type":"array","items":"int"}}]})";

std::string WriteFile(const std::string& codec, int records) {
  auto w = AvroFileWriter::Create(kSchema, {{"k", "v"}}, codec);
  EXPECT_OK(w);
  for (int i = 0; i < records; ++i) {
    avro_value_t* rec = (*w)->NewRecord();
    auto id = AvroField(rec, "id");
    EXPECT_OK(AvroSetLong(&*id, i));
    auto name = AvroField(rec, "name");
    if (i % 3 == 0) {
      EXPECT_OK(AvroSetNull(&*name));
    } else {
      EXPECT_OK(AvroSetString(&*name, "n" + std::to_string(i)));
    }
    auto tags = AvroField(rec, "tags");
    for (int t = 0; t < i % 4; ++t) {
      avro_value_t e;
      avro_value_append(&*tags, &e, nullptr);
      avro_value_set_int(&e, t);
    }
    EXPECT_OK((*w)->Append());
  }
  auto bytes = (*w)->Finish();
  EXPECT_OK(bytes);
  return *bytes;
}

Status ReadAll(std::string bytes, int64_t* count, AvroLimits limits = {}) {
  LS_ASSIGN_OR_RETURN(auto r, AvroFileReader::Open(std::move(bytes), "test", limits));
  *count = 0;
  return r->ForEach([&](const AvroValue& v) -> Status {
    LS_ASSIGN_OR_RETURN(AvroValue id, v.Required("id"));
    LS_ASSIGN_OR_RETURN(int64_t i, id.AsInt64());
    if (i != *count) return Status::Internal("out of order");
    auto name = v.Field("name");
    if (!name) return Status::Internal("no name");
    if ((i % 3 == 0) != name->IsNull()) return Status::Internal("null mismatch");
    if (!name->IsNull()) {
      LS_ASSIGN_OR_RETURN(std::string_view s, name->AsString());
      if (s != "n" + std::to_string(i)) return Status::Internal("bad name");
    }
    LS_ASSIGN_OR_RETURN(AvroValue tags, v.Required("tags"));
    LS_ASSIGN_OR_RETURN(size_t n, tags.Size());
    if (n != static_cast<size_t>(i % 4)) return Status::Internal("bad tags");
    ++*count;
    return Status::OK();
  });
}

TEST(AvroFile, RoundTripBothCodecs) {
  for (const char* codec : {"null", "deflate"}) {
    std::string bytes = WriteFile(codec, 10000);  // several blocks
    int64_t n = 0;
    ASSERT_OK(ReadAll(bytes, &n)) << codec;
    EXPECT_EQ(n, 10000);
    auto r = AvroFileReader::Open(bytes, "t");
    ASSERT_OK(r);
    EXPECT_EQ((*r)->Meta("k"), "v");
    EXPECT_EQ((*r)->Meta("avro.codec"), codec);
  }
}

TEST(AvroFile, ReadsRealManifestsOfEveryCodec) {
  std::set<std::string> codecs;
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(testing::IcebergTestData())) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || e.path().extension() != ".avro" || name[0] == '.') continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = AvroFileReader::Open(ss.str(), name);
    ASSERT_OK(r) << name;
    codecs.insert((*r)->Meta("avro.codec").value_or("null"));
    int64_t records = 0;
    Status st = (*r)->ForEach([&](const AvroValue&) {
      ++records;
      return Status::OK();
    });
    ASSERT_OK(st);
    EXPECT_GT(records, 0) << name;
    ++files;
  }
  EXPECT_GT(files, 50);
  EXPECT_EQ(codecs, (std::set<std::string>{"deflate", "null"}));
}

// A container file with a hand-made schema and raw block payload.
std::string Container(const std::string& schema, const std::string& block, int64_t count,
                      const std::string& codec = "null") {
  std::string out("Obj\x01", 4);
  AppendAvroLong(&out, 2);
  for (auto [k, v] :
       {std::pair<std::string, std::string>{"avro.schema", schema}, {"avro.codec", codec}}) {
    AppendAvroLong(&out, static_cast<int64_t>(k.size()));
    out += k;
    AppendAvroLong(&out, static_cast<int64_t>(v.size()));
    out += v;
  }
  AppendAvroLong(&out, 0);
  std::string sync(16, 'S');
  out += sync;
  AppendAvroLong(&out, count);
  AppendAvroLong(&out, static_cast<int64_t>(block.size()));
  out += block;
  out += sync;
  return out;
}

StatusCode CodeOf(const std::string& bytes, AvroLimits limits = {}) {
  int64_t n = 0;
  auto r = AvroFileReader::Open(bytes, "hostile", limits);
  if (!r.ok()) return r.status().code();
  return (*r)
      ->ForEach([&](const AvroValue&) {
        ++n;
        return Status::OK();
      })
      .code();
}

TEST(AvroFile, HostileInputIsAnErrorNeverACrash) {
  const std::string rec = R"({"type":"record","name":"r","fields":[{"name":"s","type":"string"}]})";
  EXPECT_EQ(CodeOf("not avro"), StatusCode::kCorruption);
  EXPECT_EQ(CodeOf(std::string("Obj\x01", 4)), StatusCode::kCorruption);
  // A string longer than the block: decoding fails, nothing huge is allocated.
  std::string huge;
  AppendAvroLong(&huge, int64_t{1} << 50);
  EXPECT_EQ(CodeOf(Container(rec, huge + "abc", 1)), StatusCode::kCorruption);
  // More records than bytes.
  EXPECT_EQ(CodeOf(Container(rec, std::string(4, '\0'), 1000000)), StatusCode::kCorruption);
  // Record count limit.
  AvroLimits small;
  small.max_records = 3;
  EXPECT_EQ(CodeOf(Container(rec, std::string(4, '\0'), 4), small), StatusCode::kTooLarge);
  // Schemas that would make decoding unbounded.
  EXPECT_EQ(
      CodeOf(Container(
          R"({"type":"record","name":"r","fields":[{"name":"a","type":{"type":"array","items":"null"}}]})",
          "", 0)),
      StatusCode::kCorruption);
  EXPECT_EQ(
      CodeOf(Container(
          R"({"type":"record","name":"r","fields":[{"name":"n","type":["null","r"]}]})", "", 0)),
      StatusCode::kCorruption);
  EXPECT_EQ(CodeOf(Container("{not json", "", 0)), StatusCode::kCorruption);
  EXPECT_EQ(CodeOf(Container(R"("int")", "", 0)), StatusCode::kCorruption);
  EXPECT_EQ(CodeOf(Container(rec, "", 0, "lzo")), StatusCode::kUnsupported);
  // Wrong sync marker.
  std::string bad = Container(rec, std::string("\x02x", 2), 1);
  bad[bad.size() - 1] = 'X';
  EXPECT_EQ(CodeOf(bad), StatusCode::kCorruption);
  // Truncated blocks and garbage deflate.
  std::string good = WriteFile("deflate", 100);
  for (size_t cut : {good.size() - 1, good.size() - 17, good.size() / 2}) {
    EXPECT_NE(CodeOf(good.substr(0, cut)), StatusCode::kOk) << cut;
  }
  EXPECT_EQ(CodeOf(Container(rec, "garbage!", 1, "deflate")), StatusCode::kCorruption);
  // A deflate bomb stops at the block limit.
  std::string zeros(int64_t{8} << 20, '\0');
  std::string packed(compressBound(zeros.size()), '\0');
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  z.next_in = reinterpret_cast<Bytef*>(zeros.data());
  z.avail_in = static_cast<uInt>(zeros.size());
  z.next_out = reinterpret_cast<Bytef*>(packed.data());
  z.avail_out = static_cast<uInt>(packed.size());
  deflate(&z, Z_FINISH);
  packed.resize(packed.size() - z.avail_out);
  deflateEnd(&z);
  AvroLimits limit;
  limit.max_block_bytes = 1 << 20;
  EXPECT_EQ(CodeOf(Container(rec, packed, 1, "deflate"), limit), StatusCode::kTooLarge);
  // Random bytes after a valid header.
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string s = good;
    for (int k = 0; k < 8; ++k) s[200 + rng() % (s.size() - 200)] = static_cast<char>(rng());
    (void)CodeOf(s);
  }
}

// Every type the decoder knows, hand-encoded: arrays and maps in several
// blocks (negative counts with byte sizes too), unions, enum, fixed, floats.
TEST(AvroFile, DecodesEveryTypeAndMultiBlockArrays) {
  const std::string schema = R"({"type":"record","name":"r","fields":[
    {"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"f","type":"float"},
    {"name":"d","type":"double"},{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}},
    {"name":"x","type":{"type":"fixed","name":"F","size":3}},
    {"name":"u","type":["null","string"]},
    {"name":"a","type":{"type":"array","items":{"type":"record","name":"kv","fields":[
      {"name":"key","type":"int"},{"name":"value","type":"bytes"}]}}},
    {"name":"m","type":{"type":"map","values":"long"}}]})";
  std::string rec;
  rec.push_back('\x01');
  AppendAvroLong(&rec, -7);
  float f = 1.5f;
  double d = -2.25;
  rec.append(reinterpret_cast<const char*>(&f), 4);  // little-endian hosts only
  rec.append(reinterpret_cast<const char*>(&d), 8);
  AppendAvroLong(&rec, 1);
  rec += "abc";
  AppendAvroLong(&rec, 1);  // union branch 1: string
  AppendAvroLong(&rec, 2);
  rec += "hi";
  auto kv = [](int key, const std::string& value) {
    std::string out;
    AppendAvroLong(&out, key);
    AppendAvroLong(&out, static_cast<int64_t>(value.size()));
    return out + value;
  };
  AppendAvroLong(&rec, 2);  // a block of two items
  rec += kv(1, "one") + kv(2, "two");
  std::string third = kv(3, "three");
  AppendAvroLong(&rec, -1);  // a block of one item, with its byte size
  AppendAvroLong(&rec, static_cast<int64_t>(third.size()));
  rec += third;
  AppendAvroLong(&rec, 0);
  AppendAvroLong(&rec, 1);  // map: {"k1": 10}, then {"k2": 20}
  AppendAvroLong(&rec, 2);
  rec += "k1";
  AppendAvroLong(&rec, 10);
  AppendAvroLong(&rec, 1);
  AppendAvroLong(&rec, 2);
  rec += "k2";
  AppendAvroLong(&rec, 20);
  AppendAvroLong(&rec, 0);
  auto r = AvroFileReader::Open(Container(schema, rec + rec, 2), "types");
  ASSERT_OK(r);
  int records = 0;
  Status st = (*r)->ForEach([&](const AvroValue& v) -> Status {
    ++records;
    EXPECT_EQ(*v.Required("b")->AsBool(), true);
    EXPECT_EQ(*v.Required("i")->AsInt64(), -7);
    EXPECT_EQ(*v.Required("f")->AsDouble(), 1.5);
    EXPECT_EQ(*v.Required("d")->AsDouble(), -2.25);
    EXPECT_EQ(v.Required("e")->type(), AVRO_ENUM);
    EXPECT_EQ(*v.Required("x")->AsBytes(), "abc");
    EXPECT_EQ(*v.OptionalString("u"), "hi");
    EXPECT_FALSE(v.Field("missing"));
    AvroValue a = *v.Required("a");
    EXPECT_EQ(*a.Size(), 3u);
    const char* values[] = {"one", "two", "three"};
    for (size_t k = 0; k < 3; ++k) {
      AvroValue item = *a.Element(k);
      EXPECT_EQ(*item.Required("key")->AsInt64(), static_cast<int64_t>(k + 1));
      EXPECT_EQ(*item.Required("value")->AsBytes(), values[k]);
    }
    EXPECT_FALSE(a.Element(3).ok());
    AvroValue m = *v.Required("m");
    EXPECT_EQ(*m.Size(), 2u);
    EXPECT_EQ(m.MapEntry(0)->first, "k1");
    EXPECT_EQ(*m.MapEntry(1)->second.AsInt64(), 20);
    EXPECT_EQ(v.Required("i")->AsString().status().code(), StatusCode::kCorruption);
    return Status::OK();
  });
  EXPECT_OK(st);
  EXPECT_EQ(records, 2);
  // A record with more values than allowed is refused, not decoded.
  AvroLimits few;
  few.max_record_values = 8;
  EXPECT_EQ(CodeOf(Container(schema, rec, 1), few), StatusCode::kTooLarge);
  // Union branch, enum symbol and int range are checked.
  std::string bad_int;
  AppendAvroLong(&bad_int, int64_t{1} << 40);
  const std::string int_rec =
      R"({"type":"record","name":"r","fields":[{"name":"i","type":"int"}]})";
  EXPECT_EQ(CodeOf(Container(int_rec, bad_int, 1)), StatusCode::kCorruption);
  std::string bad_branch;
  AppendAvroLong(&bad_branch, 5);
  const std::string union_rec =
      R"({"type":"record","name":"r","fields":[{"name":"u","type":["null","int"]}]})";
  EXPECT_EQ(CodeOf(Container(union_rec, bad_branch, 1)), StatusCode::kCorruption);
}

}  // namespace
}  // namespace lakeshare::iceberg
