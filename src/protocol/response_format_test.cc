#include "protocol/response_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TableSnapshot WithProtocol(int32_t reader_version, std::vector<std::string> features = {}) {
  TableSnapshot s;
  s.version = 7;
  s.protocol.min_reader_version = reader_version;
  s.protocol.min_writer_version = 7;
  if (reader_version >= 3) s.protocol.reader_features = std::move(features);
  return s;
}

const ClientCapabilities kDelta = ParseCapabilities(
    "responseformat=delta;readerfeatures=deletionvectors,columnmapping,timestampntz");
const ClientCapabilities kParquet = ParseCapabilities("");
const ClientCapabilities kEither = ParseCapabilities("responseformat=parquet,delta");

TEST(ResponseFormatTest, ReaderVersionBeyondThreeIsRefusedInEveryFormat) {
  TableSnapshot s = WithProtocol(99);
  for (const ClientCapabilities* caps : {&kDelta, &kParquet, &kEither}) {
    EXPECT_THAT(
        ChooseResponseFormat(*caps, s, "s.d.t"),
        StatusIs(StatusCode::kUnsupported,
                 AllOf(HasSubstr("s.d.t"), HasSubstr("reader version 99"), HasSubstr("up to 3"))));
  }
  EXPECT_THAT(CheckDeltaCompatible(kDelta, s, "s.d.t"), StatusIs(StatusCode::kUnsupported));
}

TEST(ResponseFormatTest, UnknownReaderFeatureIsRefusedInEveryFormatByName) {
  TableSnapshot s = WithProtocol(3, {"timestampNtz", "fancyNewThing"});
  for (const ClientCapabilities* caps : {&kDelta, &kParquet, &kEither}) {
    EXPECT_THAT(ChooseResponseFormat(*caps, s, "s.d.t"),
                StatusIs(StatusCode::kUnsupported,
                         AllOf(HasSubstr("'fancyNewThing'"), HasSubstr("does not support"),
                               HasSubstr("deletionVectors"))));
  }
}

TEST(ResponseFormatTest, KnownReaderFeaturesPass) {
  EXPECT_OK(CheckReaderProtocol(WithProtocol(1), "t"));
  EXPECT_OK(CheckReaderProtocol(WithProtocol(2), "t"));
  EXPECT_OK(CheckReaderProtocol(
      WithProtocol(3, {"deletionVectors", "columnMapping", "timestampNtz", "v2Checkpoint",
                       "vacuumProtocolCheck", "typeWidening", "variantType"}),
      "t"));
  ASSERT_OK_AND_ASSIGN(ResponseFormat f,
                       ChooseResponseFormat(kDelta, WithProtocol(3, {"v2Checkpoint"}), "t"));
  EXPECT_EQ(f, ResponseFormat::kDelta);
  ASSERT_OK_AND_ASSIGN(f, ChooseResponseFormat(kParquet, WithProtocol(3, {"v2Checkpoint"}), "t"));
  EXPECT_EQ(f, ResponseFormat::kParquet);
}

}  // namespace
}  // namespace lakeshare
