// The admin API's routes for Iceberg catalog connections: part of the table
// of admin_route.h. The connections live in the catalog database
// (catalog/iceberg_catalog_store.h); the server reads them beside the
// config's (catalog/iceberg_catalog_sync.h). Secrets are write-only: bodies
// take them, answers say only whether each is set, and neither the audit
// record nor the log ever holds one.
#include <boost/json.hpp>

#include "admin/admin_iceberg_json.h"
#include "admin/admin_route.h"
#include "admin/admin_route_builders.h"
#include "admin/admin_service.h"
#include "admin/list_page.h"
#include "catalog/iceberg_catalog_store.h"

namespace lakeshare {

namespace {

using Arg = CliArg;
using Cli = CliCommand;
using K = CliArg::Kind;
using T = FieldType;
using Limits = IcebergCatalogLimits;

IcebergCatalogStore Store(const AdminCall& c) {
  return IcebergCatalogStore(c.catalog.database(), c.options.config_iceberg_catalogs);
}

void Changed(const AdminCall& c) {
  if (c.options.iceberg_catalogs_changed) c.options.iceberg_catalogs_changed();
}

Arg Name() { return {K::kPositional, "catalog", "name"}; }

const std::string& NameOfCatalog(const IcebergCatalogRecord& r) { return r.config.name; }

Result<HttpResponse> ListCatalogs(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(ListPage page, ListPage::Of(c.query));
  LS_ASSIGN_OR_RETURN(auto v, Store(c).List());
  return JsonAnswer(200, PageOf(v, page, NameOfCatalog, IcebergCatalogJson));
}

Result<HttpResponse> GetCatalog(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(auto r, Store(c).Get(c.Param("catalog")));
  return JsonAnswer(200, IcebergCatalogJson(r));
}

Result<HttpResponse> CreateCatalog(AdminCall& c) {
  CatalogConnectionConfig spec;
  spec.name = c.body.Required("name");
  c.object = "icebergCatalog:" + spec.name;
  spec.type = AsciiLower(c.body.String("type").value_or("rest"));
  spec.uri = c.body.String("uri").value_or("");
  spec.catalog_id = c.body.String("catalogId").value_or("");
  HttpAuthConfig& a = spec.auth;
  LS_ASSIGN_OR_RETURN(
      a.kind,
      ParseAuthKind(c.body.String("auth.kind").value_or(spec.type == "glue" ? "sigv4" : "none")));
  a.token = c.body.String("auth.token").value_or("");
  a.client_id = c.body.String("auth.clientId").value_or("");
  a.client_secret = c.body.String("auth.clientSecret").value_or("");
  // As the config: OAuth2 asks for scope "catalog" unless told otherwise.
  a.scope =
      c.body.String("auth.scope")
          .value_or(a.kind == HttpAuthConfig::Kind::kOAuth2 && !c.body.Has("auth.scope") ? "catalog"
                                                                                         : "");
  a.token_endpoint = c.body.String("auth.tokenEndpoint").value_or("");
  a.service = c.body.String("auth.signingName").value_or("");
  a.region = c.body.String("auth.region").value_or("");
  a.access_key_id = c.body.String("auth.accessKeyId").value_or("");
  a.secret_access_key = c.body.String("auth.secretAccessKey").value_or("");
  a.session_token = c.body.String("auth.sessionToken").value_or("");
  LS_ASSIGN_OR_RETURN(auto r, Store(c).Create(std::move(spec)));
  Changed(c);
  return JsonAnswer(201, IcebergCatalogJson(r));
}

Result<HttpResponse> UpdateCatalog(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(auto version, ExpectedVersion(c));
  IcebergCatalogUpdate u;
  u.type = c.body.String("type");
  u.uri = c.body.String("uri");
  u.catalog_id = c.body.String("catalogId");
  u.auth_kind = c.body.String("auth.kind");
  u.token = c.body.String("auth.token");
  u.client_id = c.body.String("auth.clientId");
  u.client_secret = c.body.String("auth.clientSecret");
  u.scope = c.body.String("auth.scope");
  u.token_endpoint = c.body.String("auth.tokenEndpoint");
  u.signing_name = c.body.String("auth.signingName");
  u.region = c.body.String("auth.region");
  u.access_key_id = c.body.String("auth.accessKeyId");
  u.secret_access_key = c.body.String("auth.secretAccessKey");
  u.session_token = c.body.String("auth.sessionToken");
  LS_ASSIGN_OR_RETURN(auto r, Store(c).Update(c.Param("catalog"), u, version));
  Changed(c);
  return JsonAnswer(200, IcebergCatalogJson(r));
}

Result<HttpResponse> DeleteCatalog(AdminCall& c) {
  LS_RETURN_IF_ERROR(Store(c).Delete(c.Param("catalog")));
  Changed(c);
  return NoContent();
}

Field AuthField(std::string_view description) {
  Field f{"auth", T::kObject, false, description};
  f.shape = &IcebergCatalogAuthRequestShape();
  return f;
}

// The fields of create and update; `name` for create only.
std::vector<Field> BodyFields(bool create) {
  std::vector<Field> out;
  if (create) {
    out.push_back({.name = "name",
                   .type = T::kString,
                   .required = true,
                   .description = "Letters, digits, '.', '_' and '-'; unique (case-insensitively, "
                                  "also among the config's): glue://<name>/<db>/<table> names it",
                   .max_length = Limits::kName});
  }
  out.push_back({.name = "type",
                 .type = T::kString,
                 .description = create ? "rest (default) or glue" : "rest or glue",
                 .enum_values = {"rest", "glue"}});
  out.push_back({.name = "uri",
                 .type = T::kString,
                 .description = "rest: the catalog's base URL, before /v1 (tables located under "
                                "it use this connection); glue: the endpoint (default "
                                "https://glue.<region>.amazonaws.com)",
                 .max_length = Limits::kUrl});
  out.push_back({.name = "catalogId",
                 .type = T::kString,
                 .description = "glue: the account id of the catalog (default: the caller's)",
                 .max_length = Limits::kText});
  out.push_back(AuthField(create ? "How to log in (default: none; glue: sigv4)"
                                 : "What changes in how to log in: a secret left out is kept; a "
                                   "new kind drops the settings of the old one"));
  return out;
}

// The command-line arguments of add and update (after the name).
std::vector<Arg> CliArgs() {
  return {Name(),
          {K::kOption, "type", "--type"},
          {K::kOption, "uri", "--uri"},
          {K::kOption, "catalogId", "--catalog-id"},
          {K::kOption, "auth.kind", "--auth"},
          {K::kOption, "auth.clientId", "--client-id"},
          {K::kSecretFile, "auth.clientSecret", "--client-secret-file",
           "oauth2: a file holding the client secret (- for stdin; or "
           "$LAKESHARE_CATALOG_CLIENT_SECRET)",
           "LAKESHARE_CATALOG_CLIENT_SECRET"},
          {K::kOption, "auth.scope", "--scope"},
          {K::kOption, "auth.tokenEndpoint", "--token-endpoint"},
          {K::kSecretFile, "auth.token", "--token-file",
           "bearer: a file holding the token (- for stdin; or $LAKESHARE_CATALOG_TOKEN)",
           "LAKESHARE_CATALOG_TOKEN"},
          {K::kOption, "auth.signingName", "--signing-name"},
          {K::kOption, "auth.region", "--region"},
          {K::kOption, "auth.accessKeyId", "--access-key-id"},
          {K::kSecretFile, "auth.secretAccessKey", "--secret-access-key-file",
           "sigv4: a file holding the secret access key (- for stdin; or "
           "$LAKESHARE_CATALOG_SECRET_ACCESS_KEY)",
           "LAKESHARE_CATALOG_SECRET_ACCESS_KEY"},
          {K::kSecretFile, "auth.sessionToken", "--session-token-file",
           "sigv4: a file holding the session token (- for stdin; or "
           "$LAKESHARE_CATALOG_SESSION_TOKEN)",
           "LAKESHARE_CATALOG_SESSION_TOKEN"}};
}

std::vector<Arg> CreateCliArgs() {
  std::vector<Arg> out = CliArgs();
  out.front() = {K::kPositional, "name", "name"};
  return out;
}

}  // namespace

std::vector<AdminRoute> IcebergCatalogRoutes() {
  std::vector<AdminRoute> r;
  r.push_back(
      ListRoute({.path = "/iceberg-catalogs",
                 .id = "listIcebergCatalogs",
                 .group = &kIcebergCatalogGroup,
                 .summary = "List the Iceberg catalog connections of the catalog database "
                            "(never their secrets)",
                 .description = "The config file's icebergCatalogs are not listed.",
                 .handler = ListCatalogs},
                IcebergCatalogListShape(),
                ListCommand({"iceberg-catalog", "list"}, "List the Iceberg catalog connections",
                            {{K::kOption, "search", "--search"}}, {"name", "type", "uri"})));
  r.back().cli.front().extra = Cli::Extra::kAllPages;
  r.push_back(CreateRoute(
      {.path = "/iceberg-catalogs",
       .id = "createIcebergCatalog",
       .group = &kIcebergCatalogGroup,
       .summary = "Add an Iceberg catalog connection (an icebergCatalogs entry)",
       .description = "Checked as the config's entries are. The server uses it from its next "
                      "request to the catalog on; the answer never holds a secret.",
       .object = "icebergCatalog",
       .handler = CreateCatalog},
      BodyFields(true), IcebergCatalogShape(),
      {{StatusCode::kAlreadyExists,
        "the name is taken (here or in the config file), or another REST catalog has "
        "the uri"},
       {StatusCode::kFailedPrecondition, "the catalog holds its maximum of 1000"}},
      {.path = {"iceberg-catalog", "add"},
       .help = "Add an Iceberg catalog connection (secrets from files or the "
               "environment, never the command line)",
       .args = CreateCliArgs()}));
  r.push_back(ReadRoute({.path = "/iceberg-catalogs/{catalog}",
                         .id = "getIcebergCatalog",
                         .group = &kIcebergCatalogGroup,
                         .summary = "An Iceberg catalog connection (never its secrets)",
                         .object = "icebergCatalog:{catalog}",
                         .handler = GetCatalog},
                        IcebergCatalogShape(),
                        {.path = {"iceberg-catalog", "get"},
                         .help = "Show an Iceberg catalog connection",
                         .args = {Name()}}));
  r.push_back(UpdateRoute(
      {.path = "/iceberg-catalogs/{catalog}",
       .id = "updateIcebergCatalog",
       .group = &kIcebergCatalogGroup,
       .summary = "Change an Iceberg catalog connection (e.g. rotate its secret)",
       .description = "Fields left out are kept, secrets too; an empty text clears a field. "
                      "The server's next request to the catalog uses the change.",
       .object = "icebergCatalog:{catalog}",
       .handler = UpdateCatalog},
      BodyFields(false), IcebergCatalogShape(),
      {{StatusCode::kAlreadyExists, "another REST catalog has the uri"}},
      {.path = {"iceberg-catalog", "update"},
       .help = "Change an Iceberg catalog connection (a secret not given is kept)",
       .args = CliArgs()}));
  r.push_back(DeleteRoute(
      {.path = "/iceberg-catalogs/{catalog}",
       .id = "deleteIcebergCatalog",
       .group = &kIcebergCatalogGroup,
       .summary = "Remove an Iceberg catalog connection",
       .description = "Refused (400) while a shared Iceberg table's location names it: the "
                      "message lists them.",
       .object = "icebergCatalog:{catalog}",
       .handler = DeleteCatalog},
      DoneCommand({"iceberg-catalog", "remove"}, "Remove an Iceberg catalog connection", {Name()},
                  "removed Iceberg catalog {catalog}")));
  r.back().errors = {{StatusCode::kFailedPrecondition, "a shared table still uses it"}};
  return r;
}

}  // namespace lakeshare
