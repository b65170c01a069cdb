// `lakeshare admin` is built from the admin API's route table: every
// command of the table parses and reaches its route on a real AdminService
// (in process, on a SQLite catalog), and the conveniences declared beside
// the routes (durations, alternatives, cleared lists, secrets, profile
// files, --all) work.
#include "cli/admin_command.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "admin/admin_client.h"
#include "admin/admin_route.h"
#include "admin/admin_service.h"
#include "catalog/catalog_schema.h"
#include "catalog/sql_catalog_admin.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace json = boost::json;

constexpr char kRootPassword[] = "root password 123";

class AdminCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "admin_cli_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ASSERT_OK_AND_ASSIGN(auto db, OpenCatalogDatabase("sqlite:" + dir_ + "/catalog.db"));
    CatalogAdminOptions o;
    o.password_hash = PasswordHashParams{1024, 1, 1};  // fast
    admin_ = std::make_shared<CatalogAdmin>(db, o);
    ASSERT_OK(admin_->CreateAdminUser("root", kRootPassword, AdminRole::kAdmin));
    AdminServiceOptions so;
    so.public_endpoint_url = "https://share.example.com";
    service_ = std::make_shared<AdminService>(admin_, so);
    ::setenv("LAKESHARE_ADMIN_PASSWORD", kRootPassword, 1);
    ::setenv("LAKESHARE_NEW_PASSWORD", "a new password 456", 1);
  }
  void TearDown() override {
    ::unsetenv("LAKESHARE_ADMIN_PASSWORD");
    ::unsetenv("LAKESHARE_NEW_PASSWORD");
    service_.reset();
    admin_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs `lakeshare admin -u root <args>` in process (each time with a new
  // local session, as `--config` does); stdout goes to out_.
  int Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"lakeshare", "admin", "-u", "root"});
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    CLI::App app;
    app.require_subcommand(1);
    AdminCommand command(&app);
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      out_ = e.what();
      return kAdminUsage;
    }
    EXPECT_TRUE(command.selected());
    LocalAdminApi api(service_, "local:test");
    std::stringstream captured;
    std::streambuf* saved = std::cout.rdbuf(captured.rdbuf());
    int code = command.RunWith(api);
    std::cout.rdbuf(saved);
    out_ = captured.str();
    return code;
  }
  json::value Out() { return json::parse(out_); }

  std::string NewestAction() {
    AuditQuery q;
    q.limit = 1;
    auto page = admin_->QueryAudit(q);
    EXPECT_OK(page);
    return page.ok() && !page->entries.empty() ? page->entries[0].action : "";
  }

  std::string dir_;
  std::shared_ptr<CatalogAdmin> admin_;
  std::shared_ptr<AdminService> service_;
  std::string out_;
};

// A value the CLI accepts for `arg` of `route` (objects need not exist:
// a 404 reaches the route as well as a 200).
std::string Sample(const AdminRoute& route, const CliArg& arg, int n) {
  if (TargetOf(route, arg.target) == ArgTarget::kPath) return "p" + std::to_string(n);
  const Field* f = TargetField(route, arg.target);
  if (!f->enum_values.empty()) return std::string(f->enum_values.front());
  switch (f->type) {
    case FieldType::kInteger:
      return "1";
    case FieldType::kBoolean:
      return "true";
    case FieldType::kStringList:
      return "10.0.0.1";
    case FieldType::kTime:
      return "2099-01-01T00:00:00Z";
    default:
      return "v" + std::to_string(n);
  }
}

TEST_F(AdminCommandTest, EveryCommandOfTheTableReachesItsRoute) {
  int n = 0;
  size_t commands = 0;
  for (const AdminRoute& route : AdminRoutes()) {
    for (const CliCommand& c : route.cli) {
      std::vector<std::string> args(c.path.begin(), c.path.end());
      std::set<std::string_view> given;
      for (const CliArg& a : c.args) {
        if (!given.insert(a.target).second) continue;  // one of two alternatives
        switch (a.kind) {
          case CliArg::Kind::kPositional:
          case CliArg::Kind::kOptionalPositional:
            args.push_back(Sample(route, a, ++n));
            break;
          case CliArg::Kind::kOption:
            args.push_back(std::string(a.flag));
            args.push_back(Sample(route, a, ++n));
            break;
          case CliArg::Kind::kDurationFromNow:
            args.push_back(std::string(a.flag));
            args.push_back("1h");
            break;
          case CliArg::Kind::kClear:
            args.push_back(std::string(a.flag));
            break;
          case CliArg::Kind::kSecret:
            break;  // from the environment
          case CliArg::Kind::kSecretFile:
            break;  // optional: left out
        }
      }
      SCOPED_TRACE(::testing::PrintToString(args));
      ++commands;
      int code = Run(args);
      EXPECT_NE(code, kAdminUsage) << out_;
      EXPECT_NE(code, kAdminDenied) << out_;
      if (route.audited) {
        EXPECT_EQ(NewestAction(), route.action);
      } else if (route.id == "getOpenApi") {
        EXPECT_EQ(code, kAdminOk);
        EXPECT_EQ(json::parse(out_).at("info").at("title").as_string(), "lakeshare admin API");
      } else if (route.id == "getActivationLinkInfo") {
        EXPECT_EQ(code, kAdminNotFound);  // a made-up secret: the route answered 404
      } else {
        EXPECT_EQ(code, kAdminOk) << out_;  // reads of the session's own view
      }
    }
  }
  EXPECT_GE(commands, 38u);
}

TEST_F(AdminCommandTest, ConveniencesDeclaredBesideTheRoutes) {
  ASSERT_EQ(Run({"share", "create", "sales", "--display-name", "Sales"}), kAdminOk) << out_;
  EXPECT_EQ(admin_->GetShare("sales")->display_name.value_or(""), "Sales");
  ASSERT_EQ(Run({"--json", "share", "get", "sales"}), kAdminOk);
  EXPECT_EQ(Out().at("displayName").as_string(), "Sales");
  ASSERT_EQ(Run({"share", "get", "sales"}), kAdminOk);
  EXPECT_NE(out_.find("createdAt:"), std::string::npos);
  EXPECT_NE(out_.find("Z\n"), std::string::npos) << "times as ISO-8601: " << out_;

  // Repeated options make a list; a flag clears it; both at once is refused.
  ASSERT_EQ(Run({"recipient", "create", "p", "--ip", "10.0.0.1", "--ip", "10.0.0.0/8"}), kAdminOk);
  EXPECT_EQ(admin_->GetRecipient("p")->ip_allowlist.size(), 2u);
  EXPECT_EQ(Run({"recipient", "update", "p", "--ip", "1.2.3.4", "--clear-ips"}), kAdminRejected);
  EXPECT_EQ(admin_->GetRecipient("p")->ip_allowlist.size(), 2u);
  ASSERT_EQ(Run({"recipient", "update", "p", "--clear-ips", "--all-shares", "true"}), kAdminOk);
  EXPECT_TRUE(admin_->GetRecipient("p")->ip_allowlist.empty());
  EXPECT_TRUE(admin_->GetRecipient("p")->all_shares);
  EXPECT_EQ(Run({"recipient", "update", "p", "--all-shares", "maybe"}), kAdminUsage);

  ASSERT_EQ(Run({"grant", "add", "p", "sales"}), kAdminOk);
  EXPECT_EQ(out_, "granted sales to p\n");

  // Durations from now; a profile written 0600.
  const std::string file = dir_ + "/p.share";
  ASSERT_EQ(Run({"token", "create", "p", "--expires-in", "1d", "-o", file}), kAdminOk) << out_;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(file);
  json::value profile = json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
  EXPECT_EQ(profile.at("endpoint").as_string(), "https://share.example.com/delta-sharing");
  EXPECT_TRUE(profile.as_object().contains("expirationTime"));
  EXPECT_EQ(Run({"token", "create", "p", "--expires-in", "soon"}), kAdminRejected);
  EXPECT_EQ(
      Run({"token", "create", "p", "--expires", "2099-01-01T00:00:00Z", "--expires-in", "1d"}),
      kAdminRejected);

  // An id or --all.
  ASSERT_EQ(Run({"token", "create", "p"}), kAdminOk);
  EXPECT_EQ(Run({"token", "revoke", "p"}), kAdminRejected);
  ASSERT_EQ(Run({"--json", "token", "revoke", "p", "--all"}), kAdminOk) << out_;
  EXPECT_EQ(Out().at("revoked").as_array().size(), 2u);
  ASSERT_EQ(Run({"token", "revoke", "p", "--all"}), kAdminOk);
  EXPECT_EQ(out_, "revoked 0 token(s) of p\n");

  // Secrets come from the environment, never from argv.
  ASSERT_EQ(Run({"user", "create", "helper", "--role", "viewer"}), kAdminOk) << out_;
  EXPECT_OK(admin_->VerifyAdminPassword("helper", "a new password 456"));
  EXPECT_EQ(Run({"user", "create", "other", "--password", "x"}), kAdminUsage);

  // Every page with --all.
  ASSERT_EQ(Run({"--json", "audit", "--all", "--limit", "1", "--action", "createShare"}), kAdminOk);
  EXPECT_EQ(Out().at("items").as_array().size(), 1u);
  ASSERT_EQ(Run({"--json", "audit", "--all", "--limit", "2"}), kAdminOk);
  EXPECT_GT(Out().at("items").as_array().size(), 10u);

  // A public route: redeeming a link prints (or writes) the profile.
  ASSERT_EQ(Run({"--json", "link", "create", "p", "--expires-in", "1h"}), kAdminOk);
  std::string url(Out().at("url").as_string());
  ASSERT_EQ(Run({"link", "redeem", url.substr(url.rfind('#') + 1)}), kAdminOk) << out_;
  EXPECT_EQ(Out().at("shareCredentialsVersion").as_int64(), 1);

  // Logging in prints a session token.
  ASSERT_EQ(Run({"login"}), kAdminOk) << out_;
  EXPECT_GE(out_.size(), 32u);
}

}  // namespace
}  // namespace lakeshare
