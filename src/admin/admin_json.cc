#include "admin/admin_json.h"

#include <boost/json.hpp>
#include <optional>

#include "common/time_util.h"

namespace lakeshare {

namespace json = boost::json;

namespace {

using T = FieldType;

// Fields most objects carry.
Field Id() { return {"id", T::kString, true, "Stable id (a UUID unless given at creation)"}; }
Field CreatedAt() { return {"createdAt", T::kEpochMillis, true, "When it was created"}; }
Field UpdatedAt() { return {"updatedAt", T::kEpochMillis, true, "When it last changed"}; }
Field Version() {
  return {"version", T::kInteger, true,
          "Counts the object's changes: send it back (as \"version\" or If-Match) to have a "
          "change refused if someone else changed the object since you read it"};
}
Field ItemsOf(const Shape& item) {
  Field f{"items", T::kObjectList, true, "The objects, in name order"};
  f.shape = &item;
  return f;
}
Field NextPageToken() {
  return {"nextPageToken", T::kString, false, "Set when more items follow: pass it as pageToken"};
}

Field Names(std::string_view name, std::string_view description, bool required = false) {
  return {name, T::kStringList, required, description};
}

// `base` with more fields after its own.
Shape Extend(std::string_view name, std::string_view description, const Shape& base,
             std::vector<Field> more) {
  Shape s{name, description, base.fields};
  for (Field& f : more) s.fields.push_back(std::move(f));
  return s;
}

void PutOpt(json::object& o, std::string_view key, const std::optional<std::string>& v) {
  if (v) o[key] = *v;
}

}  // namespace

// ------------------------------------------------------------------ shapes

const Shape& ErrorShape() {
  static const Shape kShape{
      "Error",
      "Every error: an HTTP status of 400 or more with this body",
      {{"errorCode", T::kString, true,
        "Stable code, e.g. INVALID_PARAMETER_VALUE or RESOURCE_DOES_NOT_EXIST"},
       {"message", T::kString, true, "What went wrong, for people"}}};
  return kShape;
}

const Shape& SessionShape() {
  static const Shape kShape{
      "Session",
      "A session: send the token as \"Authorization: Bearer <token>\"",
      {{"token", T::kString, false, "The session token (shown once; absent with a cookie)"},
       {"csrfToken", T::kString, false, "With a cookie: send it as X-CSRF-Token on every write"},
       {"expiresAt", T::kEpochMillis, true, "Fixed at login: use does not extend it"},
       {"role", T::kString, true, "admin or viewer", 0, {}, {}, {}, {"admin", "viewer"}},
       {"username", T::kString, true, "The user logged in"}}};
  return kShape;
}

const Shape& CurrentSessionShape() {
  static const Shape kShape{
      "CurrentSession",
      "The caller's session",
      {{"username", T::kString, true, "The user logged in"},
       {"role", T::kString, true, "admin or viewer", 0, {}, {}, {}, {"admin", "viewer"}},
       {"expiresAt", T::kEpochMillis, true, "Fixed at login: use does not extend it"},
       {"csrfToken", T::kString, true,
        "What a cookie session sends as X-CSRF-Token on every write"}}};
  return kShape;
}

const Shape& ShareShape() {
  static const Shape kShape{
      "Share",
      "A share: schemas of tables given to recipients together",
      {Id(),
       {"name", T::kString, true, "Unique (case-insensitively); recipients see it"},
       {"displayName", T::kString, false, "Shown instead of the name where clients support it"},
       {"comment", T::kString, false, "Free text"},
       CreatedAt(),
       UpdatedAt(),
       Version()}};
  return kShape;
}

const Shape& ShareDetailShape() {
  static const Shape kShape = Extend("ShareDetail", "A share and who may read it", ShareShape(),
                                     {Names("recipients", "Recipients granted this share")});
  return kShape;
}

const Shape& ShareListShape() {
  static const Shape kShape{"ShareList", "Shares", {ItemsOf(ShareShape()), NextPageToken()}};
  return kShape;
}

const Shape& SchemaShape() {
  static const Shape kShape{"Schema",
                            "A schema of a share",
                            {Id(),
                             {"share", T::kString, true, "The share it belongs to"},
                             {"name", T::kString, true, "Unique in its share (case-insensitively)"},
                             CreatedAt(),
                             UpdatedAt(),
                             Version()}};
  return kShape;
}

const Shape& SchemaListShape() {
  static const Shape kShape{
      "SchemaList", "Schemas of a share", {ItemsOf(SchemaShape()), NextPageToken()}};
  return kShape;
}

const Shape& TableShape() {
  static const Shape kShape{
      "Table",
      "A shared table",
      {Id(),
       {"share", T::kString, true, "Its share"},
       {"schema", T::kString, true, "Its schema"},
       {"name", T::kString, true, "The name it is shared under (may differ from the source)"},
       {"location", T::kString, true, "Where the table lives: a path or a URI"},
       {"format",
        T::kString,
        true,
        "delta, iceberg or hudi",
        0,
        {},
        {},
        {},
        {"delta", "iceberg", "hudi"}},
       {"historyShared", T::kBoolean, true, "Recipients may time-travel and read changes"},
       {"startVersion", T::kInteger, true, "The first version recipients may read"},
       {"hudiView",
        T::kString,
        false,
        "Hudi tables: snapshot or read_optimized (base files only)",
        0,
        {},
        {},
        {},
        {"snapshot", "read_optimized"}},
       {"locationMap", T::kStringMap, false,
        "Iceberg tables: recorded location prefixes -> real locations (when the table has a map)"},
       {"partitionFilter", T::kString, false,
        "The partitions the share exposes (see the request field)"},
       {"comment", T::kString, false, "Free text"},
       CreatedAt(),
       UpdatedAt(),
       Version()}};
  return kShape;
}

const Shape& TableListShape() {
  static const Shape kShape{
      "TableList", "Tables of a schema", {ItemsOf(TableShape()), NextPageToken()}};
  return kShape;
}

const Shape& RecipientShape() {
  static const Shape kShape{
      "Recipient",
      "Someone who reads shares with a bearer token",
      {Id(),
       {"name", T::kString, true, "Unique (case-insensitively)"},
       {"comment", T::kString, false, "Free text"},
       Names("ipAllowlist", "Addresses or CIDR ranges the recipient may call from (empty: any)",
             true),
       {"allShares", T::kBoolean, true, "Granted every share, present and future"},
       {"rateLimitPerSecond", T::kInteger, false,
        "Its own request rate limit (0: unlimited); absent: the server's default"},
       {"rateLimitBurst", T::kInteger, false, "Its own burst; absent: one second's worth"},
       CreatedAt(),
       UpdatedAt(),
       Version()}};
  return kShape;
}

const Shape& RecipientDetailShape() {
  static const Shape kShape =
      Extend("RecipientDetail", "A recipient and what it may read", RecipientShape(),
             {Names("shares", "Shares granted explicitly (not those of allShares)")});
  return kShape;
}

const Shape& NewRecipientShape() {
  static const Shape kShape =
      Extend("NewRecipient", "A recipient as created, with what the same call granted and issued",
             RecipientShape(),
             {Names("shares", "Shares granted by this call"),
              {.name = "profile",
               .type = T::kObject,
               .description = "The profile file of the token issued (token given); shown once",
               .shape = &ProfileShape()},
              {.name = "activationLink",
               .type = T::kObject,
               .description = "The activation link created (activationLink given)",
               .shape = &NewActivationLinkShape()}});
  return kShape;
}

const Shape& RecipientListShape() {
  static const Shape kShape{
      "RecipientList", "Recipients", {ItemsOf(RecipientShape()), NextPageToken()}};
  return kShape;
}

const Shape& GrantListShape() {
  static const Shape kShape{
      "GrantList", "The shares granted to a recipient", {Names("items", "Share names", true)}};
  return kShape;
}

const Shape& TokenShape() {
  static const Shape kShape{
      "Token",
      "A recipient's bearer token (never its secret)",
      {Id(),
       {"recipient", T::kString, true, "Whose token it is"},
       CreatedAt(),
       {"expirationTime", T::kDateTime, false, "When it stops working"},
       {"revokedAt", T::kEpochMillis, false, "When it was revoked"},
       {"revoked", T::kBoolean, true, "Revoked (a rotation's grace period may still run)"},
       {"live", T::kBoolean, true, "Works now"},
       {"origin",
        T::kString,
        true,
        "api, config (imported) or activation (from a link)",
        0,
        {},
        {},
        {},
        {"api", "config", "activation"}}}};
  return kShape;
}

const Shape& TokenListShape() {
  static const Shape kShape{"TokenList", "A recipient's tokens", {ItemsOf(TokenShape())}};
  return kShape;
}

const Shape& ProfileShape() {
  static const Shape kShape{
      "Profile",
      "A Delta Sharing profile file: what a recipient's client needs (holds the secret token, "
      "shown this once)",
      {{"shareCredentialsVersion", T::kInteger, true, "Always 1"},
       {"endpoint", T::kString, true, "The sharing server's URL"},
       {"bearerToken", T::kString, true, "The recipient's secret token"},
       {"expirationTime", T::kDateTime, false, "When the token stops working"}}};
  return kShape;
}

const Shape& ActivationLinkShape() {
  static const Shape kShape{"ActivationLink",
                            "A one-time link from which a recipient downloads a profile",
                            {Id(),
                             {"recipient", T::kString, true, "Whose link it is"},
                             CreatedAt(),
                             {"expiresAt", T::kEpochMillis, true, "The link's own expiry"},
                             {"usedAt", T::kEpochMillis, false, "When it was redeemed"},
                             {"tokenId", T::kString, false, "The token its redemption issued"}}};
  return kShape;
}

const Shape& NewActivationLinkShape() {
  static const Shape kShape = Extend(
      "NewActivationLink", "A link as created", ActivationLinkShape(),
      {{"url", T::kString, true, "The link to give the recipient (holds its secret; shown once)"}});
  return kShape;
}

const Shape& ActivationLinkListShape() {
  static const Shape kShape{
      "ActivationLinkList", "A recipient's activation links", {ItemsOf(ActivationLinkShape())}};
  return kShape;
}

const Shape& UserShape() {
  static const Shape kShape{"User",
                            "A user of the admin API",
                            {Id(),
                             {"name", T::kString, true, "Unique (case-insensitively)"},
                             {"role",
                              T::kString,
                              true,
                              "admin, or viewer (reads only)",
                              0,
                              {},
                              {},
                              {},
                              {"admin", "viewer"}},
                             CreatedAt(),
                             UpdatedAt(),
                             Version()}};
  return kShape;
}

const Shape& UserListShape() {
  static const Shape kShape{
      "UserList", "Users of the admin API", {ItemsOf(UserShape()), NextPageToken()}};
  return kShape;
}

const Shape& AuditEntryShape() {
  static const Shape kShape{
      "AuditEntry",
      "One request: sharing or admin",
      {{"id", T::kInteger, true, "Increases with time"},
       {"time", T::kEpochMillis, true, "When it was made"},
       {"actorKind", T::kString, true, "recipient, admin, anonymous or system"},
       {"actor", T::kString, false, "The recipient's or admin user's name"},
       {"action", T::kString, true, "What was asked, e.g. queryTable or createShare"},
       {"object", T::kString, false, "What it was asked of, e.g. table:share.schema.table"},
       {"outcome",
        T::kString,
        true,
        "ok, denied (401/403), error, or aborted (the client went away)",
        0,
        {},
        {},
        {},
        {"ok", "denied", "error", "aborted"}},
       {"detail", T::kString, false, "Status code and error, or the error message"},
       {"numFiles", T::kInteger, false, "File lines sent (sharing queries and changes)"},
       {"remoteAddress", T::kString, false, "The client's address"},
       {"requestId", T::kString, false, "The request's id, when it had one"}}};
  return kShape;
}

const Shape& AuditPageShape() {
  Field items{"items", T::kObjectList, true, "Entries, newest first"};
  items.shape = &AuditEntryShape();
  static const Shape kShape{"AuditPage",
                            "A page of the audit log",
                            {items,
                             {"nextPageToken", T::kString, false,
                              "Set when more entries may follow: pass it as pageToken"}}};
  return kShape;
}

const Shape& OverviewShape() {
  static const Shape kCounts{
      "OverviewCounts",
      "How much the catalog holds",
      {{"shares", T::kInteger, true, "Shares"},
       {"schemas", T::kInteger, true, "Schemas of all shares"},
       {"tables", T::kInteger, true, "Tables of all shares"},
       {"recipients", T::kInteger, true, "Recipients"},
       {"activeTokens", T::kInteger, true,
        "Bearer tokens neither revoked nor expired (OAuth access tokens not included)"},
       {"oauthAccessTokens", T::kInteger, true,
        "Live OAuth access tokens (short-lived; never listed as expiring)"}}};
  static const Shape kExpiring{"ExpiringToken",
                               "A live token that expires soon",
                               {{"recipient", T::kString, true, "Whose token"},
                                {"id", T::kString, true, "The token's id"},
                                {"expirationTime", T::kDateTime, true, "When it stops working"}}};
  static const Shape kServer{"OverviewServer",
                             "This server",
                             {{"version", T::kString, true, "lakeshare's version"},
                              {"catalogBackend",
                               T::kString,
                               true,
                               "The catalog database",
                               0,
                               {},
                               {},
                               {},
                               {"sqlite", "postgresql"}}}};
  Field counts{"counts", T::kObject, true, "Counts"};
  counts.shape = &kCounts;
  Field expiring{"expiringTokens", T::kObjectList, true,
                 "Live bearer tokens expiring within 7 days, soonest first (at most 20); "
                 "OAuth access tokens are not listed"};
  expiring.shape = &kExpiring;
  Field audit{"recentAudit", T::kObjectList, true, "The 10 newest audit entries, newest first"};
  audit.shape = &AuditEntryShape();
  Field server{"server", T::kObject, true, "This server"};
  server.shape = &kServer;
  static const Shape kShape{"Overview",
                            "The catalog at a glance (the console's first page)",
                            {counts, expiring, audit, server}};
  return kShape;
}

const Shape& ActivationInfoShape() {
  static const Shape kShare{"ActivationInfoShare",
                            "A share the link gives access to",
                            {{"name", T::kString, true, "The share"},
                             Names("tables", "Its tables, as schema.table", true)}};
  Field shares{"shares", T::kObjectList, true, "What the recipient may read"};
  shares.shape = &kShare;
  static const Shape kShape{
      "ActivationInfo",
      "What an activation link gives (it is not redeemed by looking)",
      {{"recipient", T::kString, true, "Who the link is for"},
       shares,
       {"expiresAt", T::kDateTime, true, "When the link expires"},
       {"tokenExpirationTime", T::kDateTime, false, "When the token it issues will expire"}}};
  return kShape;
}

const Shape& OpenApiDocumentShape() {
  static const Shape kShape{"OpenApiDocument", "An OpenAPI 3 document", {}};
  return kShape;
}

// ------------------------------------------------------------------ writers

json::array StringArray(const std::vector<std::string>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& e : v) a.emplace_back(e);
  return a;
}

json::object ShareJson(const ShareRecord& s) {
  json::object o;
  o["id"] = s.id;
  o["name"] = s.name;
  PutOpt(o, "displayName", s.display_name);
  PutOpt(o, "comment", s.comment);
  o["createdAt"] = s.created_ms;
  o["updatedAt"] = s.updated_ms;
  o["version"] = s.version;
  return o;
}

json::object SchemaJson(const SchemaRecord& s) {
  json::object o;
  o["id"] = s.id;
  o["share"] = s.share;
  o["name"] = s.name;
  o["createdAt"] = s.created_ms;
  o["updatedAt"] = s.updated_ms;
  o["version"] = s.version;
  return o;
}

json::object TableJson(const TableRecord& t) {
  json::object o;
  o["id"] = t.id;
  o["share"] = t.share;
  o["schema"] = t.schema;
  o["name"] = t.name;
  o["location"] = t.location;
  o["format"] = t.format;
  o["historyShared"] = t.history_shared;
  o["startVersion"] = t.start_version;
  if (t.format == "hudi") o["hudiView"] = t.hudi_view;
  if (!t.location_map.empty()) {
    json::object map;
    for (const auto& [from, to] : t.location_map) map[from] = to;
    o["locationMap"] = std::move(map);
  }
  PutOpt(o, "partitionFilter", t.partition_filter);
  PutOpt(o, "comment", t.comment);
  o["createdAt"] = t.created_ms;
  o["updatedAt"] = t.updated_ms;
  o["version"] = t.version;
  return o;
}

json::object RecipientJson(const RecipientRecord& r) {
  json::object o;
  o["id"] = r.id;
  o["name"] = r.name;
  PutOpt(o, "comment", r.comment);
  o["ipAllowlist"] = StringArray(r.ip_allowlist);
  o["allShares"] = r.all_shares;
  if (r.rate_limit_per_second) o["rateLimitPerSecond"] = *r.rate_limit_per_second;
  if (r.rate_limit_burst) o["rateLimitBurst"] = *r.rate_limit_burst;
  o["createdAt"] = r.created_ms;
  o["updatedAt"] = r.updated_ms;
  o["version"] = r.version;
  return o;
}

json::object TokenJson(const TokenRecord& t, int64_t now_ms) {
  json::object o;
  o["id"] = t.id;
  o["recipient"] = t.recipient;
  o["createdAt"] = t.created_ms;
  if (t.expiration_ms) o["expirationTime"] = FormatIso8601Millis(*t.expiration_ms);
  if (t.revoked_ms) o["revokedAt"] = *t.revoked_ms;
  o["revoked"] = t.revoked_ms.has_value();
  o["live"] = t.live(now_ms);
  o["origin"] = t.origin;
  return o;
}

json::object UserJson(const AdminUserRecord& u) {
  json::object o;
  o["id"] = u.id;
  o["name"] = u.name;
  o["role"] = std::string(AdminRoleName(u.role));
  o["createdAt"] = u.created_ms;
  o["updatedAt"] = u.updated_ms;
  o["version"] = u.version;
  return o;
}

json::object ActivationLinkJson(const ActivationLinkRecord& l) {
  json::object o;
  o["id"] = l.id;
  o["recipient"] = l.recipient;
  o["createdAt"] = l.created_ms;
  o["expiresAt"] = l.expiration_ms;
  if (l.used_ms) o["usedAt"] = *l.used_ms;
  if (l.token_id) o["tokenId"] = *l.token_id;
  return o;
}

json::object AuditJson(const AuditEntry& e) {
  json::object o;
  o["id"] = e.id;
  o["time"] = e.time_ms;
  o["actorKind"] = e.actor_kind;
  PutOpt(o, "actor", e.actor_name);
  o["action"] = e.action;
  PutOpt(o, "object", e.object);
  o["outcome"] = e.outcome;
  PutOpt(o, "detail", e.detail);
  if (e.num_files) o["numFiles"] = *e.num_files;
  PutOpt(o, "remoteAddress", e.remote_address);
  PutOpt(o, "requestId", e.request_id);
  return o;
}

json::object NewActivationLinkJson(const IssuedActivationLink& l, const std::string& base_url) {
  json::object o = ActivationLinkJson(l.record);
  // In the fragment, which browsers never send: mail scanners and chat
  // previews neither use nor log the secret.
  o["url"] = base_url + "/console/activate#" + l.secret;
  return o;
}

json::object ProfileJson(const IssuedToken& t, const std::string& endpoint) {
  json::object o;
  o["shareCredentialsVersion"] = 1;
  o["endpoint"] = endpoint;
  o["bearerToken"] = t.token;
  if (t.record.expiration_ms) o["expirationTime"] = FormatIso8601Millis(*t.record.expiration_ms);
  return o;
}

}  // namespace lakeshare
