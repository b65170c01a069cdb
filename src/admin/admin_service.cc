#include "admin/admin_service.h"

#include <boost/json.hpp>
#include <charconv>
#include <optional>
#include <utility>
#include <vector>

#include "auth/token.h"
#include "common/names.h"
#include "common/time_util.h"
#include "server/errors.h"

namespace lakeshare {

namespace json = boost::json;

// ------------------------------------------------------------------ helpers

struct AdminService::Call {
  HttpRequest& req;
  std::vector<std::string> seg{};  // decoded path segments after /api/v1/
  std::optional<Session> session{};
  std::string action = "unknown";
  std::optional<std::string> object{};
  std::string actor_kind = "admin";
  std::optional<std::string> actor_name{};
  std::optional<std::string> detail{};
  bool audit = true;
};

namespace {

constexpr std::string_view kPrefix = "/api/v1/";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes one path segment ('+' stays a plus).
Result<std::string> DecodeSegment(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) {
      return Status::InvalidArgument("malformed percent-escape in path");
    }
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("malformed percent-escape in path");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Result<std::vector<std::string>> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  path.remove_prefix(kPrefix.size());
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    LS_ASSIGN_OR_RETURN(std::string decoded, DecodeSegment(part));
    if (decoded.empty()) return Status::InvalidArgument("empty path segment");
    out.push_back(std::move(decoded));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

HttpResponse JsonResponse(int status, const json::value& v) {
  HttpResponse r;
  r.status = status;
  r.SetHeader("Content-Type", "application/json");
  r.SetHeader("Cache-Control", "no-store");
  r.body = json::serialize(v);
  return r;
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

// A parsed request body: an object (an empty body counts as {}).
Result<json::object> ParseBody(const HttpRequest& req, bool allow_empty) {
  std::string_view body = req.body;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    if (allow_empty) return json::object{};
    return Status::InvalidArgument("request body must be a JSON object");
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return Status::InvalidArgument("malformed JSON body: " + ec.message());
  if (!v.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return std::move(v.as_object());
}

Result<std::optional<std::string>> OptString(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<std::string>{};
  if (!it->value().is_string()) {
    return Status::InvalidArgument("field '" + std::string(key) + "' must be a string");
  }
  return std::optional<std::string>(std::string(it->value().as_string()));
}

// A partition filter: its text, or the JSON predicate tree as an object
// (kept as its compact JSON text).
Result<std::optional<std::string>> OptFilter(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it != o.end() && it->value().is_object()) {
    return std::optional<std::string>(json::serialize(it->value()));
  }
  auto v = OptString(o, key);
  if (!v.ok()) {
    return Status::InvalidArgument("field '" + std::string(key) +
                                   "' must be a string or a JSON predicate object");
  }
  return v;
}

Result<std::string> ReqString(const json::object& o, std::string_view key) {
  LS_ASSIGN_OR_RETURN(auto v, OptString(o, key));
  if (!v || v->empty()) {
    return Status::InvalidArgument("field '" + std::string(key) + "' is required");
  }
  return std::move(*v);
}

Result<std::optional<bool>> OptBool(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<bool>{};
  if (!it->value().is_bool()) {
    return Status::InvalidArgument("field '" + std::string(key) + "' must be a boolean");
  }
  return std::optional<bool>(it->value().as_bool());
}

Result<std::optional<int64_t>> OptInt(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<int64_t>{};
  const json::value& v = it->value();
  if (v.is_int64()) return std::optional<int64_t>(v.as_int64());
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return std::optional<int64_t>(static_cast<int64_t>(v.as_uint64()));
  }
  return Status::InvalidArgument("field '" + std::string(key) + "' must be an integer");
}

Result<std::optional<std::vector<std::string>>> OptStringList(const json::object& o,
                                                              std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<std::vector<std::string>>{};
  if (!it->value().is_array()) {
    return Status::InvalidArgument("field '" + std::string(key) + "' must be an array of strings");
  }
  std::vector<std::string> out;
  for (const auto& e : it->value().as_array()) {
    if (!e.is_string()) {
      return Status::InvalidArgument("field '" + std::string(key) +
                                     "' must be an array of strings");
    }
    out.emplace_back(e.as_string());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

// An absolute time given as ISO-8601 text or as epoch milliseconds.
Result<std::optional<int64_t>> OptTime(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<int64_t>{};
  if (it->value().is_string()) {
    auto t = ParseTimestampMillis(it->value().as_string());
    if (!t.ok()) {
      return Status::InvalidArgument("field '" + std::string(key) + "': " + t.status().message());
    }
    return std::optional<int64_t>(*t);
  }
  return OptInt(o, key);
}

Result<int64_t> ParseInt(std::string_view text, std::string_view what) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return Status::InvalidArgument("'" + std::string(what) + "' must be an integer");
  }
  return v;
}

// A query-string time: epoch milliseconds or ISO-8601.
Result<std::optional<int64_t>> QueryTime(const HttpRequest& req, std::string_view name) {
  const std::string* v = req.Query(name);
  if (!v || v->empty()) return std::optional<int64_t>{};
  if (v->find_first_not_of("0123456789") == std::string::npos) {
    LS_ASSIGN_OR_RETURN(int64_t ms, ParseInt(*v, name));
    return std::optional<int64_t>(ms);
  }
  auto t = ParseTimestampMillis(*v);
  if (!t.ok())
    return Status::InvalidArgument("'" + std::string(name) + "': " + t.status().message());
  return std::optional<int64_t>(*t);
}

// Optimistic concurrency: "If-Match: <version>" or body "version".
Result<std::optional<int64_t>> ExpectedVersion(const HttpRequest& req, const json::object& body) {
  if (const std::string* h = req.Header("if-match"); h && !h->empty()) {
    std::string_view t = *h;
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    LS_ASSIGN_OR_RETURN(int64_t v, ParseInt(t, "If-Match"));
    return std::optional<int64_t>(v);
  }
  return OptInt(body, "version");
}

void PutOpt(json::object& o, std::string_view key, const std::optional<std::string>& v) {
  if (v) o[key] = *v;
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
  json::array ips;
  for (const auto& ip : r.ip_allowlist) ips.emplace_back(ip);
  o["ipAllowlist"] = std::move(ips);
  o["allShares"] = r.all_shares;
  o["createdAt"] = r.created_ms;
  o["updatedAt"] = r.updated_ms;
  o["version"] = r.version;
  return o;
}

json::object TokenJson(const TokenRecord& t, int64_t now) {
  json::object o;
  o["id"] = t.id;
  o["recipient"] = t.recipient;
  o["createdAt"] = t.created_ms;
  if (t.expiration_ms) o["expirationTime"] = FormatIso8601Millis(*t.expiration_ms);
  if (t.revoked_ms) o["revokedAt"] = *t.revoked_ms;
  o["revoked"] = t.revoked_ms.has_value();
  o["live"] = t.live(now);
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

json::object LinkJson(const ActivationLinkRecord& l) {
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

template <typename T, typename F>
json::object Items(const std::vector<T>& v, F f) {
  json::array a;
  for (const auto& e : v) a.emplace_back(f(e));
  json::object o;
  o["items"] = std::move(a);
  return o;
}

Status MethodNotAllowed() { return Status::Unsupported("method not allowed"); }

}  // namespace

// ------------------------------------------------------------------ service

AdminService::AdminService(std::shared_ptr<CatalogAdmin> admin, AdminServiceOptions options)
    : admin_(std::move(admin)),
      options_(std::move(options)),
      login_throttle_(options_.login_throttle) {}

int64_t AdminService::Now() const { return options_.clock ? options_.clock() : NowMillis(); }

std::string AdminService::BaseUrl() const {
  std::string b = options_.public_endpoint_url;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b;
}

std::string AdminService::ProfileEndpoint() const { return BaseUrl() + options_.sharing_prefix; }

Result<int64_t> AdminService::SessionCount() {
  int64_t now = Now();
  LS_ASSIGN_OR_RETURN(int64_t stored, admin_->CountAdminSessions(now));
  std::lock_guard lock(mu_);
  std::erase_if(local_sessions_, [now](const auto& kv) { return kv.second.expires_ms <= now; });
  return stored + static_cast<int64_t>(local_sessions_.size());
}

std::string AdminService::OpenLocalSession(const std::string& user, AdminRole role) {
  std::string token = GenerateToken();
  int64_t now = Now();
  std::lock_guard lock(mu_);
  local_sessions_[HashToken(token)] = Session{user, role, now + options_.session_ttl_ms};
  return token;
}

Result<std::optional<AdminService::Session>> AdminService::FindSession(std::string_view token,
                                                                       int64_t now) {
  {
    std::lock_guard lock(mu_);
    if (!local_sessions_.empty()) {
      auto it = local_sessions_.find(HashToken(token));
      if (it != local_sessions_.end()) {
        if (it->second.expires_ms > now) return std::optional<Session>(it->second);
        local_sessions_.erase(it);
        return std::optional<Session>{};
      }
    }
  }
  LS_ASSIGN_OR_RETURN(auto stored, admin_->FindAdminSession(token, now));
  if (!stored) return std::optional<Session>{};
  return std::optional<Session>(Session{stored->user, stored->role, stored->expires_ms});
}

HttpResponse AdminService::Handle(HttpRequest& request) {
  Call call{request, {}, {}};
  HttpResponse resp;
  if (request.path.rfind(kPrefix, 0) != 0) {
    resp = ErrorResponse(Status::NotFound("no such endpoint"));
  } else if (auto seg = SplitPath(request.path); !seg.ok()) {
    resp = ErrorResponse(seg.status());
  } else {
    call.seg = std::move(seg).value();
    resp = Dispatch(call);
  }
  if (call.audit) Audit(call, resp.status);
  return resp;
}

void AdminService::Audit(const Call& call, int status) {
  AuditEntry e;
  e.actor_kind = call.actor_kind;
  e.actor_name = call.session ? std::optional<std::string>(call.session->user) : call.actor_name;
  e.action = call.action;
  e.object = call.object;
  e.outcome = status < 400 ? "ok" : (status == 401 || status == 403) ? "denied" : "error";
  e.detail = call.detail;
  if (!call.req.remote_address.empty()) e.remote_address = call.req.remote_address;
  (void)admin_->AppendAudit(e);  // auditing must not fail the request
}

HttpResponse AdminService::Dispatch(Call& call) {
  HttpRequest& req = call.req;
  const auto& s = call.seg;
  const std::string& m = req.method;
  const size_t n = s.size();
  int64_t now = Now();

  // Turns a Status into a response, recording its message for the audit log.
  auto fail = [&call](const Status& st) {
    call.detail = st.message();
    if (st.code() == StatusCode::kUnsupported && st.message() == "method not allowed") {
      return ErrorResponse(405, "METHOD_NOT_ALLOWED", "method not allowed");
    }
    return ErrorResponse(st);
  };

  if (n == 0) {
    call.action = "unknown";
    return fail(Status::NotFound("no such endpoint"));
  }

  // --------------------------------------------------- unauthenticated
  if (n == 1 && s[0] == "openapi.json") {
    call.audit = false;
    if (m != "GET" && m != "HEAD") return fail(MethodNotAllowed());
    HttpResponse r;
    r.SetHeader("Content-Type", "application/json");
    r.body = std::string(AdminOpenApiJson());
    return r;
  }
  if (n == 1 && s[0] == "login") {
    call.action = "login";
    if (m != "POST") return fail(MethodNotAllowed());
    auto body = ParseBody(req, false);
    if (!body.ok()) return fail(body.status());
    auto user = ReqString(*body, "username");
    if (!user.ok()) return fail(user.status());
    auto password = ReqString(*body, "password");
    if (!password.ok()) return fail(password.status());
    call.actor_name = *user;
    call.object = "user:" + *user;
    // Checked before the password: while a wait is due even the right one is refused.
    if (int64_t wait = login_throttle_.WaitMs(*user, req.remote_address, now); wait > 0) {
      const std::string seconds = std::to_string((wait + 999) / 1000);
      HttpResponse r =
          fail(Status::TooManyRequests("too many failed logins: try again in " + seconds + " s"));
      r.SetHeader("Retry-After", seconds);
      return r;
    }
    auto rec = admin_->VerifyAdminPassword(*user, *password);
    if (!rec.ok()) {
      if (rec.status().code() == StatusCode::kUnauthenticated ||
          rec.status().code() == StatusCode::kNotFound ||
          rec.status().code() == StatusCode::kInvalidArgument) {
        login_throttle_.RecordFailure(*user, req.remote_address, now);
        return fail(Status::Unauthenticated("invalid username or password"));
      }
      return fail(rec.status());
    }
    login_throttle_.RecordSuccess(*user);
    auto issued = admin_->CreateAdminSession(*rec, now, options_.session_ttl_ms);
    if (!issued.ok()) {
      if (issued.status().code() == StatusCode::kUnauthenticated) {
        return fail(Status::Unauthenticated("invalid username or password"));
      }
      return fail(issued.status());
    }
    // Logins are rare and slow (Argon2id) anyway: a good time to drop the
    // expired rows, an indexed range delete. Best effort.
    (void)admin_->PruneAdminSessions(now);
    Session session{issued->record.user, issued->record.role, issued->record.expires_ms};
    call.session = session;
    json::object o;
    o["token"] = issued->token;
    o["expiresAt"] = session.expires_ms;
    o["role"] = std::string(AdminRoleName(rec->role));
    o["username"] = rec->name;
    return JsonResponse(200, o);
  }
  if (n == 2 && s[0] == "activate") {
    call.action = "redeemActivationLink";
    call.actor_kind = "anonymous";
    if (m != "GET" && m != "POST") return fail(MethodNotAllowed());
    auto red = admin_->RedeemActivationLink(s[1]);
    if (!red.ok()) return fail(red.status());
    call.actor_kind = "recipient";
    call.actor_name = red->link.recipient;
    call.object = "recipient:" + red->link.recipient;
    json::object o;
    o["shareCredentialsVersion"] = 1;
    o["endpoint"] = ProfileEndpoint();
    o["bearerToken"] = red->token.token;
    if (red->token.record.expiration_ms) {
      o["expirationTime"] = FormatIso8601Millis(*red->token.record.expiration_ms);
    }
    return JsonResponse(200, o);
  }

  // --------------------------------------------------- session required
  std::string_view bearer;
  if (const std::string* auth = req.Header("authorization")) {
    bearer = ParseBearerToken(*auth).value_or(std::string_view());
  }
  call.action = m + " " + s[0];
  if (!bearer.empty()) {
    auto found = FindSession(bearer, now);
    if (!found.ok()) {
      call.actor_kind = "anonymous";
      return fail(found.status());  // the database cannot tell: a 5xx, not a 401
    }
    call.session = std::move(found).value();
  }
  if (!call.session) {
    call.actor_kind = "anonymous";
    return fail(Status::Unauthenticated("a valid admin session token is required"));
  }
  const bool is_read = (m == "GET" || m == "HEAD");
  const bool is_admin = call.session->role == AdminRole::kAdmin;

  if (n == 1 && s[0] == "logout") {
    call.action = "logout";
    if (m != "POST") return fail(MethodNotAllowed());
    {
      std::lock_guard lock(mu_);
      if (local_sessions_.erase(HashToken(bearer)) > 0) return NoContent();
    }
    auto ended = admin_->DeleteAdminSession(bearer);
    if (!ended.ok()) return fail(ended.status());
    return NoContent();
  }
  if (!is_read && !is_admin) {
    return fail(Status::PermissionDenied("viewers may only read"));
  }

  // Parses the body of a write request.
  auto body_of = [&](bool allow_empty) { return ParseBody(req, allow_empty || is_read); };

  // --------------------------------------------------- shares
  if (s[0] == "shares") {
    if (n == 1) {
      call.object = "shares";
      if (m == "GET") {
        call.action = "listShares";
        auto v = admin_->ListShares();
        if (!v.ok()) return fail(v.status());
        return JsonResponse(200, Items(*v, ShareJson));
      }
      if (m == "POST") {
        call.action = "createShare";
        auto b = body_of(false);
        if (!b.ok()) return fail(b.status());
        ShareSpec spec;
        auto name = ReqString(*b, "name");
        if (!name.ok()) return fail(name.status());
        spec.name = *name;
        call.object = "share:" + spec.name;
        if (Status st = ValidateName(spec.name, NameKind::kShare); !st.ok()) return fail(st);
        auto dn = OptString(*b, "displayName");
        auto cm = OptString(*b, "comment");
        auto id = OptString(*b, "id");
        if (!dn.ok()) return fail(dn.status());
        if (!cm.ok()) return fail(cm.status());
        if (!id.ok()) return fail(id.status());
        spec.display_name = *dn;
        spec.comment = *cm;
        spec.id = *id;
        auto r = admin_->CreateShare(spec);
        if (!r.ok()) return fail(r.status());
        return JsonResponse(201, ShareJson(*r));
      }
      return fail(MethodNotAllowed());
    }
    const std::string& share = s[1];
    call.object = "share:" + share;
    if (n == 2) {
      if (m == "GET") {
        call.action = "getShare";
        auto r = admin_->GetShare(share);
        if (!r.ok()) return fail(r.status());
        json::object o = ShareJson(*r);
        auto recips = admin_->ListShareRecipients(share);
        if (recips.ok()) {
          json::array a;
          for (const auto& x : *recips) a.emplace_back(x);
          o["recipients"] = std::move(a);
        }
        return JsonResponse(200, o);
      }
      if (m == "PATCH" || m == "PUT") {
        call.action = "updateShare";
        auto b = body_of(false);
        if (!b.ok()) return fail(b.status());
        ShareUpdate u;
        auto name = OptString(*b, "name");
        auto dn = OptString(*b, "displayName");
        auto cm = OptString(*b, "comment");
        auto ver = ExpectedVersion(req, *b);
        for (const Status* st : {&name.status(), &dn.status(), &cm.status(), &ver.status()}) {
          if (!st->ok()) return fail(*st);
        }
        u.name = *name;
        u.display_name = *dn;
        u.comment = *cm;
        if (u.name) {
          if (Status st = ValidateName(*u.name, NameKind::kShare); !st.ok()) return fail(st);
        }
        auto r = admin_->UpdateShare(share, u, *ver);
        if (!r.ok()) return fail(r.status());
        return JsonResponse(200, ShareJson(*r));
      }
      if (m == "DELETE") {
        call.action = "deleteShare";
        Status st = admin_->DeleteShare(share);
        if (!st.ok()) return fail(st);
        return NoContent();
      }
      return fail(MethodNotAllowed());
    }
    if (s[2] != "schemas") return fail(Status::NotFound("no such endpoint"));
    if (n == 3) {
      if (m == "GET") {
        call.action = "listSchemas";
        auto v = admin_->ListSchemas(share);
        if (!v.ok()) return fail(v.status());
        return JsonResponse(200, Items(*v, SchemaJson));
      }
      if (m == "POST") {
        call.action = "createSchema";
        auto b = body_of(false);
        if (!b.ok()) return fail(b.status());
        auto name = ReqString(*b, "name");
        if (!name.ok()) return fail(name.status());
        call.object = "schema:" + share + "." + *name;
        if (Status st = ValidateName(*name, NameKind::kSchema); !st.ok()) return fail(st);
        auto r = admin_->CreateSchema(share, *name);
        if (!r.ok()) return fail(r.status());
        return JsonResponse(201, SchemaJson(*r));
      }
      return fail(MethodNotAllowed());
    }
    const std::string& schema = s[3];
    call.object = "schema:" + share + "." + schema;
    if (n == 4) {
      if (m == "GET") {
        call.action = "getSchema";
        auto v = admin_->ListSchemas(share);
        if (!v.ok()) return fail(v.status());
        for (const auto& sc : *v) {
          if (EqualsIgnoreCase(sc.name, schema)) return JsonResponse(200, SchemaJson(sc));
        }
        return fail(Status::NotFound("schema '" + share + "." + schema + "' not found"));
      }
      if (m == "PATCH" || m == "PUT") {
        call.action = "renameSchema";
        auto b = body_of(false);
        if (!b.ok()) return fail(b.status());
        auto name = ReqString(*b, "name");
        if (!name.ok()) return fail(name.status());
        auto ver = ExpectedVersion(req, *b);
        if (!ver.ok()) return fail(ver.status());
        if (Status st = ValidateName(*name, NameKind::kSchema); !st.ok()) return fail(st);
        auto r = admin_->RenameSchema(share, schema, *name, *ver);
        if (!r.ok()) return fail(r.status());
        return JsonResponse(200, SchemaJson(*r));
      }
      if (m == "DELETE") {
        call.action = "deleteSchema";
        Status st = admin_->DeleteSchema(share, schema);
        if (!st.ok()) return fail(st);
        return NoContent();
      }
      return fail(MethodNotAllowed());
    }
    if (s[4] != "tables" || n > 6) return fail(Status::NotFound("no such endpoint"));
    if (n == 5) {
      if (m == "GET") {
        call.action = "listTables";
        auto v = admin_->ListTables(share, std::string_view(schema));
        if (!v.ok()) return fail(v.status());
        return JsonResponse(200, Items(*v, TableJson));
      }
      if (m == "POST") {
        call.action = "addTable";
        auto b = body_of(false);
        if (!b.ok()) return fail(b.status());
        TableSpec spec;
        auto name = ReqString(*b, "name");
        if (!name.ok()) return fail(name.status());
        spec.name = *name;
        call.object = "table:" + share + "." + schema + "." + spec.name;
        if (Status st = ValidateName(spec.name, NameKind::kTable); !st.ok()) return fail(st);
        auto loc = ReqString(*b, "location");
        auto fmt = OptString(*b, "format");
        auto hist = OptBool(*b, "historyShared");
        auto sv = OptInt(*b, "startVersion");
        auto pf = OptFilter(*b, "partitionFilter");
        auto cm = OptString(*b, "comment");
        auto id = OptString(*b, "id");
        for (const Status* st : {&loc.status(), &fmt.status(), &hist.status(), &sv.status(),
                                 &pf.status(), &cm.status(), &id.status()}) {
          if (!st->ok()) return fail(*st);
        }
        spec.location = *loc;
        if (*fmt) spec.format = **fmt;
        spec.history_shared = hist->value_or(false);
        spec.start_version = sv->value_or(0);
        spec.partition_filter = *pf;
        spec.comment = *cm;
        spec.id = *id;
        auto r = admin_->AddTable(share, schema, spec);
        if (!r.ok()) return fail(r.status());
        return JsonResponse(201, TableJson(*r));
      }
      return fail(MethodNotAllowed());
    }
    const std::string& table = s[5];
    call.object = "table:" + share + "." + schema + "." + table;
    if (m == "GET") {
      call.action = "getTable";
      auto r = admin_->GetTable(share, schema, table);
      if (!r.ok()) return fail(r.status());
      return JsonResponse(200, TableJson(*r));
    }
    if (m == "PATCH" || m == "PUT") {
      call.action = "updateTable";
      auto b = body_of(false);
      if (!b.ok()) return fail(b.status());
      TableUpdate u;
      auto name = OptString(*b, "name");
      auto loc = OptString(*b, "location");
      auto fmt = OptString(*b, "format");
      auto hist = OptBool(*b, "historyShared");
      auto sv = OptInt(*b, "startVersion");
      auto pf = OptFilter(*b, "partitionFilter");
      auto cm = OptString(*b, "comment");
      auto ver = ExpectedVersion(req, *b);
      for (const Status* st : {&name.status(), &loc.status(), &fmt.status(), &hist.status(),
                               &sv.status(), &pf.status(), &cm.status(), &ver.status()}) {
        if (!st->ok()) return fail(*st);
      }
      u.name = *name;
      if (u.name) {
        if (Status st = ValidateName(*u.name, NameKind::kTable); !st.ok()) return fail(st);
      }
      u.location = *loc;
      u.format = *fmt;
      u.history_shared = *hist;
      u.start_version = *sv;
      u.partition_filter = *pf;
      u.comment = *cm;
      auto r = admin_->UpdateTable(share, schema, table, u, *ver);
      if (!r.ok()) return fail(r.status());
      return JsonResponse(200, TableJson(*r));
    }
    if (m == "DELETE") {
      call.action = "removeTable";
      Status st = admin_->RemoveTable(share, schema, table);
      if (!st.ok()) return fail(st);
      return NoContent();
    }
    return fail(MethodNotAllowed());
  }

  // --------------------------------------------------- recipients
  if (s[0] == "recipients") {
    if (n == 1) {
      call.object = "recipients";
      if (m == "GET") {
        call.action = "listRecipients";
        auto v = admin_->ListRecipients();
        if (!v.ok()) return fail(v.status());
        return JsonResponse(200, Items(*v, RecipientJson));
      }
      if (m == "POST") {
        call.action = "createRecipient";
        auto b = body_of(false);
        if (!b.ok()) return fail(b.status());
        RecipientSpec spec;
        auto name = ReqString(*b, "name");
        if (!name.ok()) return fail(name.status());
        spec.name = *name;
        call.object = "recipient:" + spec.name;
        if (Status st = ValidateName(spec.name, NameKind::kRecipient); !st.ok()) return fail(st);
        auto cm = OptString(*b, "comment");
        auto ips = OptStringList(*b, "ipAllowlist");
        auto all = OptBool(*b, "allShares");
        for (const Status* st : {&cm.status(), &ips.status(), &all.status()}) {
          if (!st->ok()) return fail(*st);
        }
        spec.comment = *cm;
        if (*ips) spec.ip_allowlist = **ips;
        spec.all_shares = all->value_or(false);
        auto r = admin_->CreateRecipient(spec);
        if (!r.ok()) return fail(r.status());
        return JsonResponse(201, RecipientJson(*r));
      }
      return fail(MethodNotAllowed());
    }
    const std::string& rcp = s[1];
    call.object = "recipient:" + rcp;
    if (n == 2) {
      if (m == "GET") {
        call.action = "getRecipient";
        auto r = admin_->GetRecipient(rcp);
        if (!r.ok()) return fail(r.status());
        json::object o = RecipientJson(*r);
        auto grants = admin_->ListGrants(rcp);
        if (grants.ok()) {
          json::array a;
          for (const auto& g : *grants) a.emplace_back(g);
          o["shares"] = std::move(a);
        }
        return JsonResponse(200, o);
      }
      if (m == "PATCH" || m == "PUT") {
        call.action = "updateRecipient";
        auto b = body_of(false);
        if (!b.ok()) return fail(b.status());
        RecipientUpdate u;
        auto name = OptString(*b, "name");
        auto cm = OptString(*b, "comment");
        auto ips = OptStringList(*b, "ipAllowlist");
        auto all = OptBool(*b, "allShares");
        auto ver = ExpectedVersion(req, *b);
        for (const Status* st :
             {&name.status(), &cm.status(), &ips.status(), &all.status(), &ver.status()}) {
          if (!st->ok()) return fail(*st);
        }
        u.name = *name;
        if (u.name) {
          if (Status st = ValidateName(*u.name, NameKind::kRecipient); !st.ok()) return fail(st);
        }
        u.comment = *cm;
        u.ip_allowlist = *ips;
        u.all_shares = *all;
        auto r = admin_->UpdateRecipient(rcp, u, *ver);
        if (!r.ok()) return fail(r.status());
        return JsonResponse(200, RecipientJson(*r));
      }
      if (m == "DELETE") {
        call.action = "deleteRecipient";
        Status st = admin_->DeleteRecipient(rcp);
        if (!st.ok()) return fail(st);
        return NoContent();
      }
      return fail(MethodNotAllowed());
    }
    const std::string& sub = s[2];
    if (sub == "grants") {
      if (n == 3) {
        if (m == "GET") {
          call.action = "listGrants";
          auto v = admin_->ListGrants(rcp);
          if (!v.ok()) return fail(v.status());
          json::array a;
          for (const auto& g : *v) a.emplace_back(g);
          json::object o;
          o["items"] = std::move(a);
          return JsonResponse(200, o);
        }
        if (m == "POST") {
          call.action = "grant";
          auto b = body_of(false);
          if (!b.ok()) return fail(b.status());
          auto share = ReqString(*b, "share");
          if (!share.ok()) return fail(share.status());
          call.object = "grant:" + rcp + "/" + *share;
          Status st = admin_->Grant(rcp, *share);
          if (!st.ok()) return fail(st);
          return NoContent();
        }
        return fail(MethodNotAllowed());
      }
      if (n != 4) return fail(Status::NotFound("no such endpoint"));
      call.object = "grant:" + rcp + "/" + s[3];
      if (m == "PUT" || m == "POST") {
        call.action = "grant";
        Status st = admin_->Grant(rcp, s[3]);
        if (!st.ok()) return fail(st);
        return NoContent();
      }
      if (m == "DELETE") {
        call.action = "revokeGrant";
        Status st = admin_->RevokeGrant(rcp, s[3]);
        if (!st.ok()) return fail(st);
        return NoContent();
      }
      return fail(MethodNotAllowed());
    }
    auto profile = [&](const IssuedToken& t) {
      json::object o;
      o["shareCredentialsVersion"] = 1;
      o["endpoint"] = ProfileEndpoint();
      o["bearerToken"] = t.token;
      if (t.record.expiration_ms) {
        o["expirationTime"] = FormatIso8601Millis(*t.record.expiration_ms);
      }
      return o;
    };
    if (sub == "tokens") {
      if (n == 3) {
        if (m == "GET") {
          call.action = "listTokens";
          auto v = admin_->ListTokens(rcp);
          if (!v.ok()) return fail(v.status());
          return JsonResponse(200,
                              Items(*v, [now](const TokenRecord& t) { return TokenJson(t, now); }));
        }
        if (m == "POST") {
          call.action = "createToken";
          auto b = body_of(true);
          if (!b.ok()) return fail(b.status());
          auto exp = OptTime(*b, "expirationTime");
          if (!exp.ok()) return fail(exp.status());
          auto r = admin_->CreateToken(rcp, *exp);
          if (!r.ok()) return fail(r.status());
          call.object = "token:" + rcp + "/" + r->record.id;
          return JsonResponse(201, profile(*r));
        }
        return fail(MethodNotAllowed());
      }
      if (n != 4) return fail(Status::NotFound("no such endpoint"));
      if (s[3] == "rotate") {
        call.action = "rotateToken";
        if (m != "POST") return fail(MethodNotAllowed());
        auto b = body_of(true);
        if (!b.ok()) return fail(b.status());
        auto exp = OptTime(*b, "expirationTime");
        auto grace = OptInt(*b, "graceSeconds");
        if (!exp.ok()) return fail(exp.status());
        if (!grace.ok()) return fail(grace.status());
        if (grace->value_or(0) < 0)
          return fail(Status::InvalidArgument("graceSeconds must be >= 0"));
        // Counted in milliseconds below: a larger value would wrap around
        // (and revoke the old token at once instead of never).
        constexpr int64_t kMaxGraceSeconds = 366LL * 24 * 3600;
        if (grace->value_or(0) > kMaxGraceSeconds) {
          return fail(Status::InvalidArgument("graceSeconds must be at most " +
                                              std::to_string(kMaxGraceSeconds) + " (a year)"));
        }
        auto r = admin_->RotateToken(rcp, *exp, grace->value_or(0) * 1000);
        if (!r.ok()) return fail(r.status());
        call.object = "token:" + rcp + "/" + r->record.id;
        return JsonResponse(201, profile(*r));
      }
      call.object = "token:" + rcp + "/" + s[3];
      if (m == "DELETE") {
        call.action = "revokeToken";
        Status st = admin_->RevokeToken(rcp, s[3]);
        if (!st.ok()) return fail(st);
        return NoContent();
      }
      return fail(MethodNotAllowed());
    }
    if (sub == "activation-links" && n == 3) {
      if (m == "GET") {
        call.action = "listActivationLinks";
        auto v = admin_->ListActivationLinks(rcp);
        if (!v.ok()) return fail(v.status());
        return JsonResponse(200, Items(*v, LinkJson));
      }
      if (m == "POST") {
        call.action = "createActivationLink";
        auto b = body_of(true);
        if (!b.ok()) return fail(b.status());
        auto exp = OptTime(*b, "expirationTime");
        auto texp = OptTime(*b, "tokenExpirationTime");
        if (!exp.ok()) return fail(exp.status());
        if (!texp.ok()) return fail(texp.status());
        ActivationLinkSpec spec;
        spec.expiration_ms = exp->value_or(now + options_.activation_link_ttl_ms);
        spec.token_expiration_ms = *texp;
        auto r = admin_->CreateActivationLink(rcp, spec);
        if (!r.ok()) return fail(r.status());
        json::object o = LinkJson(r->record);
        o["url"] = BaseUrl() + "/api/v1/activate/" + r->secret;
        return JsonResponse(201, o);
      }
      return fail(MethodNotAllowed());
    }
    return fail(Status::NotFound("no such endpoint"));
  }

  // --------------------------------------------------- users (admins only)
  if (s[0] == "users") {
    if (!is_admin) return fail(Status::PermissionDenied("only admins may manage users"));
    if (n == 1) {
      call.object = "users";
      if (m == "GET") {
        call.action = "listUsers";
        auto v = admin_->ListAdminUsers();
        if (!v.ok()) return fail(v.status());
        return JsonResponse(200, Items(*v, UserJson));
      }
      if (m == "POST") {
        call.action = "createUser";
        auto b = body_of(false);
        if (!b.ok()) return fail(b.status());
        auto name = ReqString(*b, "name");
        if (!name.ok()) return fail(name.status());
        call.object = "user:" + *name;
        auto pw = ReqString(*b, "password");
        if (!pw.ok()) return fail(pw.status());
        auto role_text = OptString(*b, "role");
        if (!role_text.ok()) return fail(role_text.status());
        auto role = ParseAdminRole(role_text->value_or("viewer"));
        if (!role.ok()) return fail(role.status());
        auto r = admin_->CreateAdminUser(*name, *pw, *role);
        if (!r.ok()) return fail(r.status());
        return JsonResponse(201, UserJson(*r));
      }
      return fail(MethodNotAllowed());
    }
    if (n != 2) return fail(Status::NotFound("no such endpoint"));
    const std::string& user = s[1];
    call.object = "user:" + user;
    if (m == "GET") {
      call.action = "getUser";
      auto r = admin_->GetAdminUser(user);
      if (!r.ok()) return fail(r.status());
      return JsonResponse(200, UserJson(*r));
    }
    if (m == "PATCH" || m == "PUT") {
      call.action = "updateUser";
      auto b = body_of(false);
      if (!b.ok()) return fail(b.status());
      auto pw = OptString(*b, "password");
      auto role_text = OptString(*b, "role");
      auto ver = ExpectedVersion(req, *b);
      for (const Status* st : {&pw.status(), &role_text.status(), &ver.status()}) {
        if (!st->ok()) return fail(*st);
      }
      if (*pw) {
        // Ends the user's sessions but the caller's own.
        Status st = admin_->ChangeAdminPassword(user, **pw, bearer);
        if (!st.ok()) return fail(st);
      }
      if (*role_text) {
        auto role = ParseAdminRole(**role_text);
        if (!role.ok()) return fail(role.status());
        auto r = admin_->SetAdminRole(user, *role, *ver);
        if (!r.ok()) return fail(r.status());
      }
      auto r = admin_->GetAdminUser(user);
      if (!r.ok()) return fail(r.status());
      return JsonResponse(200, UserJson(*r));
    }
    if (m == "DELETE") {
      call.action = "deleteUser";
      Status st = admin_->DeleteAdminUser(user);  // and its sessions
      if (!st.ok()) return fail(st);
      return NoContent();
    }
    return fail(MethodNotAllowed());
  }

  // --------------------------------------------------- audit
  if (s[0] == "audit" && n == 1) {
    call.action = "queryAudit";
    call.object = "audit";
    if (m != "GET") return fail(MethodNotAllowed());
    AuditQuery q;
    auto opt = [&](std::string_view name) -> std::optional<std::string> {
      const std::string* v = req.Query(name);
      if (!v || v->empty()) return std::nullopt;
      return *v;
    };
    q.actor_name = opt("actor");
    q.actor_kind = opt("actorKind");
    q.action = opt("action");
    q.object = opt("object");
    q.outcome = opt("outcome");
    auto from = QueryTime(req, "from");
    if (!from.ok()) return fail(from.status());
    auto to = QueryTime(req, "to");
    if (!to.ok()) return fail(to.status());
    q.from_ms = *from;
    q.to_ms = *to;
    if (auto pt = opt("pageToken")) {
      auto v = ParseInt(*pt, "pageToken");
      if (!v.ok()) return fail(v.status());
      q.page_token = *v;
    }
    if (auto mr = opt("maxResults")) {
      auto v = ParseInt(*mr, "maxResults");
      if (!v.ok()) return fail(v.status());
      if (*v < 1 || *v > 1000) return fail(Status::InvalidArgument("maxResults must be 1..1000"));
      q.limit = static_cast<int>(*v);
    }
    auto page = admin_->QueryAudit(q);
    if (!page.ok()) return fail(page.status());
    json::object o = Items(page->entries, AuditJson);
    if (page->next_page_token) o["nextPageToken"] = std::to_string(*page->next_page_token);
    return JsonResponse(200, o);
  }

  return fail(Status::NotFound("no such endpoint"));
}

}  // namespace lakeshare
