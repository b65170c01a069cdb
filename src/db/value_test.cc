#include "db/value.h"

#include <gtest/gtest.h>

#include "db/uuid.h"
#include "testing/status_matchers.h"

namespace lakeshare::db {
namespace {

TEST(ValueTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST(ValueTest, ParamsRejectNulAndBadUtf8) {
  EXPECT_OK(ValidateParams({1, "text", true, std::nullopt}));
  EXPECT_EQ(ValidateParams({std::string("a\0b", 3)}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateParams({std::string("\xfe")}).code(), StatusCode::kInvalidArgument);
}

TEST(ValueTest, RowGetters) {
  Row r({std::string("42"), std::nullopt, std::string("t"), std::string("0"), std::string("x")});
  EXPECT_EQ(r.Int(0), 42);
  EXPECT_EQ(r.OptInt(1), std::nullopt);
  EXPECT_TRUE(r.IsNull(1));
  EXPECT_TRUE(r.Bool(2));
  EXPECT_FALSE(r.Bool(3));
  EXPECT_EQ(r.Text(4), "x");
  EXPECT_EQ(r.Text(1), "");
}

TEST(UuidTest, RandomVersion4) {
  std::string a = NewUuid(), b = NewUuid();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b') << a;
}

}  // namespace
}  // namespace lakeshare::db
