#include "admin/admin_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "admin/admin_json.h"
#include "admin/admin_route.h"
#include "catalog/catalog_schema.h"
#include "catalog/iceberg_catalog_store.h"
#include "catalog/sql_catalog.h"
#include "common/time_util.h"
#include "server/request_target.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace lakeshare {
namespace {

namespace json = boost::json;

// Every test runs on a fresh SQLite file and a fresh PostgreSQL database.
class AdminServiceTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    auto t = testing::TestDatabase::Create(GetParam());
    ASSERT_OK(t);
    test_db_ = std::move(t).value();
    auto db = OpenCatalogDatabase(test_db_->url());
    ASSERT_OK(db);
    db_ = *db;
    admin_ = std::make_shared<CatalogAdmin>(db_, AdminOptions());
    ASSERT_OK(admin_->CreateAdminUser("root", "root-password", AdminRole::kAdmin));
    ASSERT_OK(admin_->CreateAdminUser("watcher", "watcher-password", AdminRole::kViewer));
    service_ = MakeService(admin_);
  }
  void TearDown() override {
    service_.reset();
    admin_.reset();
    db_.reset();
    test_db_.reset();
  }

  static CatalogAdminOptions AdminOptions() {
    CatalogAdminOptions ao;
    ao.password_hash = PasswordHashParams{1024, 1, 1};  // fast
    return ao;
  }
  std::unique_ptr<AdminService> MakeService(std::shared_ptr<CatalogAdmin> admin) {
    AdminServiceOptions o;
    o.public_endpoint_url = "https://share.example.com/";
    o.session_ttl_ms = 60'000;
    o.clock = [this] { return now_; };
    return std::make_unique<AdminService>(std::move(admin), o);
  }
  // Another server on the same database, with its own connections.
  std::unique_ptr<AdminService> Replica() {
    auto db = db::Database::Open(test_db_->url());
    EXPECT_OK(db);
    return MakeService(std::make_shared<CatalogAdmin>(*db, AdminOptions()));
  }

  HttpResponse Call(std::string method, std::string target, std::string body = "",
                    const std::string& token = "") {
    HttpRequest r;
    r.method = std::move(method);
    r.target = target;
    auto t = ParseRequestTarget(target);
    if (t.ok()) {
      r.path = t->path;
      r.query = t->query;
    } else {
      r.path = target;  // let the service see a malformed path as is
    }
    r.body = std::move(body);
    r.remote_address = "127.0.0.1";
    if (!token.empty()) r.headers.emplace_back("authorization", "Bearer " + token);
    for (const auto& h : headers_) r.headers.push_back(h);
    return (on_ != nullptr ? on_ : service_.get())->Handle(r);
  }
  // Runs the calls of `fn` against `service`.
  template <typename F>
  void On(AdminService& service, F fn) {
    on_ = &service;
    fn();
    on_ = nullptr;
  }
  HttpResponse As(const std::string& token, std::string method, std::string target,
                  std::string body = "") {
    return Call(std::move(method), std::move(target), std::move(body), token);
  }
  static json::value Json(const HttpResponse& r) { return json::parse(r.body); }

  std::string Login(const std::string& user, const std::string& password) {
    auto r = Call("POST", "/api/v1/login",
                  R"({"username":")" + user + R"(","password":")" + password + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return "";
    return std::string(Json(r).at("token").as_string());
  }

  std::unique_ptr<testing::TestDatabase> test_db_;
  std::shared_ptr<db::Database> db_;
  std::shared_ptr<CatalogAdmin> admin_;
  std::unique_ptr<AdminService> service_;
  AdminService* on_ = nullptr;                                // where Call() goes, if not service_
  std::vector<std::pair<std::string, std::string>> headers_;  // Call() sends them too
  int64_t now_ = 1'700'000'000'000;
};

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "(none)";
}

// The console's session: an HttpOnly cookie (never the token in the body)
// and a CSRF token every cookie-authenticated write must carry, with the
// browser's Origin and Sec-Fetch-Site naming this server. Bearer sessions
// are unaffected; logout clears the cookie.
TEST_P(AdminServiceTest, CookieSessionsNeedTheCsrfTokenToWrite) {
  auto login = Call("POST", "/api/v1/login",
                    R"({"username":"root","password":"root-password","cookie":true})");
  ASSERT_EQ(login.status, 200) << login.body;
  json::object body = Json(login).as_object();
  EXPECT_FALSE(body.contains("token"));
  EXPECT_EQ(body.at("username").as_string(), "root");
  const std::string csrf(body.at("csrfToken").as_string());
  const std::string cookie = HeaderOf(login, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("lakeshare_session=", 0), 0u) << cookie;
  for (const char* part :
       {"; Path=/api/v1", "; HttpOnly", "; SameSite=Strict", "; Max-Age=60", "; Secure"}) {
    EXPECT_NE(cookie.find(part), std::string::npos) << part << " in " << cookie;
  }
  const std::string token = cookie.substr(18, cookie.find(';') - 18);
  ASSERT_GE(token.size(), 32u);
  // A bearer login stays as it was.
  const std::string bearer = Login("root", "root-password");
  EXPECT_FALSE(bearer.empty());

  headers_ = {{"cookie", "other=1; lakeshare_session=" + token}, {"host", "127.0.0.1:9"}};
  auto session = Call("GET", "/api/v1/session");
  ASSERT_EQ(session.status, 200) << session.body;
  EXPECT_EQ(Json(session).at("csrfToken").as_string(), csrf);
  EXPECT_EQ(Json(session).at("role").as_string(), "admin");
  EXPECT_EQ(Call("GET", "/api/v1/shares").status, 200);  // reads need no CSRF token

  const std::string create = R"({"name":"s1"})";
  auto refused = [&](const std::vector<std::pair<std::string, std::string>>& extra) {
    auto saved = headers_;
    headers_.insert(headers_.end(), extra.begin(), extra.end());
    auto r = Call("POST", "/api/v1/shares", create);
    headers_ = saved;
    EXPECT_EQ(r.status, 403) << r.body;
    return r.status == 403 && Json(r).at("errorCode").as_string() == "CSRF_REJECTED";
  };
  EXPECT_TRUE(refused({}));
  std::string wrong = csrf;
  wrong[0] = wrong[0] == '0' ? '1' : '0';  // one hex digit off
  EXPECT_TRUE(refused({{"x-csrf-token", wrong}}));
  EXPECT_TRUE(refused({{"x-csrf-token", csrf}, {"origin", "https://evil.example"}}));
  EXPECT_TRUE(refused({{"x-csrf-token", csrf}, {"sec-fetch-site", "cross-site"}}));
  EXPECT_TRUE(refused({{"x-csrf-token", csrf}, {"sec-fetch-site", "same-site"}}));
  EXPECT_EQ(As(bearer, "GET", "/api/v1/shares/s1").status, 404);  // nothing changed

  headers_.push_back({"x-csrf-token", csrf});
  EXPECT_EQ(Call("POST", "/api/v1/shares", create).status, 201);
  headers_.push_back({"origin", "http://127.0.0.1:9"});
  headers_.push_back({"sec-fetch-site", "same-origin"});
  EXPECT_EQ(Call("POST", "/api/v1/shares", R"({"name":"s2"})").status, 201);
  headers_.back() = {"origin", "https://share.example.com"};  // the public URL's origin
  EXPECT_EQ(Call("DELETE", "/api/v1/shares/s2").status, 204);

  // Bearer sessions need none of it, even with a foreign Origin.
  headers_ = {{"origin", "https://evil.example"}};
  EXPECT_EQ(As(bearer, "POST", "/api/v1/shares", R"({"name":"s3"})").status, 201);

  // Logout (a write: CSRF-checked too) ends the session and clears the cookie.
  headers_ = {{"cookie", "lakeshare_session=" + token}};
  EXPECT_EQ(Call("POST", "/api/v1/logout").status, 403);
  headers_.push_back({"x-csrf-token", csrf});
  auto out = Call("POST", "/api/v1/logout");
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_NE(HeaderOf(out, "Set-Cookie").find("lakeshare_session=; "), std::string::npos);
  EXPECT_NE(HeaderOf(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/session").status, 401);
  headers_.clear();
  EXPECT_EQ(Call("GET", "/api/v1/session").status, 401);
  EXPECT_EQ(As(bearer, "GET", "/api/v1/session").status, 200);
}

// Password guessing is slowed down: after the free failures every attempt
// waits (429 with Retry-After), even with the right password, until the
// wait is over; a success then clears the count.
// Iceberg catalog connections: created, read, rotated and removed through
// the routes; secrets never in an answer or the audit log; the config's
// names taken; the server told of every write; viewers read only.
TEST_P(AdminServiceTest, IcebergCatalogConnectionsKeepTheirSecrets) {
  AdminServiceOptions o;
  o.clock = [this] { return now_; };
  CatalogConnectionConfig from_file;
  from_file.name = "fromfile";
  from_file.uri = "https://file.example.com";
  o.config_iceberg_catalogs = {from_file};
  int changed = 0;
  o.iceberg_catalogs_changed = [&changed] { ++changed; };
  AdminService service(admin_, o);
  On(service, [&] {
    const std::string root = Login("root", "root-password");
    const std::string watcher = Login("watcher", "watcher-password");
    const std::string create =
        R"({"name":"polaris","uri":"https://p.example.com","auth":{"kind":"oauth2",)"
        R"("clientId":"c","clientSecret":"first-s3cret"}})";
    EXPECT_EQ(As(watcher, "POST", "/api/v1/iceberg-catalogs", create).status, 403);
    auto r = As(root, "POST", "/api/v1/iceberg-catalogs", create);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.body.find("first-s3cret"), std::string::npos);
    EXPECT_TRUE(Json(r).at("auth").at("clientSecretSet").as_bool());
    EXPECT_EQ(Json(r).at("auth").at("scope").as_string(), "catalog");  // the config's default
    EXPECT_EQ(changed, 1);
    auto taken = As(root, "POST", "/api/v1/iceberg-catalogs",
                    R"({"name":"FromFile","uri":"https://other.example.com"})");
    EXPECT_EQ(taken.status, 409) << taken.body;
    EXPECT_EQ(
        As(root, "POST", "/api/v1/iceberg-catalogs", R"({"name":"x","uri":"ftp://x"})").status,
        400);
    auto bad_secret = As(root, "POST", "/api/v1/iceberg-catalogs",
                         R"({"name":"x","uri":"https://x","auth":{"kind":"bearer","token":7}})");
    EXPECT_EQ(bad_secret.status, 400);
    EXPECT_EQ(changed, 1);

    auto got = As(watcher, "GET", "/api/v1/iceberg-catalogs/POLARIS");
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(got.body.find("s3cret"), std::string::npos);
    auto list = As(watcher, "GET", "/api/v1/iceberg-catalogs");
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(Json(list).at("items").as_array().size(), 1u);

    auto rotated = As(root, "PATCH", "/api/v1/iceberg-catalogs/polaris",
                      R"({"auth":{"clientSecret":"second-s3cret"},"version":1})");
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    EXPECT_EQ(rotated.body.find("s3cret"), std::string::npos);
    EXPECT_EQ(changed, 2);
    IcebergCatalogStore store(admin_->database());
    EXPECT_EQ(store.Get("polaris")->config.auth.client_secret, "second-s3cret");
    auto kept = As(root, "PATCH", "/api/v1/iceberg-catalogs/polaris", R"({"auth":{"scope":"s"}})");
    ASSERT_EQ(kept.status, 200) << kept.body;
    EXPECT_EQ(store.Get("polaris")->config.auth.client_secret, "second-s3cret");
    EXPECT_EQ(As(root, "PATCH", "/api/v1/iceberg-catalogs/polaris", R"({"version":1})").status,
              400);

    EXPECT_EQ(As(watcher, "DELETE", "/api/v1/iceberg-catalogs/polaris").status, 403);
    EXPECT_EQ(As(root, "DELETE", "/api/v1/iceberg-catalogs/polaris").status, 204);
    EXPECT_EQ(As(root, "GET", "/api/v1/iceberg-catalogs/polaris").status, 404);
    EXPECT_EQ(changed, 4);
  });
  AuditQuery q;
  q.limit = 1000;
  ASSERT_OK_AND_ASSIGN(AuditPage page, admin_->QueryAudit(q));
  bool created = false;
  for (const AuditEntry& e : page.entries) {
    std::string all = e.action + e.object.value_or("") + e.detail.value_or("");
    EXPECT_EQ(all.find("s3cret"), std::string::npos) << all;
    created |= e.action == "createIcebergCatalog" && e.object == "icebergCatalog:polaris";
  }
  EXPECT_TRUE(created);
}

TEST_P(AdminServiceTest, FailedLoginsAreThrottled) {
  const std::string wrong = R"({"username":"root","password":"nope"})";
  const std::string right = R"({"username":"root","password":"root-password"})";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Call("POST", "/api/v1/login", wrong).status, 401) << i;
  }
  EXPECT_EQ(Call("POST", "/api/v1/login", wrong).status, 401);  // the 6th is checked, then counts
  auto limited = Call("POST", "/api/v1/login", right);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(Json(limited).at("errorCode").as_string(), "TOO_MANY_REQUESTS");
  EXPECT_EQ(HeaderOf(limited, "Retry-After"), "1");
  // Other users are not held up by root's failures.
  EXPECT_EQ(Call("POST", "/api/v1/login", R"({"username":"ghost","password":"x"})").status, 401);
  now_ += 1000;
  EXPECT_EQ(Call("POST", "/api/v1/login", wrong).status, 401);
  auto longer = Call("POST", "/api/v1/login", right);
  EXPECT_EQ(longer.status, 429);
  EXPECT_EQ(HeaderOf(longer, "Retry-After"), "2");
  now_ += 2000;
  EXPECT_EQ(Call("POST", "/api/v1/login", right).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/login", wrong).status, 401);  // counting starts over
  EXPECT_EQ(Call("POST", "/api/v1/login", right).status, 200);
}

// The session the head check found (before the body) is the one the
// handler uses: no second lookup. A head context from another service (a
// replica, or the service before a reload) is not trusted: looked up again.
TEST_P(AdminServiceTest, HeadCheckHandsItsSessionToTheHandler) {
  const std::string t = Login("root", "root-password");
  HttpRequest head;
  head.method = "GET";
  head.target = head.path = "/api/v1/shares";
  head.remote_address = "127.0.0.1";
  head.headers.emplace_back("authorization", "Bearer " + t);
  EXPECT_EQ(service_->CheckHead(head), std::nullopt);
  ASSERT_TRUE(head.head_context.has_value());
  HttpRequest on_replica = head;

  // The session ends between the head and the handler: the handler serves
  // what the head check admitted (a lookup would now fail).
  EXPECT_EQ(As(t, "POST", "/api/v1/logout").status, 204);
  EXPECT_EQ(As(t, "GET", "/api/v1/shares").status, 401);
  EXPECT_EQ(service_->Handle(head).status, 200);

  std::unique_ptr<AdminService> replica = Replica();
  EXPECT_EQ(replica->Handle(on_replica).status, 401);

  // A head check that refuses leaves nothing behind.
  HttpRequest bad;
  bad.method = "GET";
  bad.target = bad.path = "/api/v1/shares";
  bad.headers.emplace_back("authorization", "Bearer not-a-session");
  std::optional<HttpResponse> refused = service_->CheckHead(bad);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 401);
  EXPECT_FALSE(bad.head_context.has_value());
}

TEST_P(AdminServiceTest, LoginAndFailures) {
  auto ok = Call("POST", "/api/v1/login", R"({"username":"root","password":"root-password"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto j = Json(ok);
  EXPECT_EQ(j.at("role").as_string(), "admin");
  EXPECT_EQ(j.at("expiresAt").as_int64(), now_ + 60'000);
  EXPECT_GE(j.at("token").as_string().size(), 32u);

  auto wrong = Call("POST", "/api/v1/login", R"({"username":"root","password":"nope"})");
  auto unknown = Call("POST", "/api/v1/login", R"({"username":"ghost","password":"nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(Call("POST", "/api/v1/login", "{not json").status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/login", R"({"username":"root"})").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/login").status, 405);
  // Passwords never reach the audit log.
  auto page = admin_->QueryAudit({});
  ASSERT_OK(page);
  for (const auto& e : page->entries) {
    EXPECT_EQ(e.detail.value_or("").find("root-password"), std::string::npos);
    EXPECT_EQ(e.object.value_or("").find("password"), std::string::npos);
  }
}

TEST_P(AdminServiceTest, SessionsRequiredExpireAndLogout) {
  EXPECT_EQ(Call("GET", "/api/v1/shares").status, 401);
  EXPECT_EQ(As("bogus", "GET", "/api/v1/shares").status, 401);
  std::string t = Login("root", "root-password");
  EXPECT_EQ(As(t, "GET", "/api/v1/shares").status, 200);
  now_ += 60'001;
  EXPECT_EQ(As(t, "GET", "/api/v1/shares").status, 401);
  std::string t2 = Login("root", "root-password");
  EXPECT_EQ(As(t2, "POST", "/api/v1/logout").status, 204);
  EXPECT_EQ(As(t2, "GET", "/api/v1/shares").status, 401);
}

TEST_P(AdminServiceTest, ViewerMayOnlyRead) {
  std::string v = Login("watcher", "watcher-password");
  EXPECT_EQ(As(v, "GET", "/api/v1/shares").status, 200);
  EXPECT_EQ(As(v, "POST", "/api/v1/shares", R"({"name":"s"})").status, 403);
  EXPECT_EQ(As(v, "DELETE", "/api/v1/shares/s").status, 403);
  EXPECT_EQ(As(v, "GET", "/api/v1/users").status, 403);
  EXPECT_EQ(As(v, "POST", "/api/v1/logout").status, 204);
}

TEST_P(AdminServiceTest, SharingTokenIsNotASession) {
  ASSERT_OK(admin_->CreateRecipient({"alice"}));
  auto tok = admin_->CreateToken("alice");
  ASSERT_OK(tok);
  EXPECT_EQ(As(tok->token, "GET", "/api/v1/shares").status, 401);
}

TEST_P(AdminServiceTest, CrudRoundTrips) {
  std::string t = Login("root", "root-password");
  auto c = As(t, "POST", "/api/v1/shares", R"({"name":"Sales","comment":"q"})");
  ASSERT_EQ(c.status, 201) << c.body;
  // A name that exists already is a conflict (409), on every create route.
  auto dup = As(t, "POST", "/api/v1/shares", R"({"name":"sales"})");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(Json(dup).at("errorCode").as_string(), "RESOURCE_ALREADY_EXISTS");
  EXPECT_EQ(Json(As(t, "GET", "/api/v1/shares")).at("items").as_array().size(), 1u);
  auto g = As(t, "GET", "/api/v1/shares/sales");
  ASSERT_EQ(g.status, 200);
  EXPECT_EQ(Json(g).at("name").as_string(), "Sales");
  auto u = As(t, "PATCH", "/api/v1/shares/sales", R"({"displayName":"Sales data","version":1})");
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(Json(u).at("displayName").as_string(), "Sales data");
  EXPECT_EQ(As(t, "PATCH", "/api/v1/shares/sales", R"({"comment":"x","version":1})").status, 400);

  ASSERT_EQ(As(t, "POST", "/api/v1/shares/sales/schemas", R"({"name":"default"})").status, 201);
  EXPECT_EQ(As(t, "POST", "/api/v1/shares/sales/schemas", R"({"name":"DEFAULT"})").status, 409);
  EXPECT_EQ(As(t, "GET", "/api/v1/shares/sales/schemas/default").status, 200);
  auto tb = As(t, "POST", "/api/v1/shares/sales/schemas/default/tables",
               R"({"name":"orders","location":"/data/orders","historyShared":true,)"
               R"("startVersion":3,"partitionFilter":"year = 2024","comment":"c"})");
  ASSERT_EQ(tb.status, 201) << tb.body;
  EXPECT_EQ(As(t, "POST", "/api/v1/shares/sales/schemas/default/tables",
               R"({"name":"Orders","location":"/data/other"})")
                .status,
            409);
  auto gt = Json(As(t, "GET", "/api/v1/shares/sales/schemas/default/tables/orders"));
  EXPECT_EQ(gt.at("location").as_string(), "/data/orders");
  EXPECT_TRUE(gt.at("historyShared").as_bool());
  EXPECT_EQ(gt.at("startVersion").as_int64(), 3);
  EXPECT_EQ(gt.at("partitionFilter").as_string(), "year = 2024");
  auto ut = As(t, "PATCH", "/api/v1/shares/sales/schemas/default/tables/orders",
               R"({"name":"orders_v2","historyShared":false})");
  ASSERT_EQ(ut.status, 200) << ut.body;
  EXPECT_EQ(Json(ut).at("name").as_string(), "orders_v2");
  EXPECT_EQ(Json(As(t, "GET", "/api/v1/shares/sales/schemas/default/tables"))
                .at("items")
                .as_array()
                .size(),
            1u);
  EXPECT_EQ(As(t, "DELETE", "/api/v1/shares/sales/schemas/default/tables/orders_v2").status, 204);
  EXPECT_EQ(As(t, "GET", "/api/v1/shares/sales/schemas/default/tables/orders_v2").status, 404);
  EXPECT_EQ(As(t, "PATCH", "/api/v1/shares/sales/schemas/default", R"({"name":"main"})").status,
            200);
  EXPECT_EQ(As(t, "DELETE", "/api/v1/shares/sales/schemas/main").status, 204);

  auto r = As(t, "POST", "/api/v1/recipients",
              R"({"name":"alice","ipAllowlist":["10.0.0.0/8"],"comment":"hi"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(As(t, "POST", "/api/v1/recipients", R"({"name":"ALICE"})").status, 409);
  EXPECT_EQ(As(t, "PUT", "/api/v1/recipients/alice/grants/sales").status, 204);
  auto gr = Json(As(t, "GET", "/api/v1/recipients/alice/grants"));
  ASSERT_EQ(gr.at("items").as_array().size(), 1u);
  EXPECT_EQ(As(t, "DELETE", "/api/v1/recipients/alice/grants/sales").status, 204);
  EXPECT_EQ(As(t, "DELETE", "/api/v1/recipients/alice/grants/sales").status, 404);
  auto ur = As(t, "PATCH", "/api/v1/recipients/alice", R"({"allShares":true,"ipAllowlist":[]})");
  ASSERT_EQ(ur.status, 200) << ur.body;
  EXPECT_TRUE(Json(ur).at("allShares").as_bool());
  EXPECT_EQ(As(t, "DELETE", "/api/v1/recipients/alice").status, 204);
  EXPECT_EQ(As(t, "GET", "/api/v1/recipients/alice").status, 404);
  EXPECT_EQ(As(t, "DELETE", "/api/v1/shares/sales").status, 204);
  EXPECT_EQ(As(t, "GET", "/api/v1/shares/sales").status, 404);

  // Users.
  auto cu =
      As(t, "POST", "/api/v1/users", R"({"name":"bob","password":"bob-pw-123","role":"viewer"})");
  ASSERT_EQ(cu.status, 201) << cu.body;
  EXPECT_FALSE(Json(cu).as_object().contains("password"));
  EXPECT_EQ(
      As(t, "POST", "/api/v1/users", R"({"name":"BOB","password":"bob-pw-456","role":"viewer"})")
          .status,
      409);
  std::string b = Login("bob", "bob-pw-123");
  EXPECT_EQ(As(t, "PATCH", "/api/v1/users/bob", R"({"role":"admin"})").status, 200);
  EXPECT_EQ(As(b, "GET", "/api/v1/shares").status, 401);  // role change ends sessions
  EXPECT_EQ(Json(As(t, "GET", "/api/v1/users")).at("items").as_array().size(), 3u);
  EXPECT_EQ(As(t, "DELETE", "/api/v1/users/bob").status, 204);
}

TEST_P(AdminServiceTest, TokensAndProfiles) {
  std::string t = Login("root", "root-password");
  ASSERT_EQ(As(t, "POST", "/api/v1/recipients", R"({"name":"alice"})").status, 201);
  auto p = As(t, "POST", "/api/v1/recipients/alice/tokens",
              R"({"expirationTime":"2099-01-01T00:00:00Z"})");
  ASSERT_EQ(p.status, 201) << p.body;
  auto prof = Json(p);
  EXPECT_EQ(prof.at("shareCredentialsVersion").as_int64(), 1);
  EXPECT_EQ(prof.at("endpoint").as_string(), "https://share.example.com/delta-sharing");
  EXPECT_EQ(prof.at("expirationTime").as_string(), "2099-01-01T00:00:00.000Z");
  std::string bearer(prof.at("bearerToken").as_string());
  SqlCatalog catalog(db_);
  auto who = catalog.Authenticate(bearer);
  ASSERT_OK(who);
  EXPECT_EQ(who->recipient, "alice");

  auto list = As(t, "GET", "/api/v1/recipients/alice/tokens");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(bearer), std::string::npos);
  auto items = Json(list).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  std::string id(items[0].at("id").as_string());
  EXPECT_FALSE(items[0].at("revoked").as_bool());

  EXPECT_EQ(As(t, "DELETE", "/api/v1/recipients/alice/tokens/" + id).status, 204);
  EXPECT_EQ(catalog.Authenticate(bearer).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(As(t, "DELETE", "/api/v1/recipients/alice/tokens/nope").status, 404);

  // Rotation: the new token works, the old one stops.
  auto a = Json(As(t, "POST", "/api/v1/recipients/alice/tokens"));
  auto rot = As(t, "POST", "/api/v1/recipients/alice/tokens/rotate");
  ASSERT_EQ(rot.status, 201) << rot.body;
  EXPECT_OK(catalog.Authenticate(std::string(Json(rot).at("bearerToken").as_string())));
  EXPECT_FALSE(catalog.Authenticate(std::string(a.at("bearerToken").as_string())).ok());
  // A grace too long to count in milliseconds is refused, and the current
  // token keeps working (it wrapped around to "revoke at once").
  auto huge = As(t, "POST", "/api/v1/recipients/alice/tokens/rotate",
                 R"({"graceSeconds":9223372036854775807})");
  EXPECT_EQ(huge.status, 400) << huge.body;
  EXPECT_OK(catalog.Authenticate(std::string(Json(rot).at("bearerToken").as_string())));
  // Secrets are never audited.
  auto page = admin_->QueryAudit({});
  ASSERT_OK(page);
  for (const auto& e : page->entries) {
    EXPECT_EQ(e.detail.value_or("").find(bearer), std::string::npos);
  }
}

// One call: a recipient with its grants and a token (or a link), all or
// nothing.
TEST_P(AdminServiceTest, CreatingARecipientGrantsAndIssuesInOneCall) {
  now_ = NowMillis();  // links expire in real time
  std::string t = Login("root", "root-password");
  ASSERT_EQ(As(t, "POST", "/api/v1/shares", R"({"name":"sales"})").status, 201);
  ASSERT_EQ(As(t, "POST", "/api/v1/shares", R"({"name":"hr"})").status, 201);
  auto r = As(t, "POST", "/api/v1/recipients",
              R"({"name":"alice","shares":["sales","hr"],)"
              R"("token":{"expirationTime":"2099-01-01T00:00:00Z"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto v = Json(r);
  EXPECT_OK(ConformsTo(v, NewRecipientShape()));
  EXPECT_EQ(v.at("shares").as_array().size(), 2u);
  const auto& prof = v.at("profile");
  EXPECT_EQ(prof.at("expirationTime").as_string(), "2099-01-01T00:00:00.000Z");
  SqlCatalog catalog(db_);
  ASSERT_OK_AND_ASSIGN(Principal who,
                       catalog.Authenticate(std::string(prof.at("bearerToken").as_string())));
  EXPECT_EQ(catalog.ListShares(who)->size(), 2u);
  EXPECT_EQ(Json(As(t, "GET", "/api/v1/recipients/alice")).at("shares").as_array().size(), 2u);

  // An activation link instead ({}: the defaults).
  auto l =
      As(t, "POST", "/api/v1/recipients", R"({"name":"bob","shares":["hr"],"activationLink":{}})");
  ASSERT_EQ(l.status, 201) << l.body;
  auto lv = Json(l);
  EXPECT_OK(ConformsTo(lv, NewRecipientShape()));
  EXPECT_FALSE(lv.as_object().contains("profile"));
  std::string url(lv.at("activationLink").at("url").as_string());
  std::string secret = url.substr(url.find('#') + 1);
  EXPECT_EQ(As("", "POST", "/api/v1/activate/" + secret).status, 200);

  // A share that does not exist: 404 and no recipient left behind.
  auto missing = As(t, "POST", "/api/v1/recipients",
                    R"({"name":"carol","shares":["sales","nope"],"token":{}})");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(As(t, "GET", "/api/v1/recipients/carol").status, 404);
  // Bad nested fields name themselves; both a token and a link are refused.
  auto typo = As(t, "POST", "/api/v1/recipients", R"({"name":"carol","token":{"expires":1}})");
  EXPECT_EQ(typo.status, 400);
  EXPECT_NE(typo.body.find("token.expires"), std::string::npos) << typo.body;
  EXPECT_EQ(As(t, "POST", "/api/v1/recipients", R"({"name":"carol","token":[]})").status, 400);
  EXPECT_EQ(
      As(t, "POST", "/api/v1/recipients", R"({"name":"carol","token":{},"activationLink":{}})")
          .status,
      400);
  EXPECT_EQ(As(t, "GET", "/api/v1/recipients/carol").status, 404);
  EXPECT_EQ(As(t, "POST", "/api/v1/recipients", R"({"name":"Alice","token":{}})").status, 409);
}

TEST_P(AdminServiceTest, ActivationLinkWorksOnce) {
  now_ = NowMillis();  // links expire in real time
  std::string t = Login("root", "root-password");
  ASSERT_EQ(As(t, "POST", "/api/v1/recipients", R"({"name":"alice"})").status, 201);
  auto l = As(t, "POST", "/api/v1/recipients/alice/activation-links", "");
  ASSERT_EQ(l.status, 201) << l.body;
  std::string url(Json(l).at("url").as_string());
  const std::string prefix = "https://share.example.com/console/activate#";
  ASSERT_EQ(url.rfind(prefix, 0), 0u) << url;
  const std::string secret = url.substr(prefix.size());
  const std::string path = "/api/v1/activate/" + secret;
  // Neither opening nor looking redeems.
  auto opened = Call("GET", path);
  EXPECT_EQ(opened.status, 303);
  EXPECT_EQ(HeaderOf(opened, "Location"), "/console/activate#" + secret);
  auto info = Call("GET", path + "/info");
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_OK(ConformsTo(Json(info), ActivationInfoShape()));
  EXPECT_EQ(Json(info).at("recipient").as_string(), "alice");
  auto first = Call("POST", path);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(HeaderOf(first, "Content-Disposition"), "attachment; filename=\"config.share\"");
  SqlCatalog catalog(db_);
  EXPECT_OK(catalog.Authenticate(std::string(Json(first).at("bearerToken").as_string())));
  auto second = Call("POST", path);
  EXPECT_GE(second.status, 400);
  EXPECT_LT(second.status, 500);
  EXPECT_EQ(Call("GET", path + "/info").status, 404);  // used
  EXPECT_EQ(Call("POST", "/api/v1/activate/unknown").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/activate/unknown/info").status, 404);
  // An unused link may be revoked; then it is gone.
  auto spare = As(t, "POST", "/api/v1/recipients/alice/activation-links", "");
  ASSERT_EQ(spare.status, 201);
  const std::string id(Json(spare).at("id").as_string());
  EXPECT_EQ(As(t, "DELETE", "/api/v1/recipients/alice/activation-links/" + id).status, 204);
  EXPECT_EQ(As(t, "DELETE", "/api/v1/recipients/alice/activation-links/" + id).status, 404);
}

// The console's first page: counts, tokens about to expire, recent audit
// entries, the server; viewers may read it.
TEST_P(AdminServiceTest, OverviewCountsAndExpiringTokens) {
  now_ = NowMillis();  // token expirations are checked in real time
  std::string t = Login("root", "root-password");
  ASSERT_EQ(As(t, "POST", "/api/v1/shares", R"({"name":"s1"})").status, 201);
  ASSERT_EQ(As(t, "POST", "/api/v1/shares/s1/schemas", R"({"name":"d"})").status, 201);
  ASSERT_EQ(As(t, "POST", "/api/v1/recipients", R"({"name":"alice"})").status, 201);
  const std::string soon = FormatIso8601Millis(now_ + 3'600'000);
  ASSERT_EQ(
      As(t, "POST", "/api/v1/recipients/alice/tokens", R"({"expirationTime":")" + soon + R"("})")
          .status,
      201);
  ASSERT_EQ(As(t, "POST", "/api/v1/recipients/alice/tokens", "{}").status, 201);
  auto r = As(Login("watcher", "watcher-password"), "GET", "/api/v1/overview");
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = Json(r);
  EXPECT_OK(ConformsTo(v, OverviewShape()));
  EXPECT_EQ(v.at("counts").at("shares").as_int64(), 1);
  EXPECT_EQ(v.at("counts").at("schemas").as_int64(), 1);
  EXPECT_EQ(v.at("counts").at("tables").as_int64(), 0);
  EXPECT_EQ(v.at("counts").at("recipients").as_int64(), 1);
  EXPECT_EQ(v.at("counts").at("activeTokens").as_int64(), 2);
  EXPECT_EQ(v.at("counts").at("oauthAccessTokens").as_int64(), 0);
  ASSERT_EQ(v.at("expiringTokens").as_array().size(), 1u);
  EXPECT_EQ(v.at("expiringTokens").at(0).at("recipient").as_string(), "alice");
  EXPECT_EQ(v.at("expiringTokens").at(0).at("expirationTime").as_string(), soon);
  const auto& audit = v.at("recentAudit").as_array();
  ASSERT_FALSE(audit.empty());
  EXPECT_LE(audit.size(), 10u);
  EXPECT_EQ(v.at("server").at("catalogBackend").as_string(),
            GetParam() == testing::Backend::kSqlite ? "sqlite" : "postgresql");
  EXPECT_FALSE(v.at("server").at("version").as_string().empty());
  EXPECT_EQ(Call("GET", "/api/v1/overview").status, 401);
}

TEST_P(AdminServiceTest, AuditQueryFilters) {
  std::string t = Login("root", "root-password");
  ASSERT_EQ(As(t, "POST", "/api/v1/shares", R"({"name":"s1"})").status, 201);
  ASSERT_EQ(As(t, "POST", "/api/v1/shares", R"({"name":"s1"})").status, 409);
  ASSERT_EQ(As(t, "GET", "/api/v1/shares/zzz").status, 404);
  auto q = As(t, "GET", "/api/v1/audit?action=createShare&outcome=ok");
  ASSERT_EQ(q.status, 200) << q.body;
  auto items = Json(q).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("actor").as_string(), "root");
  EXPECT_EQ(items[0].at("object").as_string(), "share:s1");
  EXPECT_EQ(Json(As(t, "GET", "/api/v1/audit?action=createShare&outcome=error"))
                .at("items")
                .as_array()
                .size(),
            1u);
  EXPECT_EQ(Json(As(t, "GET", "/api/v1/audit?object=share:zzz")).at("items").as_array().size(), 1u);
  EXPECT_EQ(Json(As(t, "GET", "/api/v1/audit?actor=nobody")).at("items").as_array().size(), 0u);
  auto p1 = Json(As(t, "GET", "/api/v1/audit?actor=root&maxResults=2"));
  EXPECT_EQ(p1.at("items").as_array().size(), 2u);
  ASSERT_TRUE(p1.as_object().contains("nextPageToken"));
  auto p2 = As(t, "GET",
               "/api/v1/audit?actor=root&maxResults=2&pageToken=" +
                   std::string(p1.at("nextPageToken").as_string()));
  EXPECT_EQ(p2.status, 200);
  EXPECT_EQ(As(t, "GET", "/api/v1/audit?maxResults=0").status, 400);
  EXPECT_EQ(As(t, "GET", "/api/v1/audit?from=yesterday").status, 400);
}

TEST_P(AdminServiceTest, BadInputAndUnknownPaths) {
  std::string t = Login("root", "root-password");
  EXPECT_EQ(As(t, "POST", "/api/v1/shares", "{").status, 400);
  EXPECT_EQ(As(t, "POST", "/api/v1/shares", "[1]").status, 400);
  EXPECT_EQ(As(t, "POST", "/api/v1/shares", R"({"name":"a b"})").status, 400);
  EXPECT_EQ(As(t, "POST", "/api/v1/shares", R"({"name":5})").status, 400);
  ASSERT_EQ(As(t, "POST", "/api/v1/shares", R"({"name":"s"})").status, 201);
  EXPECT_EQ(As(t, "POST", "/api/v1/shares/s/schemas", R"({"name":"a.b"})").status, 400);
  ASSERT_EQ(As(t, "POST", "/api/v1/shares/s/schemas", R"({"name":"d"})").status, 201);
  EXPECT_EQ(As(t, "POST", "/api/v1/shares/s/schemas/d/tables", R"({"name":"t"})").status, 400);
  EXPECT_EQ(As(t, "POST", "/api/v1/shares/s/schemas/d/tables",
               R"({"name":"t","location":"/x","startVersion":"1"})")
                .status,
            400);
  // A misspelt field is refused by name, with the field meant (issue 18:
  // "historyshared" was dropped and history stayed unshared).
  auto misspelt = As(t, "POST", "/api/v1/shares/s/schemas/d/tables",
                     R"({"name":"t","location":"/x","historyshared":true})");
  EXPECT_EQ(misspelt.status, 400);
  EXPECT_NE(misspelt.body.find("'historyshared' is not known (did you mean 'historyShared'?)"),
            std::string::npos)
      << misspelt.body;
  EXPECT_EQ(As(t, "GET", "/api/v1/shares/s/schemas/d/tables/t").status, 404);
  EXPECT_EQ(As(t, "GET", "/api/v1/nothing").status, 404);
  EXPECT_EQ(As(t, "GET", "/api/v1/shares/s/bogus").status, 404);
  EXPECT_EQ(As(t, "GET", "/api/v1/shares/%zz").status, 400);
  EXPECT_EQ(As(t, "PUT", "/api/v1/shares").status, 405);
  auto api = Call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(api.status, 200);
  auto doc = Json(api);
  EXPECT_EQ(std::string(doc.at("openapi").as_string()).substr(0, 2), "3.");
  EXPECT_TRUE(doc.at("paths").as_object().contains("/api/v1/recipients/{recipient}/tokens"));
}

// What every answer carries is what the OpenAPI document says it carries.
TEST_P(AdminServiceTest, AnswersHaveTheDocumentedShapes) {
  now_ = NowMillis();  // links expire in real time
  std::string t = Login("root", "root-password");
  const std::string tables = "/api/v1/shares/s/schemas/d/tables";
  struct Step {
    std::string method, target, body;
    int status;
    const Shape* shape;
  };
  const Step steps[] = {
      {"POST", "/api/v1/shares", R"({"name":"s","displayName":"S","comment":"c"})", 201,
       &ShareShape()},
      {"POST", "/api/v1/shares/s/schemas", R"({"name":"d"})", 201, &SchemaShape()},
      {"POST", tables, R"({"name":"t","location":"/x","partitionFilter":"y = 1"})", 201,
       &TableShape()},
      {"POST", "/api/v1/recipients", R"({"name":"r","ipAllowlist":["10.0.0.0/8"]})", 201,
       &RecipientShape()},
      {"PUT", "/api/v1/recipients/r/grants/s", "", 204, nullptr},
      {"POST", "/api/v1/recipients/r/tokens", R"({"expirationTime":"2099-01-01T00:00:00Z"})", 201,
       &ProfileShape()},
      {"POST", "/api/v1/recipients/r/tokens/rotate", R"({"graceSeconds":5})", 201, &ProfileShape()},
      {"POST", "/api/v1/recipients/r/activation-links", "", 201, &NewActivationLinkShape()},
      {"GET", "/api/v1/shares", "", 200, &ShareListShape()},
      {"GET", "/api/v1/shares/s", "", 200, &ShareDetailShape()},
      {"PATCH", "/api/v1/shares/s", R"({"comment":"d"})", 200, &ShareShape()},
      {"GET", "/api/v1/shares/s/schemas", "", 200, &SchemaListShape()},
      {"GET", "/api/v1/shares/s/schemas/d", "", 200, &SchemaShape()},
      {"GET", tables, "", 200, &TableListShape()},
      {"GET", tables + "/t", "", 200, &TableShape()},
      {"PATCH", tables + "/t", R"({"historyShared":true})", 200, &TableShape()},
      {"GET", "/api/v1/recipients", "", 200, &RecipientListShape()},
      {"GET", "/api/v1/recipients/r", "", 200, &RecipientDetailShape()},
      {"PATCH", "/api/v1/recipients/r", R"({"allShares":true})", 200, &RecipientShape()},
      {"GET", "/api/v1/recipients/r/grants", "", 200, &GrantListShape()},
      {"GET", "/api/v1/recipients/r/tokens", "", 200, &TokenListShape()},
      {"GET", "/api/v1/recipients/r/activation-links", "", 200, &ActivationLinkListShape()},
      {"GET", "/api/v1/users", "", 200, &UserListShape()},
      {"GET", "/api/v1/users/root", "", 200, &UserShape()},
      {"PATCH", "/api/v1/users/watcher", R"({"role":"viewer"})", 200, &UserShape()},
      {"GET", "/api/v1/audit?maxResults=2", "", 200, &AuditPageShape()},
      {"GET", "/api/v1/shares/nope", "", 404, &ErrorShape()},
      {"POST", "/api/v1/shares", "[]", 400, &ErrorShape()},
  };
  for (const Step& step : steps) {
    auto r = As(t, step.method, step.target, step.body);
    ASSERT_EQ(r.status, step.status) << step.method << " " << step.target << ": " << r.body;
    if (step.shape == nullptr) {
      EXPECT_EQ(r.body, "");
      continue;
    }
    EXPECT_OK(ConformsTo(Json(r), *step.shape)) << step.method << " " << step.target;
  }
  std::string url(
      Json(As(t, "POST", "/api/v1/recipients/r/activation-links")).at("url").as_string());
  auto redeemed = Call("POST", "/api/v1/activate/" + url.substr(url.find('#') + 1));
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;
  EXPECT_OK(ConformsTo(Json(redeemed), ProfileShape()));
  auto login = Call("POST", "/api/v1/login", R"({"username":"root","password":"root-password"})");
  EXPECT_OK(ConformsTo(Json(login), SessionShape()));
}

TEST_P(AdminServiceTest, AMethodAPathDoesNotServeIs405WithAllow) {
  std::string t = Login("root", "root-password");
  auto r = As(t, "PUT", "/api/v1/shares");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Json(r).at("errorCode").as_string(), "METHOD_NOT_ALLOWED");
  EXPECT_EQ(HeaderOf(r, "Allow"), "GET, POST");
  // A literal segment beats a parameter: "rotate" is no token id.
  EXPECT_EQ(HeaderOf(As(t, "DELETE", "/api/v1/recipients/r/tokens/rotate"), "Allow"), "POST");
  // Anonymous callers learn nothing about paths, known or not.
  EXPECT_EQ(Call("PUT", "/api/v1/shares").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/nothing/here").status, 401);
}

// The exception boundary: a handler that throws gets a 500 with a generic
// message (the details only in the server log) and still its audit record.
TEST_P(AdminServiceTest, AThrowingHandlerIsA500AndAudited) {
  std::vector<AdminRoute> routes = AdminRoutes();
  routes.push_back({.method = "POST",
                    .path = "/boom",
                    .id = "boom",
                    .action = "explode",
                    .group = &kApiGroup,
                    .summary = "Throws",
                    .object = "bomb",
                    .handler = [](AdminCall&) -> Result<HttpResponse> {
                      throw std::runtime_error("secret detail");
                    }});
  routes.push_back({.method = "GET",
                    .path = "/boom",
                    .id = "boomAnything",
                    .action = "explodeOddly",
                    .access = RouteAccess::kViewer,
                    .group = &kApiGroup,
                    .summary = "Throws something odd",
                    .handler = [](AdminCall&) -> Result<HttpResponse> { throw 42; }});
  AdminServiceOptions o;
  o.routes = &routes;
  o.clock = [this] { return now_; };
  AdminService service(admin_, o);
  std::string t = Login("root", "root-password");
  On(service, [&] {
    for (const char* method : {"POST", "GET"}) {
      auto r = As(t, method, "/api/v1/boom");
      EXPECT_EQ(r.status, 500) << method;
      EXPECT_EQ(Json(r).at("errorCode").as_string(), "INTERNAL_ERROR");
      EXPECT_EQ(Json(r).at("message").as_string(), "internal error");
      EXPECT_EQ(r.body.find("secret"), std::string::npos);
    }
    // The other routes still work on this service.
    EXPECT_EQ(As(t, "GET", "/api/v1/shares").status, 200);
  });
  for (const char* action : {"explode", "explodeOddly"}) {
    AuditQuery q;
    q.action = action;
    ASSERT_OK_AND_ASSIGN(AuditPage page, admin_->QueryAudit(q));
    ASSERT_EQ(page.entries.size(), 1u) << action;
    const AuditEntry& e = page.entries[0];
    EXPECT_EQ(e.outcome, "error");
    EXPECT_EQ(e.actor_name.value_or(""), "root");
    EXPECT_EQ(e.detail.value_or(""), "internal error");
  }
  AuditQuery q;
  q.object = "bomb";
  EXPECT_EQ(admin_->QueryAudit(q)->entries.size(), 1u);
}

// ------------------------------------------------- sessions across replicas

TEST_P(AdminServiceTest, SessionsWorkOnEveryReplica) {
  auto b = Replica();
  std::string t = Login("root", "root-password");
  On(*b, [&] {
    EXPECT_EQ(As(t, "GET", "/api/v1/shares").status, 200);
    EXPECT_EQ(As(t, "POST", "/api/v1/shares", R"({"name":"via_b"})").status, 201);
    EXPECT_EQ(As(t, "POST", "/api/v1/logout").status, 204);
  });
  EXPECT_EQ(As(t, "GET", "/api/v1/shares").status, 401);  // logged out on B
  // B's audit entries name the user of the session it did not open.
  AuditQuery q;
  q.action = "createShare";
  auto page = admin_->QueryAudit(q);
  ASSERT_OK(page);
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].actor_name.value_or(""), "root");

  // A viewer's writes are refused on both; its reads are served on both.
  std::string v = Login("watcher", "watcher-password");
  for (AdminService* svc : {service_.get(), b.get()}) {
    On(*svc, [&] {
      EXPECT_EQ(As(v, "GET", "/api/v1/shares").status, 200);
      EXPECT_EQ(As(v, "POST", "/api/v1/shares", R"({"name":"nope"})").status, 403);
      EXPECT_EQ(As(v, "GET", "/api/v1/users").status, 403);
    });
  }
  // Expiry counts on both (the TTL is absolute: use does not extend it).
  std::string t2 = Login("root", "root-password");
  now_ += 59'000;
  On(*b, [&] { EXPECT_EQ(As(t2, "GET", "/api/v1/shares").status, 200); });
  now_ += 1'000;
  On(*b, [&] { EXPECT_EQ(As(t2, "GET", "/api/v1/shares").status, 401); });
  EXPECT_EQ(As(t2, "GET", "/api/v1/shares").status, 401);
}

TEST_P(AdminServiceTest, UserChangesCountOnEveryReplica) {
  auto b = Replica();
  std::string root = Login("root", "root-password");
  ASSERT_EQ(As(root, "POST", "/api/v1/users",
               R"({"name":"helper","password":"helper-password","role":"viewer"})")
                .status,
            201);
  // A password change ends the user's other sessions, on every replica,
  // but not the one that made it.
  std::string h1 = Login("helper", "helper-password");
  std::string h2 = Login("helper", "helper-password");
  ASSERT_EQ(As(root, "PATCH", "/api/v1/users/root", R"({"password":"root-password-2"})").status,
            200);
  On(*b, [&] { EXPECT_EQ(As(root, "GET", "/api/v1/shares").status, 200); });
  std::string root2 = Login("root", "root-password-2");
  ASSERT_EQ(As(root, "PATCH", "/api/v1/users/root", R"({"password":"root-password-3"})").status,
            200);
  On(*b, [&] { EXPECT_EQ(As(root2, "GET", "/api/v1/shares").status, 401); });
  EXPECT_EQ(As(root, "GET", "/api/v1/shares").status, 200);

  // An admin resetting someone's password ends all of theirs.
  EXPECT_EQ(As(h1, "GET", "/api/v1/shares").status, 200);
  On(*b, [&] {
    EXPECT_EQ(
        As(root, "PATCH", "/api/v1/users/helper", R"({"password":"helper-password-2"})").status,
        200);
  });
  EXPECT_EQ(As(h1, "GET", "/api/v1/shares").status, 401);
  EXPECT_EQ(As(h2, "GET", "/api/v1/shares").status, 401);

  // A role change through B ends the user's sessions on A; after a new
  // login the new role holds.
  std::string h3 = Login("helper", "helper-password-2");
  On(*b, [&] {
    EXPECT_EQ(As(root, "PATCH", "/api/v1/users/helper", R"({"role":"admin"})").status, 200);
  });
  EXPECT_EQ(As(h3, "GET", "/api/v1/shares").status, 401);
  std::string h4 = Login("helper", "helper-password-2");
  On(*b,
     [&] { EXPECT_EQ(As(h4, "POST", "/api/v1/shares", R"({"name":"by_helper"})").status, 201); });

  // Deleting the user through A ends its session on B at once.
  ASSERT_EQ(As(root, "DELETE", "/api/v1/users/helper").status, 204);
  On(*b, [&] { EXPECT_EQ(As(h4, "GET", "/api/v1/shares").status, 401); });
  EXPECT_EQ(*service_->SessionCount(), 1);  // root's
}

TEST_P(AdminServiceTest, LocalSessionsStayInTheirProcess) {
  auto b = Replica();
  // The in-process caller (lakeshare admin --config) needs no admin user.
  std::string local = service_->OpenLocalSession("local:operator", AdminRole::kAdmin);
  EXPECT_EQ(As(local, "POST", "/api/v1/shares", R"({"name":"local_share"})").status, 201);
  On(*b, [&] { EXPECT_EQ(As(local, "GET", "/api/v1/shares").status, 401); });
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM admin_sessions")->front().Int(0), 0);
  EXPECT_EQ(*service_->SessionCount(), 1);
  AuditQuery q;
  q.action = "createShare";
  EXPECT_EQ(admin_->QueryAudit(q)->entries.at(0).actor_name.value_or(""), "local:operator");
  // It may reset passwords; that ends the database sessions of that user.
  std::string w = Login("watcher", "watcher-password");
  EXPECT_EQ(
      As(local, "PATCH", "/api/v1/users/watcher", R"({"password":"watcher-password-2"})").status,
      200);
  On(*b, [&] { EXPECT_EQ(As(w, "GET", "/api/v1/shares").status, 401); });
  std::string viewer = service_->OpenLocalSession("local:reader", AdminRole::kViewer);
  EXPECT_EQ(As(viewer, "POST", "/api/v1/shares", R"({"name":"x"})").status, 403);
  EXPECT_EQ(As(local, "POST", "/api/v1/logout").status, 204);
  EXPECT_EQ(As(local, "GET", "/api/v1/shares").status, 401);
  now_ += 60'000;
  EXPECT_EQ(As(viewer, "GET", "/api/v1/shares").status, 401);  // expired
}

TEST_P(AdminServiceTest, LoginPrunesExpiredSessions) {
  std::string t1 = Login("root", "root-password");
  std::string t2 = Login("watcher", "watcher-password");
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM admin_sessions")->front().Int(0), 2);
  now_ += 60'000;
  EXPECT_EQ(*service_->SessionCount(), 0);
  std::string t3 = Login("root", "root-password");
  EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM admin_sessions")->front().Int(0), 1);
  EXPECT_EQ(As(t3, "GET", "/api/v1/shares").status, 200);
}

// When the database cannot say whether a session exists, the answer is an
// error of the server, not "unauthenticated".
TEST_P(AdminServiceTest, DatabaseTroubleIsNotAnAuthenticationFailure) {
  std::string t = Login("root", "root-password");
  ASSERT_OK(
      db_->Write([](db::Transaction& tx) { return tx.ExecScript("DROP TABLE admin_sessions"); }));
  EXPECT_GE(As(t, "GET", "/api/v1/shares").status, 500);
}

INSTANTIATE_TEST_SUITE_P(Backends, AdminServiceTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const auto& info) { return testing::BackendName(info.param); });

}  // namespace
}  // namespace lakeshare
