#include "catalog/sql_catalog_internal.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

TEST(SqlCatalogInternalTest, AllowlistRoundTripAndMatching) {
  std::vector<std::string> list = {"10.0.0.0/8", "192.0.2.1", "2001:db8::/32", "::1"};
  auto json = EncodeAllowlist(list);
  ASSERT_OK(json);
  ASSERT_TRUE(json->has_value());
  EXPECT_EQ(*DecodeAllowlist(*json), list);
  EXPECT_TRUE(AddressAllowed(list, "10.255.0.1"));
  EXPECT_TRUE(AddressAllowed(list, "::ffff:10.1.1.1"));
  EXPECT_TRUE(AddressAllowed(list, "192.0.2.1"));
  EXPECT_TRUE(AddressAllowed(list, "2001:db8:ffff::1"));
  EXPECT_TRUE(AddressAllowed(list, "::1"));
  EXPECT_FALSE(AddressAllowed(list, "11.0.0.1"));
  EXPECT_FALSE(AddressAllowed(list, "192.0.2.2"));
  EXPECT_FALSE(AddressAllowed(list, "2001:db9::1"));
  EXPECT_FALSE(AddressAllowed(list, ""));
  EXPECT_TRUE(AddressAllowed({}, "anything"));
  EXPECT_TRUE(AddressAllowed({"0.0.0.0/0"}, "203.0.113.9"));
  EXPECT_FALSE(AddressAllowed({"0.0.0.0/0"}, "2001:db8::1"));
}

TEST(SqlCatalogInternalTest, AllowlistRejectsGarbage) {
  EXPECT_FALSE(EncodeAllowlist({"10.0.0.0/33"}).ok());
  EXPECT_FALSE(EncodeAllowlist({"::/129"}).ok());
  EXPECT_FALSE(EncodeAllowlist({"10.0.0.0/"}).ok());
  EXPECT_FALSE(EncodeAllowlist({"10.0.0.0/-1"}).ok());
  EXPECT_FALSE(EncodeAllowlist({"host.example"}).ok());
  EXPECT_FALSE(EncodeAllowlist(std::vector<std::string>(300, "10.0.0.1")).ok());
  EXPECT_EQ(*EncodeAllowlist({}), std::nullopt);
  EXPECT_EQ(DecodeAllowlist(std::string("{not json")).status().code(), StatusCode::kCorruption);
}

TEST(SqlCatalogInternalTest, SanitizeKeepsValidUtf8WithinLimit) {
  EXPECT_EQ(SanitizeText("ok", 10), "ok");
  EXPECT_EQ(SanitizeText("a\xff"
                         "b",
                         10),
            "a?b");
  EXPECT_EQ(SanitizeText(std::string("a\0b", 3), 10), "a?b");
  // "é" is two bytes: never cut in half.
  EXPECT_EQ(SanitizeText("\xc3\xa9\xc3\xa9", 3), "\xc3\xa9");
  EXPECT_EQ(SanitizeText(std::string(100, 'x'), 10).size(), 10u);
}

TEST(SqlCatalogInternalTest, TextAndFormatValidation) {
  EXPECT_OK(ValidateText("comment", "multi\nline\ttext", 100));
  EXPECT_EQ(ValidateText("comment", "bell\a", 100).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateText("comment", "toolong", 3).message(), "comment is longer than 3 bytes");
  std::string f = "Delta";
  EXPECT_OK(ValidateFormat(&f));
  EXPECT_EQ(f, "delta");
  f = "Iceberg";
  EXPECT_OK(ValidateFormat(&f));
  EXPECT_EQ(f, "iceberg");
  f = "HUDI";
  EXPECT_OK(ValidateFormat(&f));
  EXPECT_EQ(f, "hudi");
  f = "lance";
  EXPECT_EQ(ValidateFormat(&f).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateUserName("a b").message(), "user name 'a b' must not contain ' '");
  EXPECT_EQ(ValidateId("").code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakeshare
