#include "testing/status_matchers.h"

#include <gtest/gtest-spi.h>

#include <memory>
#include <string>

namespace lakeshare {
namespace {

using ::lakeshare::testing::StatusIs;
using ::testing::HasSubstr;

Result<std::unique_ptr<int>> MakeInt(bool ok) {
  if (!ok) return Status::NotFound("no int here");
  return std::make_unique<int>(7);
}

TEST(StatusMatchersTest, PassOnOk) {
  ASSERT_OK(Status::OK());
  EXPECT_OK(MakeInt(true));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<int> v, MakeInt(true));
  EXPECT_EQ(*v, 7);
}

TEST(StatusMatchersTest, FailuresShowTheStatus) {
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(Status::IOError("disk on fire")), "disk on fire");
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(MakeInt(false)), "no int here");
  EXPECT_FATAL_FAILURE(ASSERT_OK(Status::Internal("boom")), "boom");
}

TEST(StatusMatchersTest, StatusIsMatchesCodeAndMessage) {
  EXPECT_THAT(MakeInt(false), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(MakeInt(false), StatusIs(StatusCode::kNotFound, HasSubstr("int")));
  EXPECT_THAT(Status::TooLarge("x"), ::testing::Not(StatusIs(StatusCode::kNotFound)));
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(MakeInt(true), StatusIs(StatusCode::kNotFound)),
                          "status code");
}

}  // namespace
}  // namespace lakeshare
