#include "admin/admin_route_builders.h"

#include <utility>

#include "admin/list_page.h"

namespace lakeshare {
namespace {

AdminRoute Basic(const RouteBasics& b, std::string_view method, RouteAccess access,
                 CliCommand cli) {
  AdminRoute r{.method = method,
               .path = b.path,
               .id = b.id,
               .action = b.id,
               .access = b.access.value_or(access),
               .group = b.group,
               .summary = b.summary,
               .description = b.description,
               .object = b.object,
               .handler = b.handler};
  r.cli.push_back(std::move(cli));
  return r;
}

}  // namespace

AdminRoute ReadRoute(const RouteBasics& basics, const Shape& response, CliCommand cli) {
  AdminRoute r = Basic(basics, "GET", RouteAccess::kViewer, std::move(cli));
  r.response = &response;
  return r;
}

AdminRoute ListRoute(const RouteBasics& basics, const Shape& response, CliCommand cli) {
  AdminRoute r = ReadRoute(basics, response, std::move(cli));
  r.query = ListPageQuery();
  return r;
}

AdminRoute CreateRoute(const RouteBasics& basics, std::vector<Field> body, const Shape& response,
                       std::vector<RouteError> errors, CliCommand cli) {
  AdminRoute r = Basic(basics, "POST", RouteAccess::kAdmin, std::move(cli));
  r.body.fields = std::move(body);
  r.status = 201;
  r.response = &response;
  r.errors = std::move(errors);
  return r;
}

AdminRoute UpdateRoute(const RouteBasics& basics, std::vector<Field> body, const Shape& response,
                       std::vector<RouteError> errors, CliCommand cli) {
  AdminRoute r = Basic(basics, "PATCH", RouteAccess::kAdmin, std::move(cli));
  r.also = {"PUT"};
  r.body.fields = std::move(body);
  r.body.fields.push_back(VersionField());
  r.if_match = true;
  r.response = &response;
  r.errors = std::move(errors);
  return r;
}

AdminRoute DeleteRoute(const RouteBasics& basics, CliCommand cli) {
  AdminRoute r = Basic(basics, "DELETE", RouteAccess::kAdmin, std::move(cli));
  r.status = 204;
  return r;
}

CliCommand ListCommand(std::vector<std::string_view> path, std::string_view help,
                       std::vector<CliArg> args, std::vector<std::string_view> columns) {
  return {.path = std::move(path),
          .help = help,
          .args = std::move(args),
          .output = CliCommand::Output::kList,
          .columns = std::move(columns)};
}

CliCommand DoneCommand(std::vector<std::string_view> path, std::string_view help,
                       std::vector<CliArg> args, std::string_view done) {
  return {.path = std::move(path),
          .help = help,
          .args = std::move(args),
          .output = CliCommand::Output::kDone,
          .done = done};
}

}  // namespace lakeshare
