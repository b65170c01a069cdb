#include "protocol/endpoint_context.h"

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

}  // namespace
}  // namespace lakeshare
