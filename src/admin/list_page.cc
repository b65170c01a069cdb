#include "admin/list_page.h"

#include "common/encoding.h"
#include "common/strings.h"

namespace lakeshare {

namespace {
constexpr std::string_view kTokenPrefix = "after:";
}  // namespace

std::vector<Field> ListPageQuery() {
  return {{.name = "search",
           .type = FieldType::kString,
           .description = "Only names containing this (case-insensitively)",
           .max_length = 256},
          {.name = "maxResults",
           .type = FieldType::kInteger,
           .description = "Items per page (default 100), sorted by name",
           .minimum = 1,
           .maximum = 1000},
          {.name = "pageToken",
           .type = FieldType::kString,
           .description = "The nextPageToken of the previous page",
           .max_length = 2048}};
}

Result<ListPage> ListPage::Of(const FieldValues& query) {
  ListPage p;
  if (auto s = query.String("search")) p.search = AsciiLower(*s);
  if (auto n = query.Int("maxResults")) p.max_results = static_cast<size_t>(*n);
  if (auto t = query.String("pageToken")) {
    std::optional<std::string> raw = Base64UrlDecode(*t);
    if (!raw || raw->rfind(kTokenPrefix, 0) != 0) {
      return Status::InvalidArgument("parameter \"pageToken\": not a page token of this list");
    }
    p.after = raw->substr(kTokenPrefix.size());
  }
  return p;
}

bool ListPage::Matches(const std::string& lower_name) const {
  return (after == std::nullopt || lower_name > *after) &&
         (search.empty() || lower_name.find(search) != std::string::npos);
}

std::string ListPage::Token(const std::string& lower_name) {
  return Base64UrlEncode(std::string(kTokenPrefix) + lower_name);
}

}  // namespace lakeshare
