#include "cli/admin_command.h"

#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <optional>

#include "admin/admin_client.h"
#include "admin/admin_route.h"
#include "admin/admin_service.h"
#include "catalog/catalog_schema.h"
#include "catalog/iceberg_catalog_sync.h"
#include "catalog/sql_catalog_admin.h"
#include "cli/admin_cli_request.h"
#include "cli/admin_command_output.h"
#include "cli/admin_session_file.h"
#include "cli/serve_command.h"
#include "common/encoding.h"
#include "config/server_config.h"
#include "protocol/builtin_table_formats.h"
#include "storage/storage_registry.h"

namespace lakeshare {

namespace json = boost::json;

namespace {

int Answer(AdminOutput& out, const BuiltCommand& leaf, const Result<AdminApiResponse>& r) {
  if (!r.ok()) return out.Fail(r.status());
  if (r->status >= 300) return out.FailAnswer(*r);
  const CliCommand& c = *leaf.command;
  std::set<std::string> times = TimeFields(leaf.route->response);
  switch (c.output) {
    case CliCommand::Output::kObject:
      return out.Object(*r, times);
    case CliCommand::Output::kList:
      return out.List(*r, std::vector<std::string>(c.columns.begin(), c.columns.end()), times);
    case CliCommand::Output::kDone:
      return out.Done(*r, FillText(c.done, leaf));
    case CliCommand::Output::kRaw:
      return out.Raw(*r);
    case CliCommand::Output::kProfile:
      return out.Profile(*r, leaf.profile_out);
    case CliCommand::Output::kObjectAndProfile:
      return out.ObjectAndProfile(*r, times, leaf.profile_out);
  }
  return kAdminFailed;
}

// --all of a list with pages: every page, shown as one list.
int AllPages(AdminOutput& out, const BuiltCommand& leaf, AdminApi& api, CommandRequest req) {
  constexpr std::string_view kToken = "pageToken";
  std::optional<std::string> next;
  std::erase_if(req.query, [&next, kToken](const auto& kv) {
    if (kv.first != kToken) return false;
    next = kv.second;
    return true;
  });
  json::array items;
  for (;;) {
    CommandRequest page_req = req;
    if (next) page_req.query.emplace_back(kToken, *next);
    auto r = api.Call(req.method, page_req.Target(), req.body);
    if (!r.ok()) return out.Fail(r.status());
    if (r->status >= 300) return out.FailAnswer(*r);
    boost::system::error_code ec;
    json::value v = json::parse(r->body, ec);
    const json::value* page = !ec && v.is_object() ? v.as_object().if_contains("items") : nullptr;
    if (page == nullptr || !page->is_array()) {
      return out.Fail(Status::Internal("unexpected page from the server"));
    }
    for (const auto& e : page->as_array()) items.push_back(e);
    const json::value* n = v.as_object().if_contains("nextPageToken");
    if (!n || !n->is_string()) break;
    next = std::string(n->as_string());
  }
  json::object whole;
  whole["items"] = std::move(items);
  return Answer(out, leaf, AdminApiResponse{200, json::serialize(whole)});
}

// --all instead of an id: every live item of the collection (the route's
// path without its last parameter).
int RevokeAll(AdminOutput& out, const BuiltCommand& leaf, AdminApi& api) {
  std::string_view pattern = leaf.route->path;
  auto path = FillPath(pattern.substr(0, pattern.rfind('/')), leaf);
  if (!path.ok()) return out.Fail(path.status());
  const std::string& collection = *path;
  auto listed = api.Call("GET", collection, "");
  if (!listed.ok()) return out.Fail(listed.status());
  if (listed->status >= 300) return out.FailAnswer(*listed);
  boost::system::error_code ec;
  json::value v = json::parse(listed->body, ec);
  const json::value* items = !ec && v.is_object() ? v.as_object().if_contains("items") : nullptr;
  if (items == nullptr || !items->is_array()) {
    return out.Fail(Status::Internal("unexpected list from the server"));
  }
  json::array revoked;
  for (const auto& t : items->as_array()) {
    const json::value* id = t.is_object() ? t.as_object().if_contains("id") : nullptr;
    if (id == nullptr || !id->is_string()) continue;
    const json::value* live = t.as_object().if_contains("live");
    if (live && live->is_bool() && !live->as_bool()) continue;
    std::string tid(id->as_string());
    auto r = api.Call(leaf.route->method, collection + "/" + PercentEncode(tid), "");
    if (!r.ok()) return out.Fail(r.status());
    if (r->status >= 300) return out.FailAnswer(*r);
    revoked.emplace_back(tid);
  }
  if (out.json()) {
    json::object o;
    o["revoked"] = revoked;
    std::cout << json::serialize(o) << "\n";
  } else {
    std::string noun(leaf.route->group->tag);
    if (!noun.empty() && noun.back() == 's') noun.pop_back();
    std::cout << "revoked " << revoked.size() << " " << noun << "(s) of " << leaf.slots.front().text
              << "\n";
  }
  return kAdminOk;
}

// `login`: a session for `user` (password from the environment or stdin);
// prints its token.
int LogIn(AdminOutput& out, AdminApi& api, const std::string& user) {
  auto password = ReadSecret("LAKESHARE_ADMIN_PASSWORD", "Password: ");
  if (!password.ok()) return out.Fail(password.status());
  json::object body;
  body["username"] = user;
  body["password"] = *password;
  auto r = api.Call("POST", "/login", json::serialize(body));
  if (!r.ok()) return out.Fail(r.status());
  if (r->status >= 300) return out.FailAnswer(*r);
  boost::system::error_code ec;
  json::value v = json::parse(r->body, ec);
  const json::value* token = !ec && v.is_object() ? v.as_object().if_contains("token") : nullptr;
  if (token == nullptr || !token->is_string()) {
    return out.Fail(Status::Unavailable("login failed: unexpected answer"));
  }
  if (out.json()) {
    json::object o;
    o["token"] = *token;
    std::cout << json::serialize(o) << "\n";
  } else {
    std::cout << token->as_string().c_str() << "\n";
  }
  return kAdminOk;
}

}  // namespace

// ------------------------------------------------------------ state

struct AdminCommand::State {
  CLI::App* admin = nullptr;
  std::string url, config, user, ca_file;
  bool json = false;
  std::deque<BuiltCommand> leaves;
  const BuiltCommand* chosen = nullptr;

  CliCommand::Extra extra() const {
    return chosen != nullptr ? chosen->command->extra : CliCommand::Extra::kNone;
  }
};

AdminCommand::AdminCommand(CLI::App* app) : state_(std::make_unique<State>()) {
  State& s = *state_;
  CLI::App* a = app->add_subcommand(
      "admin",
      "Manage shares, recipients, tokens and users through the admin API (--url) or directly "
      "on the catalog database (--config)");
  s.admin = a;
  a->require_subcommand(1);
  a->add_option("--url", s.url,
                "Base URL of the server, e.g. http://localhost:8080 (or $LAKESHARE_ADMIN_URL)");
  a->add_option("-c,--config", s.config,
                "Work on the catalogUrl database of this config file instead (server may be down)");
  a->add_option("-u,--user", s.user,
                "Admin user to log in as (or $LAKESHARE_ADMIN_USER); the password is read from "
                "$LAKESHARE_ADMIN_PASSWORD or the first line of stdin. The session is kept "
                "(0600, ~/.cache/lakeshare or $LAKESHARE_ADMIN_SESSION_DIR; empty: never) and "
                "reused by the next commands until it expires or `logout`. "
                "$LAKESHARE_ADMIN_TOKEN (from `admin login`) skips the login");
  a->add_option("--ca-file", s.ca_file, "https: trust the CA certificates in this PEM file");
  a->add_flag("--json", s.json, "Print the API's JSON (errors too) instead of text");
  a->fallthrough();

  // One command per CliCommand of the route table, in groups.
  std::map<std::string_view, CLI::App*> groups;
  for (const AdminRoute& route : AdminRoutes()) {
    for (const CliCommand& command : route.cli) {
      CLI::App* parent = a;
      if (command.path.size() == 2) {
        CLI::App*& group = groups[command.path[0]];
        if (group == nullptr) {
          std::string help;
          for (const RouteGroup* g : kRouteGroups) {
            if (g->cli == command.path[0]) help = std::string(g->description);
          }
          group = a->add_subcommand(std::string(command.path[0]), help);
          group->require_subcommand(1);
        }
        parent = group;
      }
      BuiltCommand& leaf = s.leaves.emplace_back();
      CLI::App* sub = AddCommand(parent, route, command, leaf);
      sub->callback([&s, &leaf] { s.chosen = &leaf; });
    }
  }
}

AdminCommand::~AdminCommand() = default;

bool AdminCommand::selected() const { return state_->admin->parsed(); }

int AdminCommand::RunWith(AdminApi& api) {
  State& s = *state_;
  AdminOutput out(s.json);
  if (s.chosen == nullptr) return kAdminUsage;
  const BuiltCommand& leaf = *s.chosen;
  if (leaf.command->extra == CliCommand::Extra::kLogin) return LogIn(out, api, s.user);
  if (leaf.command->extra == CliCommand::Extra::kRevokeAll) {
    const CommandSlot& id = leaf.slots.back();  // the optional positional
    if (id.Given() == leaf.all) {
      return out.Fail(Status::InvalidArgument("give a " + std::string(id.arg->flag) + " or --all"));
    }
    if (leaf.all) return RevokeAll(out, leaf, api);
  }
  auto req = BuildCommandRequest(leaf);
  if (!req.ok()) return out.Fail(req.status());
  if (leaf.command->extra == CliCommand::Extra::kAllPages && leaf.all) {
    return AllPages(out, leaf, api, *std::move(req));
  }
  return Answer(out, leaf, api.Call(req->method, req->Target(), req->body));
}

int AdminCommand::Run() {
  State& s = *state_;
  if (s.chosen == nullptr) return kAdminUsage;
  if (s.url.empty() && s.config.empty()) {
    if (const char* env = std::getenv("LAKESHARE_ADMIN_URL")) s.url = env;
  }
  if (s.user.empty()) {
    if (const char* env = std::getenv("LAKESHARE_ADMIN_USER")) s.user = env;
  }
  AdminOutput out(s.json);
  if (s.url.empty() == s.config.empty()) {
    out.Fail(Status::InvalidArgument(
        "say where to work: --url (a running server) or --config (its database directly)"));
    return kAdminUsage;
  }
  const bool session_command =
      s.extra() == CliCommand::Extra::kLogin || s.extra() == CliCommand::Extra::kLogout;

  if (!s.config.empty()) {
    if (session_command) {
      out.Fail(Status::InvalidArgument("login and logout need --url"));
      return kAdminUsage;
    }
    auto config = LoadServerConfig(s.config);
    if (!config.ok()) return out.Fail(config.status());
    if (!config->catalog_url) {
      return out.Fail(Status::InvalidArgument(
          "the config has no catalogUrl: shares and recipients live in its YAML file"));
    }
    auto database = OpenCatalogDatabase(*config->catalog_url);
    if (!database.ok()) return out.Fail(database.status());
    AdminServiceOptions options;
    // Profiles and activation links name the server: its publicUrl, else
    // what the config says it listens on.
    if (config->public_url) {
      options.public_endpoint_url = *config->public_url;
    } else {
      std::string host =
          config->host == "0.0.0.0" || config->host == "::" ? "localhost" : config->host;
      if (host.find(':') != std::string::npos) host = "[" + host + "]";
      options.public_endpoint_url = "http://" + host + ":" + std::to_string(config->port);
      if (config->port == 0) {
        std::cerr << "lakeshare admin: warning: the config has no publicUrl and port 0, so "
                     "profiles and links made now will not name a reachable server\n";
      }
    }
    options.sharing_prefix = config->endpoint;
    // Adding or moving a table reads it first, with the server's storage
    // settings (no URL is signed here: the key is never used).
    auto storage = std::make_shared<StorageRegistry>("unused: no URLs are signed", config->storage,
                                                     CloudEnvironment::FromProcess());
    // Catalog tables are read with the server's catalog logins and location map.
    // Those of the config and of the catalog database (and what this
    // command changes in them).
    auto iceberg_sync = std::make_shared<IcebergCatalogSync>(*database, config->iceberg_catalogs,
                                                             CloudEnvironment::FromProcess(),
                                                             storage->http(), storage);
    if (Status synced = iceberg_sync->Refresh(); !synced.ok()) return out.Fail(synced);
    options.config_iceberg_catalogs = config->iceberg_catalogs;
    options.iceberg_catalogs_changed = [iceberg_sync] { (void)iceberg_sync->Refresh(); };
    storage->SetLocationMap(config->iceberg_location_map);
    options.tables = std::make_shared<TableInspector>(storage, BuiltinTableFormats());
    if (Status cache = ConfigureHudiMergeCache(*config, *storage); !cache.ok()) {
      return out.Fail(cache);
    }
    auto service =
        std::make_shared<AdminService>(std::make_shared<CatalogAdmin>(*database), options);
    // The audit log names the local operator.
    std::string login = std::to_string(::getuid());
    if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr) {
      login = pw->pw_name;
    }
    LocalAdminApi api(service, "local:" + login);
    return RunWith(api);
  }

  HttpAdminApiOptions options;
  options.base_url = s.url;
  if (!s.ca_file.empty()) options.ca_file = s.ca_file;
  auto api = HttpAdminApi::Create(options);
  if (!api.ok()) {
    out.Fail(api.status());
    return kAdminUsage;
  }
  const char* token = std::getenv("LAKESHARE_ADMIN_TOKEN");
  const bool is_login = s.extra() == CliCommand::Extra::kLogin;
  const bool needs_session = s.chosen->route->access != RouteAccess::kPublic;
  bool own_session = false;
  std::optional<AdminSessionFile> kept;  // the session kept between commands
  if (is_login || !needs_session) {
    if (is_login && s.user.empty()) {
      out.Fail(
          Status::InvalidArgument("who is logging in? give --user (or $LAKESHARE_ADMIN_USER)"));
      return kAdminUsage;
    }
  } else if (token && *token) {
    (*api)->UseSession(token);
  } else {
    if (s.user.empty()) {
      out.Fail(
          Status::InvalidArgument("who is logging in? give --user (or $LAKESHARE_ADMIN_USER), or "
                                  "set $LAKESHARE_ADMIN_TOKEN"));
      return kAdminUsage;
    }
    // The session of the previous command, while the server still knows it
    // (an unaudited GET): no password, no Argon2, no login in the audit log.
    kept = AdminSessionFile::For(s.url, s.user);
    bool reused = false;
    if (kept) {
      if (std::optional<std::string> saved = kept->Read()) {
        (*api)->UseSession(*saved);
        auto who = (*api)->Call("GET", "/session", "");
        reused = who.ok() && who->status == 200;
      }
    }
    if (!reused) {
      auto password = ReadSecret("LAKESHARE_ADMIN_PASSWORD", "Password: ");
      if (!password.ok()) return out.Fail(password.status());
      Status st = (*api)->Login(s.user, *password);
      if (!st.ok()) {
        if (kept) kept->Forget();
        return out.Fail(st);
      }
      if (kept) {
        if (Status saved = kept->Save((*api)->session()); !saved.ok()) {
          std::cerr << "lakeshare admin: warning: the session is not kept: " << saved.message()
                    << "\n";
          kept.reset();
        }
      }
      own_session = !kept;
    }
  }
  int code = RunWith(**api);
  if (own_session) (void)(*api)->Call("POST", "/logout", "");  // best effort
  if (kept && s.extra() == CliCommand::Extra::kLogout) kept->Forget();
  return code;
}

}  // namespace lakeshare
