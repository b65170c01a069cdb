// Builders for the common shapes of admin routes (admin_route.h), so that an
// area's list (admin_routes_*.cc) states only what its routes do not share:
// reads for viewers (one item, or a paged collection), creates (201),
// updates (PATCH or PUT, with If-Match or the body's version) and deletes
// (204) for admins, and the CLI commands that print a table or a `done`
// line. A route's id is also its audit action.
//
// Each returns a complete value; fields the builder does not set keep their
// defaults and may be set on the result. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "admin/admin_route.h"

namespace lakeshare {

// What every route says about itself.
struct RouteBasics {
  std::string_view path;
  std::string_view id;  // also the audit action
  const RouteGroup* group = nullptr;
  std::string_view summary;
  std::string_view description{};
  std::string_view object{};
  AdminHandler handler = nullptr;
  // Default: viewers for reads (GET), admins for the rest.
  std::optional<RouteAccess> access{};
};

// GET of one item (or of a short, unpaged list), for viewers.
AdminRoute ReadRoute(const RouteBasics& basics, const Shape& response, CliCommand cli);
// GET of a collection in pages (ListPageQuery), for viewers.
AdminRoute ListRoute(const RouteBasics& basics, const Shape& response, CliCommand cli);
// POST creating an item: 201 with `response`.
AdminRoute CreateRoute(const RouteBasics& basics, std::vector<Field> body, const Shape& response,
                       std::vector<RouteError> errors, CliCommand cli);
// PATCH (or PUT) changing an item: `body` and VersionField(), or If-Match.
AdminRoute UpdateRoute(const RouteBasics& basics, std::vector<Field> body, const Shape& response,
                       std::vector<RouteError> errors, CliCommand cli);
// DELETE: 204.
AdminRoute DeleteRoute(const RouteBasics& basics, CliCommand cli);

// A command printing the answer's items as a table (all fields when
// `columns` is empty).
CliCommand ListCommand(std::vector<std::string_view> path, std::string_view help,
                       std::vector<CliArg> args, std::vector<std::string_view> columns = {});
// A command printing `done` ("{target}" replaced by its argument).
CliCommand DoneCommand(std::vector<std::string_view> path, std::string_view help,
                       std::vector<CliArg> args, std::string_view done);

}  // namespace lakeshare
