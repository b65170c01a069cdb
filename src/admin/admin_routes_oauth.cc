// The admin API's routes for recipients' OAuth clients (profile format
// version 2): part of the table of admin_route.h. The clients live in the
// catalog database (catalog/oauth_client_store.h); the token endpoint that
// uses them is protocol/oauth_token_endpoint.h.
#include <boost/json.hpp>

#include "admin/admin_json.h"
#include "admin/admin_oauth_json.h"
#include "admin/admin_route.h"
#include "admin/admin_route_builders.h"
#include "admin/admin_service.h"
#include "auth/jwt_key.h"
#include "catalog/oauth_client_store.h"

namespace lakeshare {

namespace {

using Arg = CliArg;
using Cli = CliCommand;
using K = CliArg::Kind;
using T = FieldType;

Arg Recipient() { return {K::kPositional, "recipient", "recipient"}; }
Arg Client() { return {K::kPositional, "client", "client-id"}; }

OAuthClientStore Store(AdminCall& c) { return OAuthClientStore(c.catalog.database()); }

Result<HttpResponse> ListClients(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(auto v, Store(c).ListClients(c.Param("recipient")));
  const int64_t now = c.now;
  return JsonAnswer(
      200, Items(v, [now](const OAuthClientRecord& r) { return OAuthClientJson(r, now); }));
}

Result<HttpResponse> CreateClient(AdminCall& c) {
  const std::string& recipient = c.Param("recipient");
  LS_ASSIGN_OR_RETURN(auto r, Store(c).CreateClient(recipient, c.body.Int("expirationTime")));
  c.object = "oauthClient:" + recipient + "/" + r.record.client_id;
  return JsonAnswer(201, OAuthSecretProfileJson(r, c.ProfileEndpoint()));
}

Result<HttpResponse> RevokeClient(AdminCall& c) {
  LS_RETURN_IF_ERROR(Store(c).RevokeClient(c.Param("recipient"), c.Param("client")));
  return NoContent();
}

Result<HttpResponse> AddKey(AdminCall& c) {
  const std::string& recipient = c.Param("recipient");
  const std::string& client = c.Param("client");
  OAuthClientStore store = Store(c);
  LS_ASSIGN_OR_RETURN(auto key, store.AddKey(recipient, client, c.body.String("keyId").value_or(""),
                                             c.body.Required("publicKey")));
  c.object = "oauthClient:" + recipient + "/" + client + "/" + key.key_id;
  OAuthClientRecord record;
  record.client_id = client;
  return JsonAnswer(201, OAuthKeyProfileJson(record, key, c.ProfileEndpoint()));
}

Result<HttpResponse> RemoveKey(AdminCall& c) {
  LS_RETURN_IF_ERROR(Store(c).RemoveKey(c.Param("recipient"), c.Param("client"), c.Param("keyId")));
  return NoContent();
}

}  // namespace

std::vector<AdminRoute> OAuthRoutes() {
  std::vector<AdminRoute> r;
  r.push_back(ReadRoute({.path = "/recipients/{recipient}/oauth-clients",
                         .id = "listOAuthClients",
                         .group = &kOAuthGroup,
                         .summary = "List a recipient's OAuth clients (never their secrets)",
                         .object = "recipient:{recipient}",
                         .handler = ListClients},
                        OAuthClientListShape(),
                        ListCommand({"oauth", "list"}, "List a recipient's OAuth clients",
                                    {Recipient()}, {"clientId", "live", "expirationTime"})));
  r.push_back({
      .method = "POST",
      .path = "/recipients/{recipient}/oauth-clients",
      .id = "createOAuthClient",
      .action = "createOAuthClient",
      .group = &kOAuthGroup,
      .summary = "Create an OAuth client; the answer is its profile file (version 2, "
                 "oauth_client_credentials), with the secret shown this once",
      .description = "The client gets short-lived access tokens from <endpoint>/oauth/token "
                     "with its id and secret, or with a JWT signed by a key registered "
                     "for it.",
      .body = {"", "", {{"expirationTime", T::kTime, false, "When the client stops working"}}},
      .body_optional = true,
      .status = 201,
      .response = &OAuthSecretProfileShape(),
      .errors = {{StatusCode::kInvalidArgument, "the expiration time is in the past"}},
      .object = "recipient:{recipient}",
      .handler = CreateClient,
      .cli = {{.path = {"oauth", "create"},
               .help = "Create an OAuth client and print its profile file (secret shown once)",
               .args = {Recipient(),
                        {K::kOption, "expirationTime", "--expires", "Expiry: ISO-8601 time"},
                        {K::kDurationFromNow, "expirationTime", "--expires-in",
                         "Expiry from now: 90s, 15m, 12h, 30d"}},
               .output = Cli::Output::kProfile}},
  });
  r.push_back(
      DeleteRoute({.path = "/recipients/{recipient}/oauth-clients/{client}",
                   .id = "revokeOAuthClient",
                   .group = &kOAuthGroup,
                   .summary = "Revoke an OAuth client and the access tokens it was issued",
                   .description = "Revoking a revoked client changes nothing.",
                   .object = "oauthClient:{recipient}/{client}",
                   .handler = RevokeClient},
                  DoneCommand({"oauth", "revoke"}, "Revoke an OAuth client and its access tokens",
                              {Recipient(), Client()}, "revoked OAuth client {client}")));
  r.push_back({
      .method = "POST",
      .path = "/recipients/{recipient}/oauth-clients/{client}/keys",
      .id = "addOAuthClientKey",
      .action = "addOAuthClientKey",
      .group = &kOAuthGroup,
      .summary = "Register a public key; the answer is the profile file (version 2, "
                 "oauth_jwt_bearer_private_key_jwt) for its private half",
      .description = "RSA (2048 bits or more, RS256) or EC P-256 (ES256), as PEM or JWK. "
                     "Set privateKeyFile in the profile to where the recipient keeps the "
                     "private key.",
      .body = {"",
               "",
               {{.name = "publicKey",
                 .type = T::kString,
                 .required = true,
                 .description = "The public key: PEM (\"-----BEGIN PUBLIC KEY-----\") or a "
                                "JWK's JSON text",
                 .max_length = kMaxPublicKeyBytes},
                {.name = "keyId",
                 .type = T::kString,
                 .description = "Its id (the assertions' \"kid\"); default: the JWK's kid, "
                                "else \"default\"",
                 .max_length = kMaxOAuthKeyIdLength}}},
      .status = 201,
      .response = &OAuthKeyProfileShape(),
      .errors = {{StatusCode::kInvalidArgument, "the key is not an accepted public key"},
                 {StatusCode::kFailedPrecondition,
                  "the key id is taken, or the client has its maximum of keys"}},
      .object = "oauthClient:{recipient}/{client}",
      .handler = AddKey,
      .cli = {{.path = {"oauth", "add-key"},
               .help = "Register a public key for an OAuth client and print its profile file",
               .args = {Recipient(),
                        Client(),
                        {K::kOption, "publicKey", "--public-key", "The public key (PEM or JWK)"},
                        {K::kOption, "keyId", "--key-id"}},
               .output = Cli::Output::kProfile}},
  });
  r.push_back(
      DeleteRoute({.path = "/recipients/{recipient}/oauth-clients/{client}/keys/{keyId}",
                   .id = "removeOAuthClientKey",
                   .group = &kOAuthGroup,
                   .summary = "Remove a public key of an OAuth client",
                   .object = "oauthClient:{recipient}/{client}/{keyId}",
                   .handler = RemoveKey},
                  DoneCommand({"oauth", "remove-key"}, "Remove a public key of an OAuth client",
                              {Recipient(), Client(), {K::kPositional, "keyId", "key-id"}},
                              "removed key {keyId}")));
  return r;
}

}  // namespace lakeshare
