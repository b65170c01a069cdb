// The admin API is defined once, in the route table; these tests prove that
// its three faces agree with it: every route (every method) is in the
// OpenAPI document with its parameters, fields, answer and errors; every
// route is reachable from a `lakeshare admin` command whose arguments fill
// its path and required fields (cli/admin_command_test.cc runs them); and
// the handlers' JSON writers produce exactly the documented shapes.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "admin/admin_iceberg_json.h"
#include "admin/admin_json.h"
#include "admin/admin_oauth_json.h"
#include "admin/admin_route.h"
#include "admin/openapi.h"
#include "server/errors.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace json = boost::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const json::object& Doc() {
  static const json::value kDoc = json::parse(AdminOpenApiJson());
  return kDoc.as_object();
}

const json::object& Schemas() { return Doc().at("components").at("schemas").as_object(); }

// The schema a $ref points at.
const json::object& Deref(const json::value& ref) {
  std::string_view r = ref.at("$ref").as_string();
  constexpr std::string_view kPrefix = "#/components/schemas/";
  EXPECT_EQ(r.substr(0, kPrefix.size()), kPrefix);
  return Schemas().at(r.substr(kPrefix.size())).as_object();
}

// Every field of `shape` is a property of `schema`, required ones listed.
void ExpectFields(const json::object& schema, const Shape& shape, const std::string& where) {
  const json::object& props = schema.at("properties").as_object();
  std::set<std::string> required;
  if (const json::value* r = schema.if_contains("required")) {
    for (const auto& e : r->as_array()) required.emplace(e.as_string());
  }
  EXPECT_EQ(props.size(), shape.fields.size()) << where;
  for (const Field& f : shape.fields) {
    ASSERT_TRUE(props.contains(f.name)) << where << ": " << f.name;
    const json::object& p = props.at(f.name).as_object();
    EXPECT_FALSE(p.empty()) << where << ": " << f.name;
    EXPECT_TRUE(p.contains("description")) << where << ": " << f.name << " is undescribed";
    EXPECT_EQ(required.count(std::string(f.name)), f.required ? 1u : 0u) << where << ": " << f.name;
    if (f.max_length > 0 && f.type == FieldType::kString) {
      EXPECT_EQ(p.at("maxLength").as_int64(), static_cast<int64_t>(f.max_length)) << f.name;
    }
    if (f.minimum) {
      EXPECT_EQ(p.at("minimum").as_int64(), *f.minimum) << f.name;
    }
    if (f.maximum) {
      EXPECT_EQ(p.at("maximum").as_int64(), *f.maximum) << f.name;
    }
    if (!f.enum_values.empty()) {
      EXPECT_EQ(p.at("enum").as_array().size(), f.enum_values.size());
    }
    if (f.type == FieldType::kObjectList) ExpectFields(Deref(p.at("items")), *f.shape, where);
  }
}

TEST(AdminRoutesTest, TheTableIsWellFormed) {
  std::set<std::string> ids, method_paths;
  for (const AdminRoute& r : AdminRoutes()) {
    SCOPED_TRACE(std::string(r.id));
    EXPECT_TRUE(ids.insert(std::string(r.id)).second) << "duplicate id";
    for (std::string_view m : r.Methods()) {
      EXPECT_TRUE(method_paths.insert(std::string(m) + " " + std::string(r.path)).second);
    }
    EXPECT_NE(r.handler, nullptr);
    EXPECT_NE(r.group, nullptr);
    EXPECT_FALSE(r.summary.empty());
    EXPECT_FALSE(r.action.empty());
    EXPECT_EQ(r.path.front(), '/');
    std::set<std::string_view> params;
    for (std::string_view p : r.PathParams()) {
      EXPECT_TRUE(params.insert(p).second) << p;
    }
    std::set<std::string_view> fields;
    for (const Field& f : r.body.fields) {
      EXPECT_TRUE(fields.insert(f.name).second) << f.name;
    }
    EXPECT_EQ(r.status == 204 || r.status == 303, r.response == nullptr);
    EXPECT_TRUE(r.body.fields.empty() || r.method != "GET") << "GET routes read no body";
  }
  EXPECT_GE(AdminRoutes().size(), 39u);
}

TEST(AdminRoutesTest, EveryRouteIsInTheOpenApiDocument) {
  const json::object& paths = Doc().at("paths").as_object();
  size_t operations = 0;
  for (const auto& item : paths) {
    for (const auto& kv : item.value().as_object()) operations += kv.key() != "parameters";
  }
  size_t methods = 0;
  for (const AdminRoute& r : AdminRoutes()) {
    SCOPED_TRACE(std::string(r.id));
    const std::string path = "/api/v1" + std::string(r.path);
    ASSERT_TRUE(paths.contains(path));
    const json::object& item = paths.at(path).as_object();
    // Path parameters, described.
    std::set<std::string> declared;
    if (const json::value* ps = item.if_contains("parameters")) {
      for (const auto& p : ps->as_array()) {
        EXPECT_EQ(p.at("in").as_string(), "path");
        EXPECT_FALSE(p.at("description").as_string().empty());
        declared.emplace(p.at("name").as_string());
      }
    }
    std::set<std::string> expected;
    for (std::string_view p : r.PathParams()) expected.emplace(p);
    EXPECT_EQ(declared, expected);

    for (std::string_view m : r.Methods()) {
      ++methods;
      ASSERT_TRUE(item.contains(Lower(m))) << m;
      const json::object& op = item.at(Lower(m)).as_object();
      EXPECT_EQ(op.at("x-lakeshare-access").as_string(), RouteAccessName(r.access));
      if (r.audited) {
        EXPECT_EQ(op.at("x-lakeshare-action").as_string(), r.action);
      }
      EXPECT_EQ(op.contains("security"), r.access == RouteAccess::kPublic);
      // The body: every field, typed, required ones listed.
      ASSERT_EQ(op.contains("requestBody"), r.HasBody());
      if (r.HasBody()) {
        const json::object& rb = op.at("requestBody").as_object();
        EXPECT_EQ(rb.at("required").as_bool(), !r.body_optional);
        ExpectFields(rb.at("content").at("application/json").at("schema").as_object(), r.body,
                     std::string(r.id));
      }
      // Query parameters.
      std::set<std::string> query;
      if (const json::value* ps = op.if_contains("parameters")) {
        for (const auto& p : ps->as_array()) {
          if (p.at("in").as_string() == "query") query.emplace(p.at("name").as_string());
        }
      }
      EXPECT_EQ(query.size(), r.query.size());
      for (const Field& f : r.query) {
        EXPECT_EQ(query.count(std::string(f.name)), 1u) << f.name;
      }
      // The answer.
      const json::object& responses = op.at("responses").as_object();
      const json::object& ok = responses.at(std::to_string(r.status)).as_object();
      if (r.response != nullptr) {
        const json::object& schema = Deref(ok.at("content").at("application/json").at("schema"));
        ExpectFields(schema, *r.response, std::string(r.response->name));
      } else {
        EXPECT_FALSE(ok.contains("content"));
      }
      // Every error, in the error shape, with its errorCode.
      for (const RouteError& e : RouteErrors(r)) {
        HttpResponse er = e.code == StatusCode::kInternal
                              ? ErrorResponse(500, kInternalError, "internal error")
                              : ErrorResponse(Status(e.code, "x"));
        const std::string status = std::to_string(er.status);
        ASSERT_TRUE(responses.contains(status)) << status;
        const json::value& schema =
            responses.at(status).at("content").at("application/json").at("schema");
        const json::array& all_of = schema.at("allOf").as_array();
        EXPECT_EQ(&Deref(all_of.at(0)), &Schemas().at("Error").as_object());
        std::set<std::string> codes;
        for (const auto& c : all_of.at(1).at("properties").at("errorCode").at("enum").as_array()) {
          codes.emplace(c.as_string());
        }
        EXPECT_EQ(codes.count(std::string(json::parse(er.body).at("errorCode").as_string())), 1u)
            << status;
        if (!e.header.empty()) {
          EXPECT_TRUE(responses.at(status).at("headers").as_object().contains(e.header));
        }
      }
    }
  }
  EXPECT_EQ(operations, methods) << "the document has operations the table does not";
  ExpectFields(Schemas().at("Error").as_object(), ErrorShape(), "Error");
}

TEST(AdminRoutesTest, EveryRouteIsReachableFromTheCli) {
  std::map<std::string_view, const AdminRoute*> by_id;
  for (const AdminRoute& r : AdminRoutes()) by_id[r.id] = &r;
  std::set<std::string> commands;
  for (const AdminRoute& r : AdminRoutes()) {
    SCOPED_TRACE(std::string(r.id));
    if (r.cli.empty()) {
      // Another form of an operation the CLI makes through another route.
      ASSERT_FALSE(r.same_as.empty()) << "no CLI command reaches this route";
      ASSERT_EQ(by_id.count(r.same_as), 1u);
      EXPECT_FALSE(by_id[r.same_as]->cli.empty());
      EXPECT_EQ(by_id[r.same_as]->action, r.action);
      continue;
    }
    for (const CliCommand& c : r.cli) {
      std::string usage = CliUsage(c);
      SCOPED_TRACE(usage);
      std::string key;
      for (std::string_view p : c.path) key += " " + std::string(p);
      EXPECT_TRUE(commands.insert(key).second) << "duplicate";
      ASSERT_TRUE(c.path.size() == 1 || c.path.size() == 2);
      if (c.path.size() == 2) {
        bool known = false;
        for (const RouteGroup* g : kRouteGroups) known |= g->cli == c.path[0];
        EXPECT_TRUE(known) << c.path[0] << " is no group";
      }
      std::set<std::string_view> targets;
      for (const CliArg& a : c.args) {
        ArgTarget where = TargetOf(r, a.target);
        EXPECT_NE(where, ArgTarget::kNone) << a.target;
        targets.insert(a.target);
        const Field* f = TargetField(r, a.target);
        if (a.kind == CliArg::Kind::kDurationFromNow) {
          EXPECT_EQ(f->type, FieldType::kTime);
        }
        if (a.kind == CliArg::Kind::kSecret || a.kind == CliArg::Kind::kSecretFile) {
          EXPECT_TRUE(f->secret);
          EXPECT_FALSE(a.env.empty());
        }
        if (f != nullptr && f->secret) {
          EXPECT_TRUE(a.kind == CliArg::Kind::kSecret || a.kind == CliArg::Kind::kSecretFile)
              << "on argv";
        }
        if (a.kind == CliArg::Kind::kPositional || a.kind == CliArg::Kind::kOptionalPositional) {
          EXPECT_NE(a.flag.front(), '-') << a.flag;
        } else if (a.kind != CliArg::Kind::kSecret) {
          EXPECT_EQ(a.flag.substr(0, 2), "--") << a.flag;
        }
        EXPECT_TRUE(!a.help.empty() || (f != nullptr && !f->description.empty()) ||
                    where == ArgTarget::kPath)
            << a.target;
      }
      // The path is filled (an optional id needs the --all alternative).
      for (std::string_view p : r.PathParams()) {
        EXPECT_EQ(targets.count(p), 1u) << "path parameter " << p;
      }
      for (const CliArg& a : c.args) {
        if (a.kind == CliArg::Kind::kOptionalPositional) {
          EXPECT_EQ(c.extra, CliCommand::Extra::kRevokeAll);
        }
      }
      // So are the required fields (login reads its own).
      if (c.extra != CliCommand::Extra::kLogin) {
        for (const Field& f : r.body.fields) {
          if (f.required) {
            EXPECT_EQ(targets.count(f.name), 1u) << "required field " << f.name;
          }
        }
      }
      // Columns and messages name what exists.
      if (c.output == CliCommand::Output::kList && !c.columns.empty()) {
        ASSERT_NE(r.response, nullptr);
        const Field* items = r.response->Find("items");
        ASSERT_NE(items, nullptr);
        for (std::string_view col : c.columns) {
          EXPECT_NE(items->shape->Find(col), nullptr) << col;
        }
      }
      for (size_t open = c.done.find('{'); open != std::string_view::npos;
           open = c.done.find('{', open + 1)) {
        std::string_view t = c.done.substr(open + 1, c.done.find('}', open) - open - 1);
        EXPECT_EQ(targets.count(t), 1u) << t;
      }
      if (c.output == CliCommand::Output::kProfile) {
        EXPECT_TRUE(r.response == &ProfileShape() || r.response == &OAuthSecretProfileShape() ||
                    r.response == &OAuthKeyProfileShape())
            << r.id;
      }
    }
  }
}

// The handlers write records with these functions: what they write is what
// the document says, with every optional field and without.
TEST(AdminRoutesTest, WritersProduceTheDocumentedShapes) {
  ShareRecord share{"id", "s", "display", "comment", 1, 2, 3};
  json::object detail = ShareJson(share);
  detail["recipients"] = StringArray({"r"});
  EXPECT_OK(ConformsTo(detail, ShareDetailShape()));
  EXPECT_OK(ConformsTo(ShareJson(ShareRecord{"id", "s"}), ShareShape()));
  EXPECT_OK(ConformsTo(Items(std::vector<ShareRecord>{share}, ShareJson), ShareListShape()));
  EXPECT_OK(ConformsTo(SchemaJson({"id", "s", "d", 1, 2, 3}), SchemaShape()));
  TableRecord table{"id", "s", "d", "t", "/x", "delta", true, 3, "a = 1", "c", 1, 2, 3};
  EXPECT_OK(ConformsTo(TableJson(table), TableShape()));
  EXPECT_OK(ConformsTo(TableJson(TableRecord{}), TableShape()));
  TableRecord iceberg = table;
  iceberg.format = "iceberg";
  iceberg.location_map = {{"/test-warehouse/", "/data/wh"}, {"hdfs://nn/wh/", "s3://b/wh/"}};
  json::object with_map = TableJson(iceberg);
  EXPECT_OK(ConformsTo(with_map, TableShape()));
  EXPECT_EQ(json::serialize(with_map.at("locationMap")),
            R"({"/test-warehouse/":"/data/wh","hdfs://nn/wh/":"s3://b/wh/"})");
  RecipientRecord recipient{"id", "r", "c", {"10.0.0.0/8"}, true, 1, 2, 3};
  json::object rd = RecipientJson(recipient);
  rd["shares"] = StringArray({"s"});
  EXPECT_OK(ConformsTo(rd, RecipientDetailShape()));
  EXPECT_OK(ConformsTo(RecipientJson(RecipientRecord{}), RecipientShape()));
  TokenRecord token{"id", "r", 1, 5000, 4000, "api"};
  EXPECT_OK(ConformsTo(TokenJson(token, 3000), TokenShape()));
  EXPECT_OK(ConformsTo(TokenJson(TokenRecord{}, 0), TokenShape()));
  EXPECT_OK(ConformsTo(
      Items(std::vector<TokenRecord>{token}, [](const TokenRecord& t) { return TokenJson(t, 0); }),
      TokenListShape()));
  IssuedToken issued{token, "secret"};
  EXPECT_OK(ConformsTo(ProfileJson(issued, "https://x/delta-sharing"), ProfileShape()));
  EXPECT_OK(ConformsTo(ProfileJson(IssuedToken{}, "https://x"), ProfileShape()));
  ActivationLinkRecord link{"id", "r", 1, 2, 3, "tid", 4, "ref"};
  json::object new_link = ActivationLinkJson(link);
  new_link["url"] = "https://x/console/activate#s";
  EXPECT_OK(ConformsTo(new_link, NewActivationLinkShape()));
  EXPECT_OK(ConformsTo(ActivationLinkJson(ActivationLinkRecord{}), ActivationLinkShape()));
  EXPECT_OK(ConformsTo(UserJson({"id", "u", AdminRole::kAdmin, 1, 2, 3}), UserShape()));
  AuditEntry entry{1, 2, "admin", "u", "createShare", "share:s", "ok", "d", 4, "1.2.3.4", "rid"};
  json::object page = Items(std::vector<AuditEntry>{entry, AuditEntry{}}, AuditJson);
  page["nextPageToken"] = "7";
  EXPECT_OK(ConformsTo(page, AuditPageShape()));
  json::object grants;
  grants["items"] = StringArray({"s"});
  EXPECT_OK(ConformsTo(grants, GrantListShape()));
  OAuthClientKeyRecord key{"k1", "ES256", "pem", 5};
  OAuthClientRecord client{"cid", "r", 1, 9000, 4000, {key}};
  EXPECT_OK(ConformsTo(OAuthClientJson(client, 3000), OAuthClientShape()));
  EXPECT_OK(ConformsTo(OAuthClientJson(OAuthClientRecord{}, 0), OAuthClientShape()));
  EXPECT_OK(ConformsTo(Items(std::vector<OAuthClientRecord>{client},
                             [](const OAuthClientRecord& c) { return OAuthClientJson(c, 0); }),
                       OAuthClientListShape()));
  EXPECT_OK(ConformsTo(OAuthSecretProfileJson({client, "secret"}, "https://x/delta-sharing"),
                       OAuthSecretProfileShape()));
  EXPECT_OK(ConformsTo(OAuthSecretProfileJson({}, "https://x"), OAuthSecretProfileShape()));
  EXPECT_OK(ConformsTo(OAuthKeyProfileJson(client, key, "https://x/delta-sharing"),
                       OAuthKeyProfileShape()));
}

// An Iceberg catalog connection's answer says which secrets are set, never
// what they are.
TEST(AdminRoutesTest, IcebergCatalogAnswersHoldNoSecret) {
  IcebergCatalogRecord r;
  r.id = "id";
  r.config.name = "cat";
  r.config.uri = "https://cat.example.com";
  r.config.auth.kind = HttpAuthConfig::Kind::kOAuth2;
  r.config.auth.client_id = "client";
  r.config.auth.client_secret = "s3cr3t-value";
  r.config.auth.scope = "catalog";
  json::object o = IcebergCatalogJson(r);
  EXPECT_OK(ConformsTo(o, IcebergCatalogShape()));
  EXPECT_EQ(json::serialize(o).find("s3cr3t-value"), std::string::npos);
  EXPECT_TRUE(o.at("auth").at("clientSecretSet").as_bool());
  EXPECT_FALSE(o.at("auth").at("tokenSet").as_bool());
  EXPECT_EQ(o.at("auth").at("kind").as_string(), "oauth2");
  IcebergCatalogRecord glue;
  glue.config.type = "glue";
  glue.config.catalog_id = "123";
  glue.config.auth.kind = HttpAuthConfig::Kind::kSigV4;
  glue.config.auth.secret_access_key = "k";
  glue.config.auth.session_token = "t";
  EXPECT_OK(ConformsTo(IcebergCatalogJson(glue), IcebergCatalogShape()));
  EXPECT_OK(ConformsTo(IcebergCatalogJson({}), IcebergCatalogShape()));
  json::object list;
  list["items"] = json::array{IcebergCatalogJson(r), IcebergCatalogJson(glue)};
  EXPECT_OK(ConformsTo(list, IcebergCatalogListShape()));
  EXPECT_EQ(json::serialize(list).find("\"k\""), std::string::npos);
}

TEST(AdminRoutesTest, TheDocumentIsValidJsonWithStableOperationIds) {
  std::set<std::string> operation_ids;
  for (const auto& item : Doc().at("paths").as_object()) {
    for (const auto& op : item.value().as_object()) {
      if (op.key() == "parameters") continue;
      EXPECT_TRUE(
          operation_ids.insert(std::string(op.value().at("operationId").as_string())).second);
      EXPECT_TRUE(op.value().as_object().contains("tags"));
    }
  }
  EXPECT_EQ(std::string_view(Doc().at("openapi").as_string()).substr(0, 2), "3.");
  EXPECT_EQ(AdminOpenApiJson(), AdminOpenApiJson());  // deterministic
}

}  // namespace
}  // namespace lakeshare
