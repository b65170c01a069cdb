#include "catalog/iceberg_catalog_store.h"

#include "catalog/catalog_schema.h"
#include "catalog/sql_catalog_admin_internal.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "db/uuid.h"
#include "storage/catalog_connections.h"

namespace lakeshare {

using db::Row;
using db::Transaction;
using Kind = HttpAuthConfig::Kind;
using Limits = IcebergCatalogLimits;

namespace {

constexpr const char* kCols =
    "id, name, type, uri, catalog_id, auth_kind, token, client_id, client_secret, scope, "
    "token_endpoint, signing_name, region, access_key_id, secret_access_key, session_token, "
    "created_ms, updated_ms, version";

Result<IcebergCatalogRecord> ToRecord(const Row& r) {
  IcebergCatalogRecord out;
  out.id = r.Text(0);
  CatalogConnectionConfig& c = out.config;
  c.name = r.Text(1);
  c.type = r.Text(2);
  c.uri = r.Text(3);
  c.catalog_id = r.Text(4);
  auto kind = ParseAuthKind(r.Text(5));
  if (!kind.ok()) return Status::Corruption("stored Iceberg catalog auth kind is invalid");
  HttpAuthConfig& a = c.auth;
  a.kind = *kind;
  a.token = r.Text(6);
  a.client_id = r.Text(7);
  a.client_secret = r.Text(8);
  a.scope = r.Text(9);
  a.token_endpoint = r.Text(10);
  a.service = r.Text(11);
  a.region = r.Text(12);
  a.access_key_id = r.Text(13);
  a.secret_access_key = r.Text(14);
  a.session_token = r.Text(15);
  out.created_ms = r.Int(16);
  out.updated_ms = r.Int(17);
  out.version = r.Int(18);
  return out;
}

std::optional<std::string> Column(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// Only the fields of the entry's auth kind are kept.
void DropOtherKinds(HttpAuthConfig* a) {
  if (a->kind != Kind::kBearer) a->token.clear();
  if (a->kind != Kind::kOAuth2) {
    a->client_id.clear();
    a->client_secret.clear();
    a->scope.clear();
    a->token_endpoint.clear();
  }
  if (a->kind != Kind::kSigV4) {
    a->service.clear();
    a->region.clear();
    a->access_key_id.clear();
    a->secret_access_key.clear();
    a->session_token.clear();
  }
}

Status CheckLength(std::string_view field, const std::string& value, size_t max) {
  if (value.size() > max) {
    return Status::InvalidArgument(std::string(field) + " has more than " + std::to_string(max) +
                                   " bytes");
  }
  if (value.find_first_of(std::string_view("\0\r\n", 3)) != std::string::npos) {
    return Status::InvalidArgument(std::string(field) + " holds a line break or NUL");
  }
  return Status::OK();
}

Status CheckName(const std::string& name) {
  if (name.empty() || name.size() > Limits::kName) {
    return Status::InvalidArgument("an Iceberg catalog name has 1 to " +
                                   std::to_string(Limits::kName) + " characters");
  }
  for (char ch : name) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-';
    if (!ok) {
      return Status::InvalidArgument("Iceberg catalog name " + Quote(name) +
                                     ": only letters, digits, '.', '_' and '-'");
    }
  }
  return Status::OK();
}

std::string WithoutTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// Whether `location` (a shared table's) is served through `c`.
bool UsesConnection(const CatalogConnectionConfig& c, const std::string& location) {
  if (c.type == "glue") return location.rfind("glue://" + c.name + "/", 0) == 0;
  std::string uri = WithoutTrailingSlash(c.uri);
  if (uri.empty() || location.compare(0, uri.size(), uri) != 0) return false;
  return location.size() == uri.size() || location[uri.size()] == '/' ||
         location[uri.size()] == '?';
}

Result<IcebergCatalogRecord> Load(Transaction& tx, std::string_view name) {
  LS_ASSIGN_OR_RETURN(
      auto row, tx.QueryRow(Sql({"SELECT ", kCols, " FROM iceberg_catalogs WHERE name_key = ?"}),
                            {NameKey(name)}));
  if (!row) return NotFound("Iceberg catalog", name);
  return ToRecord(*row);
}

// A REST uri another database entry has: kAlreadyExists.
Status CheckUriFree(Transaction& tx, const CatalogConnectionConfig& c, const std::string& self_id) {
  if (c.type != "rest") return Status::OK();
  LS_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, name, uri FROM iceberg_catalogs WHERE "
                                          "type = 'rest'",
                                          {}));
  const std::string uri = WithoutTrailingSlash(c.uri);
  for (const Row& r : rows) {
    if (r.Text(0) != self_id && WithoutTrailingSlash(r.Text(2)) == uri) {
      return Status::AlreadyExists("Iceberg catalog " + Quote(r.Text(1)) + " has the uri " + uri);
    }
  }
  return Status::OK();
}

db::Params RowParams(const CatalogConnectionConfig& c) {
  const HttpAuthConfig& a = c.auth;
  return {c.type,
          c.uri,
          Column(c.catalog_id),
          std::string(AuthKindName(a.kind)),
          Column(a.token),
          Column(a.client_id),
          Column(a.client_secret),
          Column(a.scope),
          Column(a.token_endpoint),
          Column(a.service),
          Column(a.region),
          Column(a.access_key_id),
          Column(a.secret_access_key),
          Column(a.session_token)};
}

// Inserts `c` (checked), unless the catalog holds its maximum or another
// entry has its name or REST uri.
Result<IcebergCatalogRecord> Insert(Transaction& tx, const CatalogConnectionConfig& c) {
  LS_ASSIGN_OR_RETURN(auto n, tx.QueryRow("SELECT COUNT(*) FROM iceberg_catalogs", {}));
  if (n && n->Int(0) >= Limits::kConnections) {
    return Status::FailedPrecondition("the catalog holds its maximum of " +
                                      std::to_string(Limits::kConnections) + " Iceberg catalogs");
  }
  LS_RETURN_IF_ERROR(CheckUriFree(tx, c, ""));
  int64_t now = NowMillis();
  IcebergCatalogRecord out{db::NewUuid(), c, now, now, 1};
  db::Params params = {out.id, c.name, NameKey(c.name)};
  for (db::Param& p : RowParams(c)) params.push_back(std::move(p));
  params.insert(params.end(), {now, now});
  auto r = tx.Exec(
      "INSERT INTO iceberg_catalogs (id, name, name_key, type, uri, catalog_id, auth_kind, "
      "token, client_id, client_secret, scope, token_endpoint, signing_name, region, "
      "access_key_id, secret_access_key, session_token, created_ms, updated_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      params);
  LS_RETURN_IF_ERROR(
      IfDuplicate(tx, r.status(), "Iceberg catalog " + Quote(c.name) + " already exists"));
  return out;
}

// Replaces the settings of `cur` with `c` (checked; same name).
Result<IcebergCatalogRecord> Replace(Transaction& tx, const IcebergCatalogRecord& cur,
                                     const CatalogConnectionConfig& c) {
  LS_RETURN_IF_ERROR(CheckUriFree(tx, c, cur.id));
  IcebergCatalogRecord out = cur;
  out.config = c;
  out.config.name = cur.config.name;
  out.updated_ms = NowMillis();
  out.version = cur.version + 1;
  db::Params params = RowParams(out.config);
  params.insert(params.end(), {out.updated_ms, cur.id, cur.version});
  LS_ASSIGN_OR_RETURN(
      int64_t n,
      tx.Exec("UPDATE iceberg_catalogs SET type = ?, uri = ?, catalog_id = ?, auth_kind = ?, "
              "token = ?, client_id = ?, client_secret = ?, scope = ?, token_endpoint = ?, "
              "signing_name = ?, region = ?, access_key_id = ?, secret_access_key = ?, "
              "session_token = ?, updated_ms = ?, version = version + 1 "
              "WHERE id = ? AND version = ?",
              params));
  LS_RETURN_IF_ERROR(CheckUpdated("Iceberg catalog " + Quote(cur.config.name), n));
  return out;
}

}  // namespace

std::string_view AuthKindName(Kind kind) {
  switch (kind) {
    case Kind::kNone:
      return "none";
    case Kind::kBearer:
      return "bearer";
    case Kind::kOAuth2:
      return "oauth2";
    case Kind::kSigV4:
      return "sigv4";
  }
  return "none";
}

Result<Kind> ParseAuthKind(std::string_view text) {
  std::string k = AsciiLower(text);
  if (k == "none") return Kind::kNone;
  if (k == "bearer") return Kind::kBearer;
  if (k == "oauth2") return Kind::kOAuth2;
  if (k == "sigv4") return Kind::kSigV4;
  return Status::InvalidArgument("auth must be none, bearer, oauth2 or sigv4");
}

IcebergCatalogStore::IcebergCatalogStore(std::shared_ptr<db::Database> db,
                                         std::vector<CatalogConnectionConfig> config_entries,
                                         CloudEnvironment env)
    : db_(std::move(db)), config_entries_(std::move(config_entries)), env_(std::move(env)) {}

Status IcebergCatalogStore::Check(const CatalogConnectionConfig& c) const {
  LS_RETURN_IF_ERROR(CheckName(c.name));
  if (c.type != "rest" && c.type != "glue") {
    return Status::InvalidArgument("type must be rest or glue");
  }
  if (c.type == "glue" && c.auth.kind != Kind::kSigV4) {
    return Status::InvalidArgument("the auth of a glue catalog must be sigv4");
  }
  const HttpAuthConfig& a = c.auth;
  LS_RETURN_IF_ERROR(CheckLength("uri", c.uri, Limits::kUrl));
  LS_RETURN_IF_ERROR(CheckLength("tokenEndpoint", a.token_endpoint, Limits::kUrl));
  LS_RETURN_IF_ERROR(CheckLength("catalogId", c.catalog_id, Limits::kText));
  LS_RETURN_IF_ERROR(CheckLength("clientId", a.client_id, Limits::kText));
  LS_RETURN_IF_ERROR(CheckLength("scope", a.scope, Limits::kText));
  LS_RETURN_IF_ERROR(CheckLength("signingName", a.service, Limits::kText));
  LS_RETURN_IF_ERROR(CheckLength("region", a.region, Limits::kText));
  LS_RETURN_IF_ERROR(CheckLength("accessKeyId", a.access_key_id, Limits::kText));
  LS_RETURN_IF_ERROR(CheckLength("token", a.token, Limits::kSecret));
  LS_RETURN_IF_ERROR(CheckLength("clientSecret", a.client_secret, Limits::kSecret));
  LS_RETURN_IF_ERROR(CheckLength("secretAccessKey", a.secret_access_key, Limits::kSecret));
  LS_RETURN_IF_ERROR(CheckLength("sessionToken", a.session_token, Limits::kSecret));
  // The config's own rules, defaults filled in as the server will.
  LS_RETURN_IF_ERROR(CatalogConnections({c}, env_, nullptr).Validate());
  const std::string uri = WithoutTrailingSlash(c.uri);
  for (const CatalogConnectionConfig& e : config_entries_) {
    if (NameKey(e.name) == NameKey(c.name)) {
      return Status::AlreadyExists("the config file has an Iceberg catalog " + Quote(e.name));
    }
    if (c.type == "rest" && e.type == "rest" && WithoutTrailingSlash(e.uri) == uri) {
      return Status::AlreadyExists("the config file's Iceberg catalog " + Quote(e.name) +
                                   " has the uri " + uri);
    }
  }
  return Status::OK();
}

Result<IcebergCatalogRecord> IcebergCatalogStore::Create(CatalogConnectionConfig spec) {
  AsciiLowerInPlace(&spec.type);
  DropOtherKinds(&spec.auth);
  LS_RETURN_IF_ERROR(Check(spec));
  IcebergCatalogRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(out, Insert(tx, spec));
    return Status::OK();
  }));
  return out;
}

Result<IcebergCatalogRecord> IcebergCatalogStore::Get(std::string_view name) {
  IcebergCatalogRecord out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(out, Load(tx, name));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<IcebergCatalogRecord>> IcebergCatalogStore::List() {
  std::vector<IcebergCatalogRecord> out;
  LS_RETURN_IF_ERROR(db_->Read([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(Sql({"SELECT ", kCols, " FROM iceberg_catalogs ORDER BY name_key"}), {}));
    for (const Row& r : rows) {
      LS_ASSIGN_OR_RETURN(IcebergCatalogRecord rec, ToRecord(r));
      out.push_back(std::move(rec));
    }
    return Status::OK();
  }));
  return out;
}

Result<IcebergCatalogRecord> IcebergCatalogStore::Update(std::string_view name,
                                                         const IcebergCatalogUpdate& u,
                                                         std::optional<int64_t> expected_version) {
  std::optional<Kind> kind;
  if (u.auth_kind) {
    LS_ASSIGN_OR_RETURN(kind, ParseAuthKind(*u.auth_kind));
  }
  IcebergCatalogRecord out;
  LS_RETURN_IF_ERROR(db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(IcebergCatalogRecord cur, Load(tx, name));
    std::string what = "Iceberg catalog " + Quote(cur.config.name);
    LS_RETURN_IF_ERROR(CheckVersion(what, cur.version, expected_version));
    out = cur;
    CatalogConnectionConfig& c = out.config;
    HttpAuthConfig& a = c.auth;
    if (u.type) c.type = AsciiLower(*u.type);
    if (u.uri) c.uri = *u.uri;
    if (u.catalog_id) c.catalog_id = *u.catalog_id;
    if (kind) a.kind = *kind;
    auto set = [](std::string* field, const std::optional<std::string>& v) {
      if (v) *field = *v;
    };
    set(&a.token, u.token);
    set(&a.client_id, u.client_id);
    set(&a.client_secret, u.client_secret);
    set(&a.scope, u.scope);
    set(&a.token_endpoint, u.token_endpoint);
    set(&a.service, u.signing_name);
    set(&a.region, u.region);
    set(&a.access_key_id, u.access_key_id);
    set(&a.secret_access_key, u.secret_access_key);
    set(&a.session_token, u.session_token);
    DropOtherKinds(&a);
    LS_RETURN_IF_ERROR(Check(c));
    LS_ASSIGN_OR_RETURN(out, Replace(tx, cur, c));
    return Status::OK();
  }));
  return out;
}

Status IcebergCatalogStore::Delete(std::string_view name) {
  return db_->Write([&](Transaction& tx) -> Status {
    LS_ASSIGN_OR_RETURN(IcebergCatalogRecord cur, Load(tx, name));
    LS_ASSIGN_OR_RETURN(auto rows,
                        tx.Query(Sql({"SELECT s.name, c.name, t.name, t.location", kTableFrom,
                                      "WHERE t.format = 'iceberg' AND (t.location LIKE 'glue:%' "
                                      "OR t.location LIKE 'http%') ORDER BY s.name_key, "
                                      "c.name_key, t.name_key"}),
                                 {}));
    std::string users;
    size_t count = 0;
    for (const Row& r : rows) {
      if (!UsesConnection(cur.config, r.Text(3))) continue;
      if (++count <= 10) {
        users += (users.empty() ? "" : ", ") + r.Text(0) + "." + r.Text(1) + "." + r.Text(2);
      }
    }
    if (count > 0) {
      if (count > 10) users += " and " + std::to_string(count - 10) + " more";
      return Status::FailedPrecondition("Iceberg catalog " + Quote(cur.config.name) +
                                        " is used by the table(s) " + users +
                                        ": remove them or change their location first");
    }
    return tx.Exec("DELETE FROM iceberg_catalogs WHERE id = ?", {cur.id}).status();
  });
}

Result<int> ImportIcebergCatalog(Transaction& tx, CatalogConnectionConfig c,
                                 const CloudEnvironment& env) {
  AsciiLowerInPlace(&c.type);
  DropOtherKinds(&c.auth);
  LS_RETURN_IF_ERROR(IcebergCatalogStore(nullptr, {}, env).Check(c));
  LS_ASSIGN_OR_RETURN(
      auto row, tx.QueryRow(Sql({"SELECT ", kCols, " FROM iceberg_catalogs WHERE name_key = ?"}),
                            {NameKey(c.name)}));
  if (!row) {
    LS_RETURN_IF_ERROR(Insert(tx, c).status());
    return 1;
  }
  LS_ASSIGN_OR_RETURN(IcebergCatalogRecord cur, ToRecord(*row));
  c.name = cur.config.name;
  if (cur.config == c) return 0;
  LS_RETURN_IF_ERROR(Replace(tx, cur, c).status());
  return 2;
}

}  // namespace lakeshare
