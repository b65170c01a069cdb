#include "iceberg/name_mapping.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "storage/local_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare::iceberg {
namespace {

namespace fs = std::filesystem;

fs::path Impala(const std::string& table) {
  return fs::path(LAKESHARE_TESTDATA_DIR) / "iceberg/impala/iceberg_test" / table;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Schema ParseSchemaText(const std::string& fields) {
  auto s =
      ParseSchema(boost::json::parse(R"({"type":"struct","schema-id":1,"fields":)" + fields + "}"));
  EXPECT_OK(s);
  return s.ok() ? *s : Schema{};
}

FileColumn Col(std::string name, std::optional<int32_t> id = std::nullopt,
               std::vector<FileColumn> children = {}) {
  return FileColumn{std::move(name), id, std::move(children)};
}

std::pair<std::string, FileColumns> File(std::string name, std::vector<FileColumn> cols) {
  FileColumns f;
  for (const FileColumn& c : cols) f.has_ids = f.has_ids || c.field_id.has_value();
  f.columns = std::move(cols);
  return {std::move(name), std::move(f)};
}

constexpr char kRenamed[] = R"([{"id":1,"name":"renamed","required":false,"type":"int"},
                           {"id":2,"name":"b","required":false,"type":"string"}])";
constexpr char kMapping[] =
    R"([{"field-id":1,"names":["a","renamed"]},{"field-id":2,"names":["b"]}])";

TEST(NameMapping, ParsesImpalasMigratedTables) {
  // iceberg_migrated_complex_test: nested mappings of structs, lists, maps.
  auto meta =
      boost::json::parse(Read(Impala("iceberg_migrated_complex_test/metadata/v2.metadata.json")));
  std::string text(meta.at("properties").at(kNameMappingProperty).as_string());
  ASSERT_OK_AND_ASSIGN(NameMapping m, ParseNameMapping(text));
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].field_id, 1);
  EXPECT_EQ(m[0].names, std::vector<std::string>{"struct_1_col"});
  ASSERT_EQ(m[0].fields.size(), 3u);
  EXPECT_EQ(m[0].fields[0].names, std::vector<std::string>{"int_array_col"});
  ASSERT_EQ(m[0].fields[0].fields.size(), 1u);
  EXPECT_EQ(m[0].fields[0].fields[0].names, std::vector<std::string>{"element"});
  EXPECT_EQ(m[2].fields[0].fields[1].names, std::vector<std::string>{"string_double_map_col"});
}

TEST(NameMapping, MalformedMappingsAreCorruption) {
  for (const char* bad : {"", "{}", "[1]", R"([{"field-id":"x"}])", R"([{"names":[1]}])",
                          R"([{"field-id":1,"fields":{}}])", R"([{"field-id":99999999999}])"}) {
    auto m = ParseNameMapping(bad);
    EXPECT_EQ(m.status().code(), StatusCode::kCorruption) << bad;
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += R"([{"field-id":1,"fields":)";
  deep += "[]";
  for (int i = 0; i < 100; ++i) deep += "}]";
  EXPECT_EQ(ParseNameMapping(deep).status().code(), StatusCode::kCorruption);
  ASSERT_OK_AND_ASSIGN(NameMapping empty, ParseNameMapping("[]"));
  EXPECT_TRUE(empty.empty());
}

TEST(NameMapping, ReadsTheColumnsOfAFooterWithoutFieldIds) {
  // Hive wrote iceberg_migrated_alter_test's file before the migration.
  LocalStorage storage;
  ASSERT_OK_AND_ASSIGN(
      auto file,
      storage.OpenRandomAccess(Impala("iceberg_migrated_alter_test/000000_0"), std::nullopt));
  ASSERT_OK_AND_ASSIGN(auto reader, parquet::ParquetReader::Open(
                                        std::shared_ptr<const RandomAccessFile>(std::move(file))));
  FileColumns cols = ColumnsOfParquet(reader);
  EXPECT_FALSE(cols.has_ids);
  std::vector<std::string> names;
  for (const FileColumn& c : cols.columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"int_col", "string_col", "double_col"}));
}

TEST(NameMapping, NestedFootersHaveElementKeyAndValue) {
  LocalStorage storage;
  ASSERT_OK_AND_ASSIGN(
      auto file,
      storage.OpenRandomAccess(Impala("iceberg_migrated_complex_test/000000_0"), std::nullopt));
  ASSERT_OK_AND_ASSIGN(auto reader, parquet::ParquetReader::Open(
                                        std::shared_ptr<const RandomAccessFile>(std::move(file))));
  FileColumns cols = ColumnsOfParquet(reader);
  EXPECT_FALSE(cols.has_ids);
  ASSERT_EQ(cols.columns.size(), 3u);
  const FileColumn& s1 = cols.columns[0];
  EXPECT_EQ(s1.name, "struct_1_col");
  ASSERT_EQ(s1.children.size(), 3u);
  EXPECT_EQ(s1.children[0].name, "int_array_col");
  ASSERT_EQ(s1.children[0].children.size(), 1u);
  EXPECT_EQ(s1.children[0].children[0].name, "element");
  ASSERT_EQ(s1.children[2].children.size(), 2u);
  EXPECT_EQ(s1.children[2].children[0].name, "key");
  EXPECT_EQ(s1.children[2].children[1].name, "value");
}

TEST(NameMapping, FilesWithIdsNeedNoNames) {
  ASSERT_OK_AND_ASSIGN(NameMapping m, ParseNameMapping(kMapping));
  auto r = ResolvePhysicalNames(
      ParseSchemaText(kRenamed), m,
      {File("f1", {Col("a", 1), Col("b", 2)}), File("f2", {Col("renamed", 1), Col("b", 2)})});
  ASSERT_OK(r);
  EXPECT_TRUE(r->all_files_have_ids);
}

TEST(NameMapping, ARenamedColumnIsReadByTheNameTheFilesHave) {
  ASSERT_OK_AND_ASSIGN(NameMapping m, ParseNameMapping(kMapping));
  auto r = ResolvePhysicalNames(ParseSchemaText(kRenamed), m,
                                {File("old1", {Col("a"), Col("b")}), File("old2", {Col("a")})});
  ASSERT_OK(r);
  EXPECT_FALSE(r->all_files_have_ids);
  EXPECT_EQ(r->names, (std::map<int32_t, std::string>{{1, "a"}, {2, "b"}}));
  // A file with ids that has the old name for id 1 agrees.
  r = ResolvePhysicalNames(ParseSchemaText(kRenamed), m,
                           {File("old", {Col("a"), Col("b")}), File("ids", {Col("a", 1)})});
  ASSERT_OK(r);
  EXPECT_EQ(r->names.at(1), "a");
}

TEST(NameMapping, TwoNamesForOneColumnAreRefusedNamingIt) {
  ASSERT_OK_AND_ASSIGN(NameMapping m, ParseNameMapping(kMapping));
  auto r = ResolvePhysicalNames(
      ParseSchemaText(kRenamed), m,
      {File("old", {Col("a"), Col("b")}), File("new", {Col("renamed", 1), Col("b", 2)})});
  ASSERT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("column 'renamed' is 'a' in data file 'old' and 'renamed' "
                                      "in data file 'new'"),
            std::string::npos)
      << r.status().message();
}

TEST(NameMapping, AColumnOfTheSameNameInAFileLackingTheFieldIsRefused) {
  // id 3 'c' was dropped and a new 'c' (id 4) added; the mapping still maps
  // 'c' to the old field, so the old file's 'c' is not the new column.
  Schema s = ParseSchemaText(R"([{"id":1,"name":"a","required":false,"type":"int"},
                                 {"id":4,"name":"c","required":false,"type":"string"}])");
  ASSERT_OK_AND_ASSIGN(
      NameMapping m,
      ParseNameMapping(
          R"([{"field-id":1,"names":["a"]},{"field-id":3,"names":["c"]},{"field-id":4,"names":[]}])"));
  auto r = ResolvePhysicalNames(
      s, m, {File("old", {Col("a"), Col("c")}), File("new", {Col("a", 1), Col("c", 4)})});
  ASSERT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("column 'c' would be read by its name 'c', but data file "
                                      "'old' has another column of that name"),
            std::string::npos)
      << r.status().message();
  // Without new files, no file holds id 4: it takes a name no file has.
  r = ResolvePhysicalNames(s, m, {File("old", {Col("a"), Col("c")})});
  ASSERT_OK(r);
  EXPECT_EQ(r->names.at(4), "_iceberg_field_4");
  EXPECT_EQ(r->names.at(1), "a");
  // Iceberg gives the name to the new field when it re-assigns it: then the
  // old file's 'c' is the new column.
  ASSERT_OK_AND_ASSIGN(
      m,
      ParseNameMapping(
          R"([{"field-id":1,"names":["a"]},{"field-id":3,"names":[]},{"field-id":4,"names":["c"]}])"));
  r = ResolvePhysicalNames(s, m, {File("old", {Col("a"), Col("c")})});
  ASSERT_OK(r);
  EXPECT_EQ(r->names.at(4), "c");
}

TEST(NameMapping, NestedStructFieldsAreNamedToo) {
  Schema s = ParseSchemaText(R"([{"id":1,"name":"st","required":false,"type":{"type":"struct",
      "fields":[{"id":2,"name":"renamed","required":false,"type":"int"}]}},
      {"id":3,"name":"l","required":false,"type":{"type":"list","element-id":4,
      "element":{"type":"struct","fields":[{"id":5,"name":"y2","required":false,"type":"long"}]},
      "element-required":false}}])");
  ASSERT_OK_AND_ASSIGN(
      NameMapping m,
      ParseNameMapping(
          R"([{"field-id":1,"names":["st"],"fields":[{"field-id":2,"names":["x","renamed"]}]},
          {"field-id":3,"names":["l"],"fields":[{"field-id":4,"names":["element"],
           "fields":[{"field-id":5,"names":["y","y2"]}]}]}])"));
  auto r = ResolvePhysicalNames(
      s, m,
      {File("old", {Col("st", {}, {Col("x")}), Col("l", {}, {Col("element", {}, {Col("y")})})})});
  ASSERT_OK(r);
  EXPECT_EQ(r->names, (std::map<int32_t, std::string>{{1, "st"}, {2, "x"}, {3, "l"}, {5, "y"}}));
  Schema renamed = RenamedSchema(s, r->names);
  EXPECT_EQ(renamed.fields[0].type->fields[0].name, "x");
  EXPECT_EQ(renamed.fields[1].type->fields[0].type->fields[0].name, "y");
  EXPECT_EQ(s.fields[0].type->fields[0].name, "renamed");  // the original is untouched
}

}  // namespace
}  // namespace lakeshare::iceberg
