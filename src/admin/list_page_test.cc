#include "admin/list_page.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using testing::StatusIs;

namespace json = boost::json;

struct Named {
  std::string name;
};

FieldValues Query(std::vector<std::pair<std::string, std::string>> params) {
  HttpRequest r;
  r.query = std::move(params);
  auto v = ParseQuery(ListPageQuery(), r);
  EXPECT_OK(v);
  return v.ok() ? *v : FieldValues();
}

std::vector<std::string> Names(const json::object& page) {
  std::vector<std::string> out;
  for (const auto& v : page.at("items").as_array()) out.emplace_back(v.as_string());
  return out;
}

json::object Page(const std::vector<Named>& items, const ListPage& p) {
  return PageOf(items, p, NameOf<Named>, [](const Named& n) { return json::value(n.name); });
}

TEST(ListPageTest, SearchesSortsAndPagesByName) {
  const std::vector<Named> items = {{"sales"}, {"Alpha"}, {"beta"}, {"SalesEU"}, {"gamma"}};
  ASSERT_OK_AND_ASSIGN(ListPage all, ListPage::Of(Query({})));
  json::object everything = Page(items, all);
  EXPECT_EQ(Names(everything),
            (std::vector<std::string>{"Alpha", "beta", "gamma", "sales", "SalesEU"}));
  EXPECT_FALSE(everything.contains("nextPageToken"));

  ASSERT_OK_AND_ASSIGN(ListPage sales, ListPage::Of(Query({{"search", "SAL"}})));
  EXPECT_EQ(Names(Page(items, sales)), (std::vector<std::string>{"sales", "SalesEU"}));

  std::vector<std::string> walked;
  std::string token;
  int pages = 0;
  do {
    std::vector<std::pair<std::string, std::string>> q = {{"maxResults", "2"}};
    if (!token.empty()) q.emplace_back("pageToken", token);
    ASSERT_OK_AND_ASSIGN(ListPage p, ListPage::Of(Query(q)));
    json::object page = Page(items, p);
    for (auto& n : Names(page)) walked.push_back(n);
    token = page.contains("nextPageToken") ? std::string(page.at("nextPageToken").as_string()) : "";
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(walked, Names(everything));
}

TEST(ListPageTest, ForeignTokensAndBadSizesAreRefused) {
  EXPECT_THAT(ListPage::Of(Query({{"pageToken", "not-ours"}})),
              StatusIs(StatusCode::kInvalidArgument));
  HttpRequest r;
  r.query = {{"maxResults", "0"}};
  EXPECT_THAT(ParseQuery(ListPageQuery(), r), StatusIs(StatusCode::kInvalidArgument));
  r.query = {{"maxResults", "1001"}};
  EXPECT_THAT(ParseQuery(ListPageQuery(), r), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace lakeshare
