#include "common/compact_optional.h"

#include <gtest/gtest.h>

#include <string>

namespace lakeshare {
namespace {

TEST(CompactOptionalTest, ValueSemantics) {
  CompactOptional<std::string> a;
  EXPECT_FALSE(a);
  EXPECT_EQ(sizeof(a), sizeof(void*));
  a = std::string("x");
  ASSERT_TRUE(a.has_value());
  CompactOptional<std::string> b = a;  // deep copy
  *b += "y";
  EXPECT_EQ(*a, "x");
  EXPECT_EQ(*b, "xy");
  EXPECT_FALSE(a == b);
  b = std::nullopt;
  EXPECT_FALSE(b);
  b = std::optional<std::string>("x");
  EXPECT_TRUE(a == b);
  EXPECT_EQ(b.ToOptional(), std::optional<std::string>("x"));
  CompactOptional<std::string> c = std::move(b);
  EXPECT_EQ(c->size(), 1u);
  c.reset();
  EXPECT_EQ(c.get(), nullptr);
  EXPECT_TRUE(c == CompactOptional<std::string>());
  EXPECT_EQ(c.emplace(3, 'z'), "zzz");
}

}  // namespace
}  // namespace lakeshare
