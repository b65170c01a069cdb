// The admin API's answers: the shapes the OpenAPI document names (one per
// kind of object, its lists and details), and the functions that write
// catalog records in those shapes. admin_routes_test.cc proves that every
// writer produces exactly its shape.
//
// Shapes are built once (function-local statics) and never change.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "admin/api_schema.h"
#include "catalog/sql_catalog_admin.h"

namespace lakeshare {

// ------------------------------------------------------------------ shapes

const Shape& ErrorShape();  // {"errorCode", "message"}: every error (server/errors.h)
const Shape& SessionShape();
const Shape& CurrentSessionShape();
const Shape& ShareShape();
const Shape& ShareDetailShape();  // a share and the recipients granted it
const Shape& ShareListShape();
const Shape& SchemaShape();
const Shape& SchemaListShape();
const Shape& TableShape();
const Shape& TableListShape();
const Shape& RecipientShape();
const Shape& RecipientDetailShape();  // a recipient and the shares granted to it
const Shape& NewRecipientShape();     // as created, with its grants, profile or link
const Shape& RecipientListShape();
const Shape& GrantListShape();
const Shape& TokenShape();
const Shape& TokenListShape();
const Shape& ProfileShape();  // a Delta Sharing profile file
const Shape& ActivationLinkShape();
const Shape& NewActivationLinkShape();  // a link as created: with its one-time URL
const Shape& ActivationLinkListShape();
const Shape& UserShape();
const Shape& UserListShape();
const Shape& AuditEntryShape();
const Shape& AuditPageShape();
const Shape& OverviewShape();
const Shape& ActivationInfoShape();
const Shape& OpenApiDocumentShape();

// ------------------------------------------------------------------ writers

boost::json::object ShareJson(const ShareRecord& s);
boost::json::object SchemaJson(const SchemaRecord& s);
boost::json::object TableJson(const TableRecord& t);
boost::json::object RecipientJson(const RecipientRecord& r);
boost::json::object TokenJson(const TokenRecord& t, int64_t now_ms);
boost::json::object UserJson(const AdminUserRecord& u);
boost::json::object ActivationLinkJson(const ActivationLinkRecord& l);
// A link as created, with its one-time URL below `base_url`.
boost::json::object NewActivationLinkJson(const IssuedActivationLink& l,
                                          const std::string& base_url);
boost::json::object AuditJson(const AuditEntry& e);
// The profile file of a newly issued token, pointing at `endpoint`.
boost::json::object ProfileJson(const IssuedToken& t, const std::string& endpoint);
boost::json::array StringArray(const std::vector<std::string>& v);

// {"items": [f(e) for e in v]}: the shape of every list answer.
template <typename T, typename F>
boost::json::object Items(const std::vector<T>& v, F f) {
  boost::json::array a;
  a.reserve(v.size());
  for (const auto& e : v) a.emplace_back(f(e));
  boost::json::object o;
  o["items"] = std::move(a);
  return o;
}

}  // namespace lakeshare
