// The admin API's routes for recipients, their grants and tokens: part of
// the table of admin_route.h (activation links: admin_routes_links.cc).
#include <boost/json.hpp>

#include "admin/admin_json.h"
#include "admin/admin_route.h"
#include "admin/admin_route_builders.h"
#include "admin/admin_service.h"
#include "admin/list_page.h"

namespace lakeshare {

namespace {

// Counted in milliseconds: a larger grace would wrap around (and revoke the
// old token at once instead of never).
constexpr int64_t kMaxGraceSeconds = 366LL * 24 * 3600;

namespace json = boost::json;
using Arg = CliArg;
using Cli = CliCommand;
using K = CliArg::Kind;
using T = FieldType;

// ------------------------------------------------------------ fields

std::vector<Field> RecipientFields(bool create) {
  return {
      {.name = "name",
       .type = T::kString,
       .required = create,
       .description = create ? "The recipient's name" : "A new name",
       .name_rules = NameKind::kRecipient},
      {.name = "comment",
       .type = T::kString,
       .description = "Free text (\"\" clears)",
       .max_length = CatalogAdminLimits::kComment},
      {.name = "ipAllowlist",
       .type = T::kStringList,
       .description = "Addresses or CIDR ranges (IPv4 or IPv6) the recipient may call from; "
                      "empty: any address",
       .max_length = CatalogAdminLimits::kAllowlistEntries},
      {"allShares", T::kBoolean, false, "Grant every share, present and future"},
      {.name = "rateLimitPerSecond",
       .type = T::kInteger,
       .description = create ? "The recipient's own request rate limit (0: unlimited), replacing "
                               "the server's default (rateLimit in the configuration)"
                             : "The recipient's own request rate limit (0: unlimited), replacing "
                               "the server's default; -1 removes it (the default applies)",
       .minimum = create ? 0 : RecipientUpdate::kClearRateLimit,
       .maximum = CatalogAdminLimits::kRateLimitPerSecond},
      {.name = "rateLimitBurst",
       .type = T::kInteger,
       .description = "Requests the recipient may make at once above its rate (default: one "
                      "second's worth); needs rateLimitPerSecond",
       .minimum = 1,
       .maximum = CatalogAdminLimits::kRateLimitPerSecond},
  };
}

// What a new recipient may be given in the same call.
const Shape& TokenRequestShape() {
  static const Shape kShape{"NewRecipientToken",
                            "A token to issue with the recipient (its profile is in the answer)",
                            {{"expirationTime", T::kTime, false, "When the token stops working"}}};
  return kShape;
}

const Shape& LinkRequestShape() {
  static const Shape kShape{
      "NewRecipientActivationLink",
      "An activation link to create with the recipient",
      {{"expirationTime", T::kTime, false, "When the link expires (default: in 7 days)"},
       {"tokenExpirationTime", T::kTime, false, "When the token it issues expires"}}};
  return kShape;
}

std::vector<Field> OnboardingFields() {
  return {
      {.name = "shares",
       .type = T::kStringList,
       .description = "Shares to grant, in the same transaction (each must exist)",
       .max_length = CatalogAdminLimits::kOnboardingShares},
      {.name = "token",
       .type = T::kObject,
       .description = "Issue a token now ({} for one that never expires); not with activationLink",
       .shape = &TokenRequestShape()},
      {.name = "activationLink",
       .type = T::kObject,
       .description = "Create an activation link now ({} for the defaults); not with token",
       .shape = &LinkRequestShape()},
  };
}

std::vector<Arg> RecipientArgs(bool create) {
  std::vector<Arg> args = {{K::kPositional, create ? "name" : "recipient", "recipient"}};
  if (!create) args.push_back({K::kOption, "name", "--name", "New name"});
  args.push_back({K::kOption, "comment", "--comment"});
  args.push_back({K::kOption, "ipAllowlist", "--ip",
                  "Allowed client address or CIDR range (repeatable; replaces the list; none: "
                  "any address)"});
  if (!create) args.push_back({K::kClear, "ipAllowlist", "--clear-ips", "Allow any address"});
  args.push_back(
      {K::kOption, "allShares", "--all-shares", "true: every share, present and future"});
  args.push_back({K::kOption, "rateLimitPerSecond", "--rate-limit",
                  create ? "Requests per second (0: unlimited; default: the server's)"
                         : "Requests per second (0: unlimited; -1: the server's default)"});
  args.push_back({K::kOption, "rateLimitBurst", "--rate-limit-burst"});
  return args;
}

Field ExpirationField(std::string_view name, std::string_view description) {
  return {name, T::kTime, false, description};
}

Arg Recipient() { return {K::kPositional, "recipient", "recipient"}; }

// ------------------------------------------------------------ recipients

Result<HttpResponse> ListRecipients(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(ListPage page, ListPage::Of(c.query));
  LS_ASSIGN_OR_RETURN(auto v, c.catalog.ListRecipients());
  return JsonAnswer(200, PageOf(v, page, NameOf<RecipientRecord>, RecipientJson));
}

// One call from nothing to a recipient that can read: created, granted and
// given a token or a link, all or nothing (CatalogAdmin::OnboardRecipient).
Result<HttpResponse> CreateRecipient(AdminCall& c) {
  RecipientOnboarding spec;
  RecipientSpec& r = spec.recipient;
  r.name = c.body.Required("name");
  c.object = "recipient:" + r.name;
  r.comment = c.body.String("comment");
  if (auto ips = c.body.StringList("ipAllowlist")) r.ip_allowlist = std::move(*ips);
  r.all_shares = c.body.Bool("allShares").value_or(false);
  r.rate_limit_per_second = c.body.Int("rateLimitPerSecond");
  r.rate_limit_burst = c.body.Int("rateLimitBurst");
  if (auto shares = c.body.StringList("shares")) spec.shares = std::move(*shares);
  if (c.body.Has("token")) spec.token = TokenIssue{c.body.Int("token.expirationTime")};
  if (c.body.Has("activationLink")) {
    spec.activation_link =
        ActivationLinkSpec{.expiration_ms = c.body.Int("activationLink.expirationTime")
                                                .value_or(c.now + c.options.activation_link_ttl_ms),
                           .token_expiration_ms = c.body.Int("activationLink.tokenExpirationTime")};
  }
  LS_ASSIGN_OR_RETURN(OnboardedRecipient done, c.catalog.OnboardRecipient(spec));
  json::object o = RecipientJson(done.recipient);
  if (c.body.Has("shares")) o["shares"] = StringArray(done.shares);
  if (done.token) o["profile"] = ProfileJson(*done.token, c.ProfileEndpoint());
  if (done.activation_link) {
    o["activationLink"] = NewActivationLinkJson(*done.activation_link, c.BaseUrl());
  }
  return JsonAnswer(201, o);
}

Result<HttpResponse> GetRecipient(AdminCall& c) {
  const std::string& recipient = c.Param("recipient");
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.GetRecipient(recipient));
  json::object o = RecipientJson(r);
  if (auto grants = c.catalog.ListGrants(recipient); grants.ok())
    o["shares"] = StringArray(*grants);
  return JsonAnswer(200, o);
}

Result<HttpResponse> UpdateRecipient(AdminCall& c) {
  RecipientUpdate u;
  u.name = c.body.String("name");
  u.comment = c.body.String("comment");
  u.ip_allowlist = c.body.StringList("ipAllowlist");
  u.all_shares = c.body.Bool("allShares");
  u.rate_limit_per_second = c.body.Int("rateLimitPerSecond");
  u.rate_limit_burst = c.body.Int("rateLimitBurst");
  LS_ASSIGN_OR_RETURN(auto version, ExpectedVersion(c));
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.UpdateRecipient(c.Param("recipient"), u, version));
  return JsonAnswer(200, RecipientJson(r));
}

Result<HttpResponse> DeleteRecipient(AdminCall& c) {
  LS_RETURN_IF_ERROR(c.catalog.DeleteRecipient(c.Param("recipient")));
  return NoContent();
}

// ------------------------------------------------------------ grants

Result<HttpResponse> ListGrants(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(auto v, c.catalog.ListGrants(c.Param("recipient")));
  json::object o;
  o["items"] = StringArray(v);
  return JsonAnswer(200, o);
}

Result<HttpResponse> GrantFromBody(AdminCall& c) {
  const std::string& recipient = c.Param("recipient");
  const std::string& share = c.body.Required("share");
  c.object = "grant:" + recipient + "/" + share;
  LS_RETURN_IF_ERROR(c.catalog.Grant(recipient, share));
  return NoContent();
}

Result<HttpResponse> Grant(AdminCall& c) {
  LS_RETURN_IF_ERROR(c.catalog.Grant(c.Param("recipient"), c.Param("share")));
  return NoContent();
}

Result<HttpResponse> RevokeGrant(AdminCall& c) {
  LS_RETURN_IF_ERROR(c.catalog.RevokeGrant(c.Param("recipient"), c.Param("share")));
  return NoContent();
}

// ------------------------------------------------------------ tokens

Result<HttpResponse> ListTokens(AdminCall& c) {
  LS_ASSIGN_OR_RETURN(auto v, c.catalog.ListTokens(c.Param("recipient")));
  const int64_t now = c.now;
  return JsonAnswer(200, Items(v, [now](const TokenRecord& t) { return TokenJson(t, now); }));
}

Result<HttpResponse> CreateToken(AdminCall& c) {
  const std::string& recipient = c.Param("recipient");
  LS_ASSIGN_OR_RETURN(auto r, c.catalog.CreateToken(recipient, c.body.Int("expirationTime")));
  c.object = "token:" + recipient + "/" + r.record.id;
  return JsonAnswer(201, ProfileJson(r, c.ProfileEndpoint()));
}

Result<HttpResponse> RotateToken(AdminCall& c) {
  const std::string& recipient = c.Param("recipient");
  // At most kMaxGraceSeconds (the field's maximum): no overflow in ms.
  const int64_t grace_ms = c.body.Int("graceSeconds").value_or(0) * 1000;
  LS_ASSIGN_OR_RETURN(auto r,
                      c.catalog.RotateToken(recipient, c.body.Int("expirationTime"), grace_ms));
  c.object = "token:" + recipient + "/" + r.record.id;
  return JsonAnswer(201, ProfileJson(r, c.ProfileEndpoint()));
}

Result<HttpResponse> RevokeToken(AdminCall& c) {
  LS_RETURN_IF_ERROR(c.catalog.RevokeToken(c.Param("recipient"), c.Param("id")));
  return NoContent();
}

}  // namespace

std::vector<AdminRoute> RecipientRoutes() {
  std::vector<AdminRoute> r;
  // ---------------------------------------------------------- recipients
  r.push_back(ListRoute(
      {.path = "/recipients",
       .id = "listRecipients",
       .group = &kRecipientGroup,
       .summary = "List recipients",
       .object = "recipients",
       .handler = ListRecipients},
      RecipientListShape(),
      ListCommand({"recipient", "list"}, "List recipients", {{K::kOption, "search", "--search"}},
                  {"name", "allShares", "ipAllowlist", "comment"})));
  std::vector<Field> create_fields = RecipientFields(true);
  for (Field& f : OnboardingFields()) create_fields.push_back(std::move(f));
  std::vector<Arg> create_args = RecipientArgs(true);
  create_args.insert(
      create_args.end(),
      {{K::kOption, "shares", "--share", "Grant this share (repeatable)"},
       {K::kClear, "token", "--token", "Issue a token and print its profile (shown once)"},
       {K::kDurationFromNow, "token.expirationTime", "--token-expires-in",
        "With --token: its expiry from now (90s, 15m, 12h, 30d)"},
       {K::kClear, "activationLink", "--link", "Create an activation link and print its URL"},
       {K::kDurationFromNow, "activationLink.expirationTime", "--link-expires-in",
        "With --link: the link's expiry from now (default 7d)"},
       {K::kDurationFromNow, "activationLink.tokenExpirationTime", "--link-token-expires-in",
        "With --link: the expiry of the token it issues, from now"}});
  AdminRoute create = CreateRoute(
      {.path = "/recipients",
       .id = "createRecipient",
       .group = &kRecipientGroup,
       .summary = "Create a recipient, optionally granting shares and issuing a token or link",
       .description = "All in one transaction: a share that does not exist leaves nothing "
                      "behind. Without shares and a token (or link) it reads nothing yet.",
       .object = "recipients",
       .handler = CreateRecipient},
      std::move(create_fields), NewRecipientShape(),
      {{StatusCode::kAlreadyExists, "the name is taken"},
       {StatusCode::kNotFound, "a share to grant does not exist"},
       {StatusCode::kInvalidArgument, "both token and activationLink, or an expiry in the past"}},
      {.path = {"recipient", "create"},
       .help = "Create a recipient (--share, --token or --link: ready to read in one step)",
       .args = std::move(create_args),
       .output = Cli::Output::kObjectAndProfile});
  r.push_back(std::move(create));
  r.push_back(ReadRoute({.path = "/recipients/{recipient}",
                         .id = "getRecipient",
                         .group = &kRecipientGroup,
                         .summary = "Get a recipient and the shares granted to it",
                         .object = "recipient:{recipient}",
                         .handler = GetRecipient},
                        RecipientDetailShape(),
                        {.path = {"recipient", "get"},
                         .help = "Show a recipient and its grants",
                         .args = {Recipient()}}));
  std::vector<Arg> update_args = RecipientArgs(false);
  update_args.push_back({K::kOption, "version", "--if-version",
                         "Refuse the change if the object's version is no longer this"});
  r.push_back(UpdateRoute({.path = "/recipients/{recipient}",
                           .id = "updateRecipient",
                           .group = &kRecipientGroup,
                           .summary = "Change a recipient",
                           .description = "Fields left out are kept.",
                           .object = "recipient:{recipient}",
                           .handler = UpdateRecipient},
                          RecipientFields(false), RecipientShape(),
                          {{StatusCode::kAlreadyExists, "the new name is taken"}},
                          {.path = {"recipient", "update"},
                           .help = "Change a recipient",
                           .args = std::move(update_args)}));
  r.push_back(DeleteRoute(
      {.path = "/recipients/{recipient}",
       .id = "deleteRecipient",
       .group = &kRecipientGroup,
       .summary = "Delete a recipient with its tokens, grants and links",
       .object = "recipient:{recipient}",
       .handler = DeleteRecipient},
      DoneCommand({"recipient", "delete"}, "Delete a recipient with its tokens, grants and links",
                  {Recipient()}, "deleted recipient {recipient}")));
  // ---------------------------------------------------------- grants
  r.push_back(ReadRoute(
      {.path = "/recipients/{recipient}/grants",
       .id = "listGrants",
       .group = &kGrantGroup,
       .summary = "List the shares granted to a recipient",
       .object = "recipient:{recipient}",
       .handler = ListGrants},
      GrantListShape(),
      ListCommand({"grant", "list"}, "List the shares granted to a recipient", {Recipient()})));
  r.push_back({
      .method = "POST",
      .path = "/recipients/{recipient}/grants",
      .id = "grantShareFromBody",
      .action = "grant",
      .group = &kGrantGroup,
      .summary = "Grant a share (named in the body)",
      .description = "Idempotent.",
      .body = {"", "", {{"share", T::kString, true, "The share to grant"}}},
      .status = 204,
      .object = "recipient:{recipient}",
      .handler = GrantFromBody,
      .same_as = "grantShare",
  });
  r.push_back({
      .method = "PUT",
      .also = {"POST"},
      .path = "/recipients/{recipient}/grants/{share}",
      .id = "grantShare",
      .action = "grant",
      .group = &kGrantGroup,
      .summary = "Grant a share",
      .description = "Idempotent.",
      .status = 204,
      .object = "grant:{recipient}/{share}",
      .handler = Grant,
      .cli = {{.path = {"grant", "add"},
               .help = "Grant a share to a recipient",
               .args = {Recipient(), {K::kPositional, "share", "share"}},
               .output = Cli::Output::kDone,
               .done = "granted {share} to {recipient}"}},
  });
  r.push_back(DeleteRoute({.path = "/recipients/{recipient}/grants/{share}",
                           .id = "revokeGrant",
                           .group = &kGrantGroup,
                           .summary = "Revoke a grant",
                           .description = "A grant that does not exist is 404.",
                           .object = "grant:{recipient}/{share}",
                           .handler = RevokeGrant},
                          DoneCommand({"grant", "remove"}, "Revoke a recipient's grant",
                                      {Recipient(), {K::kPositional, "share", "share"}},
                                      "revoked {share} from {recipient}")));
  // ---------------------------------------------------------- tokens
  const std::vector<Arg> expiry_args = {
      {K::kOption, "expirationTime", "--expires", "Expiry: ISO-8601 time"},
      {K::kDurationFromNow, "expirationTime", "--expires-in",
       "Expiry from now: 90s, 15m, 12h, 30d"},
  };
  const RouteError past{StatusCode::kInvalidArgument, "the expiration time is in the past"};
  r.push_back(
      ReadRoute({.path = "/recipients/{recipient}/tokens",
                 .id = "listTokens",
                 .group = &kTokenGroup,
                 .summary = "List a recipient's tokens (never their secrets)",
                 .object = "recipient:{recipient}",
                 .handler = ListTokens},
                TokenListShape(),
                ListCommand({"token", "list"}, "List a recipient's tokens (never the secrets)",
                            {Recipient()}, {"id", "live", "expirationTime", "revoked", "origin"})));
  r.push_back({
      .method = "POST",
      .path = "/recipients/{recipient}/tokens",
      .id = "createToken",
      .action = "createToken",
      .group = &kTokenGroup,
      .summary = "Issue a token; the answer is its profile file, shown this once",
      .body = {"", "", {ExpirationField("expirationTime", "When the token stops working")}},
      .body_optional = true,
      .status = 201,
      .response = &ProfileShape(),
      .errors = {past},
      .object = "recipient:{recipient}",
      .handler = CreateToken,
      .cli = {{.path = {"token", "create"},
               .help = "Issue a token and print its profile file (shown once)",
               .args = {Recipient(), expiry_args[0], expiry_args[1]},
               .output = Cli::Output::kProfile}},
  });
  r.push_back({
      .method = "POST",
      .path = "/recipients/{recipient}/tokens/rotate",
      .id = "rotateToken",
      .action = "rotateToken",
      .group = &kTokenGroup,
      .summary = "Issue a new token and retire the recipient's others",
      .description = "The other live tokens stop working now, or after graceSeconds (so clients "
                     "can switch over). The answer is the new profile file, shown this once.",
      .body = {"",
               "",
               {ExpirationField("expirationTime", "When the new token stops working"),
                {.name = "graceSeconds",
                 .type = T::kInteger,
                 .description = "How long the old tokens keep working (default 0, at most a year)",
                 .minimum = 0,
                 .maximum = kMaxGraceSeconds}}},
      .body_optional = true,
      .status = 201,
      .response = &ProfileShape(),
      .errors = {past},
      .object = "recipient:{recipient}",
      .handler = RotateToken,
      .cli = {{.path = {"token", "rotate"},
               .help = "Issue a new token; the recipient's other tokens end now or after --grace",
               .args = {Recipient(),
                        expiry_args[0],
                        expiry_args[1],
                        {K::kOption, "graceSeconds", "--grace-seconds",
                         "How long the old tokens keep working"}},
               .output = Cli::Output::kProfile}},
  });
  CliCommand revoke =
      DoneCommand({"token", "revoke"}, "Revoke a token (by id), or all of a recipient's tokens",
                  {Recipient(), {K::kOptionalPositional, "id", "token-id"}}, "revoked token {id}");
  revoke.extra = Cli::Extra::kRevokeAll;
  r.push_back(DeleteRoute({.path = "/recipients/{recipient}/tokens/{id}",
                           .id = "revokeToken",
                           .group = &kTokenGroup,
                           .summary = "Revoke a token",
                           .description = "Revoking a revoked token changes nothing.",
                           .object = "token:{recipient}/{id}",
                           .handler = RevokeToken},
                          std::move(revoke)));
  return r;
}

}  // namespace lakeshare
