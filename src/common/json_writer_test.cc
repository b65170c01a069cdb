#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

namespace lakeshare {
namespace {

TEST(JsonWriterTest, EscapesLikeTheSpec) {
  std::string out = "x";
  AppendJsonString(&out, std::string("a\"b\\c\n\r\t\b\f\x01\x1f\x7f\0", 14));
  EXPECT_EQ(out, R"(x"a\"b\\c\n\r\t\b\f\u0001\u001f)"
                 "\x7f"
                 R"(\u0000")");
}

TEST(JsonWriterTest, EveryByteStringRoundTripsThroughAParser) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 40, '\0');
    // ASCII only: arbitrary bytes are not UTF-8 and a strict parser refuses them.
    for (char& c : s) c = static_cast<char>(rng() % 128);
    std::string out;
    AppendJsonString(&out, s);
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(out, ec);
    ASSERT_FALSE(ec) << out;
    ASSERT_TRUE(v.is_string());
    EXPECT_EQ(std::string(v.as_string()), s);
  }
}

TEST(JsonWriterTest, WritesObjects) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("a").Int(-1).Key("b").BeginArray().Bool(true).Null().String("s").EndArray();
  w.Key("c").Raw("{}").EndObject();
  EXPECT_EQ(out, R"({"a":-1,"b":[true,null,"s"],"c":{}})");
}

}  // namespace
}  // namespace lakeshare
