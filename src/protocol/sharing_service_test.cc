// SharingService's authentication: the head check's token lookup is the
// request's only one, also across a configuration reload (a new service).
#include "protocol/sharing_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/yaml_catalog.h"
#include "config/server_config.h"
#include "server/request_target.h"
#include "storage/storage_registry.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

// The golden catalog, counting the token lookups made through it.
class CountingCatalog : public Catalog {
 public:
  explicit CountingCatalog(std::shared_ptr<Catalog> inner) : inner_(std::move(inner)) {}
  Result<Principal> Authenticate(std::string_view bearer_token) override {
    ++lookups_;
    return inner_->Authenticate(bearer_token);
  }
  Result<Principal> AuthenticateFrom(std::string_view bearer_token,
                                     std::string_view remote_address) override {
    ++lookups_;
    return inner_->AuthenticateFrom(bearer_token, remote_address);
  }
  Result<Principal> RecipientPrincipal(std::string_view name,
                                       std::string_view remote_address) override {
    return inner_->RecipientPrincipal(name, remote_address);
  }
  Result<std::vector<ShareInfo>> ListShares(const Principal& who) override {
    return inner_->ListShares(who);
  }
  Result<ShareInfo> GetShare(const Principal& who, std::string_view share) override {
    return inner_->GetShare(who, share);
  }
  Result<std::vector<SchemaInfo>> ListSchemas(const Principal& who,
                                              std::string_view share) override {
    return inner_->ListSchemas(who, share);
  }
  Result<std::vector<TableInfo>> ListTables(const Principal& who, std::string_view share,
                                            std::string_view schema) override {
    return inner_->ListTables(who, share, schema);
  }
  Result<std::vector<TableInfo>> ListAllTables(const Principal& who,
                                               std::string_view share) override {
    return inner_->ListAllTables(who, share);
  }
  Result<TableInfo> GetTable(const Principal& who, std::string_view share, std::string_view schema,
                             std::string_view table) override {
    return inner_->GetTable(who, share, schema, table);
  }

  int lookups() const { return lookups_.load(); }

 private:
  std::shared_ptr<Catalog> inner_;
  std::atomic<int> lookups_{0};
};

struct Served {
  std::shared_ptr<CountingCatalog> catalog;
  std::unique_ptr<SharingService> service;
};

Served MakeService() {
  Served s;
  Result<ServerConfig> config =
      LoadServerConfig((std::filesystem::path(LAKESHARE_GOLDEN_DIR) / "catalog.yaml").string());
  EXPECT_OK(config.status());
  if (!config.ok()) return s;
  SharingServiceOptions options;
  options.endpoint = config->endpoint;
  options.page_token_key = "sharing-service-test-key";
  s.catalog = std::make_shared<CountingCatalog>(std::make_shared<YamlCatalog>(*config));
  s.service = std::make_unique<SharingService>(
      options, s.catalog, std::make_shared<StorageRegistry>("sharing-service-test-signing-key"));
  return s;
}

HttpRequest Request(std::string method, std::string target, std::string token,
                    std::string body = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  Result<RequestTarget> parsed = ParseRequestTarget(r.target);
  EXPECT_OK(parsed.status());
  if (parsed.ok()) {
    r.path = parsed->path;
    r.query = parsed->query;
  }
  r.headers.emplace_back("authorization", "Bearer " + token);
  r.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  r.remote_address = "192.0.2.1";
  return r;
}

constexpr std::string_view kQuery = "/delta-sharing/shares/golden/schemas/delta/tables/cdf/query";

// As the server does: the head check on a copy without the body, then the
// handler with the body and what the check found.
HttpResponse CheckThenHandle(SharingService& checker, SharingService& handler,
                             HttpRequest request) {
  HttpRequest head = request;
  head.body.clear();
  std::optional<HttpResponse> refused = checker.CheckHead(head);
  if (refused) return std::move(*refused);
  request.head_context = std::move(head.head_context);
  return handler.Handle(request);
}

TEST(SharingServiceTest, QueryWithABodyLooksTheTokenUpOnce) {
  Served s = MakeService();
  ASSERT_NE(s.service, nullptr);
  HttpResponse r = CheckThenHandle(*s.service, *s.service,
                                   Request("POST", std::string(kQuery), "golden-token", "{}"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(s.catalog->lookups(), 1);

  // Without a head check (a request without a body) the handler asks once.
  HttpRequest get = Request("GET", "/delta-sharing/shares/golden/schemas/delta/tables/cdf/version",
                            "golden-token");
  r = s.service->Handle(get);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(s.catalog->lookups(), 2);
}

TEST(SharingServiceTest, AWrongTokenIsRefusedAtTheHeadWithOneLookup) {
  Served s = MakeService();
  ASSERT_NE(s.service, nullptr);
  HttpResponse r = CheckThenHandle(*s.service, *s.service,
                                   Request("POST", std::string(kQuery), "wrong-token", "{}"));
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(s.catalog->lookups(), 1);
}

// A reload between the head check and the handler: the new service does not
// trust the old one's finding and asks its own catalog.
TEST(SharingServiceTest, AnotherServiceAsksItsOwnCatalog) {
  Served before = MakeService();
  Served after = MakeService();
  ASSERT_NE(before.service, nullptr);
  ASSERT_NE(after.service, nullptr);
  HttpResponse r = CheckThenHandle(*before.service, *after.service,
                                   Request("POST", std::string(kQuery), "golden-token", "{}"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(before.catalog->lookups(), 1);
  EXPECT_EQ(after.catalog->lookups(), 1);
}

}  // namespace
}  // namespace lakeshare
