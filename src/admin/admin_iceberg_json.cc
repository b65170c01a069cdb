#include "admin/admin_iceberg_json.h"

#include <boost/json.hpp>

namespace lakeshare {
namespace {

namespace json = boost::json;
using T = FieldType;

constexpr std::string_view kKinds[] = {"none", "bearer", "oauth2", "sigv4"};

Field Kind(bool required) {
  return {.name = "kind",
          .type = T::kString,
          .required = required,
          .description =
              "none, bearer (a static token), oauth2 (client credentials) or sigv4 "
              "(AWS); a glue catalog is always sigv4",
          .enum_values = {kKinds[0], kKinds[1], kKinds[2], kKinds[3]}};
}

const Shape& AuthAnswerShape() {
  static const Shape kShape{
      "IcebergCatalogAuth",
      "How the server logs in to the catalog (never a secret: only whether each is set)",
      {Kind(true),
       {"clientId", T::kString, false, "oauth2: the client id"},
       {"scope", T::kString, false, "oauth2: the scope asked for"},
       {"tokenEndpoint", T::kString, false,
        "oauth2: the token endpoint (unset: {uri}/v1/oauth/tokens)"},
       {"signingName", T::kString, false, "sigv4: the service signed for (glue, s3tables)"},
       {"region", T::kString, false, "sigv4: the region (unset: AWS_REGION)"},
       {"accessKeyId", T::kString, false,
        "sigv4: the access key id (unset: AWS_ACCESS_KEY_ID of the server)"},
       {"tokenSet", T::kBoolean, true, "bearer: a token is stored"},
       {"clientSecretSet", T::kBoolean, true, "oauth2: a client secret is stored"},
       {"secretAccessKeySet", T::kBoolean, true, "sigv4: a secret access key is stored"},
       {"sessionTokenSet", T::kBoolean, true, "sigv4: a session token is stored"}}};
  return kShape;
}

}  // namespace

const Shape& IcebergCatalogAuthRequestShape() {
  static const Shape kShape{
      "",
      "",
      {Kind(false),
       {.name = "token",
        .type = T::kString,
        .description = "bearer: the token (write-only)",
        .max_length = IcebergCatalogLimits::kSecret,
        .secret = true},
       {.name = "clientId",
        .type = T::kString,
        .description = "oauth2: the client id",
        .max_length = IcebergCatalogLimits::kText},
       {.name = "clientSecret",
        .type = T::kString,
        .description = "oauth2: the client secret (write-only)",
        .max_length = IcebergCatalogLimits::kSecret,
        .secret = true},
       {.name = "scope",
        .type = T::kString,
        .description = "oauth2: the scope asked for (default at creation: catalog)",
        .max_length = IcebergCatalogLimits::kText},
       {.name = "tokenEndpoint",
        .type = T::kString,
        .description = "oauth2: the token endpoint's URL (default: {uri}/v1/oauth/tokens)",
        .max_length = IcebergCatalogLimits::kUrl},
       {.name = "signingName",
        .type = T::kString,
        .description = "sigv4: the service to sign for (glue, s3tables; glue's default: glue)",
        .max_length = IcebergCatalogLimits::kText},
       {.name = "region",
        .type = T::kString,
        .description = "sigv4: the region (default: AWS_REGION of the server)",
        .max_length = IcebergCatalogLimits::kText},
       {.name = "accessKeyId",
        .type = T::kString,
        .description = "sigv4: the access key id (default: the server's AWS_ACCESS_KEY_ID)",
        .max_length = IcebergCatalogLimits::kText},
       {.name = "secretAccessKey",
        .type = T::kString,
        .description = "sigv4: the secret access key (write-only)",
        .max_length = IcebergCatalogLimits::kSecret,
        .secret = true},
       {.name = "sessionToken",
        .type = T::kString,
        .description = "sigv4: the session token of temporary keys (write-only)",
        .max_length = IcebergCatalogLimits::kSecret,
        .secret = true}}};
  return kShape;
}

const Shape& IcebergCatalogShape() {
  static const Shape kShape = [] {
    Field auth{"auth", T::kObject, true, "How the server logs in to it"};
    auth.shape = &AuthAnswerShape();
    return Shape{
        "IcebergCatalog",
        "A catalog service that tells where Iceberg tables are, and how to log in to it "
        "(the config's icebergCatalogs entries, kept in the catalog database)",
        {{"id", T::kString, true, "Stable id (a UUID)"},
         {"name", T::kString, true,
          "Unique (case-insensitively; also among the config's): glue://<name>/<db>/<table> "
          "locations name it"},
         {"type",
          T::kString,
          true,
          "rest (an Iceberg REST catalog: tables located under its uri use it) or glue (AWS "
          "Glue's GetTable)",
          0,
          {},
          {},
          {},
          {"rest", "glue"}},
         {"uri", T::kString, true, "rest: the catalog's base URL (before /v1); glue: the endpoint"},
         {"catalogId", T::kString, false, "glue: the account id of the catalog"},
         auth,
         {"createdAt", T::kEpochMillis, true, "When it was created"},
         {"updatedAt", T::kEpochMillis, true, "When it last changed"},
         {"version", T::kInteger, true,
          "Counts the object's changes: send it back (as \"version\" or If-Match) to have a "
          "change refused if someone else changed the object since you read it"}}};
  }();
  return kShape;
}

const Shape& IcebergCatalogListShape() {
  static const Shape kShape = [] {
    Field items{"items", T::kObjectList, true, "The objects, in name order"};
    items.shape = &IcebergCatalogShape();
    return Shape{
        "IcebergCatalogList",
        "Iceberg catalog connections of the catalog database",
        {items,
         {"nextPageToken", T::kString, false, "Set when more items follow: pass it as pageToken"}}};
  }();
  return kShape;
}

json::object IcebergCatalogJson(const IcebergCatalogRecord& r) {
  const CatalogConnectionConfig& c = r.config;
  const HttpAuthConfig& a = c.auth;
  json::object auth;
  auth["kind"] = std::string(AuthKindName(a.kind));
  auto put = [&auth](std::string_view key, const std::string& v) {
    if (!v.empty()) auth[key] = v;
  };
  put("clientId", a.client_id);
  put("scope", a.scope);
  put("tokenEndpoint", a.token_endpoint);
  put("signingName", a.service);
  put("region", a.region);
  put("accessKeyId", a.access_key_id);
  auth["tokenSet"] = !a.token.empty();
  auth["clientSecretSet"] = !a.client_secret.empty();
  auth["secretAccessKeySet"] = !a.secret_access_key.empty();
  auth["sessionTokenSet"] = !a.session_token.empty();
  json::object o;
  o["id"] = r.id;
  o["name"] = c.name;
  o["type"] = c.type;
  o["uri"] = c.uri;
  if (!c.catalog_id.empty()) o["catalogId"] = c.catalog_id;
  o["auth"] = std::move(auth);
  o["createdAt"] = r.created_ms;
  o["updatedAt"] = r.updated_ms;
  o["version"] = r.version;
  return o;
}

}  // namespace lakeshare
