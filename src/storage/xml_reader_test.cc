#include "storage/xml_reader.h"

#include <gtest/gtest.h>

#include <random>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

TEST(XmlReaderTest, ReadsAListing) {
  auto x = ParseXml(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><IsTruncated>true</IsTruncated>
  <Contents><Key>t/a &amp; b.json</Key><Size>12</Size></Contents>
  <Contents><Key>t/&#x10D;.json</Key><Size>3</Size></Contents>
  <CommonPrefixes><Prefix>t/sub/</Prefix></CommonPrefixes>
  <NextContinuationToken>tok</NextContinuationToken>
</ListBucketResult>)",
                    "s3://bucket/t");
  ASSERT_OK(x);
  EXPECT_EQ(x->name, "ListBucketResult");
  EXPECT_EQ(x->ChildText("IsTruncated"), "true");
  auto contents = x->Children("Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(contents[0]->ChildText("Key"), "t/a & b.json");
  EXPECT_EQ(contents[1]->ChildText("Key"), "t/\xC4\x8D.json");
  EXPECT_EQ(x->Child("CommonPrefixes")->ChildText("Prefix"), "t/sub/");
  EXPECT_EQ(x->ChildText("Missing"), "");
  EXPECT_EQ(x->Child("Missing"), nullptr);
}

TEST(XmlReaderTest, StripsNamespacePrefixes) {
  auto x = ParseXml("<a:Root xmlns:a='u'><a:Child>v</a:Child></a:Root>", "w");
  ASSERT_OK(x);
  EXPECT_EQ(x->name, "Root");
  EXPECT_EQ(x->ChildText("Child"), "v");
}

TEST(XmlReaderTest, RefusesEntitiesAndDoctypes) {
  const char* billion_laughs = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>)";
  auto x = ParseXml(billion_laughs, "s3://b/k");
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.status().code(), StatusCode::kCorruption);
  EXPECT_NE(x.status().message().find("s3://b/k"), std::string::npos);
  EXPECT_FALSE(ParseXml("<!DOCTYPE x SYSTEM 'file:///etc/passwd'><x/>", "w").ok());
}

TEST(XmlReaderTest, RefusesDeepNesting) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "<a>";
  for (int i = 0; i < 200; ++i) deep += "</a>";
  EXPECT_FALSE(ParseXml(deep, "w").ok());
}

TEST(XmlReaderTest, MalformedInputIsAnError) {
  for (const char* bad : {"", "<", "<a>", "<a></b>", "text", "<a>&bogus;</a>", "<a x='1></a>",
                          "<a/><b/>", "\xff\xfe<a/>"}) {
    auto x = ParseXml(bad, "w");
    EXPECT_FALSE(x.ok()) << bad;
  }
}

TEST(XmlReaderTest, SurvivesRandomBytes) {
  std::mt19937 rng(7);
  std::string base = "<R><C><K>key</K><S>1</S></C><P>x</P></R>";
  for (int i = 0; i < 3000; ++i) {
    std::string s = base;
    int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) s[rng() % s.size()] = static_cast<char>(rng() % 256);
    auto x = ParseXml(s, "w");  // must not crash
    if (x.ok()) {
      EXPECT_FALSE(x->name.empty());
    } else {
      EXPECT_EQ(x.status().code(), StatusCode::kCorruption);
    }
  }
}

}  // namespace
}  // namespace lakeshare
