#include "protocol/capabilities.h"

#include <gtest/gtest.h>

namespace lakeshare {
namespace {

TEST(CapabilitiesTest, ParsesThePythonClientHeader) {
  auto c = ParseCapabilities(
      "responseformat=delta,parquet;readerfeatures=deletionvectors,columnmapping,timestampntz");
  EXPECT_EQ(c.response_formats, (std::vector<std::string>{"delta", "parquet"}));
  EXPECT_TRUE(c.AcceptsFormat("parquet"));
  EXPECT_TRUE(c.HasReaderFeature("DeletionVectors"));
  EXPECT_FALSE(c.include_end_stream_action);
}

TEST(CapabilitiesTest, IsCaseAndSpaceInsensitiveAndIgnoresUnknownKeys) {
  auto c = ParseCapabilities(" ResponseFormat = Delta ; IncludeEndStreamAction=TRUE;foo=bar;;=");
  EXPECT_EQ(c.response_formats, std::vector<std::string>{"delta"});
  EXPECT_FALSE(c.AcceptsFormat("parquet"));
  EXPECT_TRUE(c.include_end_stream_action);
}

TEST(CapabilitiesTest, DefaultsToParquet) {
  auto c = ParseCapabilities("");
  EXPECT_TRUE(c.AcceptsFormat("parquet"));
  EXPECT_FALSE(c.AcceptsFormat("delta"));
}

}  // namespace
}  // namespace lakeshare
