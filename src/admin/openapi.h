// The OpenAPI 3 document of the admin API (served at GET
// /api/v1/openapi.json), written from the route table: every route with its
// path and query parameters, its body fields (types, limits, which are
// required), its answer and every error it may give (in the JSON error
// shape, with the errorCode values), plus extensions naming each route's
// audit action (x-lakeshare-action), who may call it (x-lakeshare-access)
// and the `lakeshare admin` commands that reach it (x-lakeshare-cli).
//
// Pure function of its input; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "admin/admin_route.h"

namespace lakeshare {

std::string AdminOpenApiJson(const std::vector<AdminRoute>& routes = AdminRoutes());

}  // namespace lakeshare
