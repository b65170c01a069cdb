#include "protocol/endpoint_context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;

TableRef Ref() {
  TableRef t;
  t.info.share = "s";
  t.info.schema = "sc";
  t.info.name = "t";
  t.info.location = "s3://bucket/secret/t";
  t.resolved.location = "s3://bucket/secret/t/files";
  return t;
}

TEST(EndpointContextTest, TableErrorsNameTheTableNotItsLocation) {
  TableRef t = Ref();
  Status s = TableStatus(t, Status::Corruption("bad file s3://bucket/secret/t/files/x.parquet"));
  EXPECT_EQ(s, Status::Corruption("table s.sc.t: bad file <table>/x.parquet"));
  // A message naming the table already is not prefixed again.
  EXPECT_EQ(TableStatus(t, Status::InvalidArgument("table s.sc.t has no version 9")),
            Status::InvalidArgument("table s.sc.t has no version 9"));
  EXPECT_OK(InTable(t, Status::OK()));
  EXPECT_THAT(InTable(t, Result<int>(Status::IOError("s3://bucket/secret/t is gone"))),
              StatusIs(StatusCode::kIOError, "table s.sc.t: <table> is gone"));
  ASSERT_OK_AND_ASSIGN(int v, InTable(t, Result<int>(3)));
  EXPECT_EQ(v, 3);
}

TEST(EndpointContextTest, AMisconfiguredTableIsUnavailableNotABadRequest) {
  TableRef t = Ref();
  // No table at the location: the provider's fault, not the request's.
  Status s = TableStatus(t, Status::NotFound("No Delta table at 's3://bucket/secret/t/files'"));
  EXPECT_THAT(s, StatusIs(StatusCode::kNotFound, ::testing::HasSubstr("s.sc.t is unavailable")));
  EXPECT_EQ(s.message().find("bucket"), std::string::npos) << s.message();
  EXPECT_THAT(t.provider_fault, ::testing::HasSubstr("s3://bucket/secret/t/files"));
  // A location that cannot be opened at all (a relative path, no credentials).
  TableRef u = Ref();
  EXPECT_THAT(TableOpenStatus(u, Status::InvalidArgument("not an absolute local location: rel/t")),
              StatusIs(StatusCode::kNotFound, ::testing::HasSubstr("s.sc.t is unavailable")));
  EXPECT_THAT(u.provider_fault, ::testing::HasSubstr("rel/t"));
  // A store that is down for now stays a storage error, and request errors stay the request's.
  TableRef v = Ref();
  EXPECT_THAT(TableOpenStatus(v, Status::Unavailable("s3 is throttling")),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(TableStatus(v, Status::InvalidArgument("table s.sc.t has no version 9")),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(v.provider_fault, "");
}

}  // namespace
}  // namespace lakeshare
