#include "common/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

namespace lakeshare {
namespace {

TEST(RequestIdTest, SaneIdsAreBoundedTokens) {
  EXPECT_TRUE(IsSaneRequestId("a"));
  EXPECT_TRUE(IsSaneRequestId("7f3c-AB_12.x:9"));
  EXPECT_TRUE(IsSaneRequestId(std::string(kMaxRequestIdLength, 'x')));
  EXPECT_FALSE(IsSaneRequestId(""));
  EXPECT_FALSE(IsSaneRequestId(std::string(kMaxRequestIdLength + 1, 'x')));
  EXPECT_FALSE(IsSaneRequestId("has space"));
  EXPECT_FALSE(IsSaneRequestId("quote\""));
  EXPECT_FALSE(IsSaneRequestId("line\nbreak"));
  EXPECT_FALSE(IsSaneRequestId("{\"json\":1}"));
  EXPECT_FALSE(IsSaneRequestId("caf\xc3\xa9"));
}

TEST(RequestIdTest, NewIdsAreSaneAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    EXPECT_EQ(id.size(), 16u);
    EXPECT_TRUE(IsSaneRequestId(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestIdTest, ClientIdIsKeptOnlyWhenSane) {
  const std::string good = "client-id-1";
  const std::string bad = "evil\r\nSet-Cookie: x";
  EXPECT_EQ(RequestIdFrom(&good), good);
  std::string made = RequestIdFrom(&bad);
  EXPECT_NE(made, bad);
  EXPECT_TRUE(IsSaneRequestId(made));
  EXPECT_TRUE(IsSaneRequestId(RequestIdFrom(nullptr)));
}

TEST(RequestIdTest, ScopesNestAndAreThreadLocal) {
  EXPECT_EQ(CurrentRequestId(), "");
  const std::string outer = "outer";
  const std::string inner = "inner";
  {
    ScopedRequestId a(outer);
    EXPECT_EQ(CurrentRequestId(), "outer");
    {
      ScopedRequestId b(inner);
      EXPECT_EQ(CurrentRequestId(), "inner");
      std::string other_thread = "unset";
      std::thread t([&] { other_thread = std::string(CurrentRequestId()); });
      t.join();
      EXPECT_EQ(other_thread, "");
    }
    EXPECT_EQ(CurrentRequestId(), "outer");
  }
  EXPECT_EQ(CurrentRequestId(), "");
}

}  // namespace
}  // namespace lakeshare
