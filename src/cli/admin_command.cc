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
#include "catalog/sql_catalog_admin.h"
#include "cli/admin_command_output.h"
#include "cli/admin_session_file.h"
#include "cli/serve_command.h"
#include "common/time_util.h"
#include "config/server_config.h"
#include "protocol/builtin_table_formats.h"
#include "storage/storage_registry.h"

namespace lakeshare {

namespace json = boost::json;

namespace {

// Percent-encodes one path segment or query value.
std::string Encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// One argument of a command: where its value is kept until the command runs.
struct Slot {
  const CliArg* arg = nullptr;
  ArgTarget where = ArgTarget::kNone;
  const Field* field = nullptr;  // body and query targets
  CLI::Option* option = nullptr;
  std::string text;
  int64_t number = 0;
  std::vector<std::string> list;
  bool flag = false;

  bool Given() const {
    if (arg->kind == CliArg::Kind::kSecret) return true;
    if (arg->kind == CliArg::Kind::kClear) return flag;
    return option != nullptr && option->count() > 0;
  }
  bool Integer() const { return field != nullptr && field->type == FieldType::kInteger; }
};

// A command as built: its route, its spec and the values given.
struct Leaf {
  const AdminRoute* route = nullptr;
  const CliCommand* command = nullptr;
  std::deque<Slot> slots;
  bool all = false;  // --all
  std::string profile_out;

  const Slot* SlotFor(std::string_view target) const {
    for (const Slot& s : slots) {
      if (s.arg->target == target && s.Given()) return &s;
    }
    return nullptr;
  }
};

CLI::App* AddLeaf(CLI::App* parent, const AdminRoute& route, const CliCommand& command,
                  Leaf& leaf) {
  CLI::App* app =
      parent->add_subcommand(std::string(command.path.back()), std::string(command.help));
  leaf.route = &route;
  leaf.command = &command;
  for (const CliArg& a : command.args) {
    Slot& slot = leaf.slots.emplace_back();
    slot.arg = &a;
    slot.where = TargetOf(route, a.target);
    slot.field = TargetField(route, a.target);
    std::string flag(a.flag);
    std::string help(a.help.empty() && slot.field != nullptr ? slot.field->description : a.help);
    CLI::Option* o = nullptr;
    switch (a.kind) {
      case CliArg::Kind::kPositional:
        o = app->add_option(flag, slot.text, help)->required();
        break;
      case CliArg::Kind::kOptionalPositional:
      case CliArg::Kind::kDurationFromNow:
        o = app->add_option(flag, slot.text, help);
        break;
      case CliArg::Kind::kOption:
        if (slot.Integer()) {
          o = app->add_option(flag, slot.number, help);
        } else if (slot.field != nullptr && slot.field->type == FieldType::kStringList) {
          o = app->add_option(flag, slot.list, help);
        } else if (slot.field != nullptr && slot.field->type == FieldType::kBoolean) {
          o = app->add_option(flag, slot.text, help)->check(CLI::IsMember({"true", "false"}));
        } else {
          o = app->add_option(flag, slot.text, help);
        }
        if (slot.where == ArgTarget::kBody && slot.field->required) o->required();
        break;
      case CliArg::Kind::kClear:
        o = app->add_flag(flag, slot.flag, help);
        break;
      case CliArg::Kind::kSecret:
        break;
    }
    if (o != nullptr && slot.field != nullptr && !slot.field->enum_values.empty()) {
      std::vector<std::string> allowed(slot.field->enum_values.begin(),
                                       slot.field->enum_values.end());
      o->check(CLI::IsMember(allowed));
    }
    slot.option = o;
  }
  if (command.extra == CliCommand::Extra::kAllPages) {
    app->add_flag("--all", leaf.all, "Every matching entry, page after page");
  }
  if (command.extra == CliCommand::Extra::kRevokeAll) {
    app->add_flag("--all", leaf.all, "Every live one");
  }
  if (command.output == CliCommand::Output::kProfile ||
      command.output == CliCommand::Output::kObjectAndProfile) {
    app->add_option("-o,--profile-out", leaf.profile_out,
                    "Write the profile to this file (mode 0600)");
  }
  return app;
}

// "{target}" in `text` replaced by the arguments' values.
std::string Fill(std::string_view text, const Leaf& leaf) {
  std::string out;
  while (!text.empty()) {
    size_t open = text.find('{');
    size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) break;
    out += text.substr(0, open);
    const Slot* s = leaf.SlotFor(text.substr(open + 1, close - open - 1));
    if (s != nullptr) out += s->Integer() ? std::to_string(s->number) : s->text;
    text.remove_prefix(close + 1);
  }
  out += text;
  return out;
}

// The request a command makes.
struct Request {
  std::string method;
  std::string path;                                        // below /api/v1, percent-encoded
  std::vector<std::pair<std::string, std::string>> query;  // names and values, not encoded
  std::string body;  // JSON text, or "" when the route reads no body

  std::string Target() const {
    std::string out = path;
    for (const auto& [name, value] : query) {
      out += (out.size() == path.size() ? "?" : "&") + name + "=" + Encode(value);
    }
    return out;
  }
};

// `pattern` ("/shares/{share}") with the arguments' values, percent-encoded.
Result<std::string> FillPath(std::string_view pattern, const Leaf& leaf) {
  std::string out;
  while (!pattern.empty()) {
    size_t open = pattern.find('{');
    size_t close = open == std::string_view::npos ? open : pattern.find('}', open);
    if (close == std::string_view::npos) break;
    out += pattern.substr(0, open);
    std::string_view name = pattern.substr(open + 1, close - open - 1);
    const Slot* s = leaf.SlotFor(name);
    if (s == nullptr) return Status::InvalidArgument("give the " + std::string(name));
    out += Encode(s->text);
    pattern.remove_prefix(close + 1);
  }
  out += pattern;
  return out;
}

Result<Request> BuildRequest(const Leaf& leaf) {
  const AdminRoute& route = *leaf.route;
  // Two arguments of one target are alternatives.
  for (size_t i = 0; i < leaf.slots.size(); ++i) {
    for (size_t j = i + 1; j < leaf.slots.size(); ++j) {
      const Slot& a = leaf.slots[i];
      const Slot& b = leaf.slots[j];
      if (a.arg->target == b.arg->target && a.Given() && b.Given()) {
        return Status::InvalidArgument("give either " + std::string(a.arg->flag) + " or " +
                                       std::string(b.arg->flag));
      }
    }
  }
  Request out;
  out.method = std::string(route.method);
  LS_ASSIGN_OR_RETURN(out.path, FillPath(route.path, leaf));

  json::object body;
  for (const Slot& s : leaf.slots) {
    if (!s.Given() || s.where == ArgTarget::kPath) continue;
    json::value v;
    switch (s.arg->kind) {
      case CliArg::Kind::kDurationFromNow: {
        LS_ASSIGN_OR_RETURN(int64_t ms, ParseDuration(s.text));
        v = NowMillis() + ms;
        break;
      }
      case CliArg::Kind::kClear:
        if (s.field->type == FieldType::kStringList) {
          v = json::array();
        } else if (s.field->type == FieldType::kObject) {
          v = json::object();
        } else if (s.field->type == FieldType::kBoolean) {
          v = false;
        } else {
          v = "";
        }
        break;
      case CliArg::Kind::kSecret: {
        LS_ASSIGN_OR_RETURN(std::string secret, ReadSecret(s.arg->env, s.arg->flag));
        v = secret;
        break;
      }
      default:
        if (s.Integer()) {
          v = s.number;
        } else if (s.field->type == FieldType::kBoolean) {
          v = s.text == "true";
        } else if (s.field->type == FieldType::kStringList) {
          json::array a;
          for (const auto& e : s.list) a.emplace_back(e);
          v = std::move(a);
        } else {
          v = s.text;
        }
        break;
    }
    if (s.where == ArgTarget::kBody) {
      std::string_view target = s.arg->target;
      size_t dot = target.find('.');
      if (dot == std::string_view::npos) {
        // A nested field given first made the object already: keep it.
        if (!v.is_object() || !body.contains(target)) body[target] = std::move(v);
      } else {
        json::value& outer = body[target.substr(0, dot)];
        if (!outer.is_object()) outer = json::object();
        outer.as_object()[target.substr(dot + 1)] = std::move(v);
      }
    } else if (s.where == ArgTarget::kQuery) {
      std::string text = v.is_string() ? std::string(v.as_string()) : json::serialize(v);
      out.query.emplace_back(s.arg->target, std::move(text));
    }
  }
  if (route.HasBody()) out.body = json::serialize(body);
  return out;
}

int Answer(AdminOutput& out, const Leaf& leaf, const Result<AdminApiResponse>& r) {
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
      return out.Done(*r, Fill(c.done, leaf));
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
int AllPages(AdminOutput& out, const Leaf& leaf, AdminApi& api, Request req) {
  constexpr std::string_view kToken = "pageToken";
  std::optional<std::string> next;
  std::erase_if(req.query, [&next, kToken](const auto& kv) {
    if (kv.first != kToken) return false;
    next = kv.second;
    return true;
  });
  json::array items;
  for (;;) {
    Request page_req = req;
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
int RevokeAll(AdminOutput& out, const Leaf& leaf, AdminApi& api) {
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
    auto r = api.Call(leaf.route->method, collection + "/" + Encode(tid), "");
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
  std::deque<Leaf> leaves;
  const Leaf* chosen = nullptr;

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
      Leaf& leaf = s.leaves.emplace_back();
      CLI::App* sub = AddLeaf(parent, route, command, leaf);
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
  const Leaf& leaf = *s.chosen;
  if (leaf.command->extra == CliCommand::Extra::kLogin) return LogIn(out, api, s.user);
  if (leaf.command->extra == CliCommand::Extra::kRevokeAll) {
    const Slot& id = leaf.slots.back();  // the optional positional
    if (id.Given() == leaf.all) {
      return out.Fail(Status::InvalidArgument("give a " + std::string(id.arg->flag) + " or --all"));
    }
    if (leaf.all) return RevokeAll(out, leaf, api);
  }
  auto req = BuildRequest(leaf);
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
    options.tables = std::make_shared<TableInspector>(storage, BuiltinTableFormats());
    if (Status cache = ConfigureHudiMergeCache(*config); !cache.ok()) return out.Fail(cache);
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
