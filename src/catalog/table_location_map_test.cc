#include "catalog/table_location_map.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

TEST(TableLocationMapTest, EncodesOneLinePerEntryInOrderAndDecodesBack) {
  const TableLocationMap map = {{"/z/", "/data/z"}, {"hdfs://nn/wh/", "s3://b/wh/"}};
  const std::string text = EncodeTableLocationMap(map);
  EXPECT_EQ(text, "/z/\t/data/z\nhdfs://nn/wh/\ts3://b/wh/\n");
  ASSERT_OK_AND_ASSIGN(TableLocationMap back, DecodeTableLocationMap(text));
  EXPECT_EQ(back, map);
  EXPECT_EQ(EncodeTableLocationMap({}), "");
  ASSERT_OK_AND_ASSIGN(TableLocationMap none, DecodeTableLocationMap(""));
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(DecodeTableLocationMap("no tab\n").ok());
}

TEST(TableLocationMapTest, AcceptsAbsolutePathsAndUrisForIcebergOnly) {
  EXPECT_OK(ValidateTableLocationMap("iceberg", {{"/a/", "/b"}, {"s3a://x/", "file:/c"}}, 100));
  EXPECT_OK(ValidateTableLocationMap("delta", {}, 100));
  EXPECT_FALSE(ValidateTableLocationMap("hudi", {{"/a/", "/b"}}, 100).ok());
  EXPECT_FALSE(ValidateTableLocationMap("iceberg", {{"/a/", "b"}}, 100).ok());
  EXPECT_FALSE(ValidateTableLocationMap("iceberg", {{"/a/", "/b"}}, 2).ok());
}

}  // namespace
}  // namespace lakeshare
