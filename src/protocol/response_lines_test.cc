#include "protocol/response_lines.h"

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "common/encoding.h"
#include "common/json_writer.h"

namespace lakeshare {
namespace {

TEST(ResponseLinesTest, ProtocolLineIsReaderVersionOne) {
  std::string out;
  AppendParquetProtocolLine(&out);
  EXPECT_EQ(out, "{\"protocol\":{\"minReaderVersion\":1}}\n");
}

TEST(ResponseLinesTest, MetadataLineHasTheRequiredFields) {
  TableMetadata m;
  m.id = "abc";
  m.name = "t";
  m.schema_string = R"({"type":"struct","fields":[]})";
  m.partition_columns = {"p"};
  m.configuration = {{"delta.enableChangeDataFeed", "true"}, {"delta.secret", "x"}};
  std::string out;
  AppendParquetMetadataLine(&out, m, /*history_shared=*/false);
  EXPECT_EQ(out, R"({"metaData":{"id":"abc","name":"t","format":{"provider":"parquet"},)"
                 R"("schemaString":"{\"type\":\"struct\",\"fields\":[]}","partitionColumns":["p"],)"
                 R"("configuration":{}}})"
                 "\n");
  out.clear();
  AppendParquetMetadataLine(&out, m, /*history_shared=*/true);
  EXPECT_NE(out.find(R"("configuration":{"enableChangeDataFeed":"true"})"), std::string::npos);
  EXPECT_EQ(out.find("delta.secret"), std::string::npos);
}

TEST(ResponseLinesTest, FileLine) {
  DataFile f;
  f.path = "p=1/a.parquet";
  f.partition_values = {{"p", "1"}, {"q", std::nullopt}};
  f.size = 10;
  f.stats = R"({"numRecords":3})";
  std::string out;
  AppendParquetFileLine(&out, f, PresignedUrl{"http://x/y", 99}, {});
  EXPECT_EQ(out, R"({"file":{"url":"http://x/y","id":")" + FileId(f.path) +
                     R"(","partitionValues":{"p":"1","q":null},"size":10,)"
                     R"("stats":"{\"numRecords\":3}","expirationTimestamp":99}})"
                     "\n");
  out.clear();
  AppendParquetFileLine(&out, f, PresignedUrl{"u", 1}, {true, 7, 1234});
  EXPECT_NE(out.find(R"("version":7,"timestamp":1234,)"), std::string::npos);
}

TEST(ResponseLinesTest, DeltaFileLineCarriesTagsAndDeletionVector) {
  DataFile f;
  f.path = "a.parquet";
  f.size = 5;
  f.modification_time = 6;
  f.tags.emplace(std::map<std::string, std::string>{{"INSERTION_TIME", "1"}});
  DeltaFileLine line;
  line.id = "i";
  DeletionVector dv;
  dv.storage_type = "p";
  dv.path_or_inline_dv = "http://x/dv";
  dv.offset = 1;
  dv.size_in_bytes = 34;
  dv.cardinality = 2;
  line.deletion_vector = dv;
  line.deletion_vector_file_id = "dvid";
  std::string out;
  AppendDeltaFileLine(&out, f, PresignedUrl{"http://x/a", 9}, line, {});
  EXPECT_EQ(out, R"({"file":{"id":"i","deletionVectorFileId":"dvid","expirationTimestamp":9,)"
                 R"("deltaSingleAction":{"add":{"path":"http://x/a","partitionValues":{},)"
                 R"("size":5,"modificationTime":6,"dataChange":true,"deletionVector":{)"
                 R"("storageType":"p","pathOrInlineDv":"http://x/dv","offset":1,)"
                 R"("sizeInBytes":34,"cardinality":2},"tags":{"INSERTION_TIME":"1"}}}}})"
                 "\n");
}

// The lines as a JsonWriter writes them key by key (how they were written
// before the one-pass writer): the two must agree byte for byte.
std::string ReferenceParquetLine(const DataFile& f, const PresignedUrl& url,
                                 const FileLineOptions& o, std::string_view key) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key(key).BeginObject();
  w.Key("url").String(url.url);
  w.Key("id").String(FileId(f.path));
  w.Key("partitionValues").BeginObject();
  for (const auto& [k, v] : f.partition_values) w.Key(k).StringOrNull(v);
  w.EndObject();
  w.Key("size").Int(f.size);
  if (f.stats && key != "cdf" && key != "remove") w.Key("stats").String(*f.stats);
  if (o.include_version) w.Key("version").Int(o.version).Key("timestamp").Int(o.timestamp_ms);
  w.Key("expirationTimestamp").Int(url.expiration_ms);
  w.EndObject().EndObject();
  return out + "\n";
}

std::string ReferenceDeltaLine(const DataFile& f, const PresignedUrl& url,
                               const DeltaFileLine& line, const FileLineOptions& o) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("file").BeginObject();
  w.Key("id").String(line.id);
  if (o.include_version) w.Key("version").Int(o.version).Key("timestamp").Int(o.timestamp_ms);
  w.Key("expirationTimestamp").Int(url.expiration_ms);
  w.Key("deltaSingleAction").BeginObject().Key(line.action).BeginObject();
  w.Key("path").String(url.url);
  w.Key("partitionValues").BeginObject();
  for (const auto& [k, v] : f.partition_values) w.Key(k).StringOrNull(v);
  w.EndObject();
  w.Key("size").Int(f.size);
  if (line.action == "remove") {
    if (line.deletion_timestamp) w.Key("deletionTimestamp").Int(*line.deletion_timestamp);
  } else if (line.action == "add") {
    w.Key("modificationTime").Int(f.modification_time);
  }
  w.Key("dataChange").Bool(f.data_change);
  if (f.stats && line.action != "cdc") w.Key("stats").String(*f.stats);
  if (f.tags) {
    w.Key("tags").BeginObject();
    for (const auto& [k, v] : *f.tags) w.Key(k).String(v);
    w.EndObject();
  }
  w.EndObject().EndObject().EndObject().EndObject();
  return out + "\n";
}

TEST(ResponseLinesTest, FileLinesEscapeEveryTextAndMatchTheReferenceWriter) {
  // Texts needing every kind of escape, and texts long enough that the line
  // outgrows the writer's stack buffer.
  const std::string nasty = "q\"b\\s\n\t\x01\x1f\x7f\xc3\xa9/end";
  std::string long_stats = R"({"numRecords":7,"minValues":{"s":")";
  for (int i = 0; i < 2000; ++i) long_stats += nasty;
  long_stats += "\"}}";
  for (const std::string& stats : {std::string(R"({"numRecords":3})"), nasty, long_stats}) {
    for (bool version : {false, true}) {
      DataFile f;
      f.path = "p=" + nasty + "/a.parquet";
      f.partition_values = {{"p", nasty}, {nasty, std::nullopt}, {"r", ""}};
      f.size = 1234567890123;
      f.modification_time = -5;
      f.data_change = !version;
      f.stats = stats;
      const FileLineOptions o{version, 42, 1700000000000};
      const PresignedUrl url{"http://h/files/" + nasty + "?x=1&y=" + stats.substr(0, 40), 99};
      for (std::string_view key : {"file", "add", "cdf", "remove"}) {
        std::string out = "before";
        AppendParquetFileLine(&out, f, url, o, FileIdHash::kMd5, key);
        EXPECT_EQ(out, "before" + ReferenceParquetLine(f, url, o, key)) << key;
      }
      for (std::string_view action : {"add", "remove", "cdc"}) {
        DeltaFileLine line;
        line.action = action;
        line.id = nasty;
        if (action == "remove") line.deletion_timestamp = 77;
        if (version) f.tags.emplace(std::map<std::string, std::string>{{nasty, nasty}, {"a", "b"}});
        std::string out;
        AppendDeltaFileLine(&out, f, url, line, o);
        EXPECT_EQ(out, ReferenceDeltaLine(f, url, line, o)) << action;
      }
    }
  }
}

TEST(ResponseLinesTest, FileIdIsMd5OfThePath) {
  EXPECT_EQ(FileId(""), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(ResponseLinesTest, QuotedIdsOfDigestsAreLowerCaseHex) {
  EXPECT_EQ(FileId("", FileIdHash::kSha256),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  for (int i = 0; i < 64; ++i) {
    std::string digest = Sha256(std::to_string(i));
    digest[static_cast<size_t>(i % 32)] = static_cast<char>(i * 4);  // every nibble value
    for (FileIdHash hash : {FileIdHash::kMd5, FileIdHash::kSha256}) {
      const size_t n = hash == FileIdHash::kMd5 ? 16 : 32;
      char out[68];
      const size_t len =
          QuotedFileIdOfDigest(reinterpret_cast<const unsigned char*>(digest.data()), hash, out);
      EXPECT_EQ(std::string(out, len), "\"" + HexEncode(digest.substr(0, n)) + "\"") << i;
    }
  }
}

TEST(ResponseLinesTest, PublicSchemaKeepsOnlyComments) {
  std::string s =
      PublicSchemaString(R"({"type":"struct","fields":[{"name":"a","type":"long","nullable":true,)"
                         R"("metadata":{"comment":"c","delta.columnMapping.id":1}}]})");
  EXPECT_EQ(s, R"({"type":"struct","fields":[{"name":"a","type":"long","nullable":true,)"
               R"("metadata":{"comment":"c"}}]})");
  EXPECT_EQ(PublicSchemaString("not json"), "not json");
}

TEST(ResponseLinesTest, NumRecords) {
  EXPECT_EQ(*NumRecordsFromStats(R"({"numRecords": 42,"minValues":{}})"), 42);
  EXPECT_FALSE(NumRecordsFromStats(R"({"minValues":{}})").has_value());
  EXPECT_FALSE(NumRecordsFromStats(R"({"numRecords":"x"})").has_value());
  EXPECT_FALSE(NumRecordsFromStats(R"({"numRecords":-1})").has_value());
}

}  // namespace
}  // namespace lakeshare
