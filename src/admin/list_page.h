// Search and paging of the admin API's named lists (shares, schemas, tables,
// recipients, users): `search` (a case-insensitive substring of the name),
// `maxResults` (1..1000, default 100) and `pageToken` (opaque: the last name
// of the previous page) -> {"items": [...], "nextPageToken"?}, sorted by name
// case-insensitively. The catalog returns a whole list (lists are bounded by
// the catalog's size); the page is cut here. Stateless.
#pragma once

#include <algorithm>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "admin/api_schema.h"
#include "common/status.h"
#include "common/strings.h"

namespace lakeshare {

// The query parameters of a paged list route.
std::vector<Field> ListPageQuery();

struct ListPage {
  std::string search;                // lower case; "" matches every name
  std::optional<std::string> after;  // lower-case name the page starts after
  size_t max_results = 100;

  // kInvalidArgument for a pageToken that is not one of ours.
  static Result<ListPage> Of(const FieldValues& query);
  bool Matches(const std::string& lower_name) const;
  static std::string Token(const std::string& lower_name);
};

// The name of a catalog record.
template <typename T>
const std::string& NameOf(const T& record) {
  return record.name;
}

// The page of `items` (`name(item)` is its name) as {"items", "nextPageToken"?}.
template <typename T, typename NameFn, typename JsonFn>
boost::json::object PageOf(const std::vector<T>& items, const ListPage& page, NameFn name,
                           JsonFn to_json) {
  std::vector<std::pair<std::string, const T*>> hits;
  for (const T& item : items) {
    std::string key = AsciiLower(name(item));
    if (page.Matches(key)) hits.emplace_back(std::move(key), &item);
  }
  std::sort(hits.begin(), hits.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  boost::json::array out;
  boost::json::object o;
  for (size_t i = 0; i < hits.size(); ++i) {
    if (out.size() == page.max_results) {
      o["nextPageToken"] = ListPage::Token(hits[i - 1].first);
      break;
    }
    out.emplace_back(to_json(*hits[i].second));
  }
  o["items"] = std::move(out);
  return o;
}

// The same answer from a list the database cut already (NameRange with
// limit max_results + 1): `items` are the page's, in order, and one more if
// there is a next page.
template <typename T, typename NameFn, typename JsonFn>
boost::json::object PageOfCut(const std::vector<T>& items, const ListPage& page, NameFn name,
                              JsonFn to_json) {
  boost::json::array out;
  boost::json::object o;
  for (size_t i = 0; i < items.size(); ++i) {
    if (out.size() == page.max_results) {
      o["nextPageToken"] = ListPage::Token(AsciiLower(name(items[i - 1])));
      break;
    }
    out.emplace_back(to_json(items[i]));
  }
  o["items"] = std::move(out);
  return o;
}

}  // namespace lakeshare
