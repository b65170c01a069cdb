#include "protocol/response_lines.h"

#include <gtest/gtest.h>

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

TEST(ResponseLinesTest, FileIdIsMd5OfThePath) {
  EXPECT_EQ(FileId(""), "d41d8cd98f00b204e9800998ecf8427e");
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
