#include "delta/delta_actions.h"

#include <gtest/gtest.h>

#include <random>

#include "delta/delta_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using testing::AddJson;
using testing::CommitInfoJson;
using testing::MetadataJson;
using testing::ProtocolJson;
using testing::RemoveJson;

Status ParseStatus(const std::string& content, DeltaParseMode mode = DeltaParseMode::kAll) {
  return ParseDeltaCommit(content, "log/00000000000000000007.json", mode).status();
}

void ExpectCorruption(const std::string& content, const std::string& fragment = "") {
  Status s = ParseStatus(content);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << content << " -> " << s;
  EXPECT_NE(s.message().find("log/00000000000000000007.json"), std::string::npos) << s;
  if (!fragment.empty()) {
    EXPECT_NE(s.message().find(fragment), std::string::npos) << s;
  }
}

TEST(DeltaActionsTest, ParsesEveryActionWeNeed) {
  std::string log =
      R"({"commitInfo":{"inCommitTimestamp":1700000000123,"timestamp":1700000000999,"operation":"WRITE","operationParameters":{"mode":"Append"}}})"
      "\n"
      R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors","inCommitTimestamp"]}})"
      "\n"
      R"({"metaData":{"id":"abc","name":"people","description":null,"format":{"provider":"parquet","options":{"k":"v"}},"schemaString":"{\"type\":\"struct\",\"fields\":[]}","partitionColumns":["year","k"],"configuration":{"delta.enableInCommitTimestamps":"true"},"createdTime":1699999999000}})"
      "\n"
      R"({"add":{"path":"year=2020/k=__HIVE_DEFAULT_PARTITION__/part-1.parquet","partitionValues":{"year":"2020","k":null},"size":635,"modificationTime":1677811178336,"dataChange":false,"stats":"{\"numRecords\":10,\"minValues\":{\"s\":\"a\\\"b\"}}","tags":{"X":"1"},"deletionVector":{"storageType":"u","pathOrInlineDv":"vBn[lx{q8@P<9BNH/isA","offset":1,"sizeInBytes":36,"cardinality":2}}})"
      "\n"
      R"({"remove":{"path":"part-0.parquet","deletionTimestamp":1677811194426,"dataChange":true,"extendedFileMetadata":true,"partitionValues":{},"size":635,"deletionVector":{"storageType":"i","pathOrInlineDv":"wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L","sizeInBytes":40,"cardinality":6}}})"
      "\n";
  auto commit = ParseDeltaCommit(log, "c.json");
  ASSERT_OK(commit);

  ASSERT_TRUE(commit->commit_info);
  EXPECT_EQ(commit->commit_info->in_commit_timestamp, 1700000000123);
  EXPECT_EQ(commit->commit_info->timestamp, 1700000000999);

  ASSERT_TRUE(commit->protocol);
  EXPECT_EQ(commit->protocol->min_reader_version, 3);
  EXPECT_EQ(commit->protocol->min_writer_version, 7);
  EXPECT_EQ(commit->protocol->reader_features, std::vector<std::string>{"deletionVectors"});
  EXPECT_EQ(commit->protocol->writer_features,
            (std::vector<std::string>{"deletionVectors", "inCommitTimestamp"}));

  ASSERT_TRUE(commit->metadata);
  const TableMetadata& m = *commit->metadata;
  EXPECT_EQ(m.id, "abc");
  EXPECT_EQ(m.name, "people");
  EXPECT_FALSE(m.description.has_value());
  EXPECT_EQ(m.format_provider, "parquet");
  EXPECT_EQ(m.format_options.at("k"), "v");
  EXPECT_EQ(m.schema_string, R"({"type":"struct","fields":[]})");
  EXPECT_EQ(m.partition_columns, (std::vector<std::string>{"year", "k"}));
  EXPECT_EQ(m.configuration.at("delta.enableInCommitTimestamps"), "true");
  EXPECT_EQ(m.created_time, 1699999999000);

  ASSERT_EQ(commit->file_actions.size(), 2u);
  const auto& add = std::get<DataFile>(commit->file_actions[0]);
  EXPECT_EQ(add.path, "year=2020/k=__HIVE_DEFAULT_PARTITION__/part-1.parquet");
  EXPECT_EQ(add.partition_values.at("year"), "2020");
  EXPECT_EQ(add.partition_values.at("k"), std::nullopt);
  EXPECT_EQ(add.size, 635);
  EXPECT_EQ(add.modification_time, 1677811178336);
  EXPECT_FALSE(add.data_change);
  // The stats string is the JSON text the writer produced, unescaped once.
  EXPECT_EQ(add.stats, R"({"numRecords":10,"minValues":{"s":"a\"b"}})");
  ASSERT_TRUE(add.deletion_vector);
  EXPECT_EQ(add.deletion_vector->storage_type, "u");
  EXPECT_EQ(add.deletion_vector->path_or_inline_dv, "vBn[lx{q8@P<9BNH/isA");
  EXPECT_EQ(add.deletion_vector->offset, 1);
  EXPECT_EQ(add.deletion_vector->size_in_bytes, 36);
  EXPECT_EQ(add.deletion_vector->cardinality, 2);

  const auto& remove = std::get<DeltaRemove>(commit->file_actions[1]);
  EXPECT_EQ(remove.path, "part-0.parquet");
  EXPECT_TRUE(remove.data_change);
  EXPECT_EQ(remove.deletion_timestamp, 1677811194426);
  ASSERT_TRUE(remove.deletion_vector);
  EXPECT_EQ(remove.deletion_vector->storage_type, "i");
  EXPECT_FALSE(remove.deletion_vector->offset.has_value());
  EXPECT_EQ(remove.deletion_vector->size_in_bytes, 40);
}

TEST(DeltaActionsTest, IgnoresUnknownActionsFieldsAndNulls) {
  std::string log =
      R"({"txn":{"appId":"x","version":3}})"
      "\n"
      R"({"cdc":{"path":"_change_data/c.parquet","partitionValues":{},"size":9,"dataChange":false}})"
      "\n"
      R"({"domainMetadata":{"domain":"d","configuration":"{}","removed":false}})"
      "\n"
      R"({"futureAction":{"anything":[1,2,{"x":null}]}})"
      "\n"
      R"({"add":null})"
      "\n"
      R"({"add":{"path":"a.parquet","partitionValues":{},"size":1,"modificationTime":2,"dataChange":true,"stats":null,"tags":null,"baseRowId":null,"newField":{"deep":[1]},"deletionVector":null}})"
      "\n"
      R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2,"readerFeatures":null,"futureField":1}})"
      "\n";
  auto commit = ParseDeltaCommit(log, "c.json");
  ASSERT_OK(commit);
  ASSERT_EQ(commit->file_actions.size(), 2u);  // the cdc and the add
  EXPECT_TRUE(std::holds_alternative<DeltaCdc>(commit->file_actions[0]));
  const auto& add = std::get<DataFile>(commit->file_actions[1]);
  EXPECT_FALSE(add.stats.has_value());
  EXPECT_FALSE(add.deletion_vector.has_value());
  EXPECT_FALSE(commit->protocol->reader_features.has_value());
  EXPECT_FALSE(commit->metadata.has_value());
  EXPECT_FALSE(commit->commit_info.has_value());
}

TEST(DeltaActionsTest, ParsesChangeDataActions) {
  std::string log =
      R"({"commitInfo":{"timestamp":1,"operation":"UPDATE","operationParameters":{"predicate":"x"},"operationMetrics":{"numUpdatedRows":"3","numAddedChangeFiles":"1"}}})"
      "\n"
      R"({"remove":{"path":"p=a/f.parquet","deletionTimestamp":1703265021672,"dataChange":true,"extendedFileMetadata":true,"partitionValues":{"p":"a","q":null},"size":687,"stats":"{\"numRecords\":4}","tags":{"INSERTION_TIME":"1671962472000000","gone":null}}})"
      "\n"
      R"({"cdc":{"path":"_change_data/p=a/cdc-00000.c000.snappy.parquet","partitionValues":{"p":"a"},"size":1028,"dataChange":false,"tags":{"k":"v"}}})"
      "\n"
      R"({"cdc":{"path":"_change_data/cdc-1.parquet","partitionValues":{},"size":0}})"
      "\n"
      R"({"commitInfo":{"operation":"IGNORED"}})"
      "\n";
  auto commit = ParseDeltaCommit(log, "c.json");
  ASSERT_OK(commit);
  ASSERT_TRUE(commit->commit_info);
  EXPECT_EQ(commit->commit_info->operation, "UPDATE");  // the first commitInfo wins
  EXPECT_EQ(commit->commit_info->operation_metrics,
            R"({"numUpdatedRows":"3","numAddedChangeFiles":"1"})");

  ASSERT_EQ(commit->file_actions.size(), 3u);
  const auto& remove = std::get<DeltaRemove>(commit->file_actions[0]);
  EXPECT_EQ(remove.path, "p=a/f.parquet");
  EXPECT_EQ(remove.deletion_timestamp, 1703265021672);
  EXPECT_EQ(remove.extended_file_metadata, true);
  EXPECT_EQ(remove.partition_values, (DeltaPartitionValues{{"p", "a"}, {"q", std::nullopt}}));
  EXPECT_EQ(remove.size, 687);
  EXPECT_EQ(remove.stats, R"({"numRecords":4})");
  EXPECT_EQ(remove.tags,
            (std::map<std::string, std::string>{{"INSERTION_TIME", "1671962472000000"}}));

  const auto& cdc = std::get<DeltaCdc>(commit->file_actions[1]);
  EXPECT_EQ(cdc.path, "_change_data/p=a/cdc-00000.c000.snappy.parquet");
  EXPECT_EQ(cdc.partition_values, (DeltaPartitionValues{{"p", "a"}}));
  EXPECT_EQ(cdc.size, 1028);
  EXPECT_FALSE(cdc.data_change);
  EXPECT_EQ(cdc.tags, (std::map<std::string, std::string>{{"k", "v"}}));
  const auto& bare = std::get<DeltaCdc>(commit->file_actions[2]);
  EXPECT_FALSE(bare.data_change);  // absent: false, as Delta writes it
  EXPECT_FALSE(bare.tags);

  // A remove with only a path (older writers) leaves the rest empty.
  auto old = ParseDeltaCommit(R"({"remove":{"path":"x"}})", "c.json");
  ASSERT_OK(old);
  const auto& r = std::get<DeltaRemove>(old->file_actions[0]);
  EXPECT_TRUE(r.data_change);
  EXPECT_FALSE(r.partition_values || r.size || r.stats || r.tags || r.extended_file_metadata ||
               r.deletion_timestamp);
}

TEST(DeltaActionsTest, ChangeDataActionErrors) {
  ExpectCorruption(R"({"cdc":{"partitionValues":{},"size":1}})", "cdc.path");
  ExpectCorruption(R"({"cdc":{"path":"c","size":1}})", "cdc.partitionValues");
  ExpectCorruption(R"({"cdc":{"path":"c","partitionValues":{}}})", "cdc.size");
  ExpectCorruption(R"({"cdc":{"path":"c","partitionValues":{},"size":1,"dataChange":0}})",
                   "cdc.dataChange");
  ExpectCorruption(R"({"cdc":"c"})", "cdc");
  ExpectCorruption(R"({"remove":{"path":"p","size":-1}})", "remove.size");
  ExpectCorruption(R"({"remove":{"path":"p","partitionValues":{"k":false}}})",
                   "remove.partitionValues");
  ExpectCorruption(R"({"remove":{"path":"p","tags":{"k":{}}}})", "remove.tags");
  // commitInfo fields of unexpected types are provenance, not errors.
  auto commit =
      ParseDeltaCommit(R"({"commitInfo":{"operation":["W"],"operationMetrics":[1]}})", "c.json");
  ASSERT_OK(commit);
  EXPECT_FALSE(commit->commit_info->operation);
  EXPECT_FALSE(commit->commit_info->operation_metrics);
}

TEST(DeltaActionsTest, ToFileChange) {
  DataFile add;
  add.path = "a";
  add.size = 5;
  add.stats = "{}";
  FileChange a = ToFileChange(add);
  EXPECT_EQ(a.type, ChangeType::kAdd);
  EXPECT_EQ(a.file.path, "a");
  EXPECT_EQ(a.file.stats, "{}");
  EXPECT_FALSE(a.deletion_timestamp);

  DeltaRemove remove;
  remove.path = "r";
  remove.data_change = false;
  remove.deletion_timestamp = 9;
  remove.partition_values = DeltaPartitionValues{{"p", "1"}};
  remove.size = 7;
  remove.stats = "{\"numRecords\":1}";
  remove.deletion_vector = DeletionVector{"u", "abc", 1, 34, 2};
  FileChange r = ToFileChange(remove);
  EXPECT_EQ(r.type, ChangeType::kRemove);
  EXPECT_EQ(r.file.path, "r");
  EXPECT_FALSE(r.file.data_change);
  EXPECT_EQ(r.deletion_timestamp, 9);
  EXPECT_EQ(r.file.partition_values, (DeltaPartitionValues{{"p", "1"}}));
  EXPECT_EQ(r.file.size, 7);
  EXPECT_EQ(r.file.stats, "{\"numRecords\":1}");
  ASSERT_TRUE(r.file.deletion_vector);
  EXPECT_EQ(r.file.deletion_vector->path_or_inline_dv, "abc");
  EXPECT_EQ(r.file.modification_time, 0);

  DeltaCdc cdc;
  cdc.path = "_change_data/c";
  cdc.partition_values = DeltaPartitionValues{{"p", std::nullopt}};
  cdc.size = 11;
  FileChange c = ToFileChange(cdc);
  EXPECT_EQ(c.type, ChangeType::kCdc);
  EXPECT_EQ(c.file.path, "_change_data/c");
  EXPECT_EQ(c.file.partition_values, cdc.partition_values);
  EXPECT_EQ(c.file.size, 11);
  EXPECT_FALSE(c.file.data_change);
  EXPECT_FALSE(c.file.stats || c.file.deletion_vector || c.deletion_timestamp);
}

TEST(DeltaActionsTest, SkipsBlankLines) {
  std::string log = "\n  \n" + ProtocolJson() + "\r\n\n\t\n" + MetadataJson() + "\n" +
                    AddJson("a.parquet") + "\n\n";
  auto commit = ParseDeltaCommit(log, "c.json");
  ASSERT_OK(commit);
  EXPECT_TRUE(commit->protocol && commit->metadata);
  EXPECT_EQ(commit->file_actions.size(), 1u);
  // A last line without a newline is fine too.
  std::string no_newline = AddJson("b.parquet");
  no_newline.pop_back();
  EXPECT_OK(ParseDeltaCommit(no_newline, "c.json"));
  // CRLF line ends.
  EXPECT_OK(ParseDeltaCommit(ProtocolJson() + "\r\n" + MetadataJson(), "c.json"));
}

TEST(DeltaActionsTest, EmptyOrBlankCommitIsCorruption) {
  ExpectCorruption("", "no action");
  ExpectCorruption("\n\n   \n\r\n", "no action");
}

TEST(DeltaActionsTest, GarbageAndTruncationAreCorruption) {
  ExpectCorruption("this is not json\n", "line 1");
  ExpectCorruption(ProtocolJson() + "{\"add\":{\"path\":\"a\"", "line 2");
  std::string full = ProtocolJson() + MetadataJson() + AddJson("x.parquet");
  for (size_t cut = 1; cut < full.size(); ++cut) {
    std::string truncated = full.substr(0, cut);
    Status s = ParseStatus(truncated);
    // Cutting at a line boundary leaves a valid shorter commit.
    if (truncated.back() == '\n' || full[cut] == '\n') continue;
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << "cut at " << cut;
  }
  ExpectCorruption("[1,2]\n", "JSON object");
  ExpectCorruption("42\n", "JSON object");
  ExpectCorruption("{\"add\":[]}\n", "add");
  ExpectCorruption("{\"protocol\":\"x\"}\n", "protocol");
  ExpectCorruption(std::string("{\"commitInfo\":{\"x\":\"\xff\xfe\"}}\n"), "invalid JSON");
  ExpectCorruption(std::string("{\"a\":1}\0\n", 9), "invalid JSON");
}

TEST(DeltaActionsTest, WrongTypesAreCorruption) {
  const std::string tail = R"(,"modificationTime":1,"dataChange":true}})";
  ExpectCorruption(R"({"add":{"path":7,"partitionValues":{},"size":1}})", "add.path");
  ExpectCorruption(R"({"add":{"path":"a","partitionValues":[],"size":1}})", "add.partitionValues");
  ExpectCorruption(R"({"add":{"path":"a","partitionValues":{"k":1},"size":1}})",
                   "add.partitionValues");
  ExpectCorruption(R"({"add":{"path":"a","partitionValues":{},"size":"12"}})", "add.size");
  ExpectCorruption(R"({"add":{"path":"a","partitionValues":{},"size":1,"dataChange":"yes"}})",
                   "add.dataChange");
  ExpectCorruption(R"({"add":{"path":"a","partitionValues":{},"size":1,"stats":{"numRecords":1}}})",
                   "add.stats");
  ExpectCorruption(
      R"({"add":{"path":"a","partitionValues":{},"size":1,"deletionVector":{"storageType":"u","pathOrInlineDv":"x","sizeInBytes":"1","cardinality":1}}})",
      "deletionVector.sizeInBytes");
  ExpectCorruption(
      R"({"add":{"path":"a","partitionValues":{},"size":1,"deletionVector":{"storageType":"u","sizeInBytes":1,"cardinality":1}}})",
      "deletionVector.pathOrInlineDv");
  ExpectCorruption(R"({"remove":{"path":["a"]}})", "remove.path");
  ExpectCorruption(R"({"protocol":{"minReaderVersion":"1","minWriterVersion":2}})",
                   "protocol.minReaderVersion");
  ExpectCorruption(
      R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2,"writerFeatures":[1]}})",
      "protocol.writerFeatures");
  ExpectCorruption(R"({"metaData":{"id":1,"schemaString":"{}","partitionColumns":[]}})",
                   "metaData.id");
  ExpectCorruption(
      R"({"metaData":{"id":"a","schemaString":"{}","partitionColumns":[],"configuration":{"k":true}}})",
      "metaData.configuration");
  ExpectCorruption(R"({"commitInfo":{"inCommitTimestamp":"2024-01-01"}})",
                   "commitInfo.inCommitTimestamp");
  // commitInfo is free-form otherwise.
  EXPECT_OK(ParseStatus(R"({"commitInfo":{"timestamp":"yesterday","x":[{}]}})"));
}

TEST(DeltaActionsTest, MissingRequiredFieldsAreCorruption) {
  ExpectCorruption(R"({"add":{"partitionValues":{},"size":1}})", "add.path");
  ExpectCorruption(R"({"add":{"path":"","partitionValues":{},"size":1}})", "add.path");
  ExpectCorruption(R"({"add":{"path":"a","size":1}})", "add.partitionValues");
  ExpectCorruption(R"({"add":{"path":"a","partitionValues":{}}})", "add.size");
  ExpectCorruption(R"({"remove":{"dataChange":true}})", "remove.path");
  ExpectCorruption(R"({"protocol":{"minWriterVersion":2}})", "protocol.minReaderVersion");
  ExpectCorruption(R"({"metaData":{"schemaString":"{}","partitionColumns":[]}})", "metaData.id");
  ExpectCorruption(R"({"metaData":{"id":"a","schemaString":7}})", "metaData.schemaString");
  ExpectCorruption(R"({"metaData":{"id":"a","partitionColumns":"p"}})",
                   "metaData.partitionColumns");
  ExpectCorruption(ProtocolJson() + ProtocolJson(), "more than one protocol");
  ExpectCorruption(MetadataJson() + MetadataJson(), "more than one metaData");
}

TEST(DeltaActionsTest, MetadataWithoutSchemaOrPartitionColumns) {
  // As Databricks writes for a table created before its first data.
  auto commit = ParseDeltaCommit(
      R"({"metaData":{"id":"a","format":{"provider":"parquet","options":{}},"configuration":{}}})",
      "c.json");
  ASSERT_OK(commit);
  EXPECT_EQ(commit->metadata->schema_string, R"({"type":"struct","fields":[]})");
  EXPECT_TRUE(commit->metadata->partition_columns.empty());
}

TEST(DeltaActionsTest, OutOfRangeNumbersAreCorruption) {
  auto add_with_size = [](const std::string& size) {
    return R"({"add":{"path":"a","partitionValues":{},"size":)" + size + "}}";
  };
  ExpectCorruption(add_with_size("1e400"));
  ExpectCorruption(add_with_size("99999999999999999999999999999999"));
  ExpectCorruption(add_with_size("18446744073709551615"), "out of range");
  ExpectCorruption(add_with_size("12.5"), "add.size");
  ExpectCorruption(add_with_size("-1"), "add.size");
  EXPECT_OK(ParseStatus(add_with_size("9223372036854775807")));
  ExpectCorruption(R"({"protocol":{"minReaderVersion":3000000000,"minWriterVersion":2}})",
                   "out of range");
  ExpectCorruption(
      R"({"add":{"path":"a","partitionValues":{},"size":1,"deletionVector":{"storageType":"u","pathOrInlineDv":"x","offset":-4,"sizeInBytes":1,"cardinality":1}}})",
      "deletionVector.offset");
}

TEST(DeltaActionsTest, DeepNestingIsCorruption) {
  std::string deep =
      "{\"commitInfo\":{\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}}\n";
  ExpectCorruption(deep);
  // An unknown action nested deeply is still parsed, hence still rejected.
  std::string deep_object = "{\"foo\":";
  for (int i = 0; i < 5000; ++i) deep_object += "{\"a\":";
  deep_object += "1" + std::string(5000, '}') + "}\n";
  ExpectCorruption(deep_object);
}

TEST(DeltaActionsTest, HeadersOnlyModeSkipsFileActionsUnparsed) {
  std::string log = CommitInfoJson(42) + AddJson("a.parquet") +
                    "{\"add\": this line is never parsed\n" + RemoveJson("b.parquet") +
                    "{\"cdc\": nor this one\n" + ProtocolJson() + MetadataJson();
  auto commit = ParseDeltaCommit(log, "c.json", DeltaParseMode::kHeadersOnly);
  ASSERT_OK(commit);
  EXPECT_TRUE(commit->file_actions.empty());
  EXPECT_EQ(commit->commit_info->in_commit_timestamp, 42);
  EXPECT_TRUE(commit->protocol && commit->metadata);
  EXPECT_EQ(commit->commit_info->operation, "WRITE");
  // A malformed header line is still reported.
  EXPECT_EQ(ParseStatus("{\"protocol\":{\n", DeltaParseMode::kHeadersOnly).code(),
            StatusCode::kCorruption);
  // A line that does not even look like an action is parsed and reported.
  EXPECT_EQ(ParseStatus("garbage\n", DeltaParseMode::kHeadersOnly).code(), StatusCode::kCorruption);
  // The full mode rejects the broken add.
  EXPECT_EQ(ParseStatus(log).code(), StatusCode::kCorruption);
}

TEST(DeltaActionsTest, DecodesJsonEscapesInStrings) {
  auto commit = ParseDeltaCommit(
      R"({"add":{"path":"a\u00e9\/b%20c.parquet","partitionValues":{"k":"x\ny"},"size":1}})",
      "c.json");
  ASSERT_OK(commit);
  const auto& add = std::get<DataFile>(commit->file_actions[0]);
  EXPECT_EQ(add.path, "a\xc3\xa9/b%20c.parquet");  // JSON escapes decoded, URI escapes kept
  EXPECT_EQ(add.partition_values.at("k"), "x\ny");
}

TEST(DeltaActionsTest, RandomMutationsNeverCrash) {
  const std::string valid =
      CommitInfoJson(7) + ProtocolJson(3, 7, R"(,"readerFeatures":["deletionVectors"])") +
      MetadataJson(R"({"a":"b"})", R"(["p"])") +
      AddJson("p=1/a.parquet", 10, R"(,"stats":"{\"numRecords\":1}")") +
      RemoveJson("p=1/b.parquet", testing::DvJson("abc") +
                                      R"(,"size":3,"partitionValues":{"p":"1"},"tags":{"a":"b"})") +
      R"({"cdc":{"path":"_change_data/c","partitionValues":{"p":"1"},"size":4,"dataChange":false}})"
      "\n"
      R"({"commitInfo":{"operation":"MERGE","operationMetrics":{"n":"1"}}})"
      "\n";
  ASSERT_OK(ParseStatus(valid));
  std::mt19937 rng(12345);
  const std::string alphabet = "{}[]\":,0123456789-.eE \n\\utrfalsn";
  int ok = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string mutated = valid;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng() % mutated.size();
      switch (rng() % 3) {
        case 0:
          mutated[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          mutated.erase(pos, 1 + rng() % 8);
          break;
        default:
          mutated.insert(pos, 1, alphabet[rng() % alphabet.size()]);
      }
      if (mutated.empty()) mutated = "x";
    }
    Status s = ParseStatus(mutated);
    if (s.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << s;
    }
  }
  EXPECT_GT(ok, 0);  // some mutations (in ignored fields) stay valid
}

}  // namespace
}  // namespace lakeshare
