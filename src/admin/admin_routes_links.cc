// The admin API's routes for one-time activation links: creating, listing
// and revoking them (admins), and what the recipient does with one (public:
// look at it, redeem it). Part of the table of admin_route.h.
#include <boost/json.hpp>

#include "admin/admin_json.h"
#include "admin/admin_route.h"
#include "admin/admin_route_builders.h"
#include "admin/admin_service.h"
#include "common/time_util.h"

namespace lakeshare {

namespace {

namespace json = boost::json;
using Cli = CliCommand;
using K = CliArg::Kind;
using T = FieldType;

Field ExpirationField(std::string_view name, std::string_view description) {
  return {name, T::kTime, false, description};
}

CliArg Recipient() { return {K::kPositional, "recipient", "recipient"}; }

Result<HttpResponse> ListLinks(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(auto v, c.catalog.ListActivationLinks(c.Param("recipient")));
  return JsonAnswer(200, Items(v, ActivationLinkJson));
}

Result<HttpResponse> CreateLink(AdminCall& c) {
  ActivationLinkSpec spec;
  spec.expiration_ms =
      c.body.Int("expirationTime").value_or(c.now + c.options.activation_link_ttl_ms);
  spec.token_expiration_ms = c.body.Int("tokenExpirationTime");
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.CreateActivationLink(c.Param("recipient"), spec));
  return JsonAnswer(201, NewActivationLinkJson(r, c.BaseUrl()));
}

Result<HttpResponse> RedeemLink(AdminCall& c) {
  c.actor_kind = "anonymous";
  LS_ASSIGN_OR_RETURN(auto red, c.catalog.RedeemActivationLink(c.Param("secret")));
  c.actor_kind = "recipient";
  c.actor_name = red.link.recipient;
  c.object = "recipient:" + red.link.recipient;
  HttpResponse resp = JsonAnswer(200, ProfileJson(red.token, c.ProfileEndpoint()));
  resp.SetHeader("Content-Disposition", "attachment; filename=\"config.share\"");
  return resp;
}

// A GET must not redeem (link scanners follow links): it sends the browser
// to the console's page, which asks before redeeming.
Result<HttpResponse> OpenLink(AdminCall& c) {
  HttpResponse resp;
  resp.status = 303;
  resp.SetHeader("Location", "/console/activate#" + c.Param("secret"));
  return resp;
}

Result<HttpResponse> LinkInfo(AdminCall& c) {
  c.actor_kind = "anonymous";
  LS_ASSIGN_OR_RETURN(ActivationLinkRecord link,
                      c.catalog.PeekActivationLink(c.Param("secret"), c.now));
  LS_ASSIGN_OR_RETURN(RecipientRecord recipient, c.catalog.GetRecipient(link.recipient));
  std::vector<std::string> shares;
  if (recipient.all_shares) {
    LS_ASSIGN_OR_RETURN(auto all, c.catalog.ListShares());
    for (const ShareRecord& s : all) shares.push_back(s.name);
  } else {
    LS_ASSIGN_OR_RETURN(shares, c.catalog.ListGrants(link.recipient));
  }
  json::array out;
  for (const std::string& share : shares) {
    json::array tables;
    LS_ASSIGN_OR_RETURN(auto schemas, c.catalog.ListSchemas(share));
    for (const SchemaRecord& schema : schemas) {
      LS_ASSIGN_OR_RETURN(auto v, c.catalog.ListTables(share, std::string_view(schema.name)));
      for (const TableRecord& t : v) tables.emplace_back(schema.name + "." + t.name);
    }
    out.push_back(json::object{{"name", share}, {"tables", std::move(tables)}});
  }
  json::object o;
  o["recipient"] = link.recipient;
  o["shares"] = std::move(out);
  o["expiresAt"] = FormatIso8601Millis(link.expiration_ms);
  if (link.token_expiration_ms) {
    o["tokenExpirationTime"] = FormatIso8601Millis(*link.token_expiration_ms);
  }
  return JsonAnswer(200, o);
}

Result<HttpResponse> RevokeLink(AdminCall& c) {
  LS_RETURN_IF_ERROR(c.catalog.DeleteActivationLink(c.Param("recipient"), c.Param("id")));
  return NoContent();
}

}  // namespace

std::vector<AdminRoute> LinkRoutes() {
  const RouteError past{StatusCode::kInvalidArgument, "the expiration time is in the past"};
  std::vector<AdminRoute> r;
  r.push_back(
      ReadRoute({.path = "/recipients/{recipient}/activation-links",
                 .id = "listActivationLinks",
                 .group = &kLinkGroup,
                 .summary = "List a recipient's activation links (never their secrets)",
                 .object = "recipient:{recipient}",
                 .handler = ListLinks},
                ActivationLinkListShape(),
                ListCommand({"link", "list"}, "List a recipient's activation links", {Recipient()},
                            {"id", "createdAt", "expiresAt", "usedAt", "tokenId"})));
  r.push_back({
      .method = "POST",
      .path = "/recipients/{recipient}/activation-links",
      .id = "createActivationLink",
      .action = "createActivationLink",
      .group = &kLinkGroup,
      .summary = "Create a one-time activation link",
      .description = "The recipient downloads a profile from the link once; that issues a new "
                     "token.",
      .body = {"",
               "",
               {ExpirationField("expirationTime", "When the link expires (default: in 7 days)"),
                ExpirationField("tokenExpirationTime", "When the token it issues expires")}},
      .body_optional = true,
      .status = 201,
      .response = &NewActivationLinkShape(),
      .errors = {past},
      .object = "recipient:{recipient}",
      .handler = CreateLink,
      .cli = {{.path = {"link", "create"},
               .help = "Create a link from which the recipient downloads a profile once",
               .args = {Recipient(),
                        {K::kOption, "expirationTime", "--expires",
                         "Link expiry: ISO-8601 (default 7 days)"},
                        {K::kDurationFromNow, "expirationTime", "--expires-in",
                         "Link expiry from now: 12h, 7d"},
                        {K::kOption, "tokenExpirationTime", "--token-expires",
                         "Expiry of the token it issues"},
                        {K::kDurationFromNow, "tokenExpirationTime", "--token-expires-in",
                         "Expiry of the token it issues, from now: 30d"}}}},
  });
  AdminRoute revoke = DeleteRoute(
      {.path = "/recipients/{recipient}/activation-links/{id}",
       .id = "revokeActivationLink",
       .group = &kLinkGroup,
       .summary = "Revoke an unused activation link",
       .object = "link:{recipient}/{id}",
       .handler = RevokeLink},
      DoneCommand({"link", "revoke"}, "Revoke an unused activation link",
                  {Recipient(), {K::kPositional, "id", "link-id"}}, "revoked link {id}"));
  revoke.errors = {{StatusCode::kNotFound, "no such unused link of this recipient"}};
  r.push_back(std::move(revoke));
  r.push_back({
      .method = "GET",
      .path = "/activate/{secret}/info",
      .id = "getActivationLinkInfo",
      .action = "getActivationLinkInfo",
      .access = RouteAccess::kPublic,
      .group = &kLinkGroup,
      .summary = "What an activation link gives, without redeeming it",
      .description = "For the page the recipient opens. Unknown, used and expired links get one "
                     "answer (404).",
      .response = &ActivationInfoShape(),
      .audited = false,
      .handler = LinkInfo,
      .cli = {{.path = {"link", "info"},
               .help = "Show what an activation link gives, without redeeming it",
               .args = {{K::kPositional, "secret", "secret",
                         "The part of the link's URL after #"}}}},
  });
  r.push_back({
      .method = "GET",
      .path = "/activate/{secret}",
      .id = "openActivationLink",
      .action = "getActivationLinkInfo",  // where it leads
      .access = RouteAccess::kPublic,
      .group = &kLinkGroup,
      .summary = "Opening a link in a browser: 303 to the console's activation page",
      .description = "Never redeems: link scanners and previews follow GETs.",
      .status = 303,
      .audited = false,
      .handler = OpenLink,
      .same_as = "getActivationLinkInfo",
  });
  r.push_back({
      .method = "POST",
      .path = "/activate/{secret}",
      .id = "redeemActivationLink",
      .action = "redeemActivationLink",
      .access = RouteAccess::kPublic,
      .group = &kLinkGroup,
      .summary = "Redeem an activation link: the profile, once",
      .response = &ProfileShape(),
      .errors = {{StatusCode::kFailedPrecondition, "the link was used already, or has expired"}},
      .handler = RedeemLink,
      .cli = {{.path = {"link", "redeem"},
               .help = "Redeem an activation link (as its recipient would) and print the profile",
               .args = {{K::kPositional, "secret", "secret", "The part of the link's URL after #"}},
               .output = Cli::Output::kProfile}},
  });
  return r;
}

}  // namespace lakeshare
