// libFuzzer target: what a client sends the admin API before any handler
// runs, validated as AdminService validates it (admin_service.cc): a JSON
// body against a route's body shape (ParseBody), and a query string against
// its query fields (ParseQuery), then for the list routes the page
// (ListPage::Of: search, maxResults, pageToken) cut from a list. The first
// input byte picks the route of the table (admin_route.h), the second whether
// the rest is a body or a query string. Any crash, sanitizer report or leak
// is a bug; refused requests are expected.
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_route.h"
#include "admin/api_schema.h"
#include "admin/list_page.h"
#include "common/status.h"
#include "server/http.h"
#include "server/request_target.h"

namespace {

struct Named {
  std::string name;
};

void CutPage(const lakeshare::FieldValues& query) {
  lakeshare::Result<lakeshare::ListPage> page = lakeshare::ListPage::Of(query);
  if (!page.ok()) return;
  static const std::vector<Named> kItems = {{"alpha"}, {"Beta"}, {"gamma"}, {"Delta_1"}, {"e"}};
  (void)lakeshare::PageOf(kItems, *page, lakeshare::NameOf<Named>,
                          [](const Named& n) { return boost::json::value(n.name); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::vector<lakeshare::AdminRoute>& routes = lakeshare::AdminRoutes();
  const lakeshare::AdminRoute& route = routes[data[0] % routes.size()];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (data[1] % 2 == 0) {
    (void)lakeshare::ParseBody(route.body, rest, route.body_optional);
    return 0;
  }
  lakeshare::Result<lakeshare::RequestTarget> target =
      lakeshare::ParseRequestTarget("/?" + std::string(rest));
  if (!target.ok()) return 0;
  lakeshare::HttpRequest request;
  request.method = std::string(route.method);
  request.path = target->path;
  request.query = std::move(target->query);
  lakeshare::Result<lakeshare::FieldValues> query = lakeshare::ParseQuery(route.query, request);
  if (query.ok()) CutPage(*query);
  return 0;
}
