#include "cli/admin_command.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <optional>

#include "admin/admin_client.h"
#include "admin/admin_service.h"
#include "catalog/catalog_schema.h"
#include "catalog/sql_catalog_admin.h"
#include "common/time_util.h"
#include "config/server_config.h"

namespace lakeshare {

namespace json = boost::json;

namespace {

// ------------------------------------------------------------ plumbing

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

std::string Path(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += "/" + Encode(p);
  return out;
}

// Reads stdin line by line, without echo when it is a terminal.
class Stdin {
 public:
  Result<std::string> Line(const char* prompt) {
    bool tty = ::isatty(STDIN_FILENO) == 1;
    termios saved{};
    if (tty) {
      std::cerr << prompt << std::flush;
      if (::tcgetattr(STDIN_FILENO, &saved) == 0) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
      }
    }
    std::string line;
    bool got = static_cast<bool>(std::getline(std::cin, line));
    if (tty) {
      ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
      std::cerr << "\n";
    }
    if (!got) return Status::InvalidArgument(std::string("no input for: ") + prompt);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
};

// A secret from the environment, else the next line of stdin.
Result<std::string> Secret(Stdin& in, const char* env, const char* prompt) {
  if (const char* v = std::getenv(env); v != nullptr && *v != '\0') return std::string(v);
  return in.Line(prompt);
}

int ExitCodeForStatus(int http_status) {
  if (http_status < 300) return kAdminOk;
  if (http_status == 401 || http_status == 403) return kAdminDenied;
  if (http_status == 404) return kAdminNotFound;
  if (http_status >= 500) return kAdminUnavailable;
  if (http_status >= 400) return kAdminRejected;
  return kAdminFailed;
}

int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk:
      return kAdminOk;
    case StatusCode::kUnavailable:
    case StatusCode::kIOError:
      return kAdminUnavailable;
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return kAdminDenied;
    case StatusCode::kNotFound:
      return kAdminNotFound;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return kAdminRejected;
    default:
      return kAdminFailed;
  }
}

// "30d", "12h", "15m", "90s" → milliseconds.
Result<int64_t> ParseDuration(const std::string& text) {
  if (text.size() < 2) return Status::InvalidArgument("invalid duration '" + text + "'");
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1000;
      break;
    case 'm':
      unit = 60 * 1000;
      break;
    case 'h':
      unit = 3600 * 1000;
      break;
    case 'd':
      unit = 24 * 3600 * 1000;
      break;
    default:
      return Status::InvalidArgument("invalid duration '" + text + "' (use 90s, 15m, 12h, 30d)");
  }
  int64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])) || n > INT64_MAX / 100) {
      return Status::InvalidArgument("invalid duration '" + text + "'");
    }
    n = n * 10 + (text[i] - '0');
  }
  if (n <= 0 || n > INT64_MAX / unit)
    return Status::InvalidArgument("invalid duration '" + text + "'");
  return n * unit;
}

bool IsTimeKey(std::string_view k) {
  return k == "createdAt" || k == "updatedAt" || k == "revokedAt" || k == "expiresAt" ||
         k == "usedAt" || k == "time";
}

std::string Cell(std::string_view key, const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64() && IsTimeKey(key)) return FormatIso8601Millis(v.as_int64());
  if (v.is_array()) {
    std::string out;
    for (const auto& e : v.as_array()) {
      if (!out.empty()) out += ",";
      out += Cell("", e);
    }
    return out;
  }
  if (v.is_null()) return "";
  return json::serialize(v);
}

void PrintObject(const json::object& o) {
  size_t width = 0;
  for (const auto& kv : o) width = std::max(width, kv.key().size());
  for (const auto& kv : o) {
    std::string k(kv.key());
    std::cout << k << ":" << std::string(width - k.size() + 1, ' ') << Cell(k, kv.value()) << "\n";
  }
}

void PrintTable(const json::array& items, std::vector<std::string> columns) {
  if (items.empty()) {
    std::cout << "(none)\n";
    return;
  }
  if (!items[0].is_object()) {  // a list of names
    for (const auto& e : items) std::cout << Cell("", e) << "\n";
    return;
  }
  if (columns.empty()) {
    for (const auto& kv : items[0].as_object()) columns.emplace_back(kv.key());
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> width(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) width[c] = columns[c].size();
  for (const auto& item : items) {
    std::vector<std::string> row;
    const json::object* o = item.if_object();
    for (size_t c = 0; c < columns.size(); ++c) {
      const json::value* v = o ? o->if_contains(columns[c]) : nullptr;
      row.push_back(v ? Cell(columns[c], *v) : "");
      width[c] = std::max(width[c], row.back().size());
    }
    rows.push_back(std::move(row));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      out += cells[c];
      if (c + 1 < cells.size()) out += std::string(width[c] - cells[c].size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::cout << out << "\n";
  };
  line(columns);
  for (const auto& r : rows) line(r);
}

std::string ErrorMessage(const AdminApiResponse& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  std::string msg;
  if (!ec && v.is_object()) {
    if (auto* m = v.as_object().if_contains("message"); m && m->is_string()) {
      msg = std::string(m->as_string());
    }
  }
  if (msg.empty()) msg = "the server answered HTTP " + std::to_string(r.status);
  return msg + " (HTTP " + std::to_string(r.status) + ")";
}

// How a successful answer is shown without --json.
struct Output {
  enum Kind { kObject, kList, kDone } kind = kObject;
  std::vector<std::string> columns{};  // kList
  std::string done{};                  // kDone (also used for an empty body)
};

}  // namespace

// ------------------------------------------------------------ state

// What one invocation runs with.
class AdminContext {
 public:
  AdminContext(AdminApi* api, bool json) : api_(api), json_(json) {}

  Result<AdminApiResponse> Call(std::string_view method, const std::string& target,
                                const std::string& body = "") {
    return api_->Call(method, target, body);
  }
  Result<AdminApiResponse> Call(std::string_view method, const std::string& target,
                                const json::object& body) {
    return api_->Call(method, target, json::serialize(body));
  }

  // Prints an answer (or why there is none) and returns the exit code.
  int Show(const Result<AdminApiResponse>& r, const Output& out) {
    if (!r.ok()) return Fail(r.status());
    if (r->status >= 300) return FailAnswer(*r);
    if (json_) {
      if (!r->body.empty()) std::cout << r->body << "\n";
      return kAdminOk;
    }
    if (r->body.empty() || out.kind == Output::kDone) {
      if (!out.done.empty()) std::cout << out.done << "\n";
      return kAdminOk;
    }
    boost::system::error_code ec;
    json::value v = json::parse(r->body, ec);
    if (ec || !v.is_object()) {
      std::cout << r->body << "\n";
      return kAdminOk;
    }
    const json::object& o = v.as_object();
    if (out.kind == Output::kList) {
      const json::value* items = o.if_contains("items");
      PrintTable(items && items->is_array() ? items->as_array() : json::array(), out.columns);
      if (auto* next = o.if_contains("nextPageToken"); next && next->is_string()) {
        std::cerr << "more entries: --page-token " << next->as_string().c_str() << "\n";
      }
    } else {
      PrintObject(o);
    }
    return kAdminOk;
  }

  int FailAnswer(const AdminApiResponse& r) {
    if (json_ && !r.body.empty()) std::cout << r.body << "\n";
    std::cerr << "lakeshare admin: " << ErrorMessage(r) << "\n";
    return ExitCodeForStatus(r.status);
  }

  int Fail(const Status& st) {
    if (json_) {
      json::object o;
      o["errorCode"] = "CLIENT_ERROR";
      o["message"] = st.message();
      std::cout << json::serialize(o) << "\n";
    }
    std::cerr << "lakeshare admin: " << st.message() << "\n";
    return ExitCodeFor(st);
  }

  bool json() const { return json_; }
  Stdin& in() { return in_; }

 private:
  AdminApi* api_;
  bool json_;
  Stdin in_;
};

using Action = std::function<int(AdminContext&)>;

struct AdminCommand::State {
  CLI::App* admin = nullptr;
  std::string url, config, user, ca_file;
  bool json = false;
  Action action;
  bool is_login = false, is_logout = false;
  // Stable storage for the options of every subcommand.
  std::deque<std::string> strings;
  std::deque<std::vector<std::string>> lists;
  std::deque<int64_t> ints;
  std::deque<bool> flags;

  std::string* S() { return &strings.emplace_back(); }
  std::vector<std::string>* L() { return &lists.emplace_back(); }
  int64_t* I() { return &ints.emplace_back(0); }
  bool* F() { return &flags.emplace_back(false); }

  // A leaf subcommand; when `make` is given, choosing it sets `action`
  // (otherwise the caller installs its own callback).
  CLI::App* Leaf(CLI::App* parent, const std::string& name, const std::string& help,
                 const std::function<Action()>& make) {
    CLI::App* leaf = parent->add_subcommand(name, help);
    if (make) leaf->callback([this, make] { action = make(); });
    return leaf;
  }
};

namespace {

// Adds --if-version to a leaf; returns the option.
CLI::Option* AddIfVersion(CLI::App* leaf, int64_t* v) {
  return leaf->add_option("--if-version", *v,
                          "Refuse the change if the object's version is no longer this");
}

void PutIf(json::object& o, const char* key, CLI::Option* opt, const std::string& v) {
  if (opt->count() > 0) o[key] = v;
}

// An absolute time (ISO-8601 or epoch ms) or a duration from now.
Status PutTime(json::object& o, const char* key, CLI::Option* at, const std::string& at_value,
               CLI::Option* in, const std::string& in_value) {
  if (at->count() > 0 && in->count() > 0) {
    return Status::InvalidArgument(std::string("give either ") + at->get_name() + " or " +
                                   in->get_name());
  }
  if (at->count() > 0) o[key] = at_value;
  if (in->count() > 0) {
    LS_ASSIGN_OR_RETURN(int64_t ms, ParseDuration(in_value));
    o[key] = NowMillis() + ms;
  }
  return Status::OK();
}

// Writes a profile file readable by its owner only.
Status WriteProfile(const std::string& path, const std::string& body) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::IOError("cannot write the profile file '" + path + "'");
  ::fchmod(fd, 0600);
  std::string text = body + "\n";
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status::IOError("cannot write the profile file '" + path + "'");
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Status::IOError("cannot write the profile file '" + path + "'");
  return Status::OK();
}

// Prints a token answer: the profile goes to a file (0600) or stdout.
int ShowProfile(AdminContext& c, const Result<AdminApiResponse>& r, CLI::Option* out_opt,
                const std::string& out_path) {
  if (!r.ok()) return c.Fail(r.status());
  if (r->status >= 300) return c.FailAnswer(*r);
  if (out_opt->count() == 0) {
    std::cout << r->body << "\n";
    return kAdminOk;
  }
  Status st = WriteProfile(out_path, r->body);
  if (!st.ok()) return c.Fail(st);
  if (c.json()) {
    json::object o;
    o["profileFile"] = out_path;
    std::cout << json::serialize(o) << "\n";
  } else {
    std::cout << "profile written to " << out_path << " (give it to the recipient)\n";
  }
  return kAdminOk;
}

}  // namespace

// ------------------------------------------------------------ the tree

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
                "$LAKESHARE_ADMIN_PASSWORD or the first line of stdin. $LAKESHARE_ADMIN_TOKEN "
                "(from `admin login`) skips the login");
  a->add_option("--ca-file", s.ca_file, "https: trust the CA certificates in this PEM file");
  a->add_flag("--json", s.json, "Print the API's JSON (errors too) instead of text");
  a->fallthrough();

  // ---------------------------------------------------------- sessions
  {
    CLI::App* login =
        a->add_subcommand("login", "Log in and print a session token (for $LAKESHARE_ADMIN_TOKEN)");
    login->callback([&s] {
      s.is_login = true;
      s.action = [](AdminContext&) { return kAdminOk; };
    });
    CLI::App* logout = a->add_subcommand("logout", "End the session of $LAKESHARE_ADMIN_TOKEN");
    logout->callback([&s] {
      s.is_logout = true;
      s.action = [](AdminContext& c) {
        return c.Show(c.Call("POST", "/logout"), Output{Output::kDone, {}, "logged out"});
      };
    });
  }

  // ---------------------------------------------------------- shares
  {
    CLI::App* g = a->add_subcommand("share", "Shares");
    g->require_subcommand(1);
    s.Leaf(g, "list", "List shares", [] {
      return [](AdminContext& c) {
        return c.Show(c.Call("GET", "/shares"),
                      Output{Output::kList, {"name", "displayName", "comment"}});
      };
    });
    {
      std::string* name = s.S();
      CLI::App* l = s.Leaf(g, "get", "Show a share and its recipients", [name] {
        return [name](AdminContext& c) {
          return c.Show(c.Call("GET", Path({"shares", *name})), {});
        };
      });
      l->add_option("share", *name)->required();
    }
    {
      std::string *name = s.S(), *dn = s.S(), *cm = s.S(), *id = s.S();
      CLI::App* l = s.Leaf(g, "create", "Create a share", nullptr);
      l->add_option("share", *name)->required();
      CLI::Option* o_dn = l->add_option("--display-name", *dn);
      CLI::Option* o_cm = l->add_option("--comment", *cm);
      CLI::Option* o_id = l->add_option("--id", *id, "Share id (default: a new UUID)");
      l->callback([&s, name, dn, cm, id, o_dn, o_cm, o_id] {
        s.action = [=](AdminContext& c) {
          json::object b;
          b["name"] = *name;
          PutIf(b, "displayName", o_dn, *dn);
          PutIf(b, "comment", o_cm, *cm);
          PutIf(b, "id", o_id, *id);
          return c.Show(c.Call("POST", "/shares", b), {});
        };
      });
    }
    {
      std::string *name = s.S(), *rename = s.S(), *dn = s.S(), *cm = s.S();
      int64_t* ver = s.I();
      CLI::App* l =
          s.Leaf(g, "update", "Rename a share or change its display name or comment", nullptr);
      l->add_option("share", *name)->required();
      CLI::Option* o_rn = l->add_option("--name", *rename, "New name");
      CLI::Option* o_dn = l->add_option("--display-name", *dn, "(\"\" clears)");
      CLI::Option* o_cm = l->add_option("--comment", *cm, "(\"\" clears)");
      CLI::Option* o_v = AddIfVersion(l, ver);
      l->callback([&s, name, rename, dn, cm, ver, o_rn, o_dn, o_cm, o_v] {
        s.action = [=](AdminContext& c) {
          json::object b;
          PutIf(b, "name", o_rn, *rename);
          PutIf(b, "displayName", o_dn, *dn);
          PutIf(b, "comment", o_cm, *cm);
          if (o_v->count() > 0) b["version"] = *ver;
          return c.Show(c.Call("PATCH", Path({"shares", *name}), b), {});
        };
      });
    }
    {
      std::string* name = s.S();
      CLI::App* l =
          s.Leaf(g, "delete", "Delete a share with its schemas, tables and grants", [name] {
            return [name](AdminContext& c) {
              return c.Show(c.Call("DELETE", Path({"shares", *name})),
                            Output{Output::kDone, {}, "deleted share " + *name});
            };
          });
      l->add_option("share", *name)->required();
    }
  }

  // ---------------------------------------------------------- schemas
  {
    CLI::App* g = a->add_subcommand("schema", "Schemas of a share");
    g->require_subcommand(1);
    {
      std::string* share = s.S();
      CLI::App* l = s.Leaf(g, "list", "List the schemas of a share", [share] {
        return [share](AdminContext& c) {
          return c.Show(c.Call("GET", Path({"shares", *share, "schemas"})),
                        Output{Output::kList, {"share", "name"}});
        };
      });
      l->add_option("share", *share)->required();
    }
    for (const char* verb : {"get", "create", "delete"}) {
      std::string *share = s.S(), *schema = s.S();
      std::string v = verb;
      CLI::App* l = s.Leaf(
          g, v,
          v == "get"      ? "Show a schema"
          : v == "create" ? "Create a schema"
                          : "Delete a schema and its tables",
          [share, schema, v] {
            return [share, schema, v](AdminContext& c) {
              if (v == "create") {
                json::object b;
                b["name"] = *schema;
                return c.Show(c.Call("POST", Path({"shares", *share, "schemas"}), b), {});
              }
              std::string path = Path({"shares", *share, "schemas", *schema});
              if (v == "get") return c.Show(c.Call("GET", path), {});
              return c.Show(c.Call("DELETE", path),
                            Output{Output::kDone, {}, "deleted schema " + *share + "." + *schema});
            };
          });
      l->add_option("share", *share)->required();
      l->add_option("schema", *schema)->required();
    }
    {
      std::string *share = s.S(), *schema = s.S(), *to = s.S();
      int64_t* ver = s.I();
      CLI::App* l = s.Leaf(g, "rename", "Rename a schema", nullptr);
      l->add_option("share", *share)->required();
      l->add_option("schema", *schema)->required();
      l->add_option("new-name", *to)->required();
      CLI::Option* o_v = AddIfVersion(l, ver);
      l->callback([&s, share, schema, to, ver, o_v] {
        s.action = [=](AdminContext& c) {
          json::object b;
          b["name"] = *to;
          if (o_v->count() > 0) b["version"] = *ver;
          return c.Show(c.Call("PATCH", Path({"shares", *share, "schemas", *schema}), b), {});
        };
      });
    }
  }

  // ---------------------------------------------------------- tables
  {
    CLI::App* g = a->add_subcommand("table", "Shared tables");
    g->require_subcommand(1);
    {
      std::string *share = s.S(), *schema = s.S();
      CLI::App* l = s.Leaf(g, "list", "List the tables of a schema", [share, schema] {
        return [share, schema](AdminContext& c) {
          return c.Show(c.Call("GET", Path({"shares", *share, "schemas", *schema, "tables"})),
                        Output{Output::kList,
                               {"name", "location", "format", "historyShared", "partitionFilter"}});
        };
      });
      l->add_option("share", *share)->required();
      l->add_option("schema", *schema)->required();
    }
    for (const char* verb : {"get", "remove"}) {
      std::string *share = s.S(), *schema = s.S(), *table = s.S();
      std::string v = verb;
      CLI::App* l = s.Leaf(
          g, v, v == "get" ? "Show a table" : "Stop sharing a table", [share, schema, table, v] {
            return [share, schema, table, v](AdminContext& c) {
              std::string path = Path({"shares", *share, "schemas", *schema, "tables", *table});
              if (v == "get") return c.Show(c.Call("GET", path), {});
              return c.Show(
                  c.Call("DELETE", path),
                  Output{
                      Output::kDone, {}, "removed table " + *share + "." + *schema + "." + *table});
            };
          });
      l->add_option("share", *share)->required();
      l->add_option("schema", *schema)->required();
      l->add_option("table", *table)->required();
    }
    for (bool add : {true, false}) {
      std::string *share = s.S(), *schema = s.S(), *table = s.S(), *rename = s.S(), *loc = s.S(),
                  *fmt = s.S(), *hist = s.S(), *pf = s.S(), *cm = s.S(), *id = s.S();
      int64_t *sv = s.I(), *ver = s.I();
      CLI::App* l = s.Leaf(g, add ? "add" : "update",
                           add ? "Share a table" : "Change a shared table", nullptr);
      l->add_option("share", *share)->required();
      l->add_option("schema", *schema)->required();
      l->add_option("table", *table, "The name it is shared under")->required();
      CLI::Option* o_loc = l->add_option("--location", *loc, "Where the table lives (path or URI)");
      if (add) o_loc->required();
      CLI::Option* o_rn = add ? nullptr : l->add_option("--name", *rename, "New name");
      CLI::Option* o_fmt = l->add_option("--format", *fmt, "delta (default), iceberg or hudi");
      CLI::Option* o_hist =
          l->add_option("--history", *hist, "true: allow time travel and change queries")
              ->check(CLI::IsMember({"true", "false"}));
      CLI::Option* o_sv =
          l->add_option("--start-version", *sv, "First version recipients may read");
      CLI::Option* o_pf = l->add_option(
          "--partition-filter", *pf,
          "Partitions the share exposes, e.g. \"region = 'EU' AND year IN (2023, 2024)\" or a JSON "
          "predicate" +
              std::string(add ? "" : " (\"\" removes the filter)"));
      CLI::Option* o_cm = l->add_option("--comment", *cm);
      CLI::Option* o_id =
          add ? l->add_option("--id", *id, "Table id (default: a new UUID)") : nullptr;
      CLI::Option* o_v = add ? nullptr : AddIfVersion(l, ver);
      l->callback([=, &s] {
        s.action = [=](AdminContext& c) {
          json::object b;
          if (add) b["name"] = *table;
          if (o_rn) PutIf(b, "name", o_rn, *rename);
          PutIf(b, "location", o_loc, *loc);
          PutIf(b, "format", o_fmt, *fmt);
          if (o_hist->count() > 0) b["historyShared"] = *hist == "true";
          if (o_sv->count() > 0) b["startVersion"] = *sv;
          PutIf(b, "partitionFilter", o_pf, *pf);
          PutIf(b, "comment", o_cm, *cm);
          if (o_id) PutIf(b, "id", o_id, *id);
          if (o_v && o_v->count() > 0) b["version"] = *ver;
          if (add) {
            return c.Show(c.Call("POST", Path({"shares", *share, "schemas", *schema, "tables"}), b),
                          {});
          }
          return c.Show(
              c.Call("PATCH", Path({"shares", *share, "schemas", *schema, "tables", *table}), b),
              {});
        };
      });
    }
  }

  // ---------------------------------------------------------- recipients
  {
    CLI::App* g = a->add_subcommand("recipient", "Recipients");
    g->require_subcommand(1);
    s.Leaf(g, "list", "List recipients", [] {
      return [](AdminContext& c) {
        return c.Show(c.Call("GET", "/recipients"),
                      Output{Output::kList, {"name", "allShares", "ipAllowlist", "comment"}});
      };
    });
    for (const char* verb : {"get", "delete"}) {
      std::string* name = s.S();
      std::string v = verb;
      CLI::App* l =
          s.Leaf(g, v,
                 v == "get" ? "Show a recipient and its grants"
                            : "Delete a recipient with its tokens, grants and links",
                 [name, v] {
                   return [name, v](AdminContext& c) {
                     std::string path = Path({"recipients", *name});
                     if (v == "get") return c.Show(c.Call("GET", path), {});
                     return c.Show(c.Call("DELETE", path),
                                   Output{Output::kDone, {}, "deleted recipient " + *name});
                   };
                 });
      l->add_option("recipient", *name)->required();
    }
    for (bool create : {true, false}) {
      std::string *name = s.S(), *rename = s.S(), *cm = s.S(), *all = s.S();
      std::vector<std::string>* ips = s.L();
      bool* clear_ips = s.F();
      int64_t* ver = s.I();
      CLI::App* l = s.Leaf(g, create ? "create" : "update",
                           create ? "Create a recipient" : "Change a recipient", nullptr);
      l->add_option("recipient", *name)->required();
      CLI::Option* o_rn = create ? nullptr : l->add_option("--name", *rename, "New name");
      CLI::Option* o_cm = l->add_option("--comment", *cm);
      CLI::Option* o_ip = l->add_option("--ip", *ips,
                                        "Allowed client address or CIDR range (repeatable; "
                                        "replaces the list; none: any address)");
      CLI::Option* o_clear =
          create ? nullptr : l->add_flag("--clear-ips", *clear_ips, "Allow any address");
      CLI::Option* o_all =
          l->add_option("--all-shares", *all, "true: every share, present and future")
              ->check(CLI::IsMember({"true", "false"}));
      CLI::Option* o_v = create ? nullptr : AddIfVersion(l, ver);
      l->callback([=, &s] {
        s.action = [=](AdminContext& c) {
          json::object b;
          if (create) b["name"] = *name;
          if (o_rn) PutIf(b, "name", o_rn, *rename);
          PutIf(b, "comment", o_cm, *cm);
          if (o_ip->count() > 0 || (o_clear && *clear_ips)) {
            if (o_ip->count() > 0 && *clear_ips) {
              return c.Fail(Status::InvalidArgument("give either --ip or --clear-ips"));
            }
            json::array list;
            for (const auto& ip : *ips) list.emplace_back(ip);
            b["ipAllowlist"] = std::move(list);
          }
          if (o_all->count() > 0) b["allShares"] = *all == "true";
          if (o_v && o_v->count() > 0) b["version"] = *ver;
          if (create) return c.Show(c.Call("POST", "/recipients", b), {});
          return c.Show(c.Call("PATCH", Path({"recipients", *name}), b), {});
        };
      });
    }
  }

  // ---------------------------------------------------------- tokens
  {
    CLI::App* g = a->add_subcommand("token", "Recipient tokens and profile files");
    g->require_subcommand(1);
    {
      std::string* name = s.S();
      CLI::App* l = s.Leaf(g, "list", "List a recipient's tokens (never the secrets)", [name] {
        return [name](AdminContext& c) {
          return c.Show(
              c.Call("GET", Path({"recipients", *name, "tokens"})),
              Output{Output::kList, {"id", "live", "expirationTime", "revoked", "origin"}});
        };
      });
      l->add_option("recipient", *name)->required();
    }
    for (bool rotate : {false, true}) {
      std::string *name = s.S(), *exp = s.S(), *exp_in = s.S(), *out = s.S();
      int64_t* grace = s.I();
      CLI::App* l =
          s.Leaf(g, rotate ? "rotate" : "create",
                 rotate ? "Issue a new token; the recipient's other tokens end now or after --grace"
                        : "Issue a token and print its profile file (shown once)",
                 nullptr);
      l->add_option("recipient", *name)->required();
      CLI::Option* o_exp = l->add_option("--expires", *exp, "Expiry: ISO-8601 time");
      CLI::Option* o_in =
          l->add_option("--expires-in", *exp_in, "Expiry from now: 90s, 15m, 12h, 30d");
      CLI::Option* o_grace =
          rotate ? l->add_option("--grace-seconds", *grace, "How long the old tokens keep working")
                 : nullptr;
      CLI::Option* o_out =
          l->add_option("-o,--profile-out", *out, "Write the profile to this file (mode 0600)");
      l->callback([=, &s] {
        s.action = [=](AdminContext& c) {
          json::object b;
          Status st = PutTime(b, "expirationTime", o_exp, *exp, o_in, *exp_in);
          if (!st.ok()) return c.Fail(st);
          if (o_grace && o_grace->count() > 0) b["graceSeconds"] = *grace;
          std::string path = Path({"recipients", *name, "tokens"}) + (rotate ? "/rotate" : "");
          return ShowProfile(c, c.Call("POST", path, b), o_out, *out);
        };
      });
    }
    {
      std::string *name = s.S(), *id = s.S();
      bool* all = s.F();
      CLI::App* l =
          s.Leaf(g, "revoke", "Revoke a token (by id), or all of a recipient's tokens", nullptr);
      l->add_option("recipient", *name)->required();
      CLI::Option* o_id = l->add_option("token-id", *id);
      l->add_flag("--all", *all, "Revoke every live token of the recipient");
      l->callback([=, &s] {
        s.action = [=](AdminContext& c) {
          if ((o_id->count() > 0) == *all) {
            return c.Fail(Status::InvalidArgument("give a token id or --all"));
          }
          if (!*all) {
            return c.Show(c.Call("DELETE", Path({"recipients", *name, "tokens", *id})),
                          Output{Output::kDone, {}, "revoked token " + *id});
          }
          auto listed = c.Call("GET", Path({"recipients", *name, "tokens"}));
          if (!listed.ok()) return c.Fail(listed.status());
          if (listed->status >= 300) return c.FailAnswer(*listed);
          boost::system::error_code ec;
          json::value v = json::parse(listed->body, ec);
          const json::value* items =
              !ec && v.is_object() ? v.as_object().if_contains("items") : nullptr;
          if (items == nullptr || !items->is_array()) {
            return c.Fail(Status::Internal("unexpected token list from the server"));
          }
          json::array revoked;
          for (const auto& t : items->as_array()) {
            const json::value* id = t.is_object() ? t.as_object().if_contains("id") : nullptr;
            if (id == nullptr || !id->is_string()) continue;
            const json::value* live = t.as_object().if_contains("live");
            if (live && live->is_bool() && !live->as_bool()) continue;
            std::string tid(id->as_string());
            auto r = c.Call("DELETE", Path({"recipients", *name, "tokens", tid}));
            if (!r.ok()) return c.Fail(r.status());
            if (r->status >= 300) return c.FailAnswer(*r);
            revoked.emplace_back(tid);
          }
          if (c.json()) {
            json::object o;
            o["revoked"] = revoked;
            std::cout << json::serialize(o) << "\n";
          } else {
            std::cout << "revoked " << revoked.size() << " token(s) of " << *name << "\n";
          }
          return static_cast<int>(kAdminOk);
        };
      });
    }
  }

  // ---------------------------------------------------------- grants
  {
    CLI::App* g = a->add_subcommand("grant", "Which shares a recipient may read");
    g->require_subcommand(1);
    {
      std::string* name = s.S();
      CLI::App* l = s.Leaf(g, "list", "List the shares granted to a recipient", [name] {
        return [name](AdminContext& c) {
          return c.Show(c.Call("GET", Path({"recipients", *name, "grants"})),
                        Output{Output::kList});
        };
      });
      l->add_option("recipient", *name)->required();
    }
    for (bool add : {true, false}) {
      std::string *name = s.S(), *share = s.S();
      CLI::App* l = s.Leaf(g, add ? "add" : "remove",
                           add ? "Grant a share to a recipient" : "Revoke a recipient's grant",
                           [name, share, add] {
                             return [name, share, add](AdminContext& c) {
                               std::string path = Path({"recipients", *name, "grants", *share});
                               return c.Show(c.Call(add ? "PUT" : "DELETE", path),
                                             Output{Output::kDone,
                                                    {},
                                                    (add ? "granted " : "revoked ") + *share +
                                                        (add ? " to " : " from ") + *name});
                             };
                           });
      l->add_option("recipient", *name)->required();
      l->add_option("share", *share)->required();
    }
  }

  // ---------------------------------------------------------- activation links
  {
    CLI::App* g = a->add_subcommand("link", "One-time activation links (profile downloads)");
    g->require_subcommand(1);
    {
      std::string* name = s.S();
      CLI::App* l = s.Leaf(g, "list", "List a recipient's activation links", [name] {
        return [name](AdminContext& c) {
          return c.Show(
              c.Call("GET", Path({"recipients", *name, "activation-links"})),
              Output{Output::kList, {"id", "createdAt", "expiresAt", "usedAt", "tokenId"}});
        };
      });
      l->add_option("recipient", *name)->required();
    }
    {
      std::string *name = s.S(), *exp = s.S(), *exp_in = s.S(), *texp = s.S(), *texp_in = s.S();
      CLI::App* l = s.Leaf(
          g, "create", "Create a link from which the recipient downloads a profile once", nullptr);
      l->add_option("recipient", *name)->required();
      CLI::Option* o_exp =
          l->add_option("--expires", *exp, "Link expiry: ISO-8601 (default 7 days)");
      CLI::Option* o_in = l->add_option("--expires-in", *exp_in, "Link expiry from now: 12h, 7d");
      CLI::Option* o_texp =
          l->add_option("--token-expires", *texp, "Expiry of the token it issues");
      CLI::Option* o_tin =
          l->add_option("--token-expires-in", *texp_in, "... from redemption time");
      l->callback([=, &s] {
        s.action = [=](AdminContext& c) {
          json::object b;
          Status st = PutTime(b, "expirationTime", o_exp, *exp, o_in, *exp_in);
          if (st.ok()) st = PutTime(b, "tokenExpirationTime", o_texp, *texp, o_tin, *texp_in);
          if (!st.ok()) return c.Fail(st);
          return c.Show(c.Call("POST", Path({"recipients", *name, "activation-links"}), b), {});
        };
      });
    }
  }

  // ---------------------------------------------------------- users
  {
    CLI::App* g = a->add_subcommand("user", "Users of the admin API (admins only)");
    g->require_subcommand(1);
    s.Leaf(g, "list", "List admin users", [] {
      return [](AdminContext& c) {
        return c.Show(c.Call("GET", "/users"),
                      Output{Output::kList, {"name", "role", "createdAt"}});
      };
    });
    for (const char* verb : {"get", "delete"}) {
      std::string* name = s.S();
      std::string v = verb;
      CLI::App* l = s.Leaf(g, v, v == "get" ? "Show a user" : "Delete a user", [name, v] {
        return [name, v](AdminContext& c) {
          std::string path = Path({"users", *name});
          if (v == "get") return c.Show(c.Call("GET", path), {});
          return c.Show(c.Call("DELETE", path), Output{Output::kDone, {}, "deleted user " + *name});
        };
      });
      l->add_option("user", *name)->required();
    }
    {
      std::string *name = s.S(), *role = s.S();
      CLI::App* l =
          s.Leaf(g, "create",
                 "Create a user; the password is read from $LAKESHARE_NEW_PASSWORD or the "
                 "next line of stdin",
                 [name, role] {
                   return [name, role](AdminContext& c) {
                     auto pw = Secret(c.in(), "LAKESHARE_NEW_PASSWORD", "New user's password: ");
                     if (!pw.ok()) return c.Fail(pw.status());
                     json::object b;
                     b["name"] = *name;
                     b["password"] = *pw;
                     b["role"] = role->empty() ? "viewer" : *role;
                     return c.Show(c.Call("POST", "/users", b), {});
                   };
                 });
      l->add_option("user", *name)->required();
      l->add_option("--role", *role, "admin or viewer (default)")
          ->check(CLI::IsMember({"admin", "viewer"}));
    }
    {
      std::string *name = s.S(), *role = s.S();
      int64_t* ver = s.I();
      CLI::App* l = s.Leaf(g, "set-role", "Change a user's role (ends their sessions)", nullptr);
      l->add_option("user", *name)->required();
      l->add_option("role", *role)->required()->check(CLI::IsMember({"admin", "viewer"}));
      CLI::Option* o_v = AddIfVersion(l, ver);
      l->callback([=, &s] {
        s.action = [=](AdminContext& c) {
          json::object b;
          b["role"] = *role;
          if (o_v->count() > 0) b["version"] = *ver;
          return c.Show(c.Call("PATCH", Path({"users", *name}), b), {});
        };
      });
    }
    {
      std::string* name = s.S();
      CLI::App* l =
          s.Leaf(g, "set-password",
                 "Change a user's password ($LAKESHARE_NEW_PASSWORD or the next line of "
                 "stdin; ends their sessions)",
                 [name] {
                   return [name](AdminContext& c) {
                     auto pw = Secret(c.in(), "LAKESHARE_NEW_PASSWORD", "New password: ");
                     if (!pw.ok()) return c.Fail(pw.status());
                     json::object b;
                     b["password"] = *pw;
                     return c.Show(c.Call("PATCH", Path({"users", *name}), b),
                                   Output{Output::kDone, {}, "password changed for " + *name});
                   };
                 });
      l->add_option("user", *name)->required();
    }
  }

  // ---------------------------------------------------------- audit
  {
    std::string *actor = s.S(), *kind = s.S(), *action = s.S(), *object = s.S(), *outcome = s.S(),
                *from = s.S(), *to = s.S(), *page = s.S();
    int64_t* limit = s.I();
    bool* all = s.F();
    CLI::App* l = s.Leaf(a, "audit", "Query the audit log (newest first)", nullptr);
    CLI::Option* o_actor = l->add_option("--actor", *actor, "Recipient or admin user name");
    CLI::Option* o_kind =
        l->add_option("--actor-kind", *kind, "recipient, admin, anonymous, system");
    CLI::Option* o_action = l->add_option("--action", *action, "e.g. queryTable, createShare");
    CLI::Option* o_object = l->add_option("--object", *object, "e.g. table:share.schema.table");
    CLI::Option* o_outcome = l->add_option("--outcome", *outcome, "ok, denied, error, aborted");
    CLI::Option* o_from = l->add_option("--from", *from, "Since (ISO-8601 or epoch ms)");
    CLI::Option* o_to = l->add_option("--to", *to, "Before (ISO-8601 or epoch ms)");
    CLI::Option* o_limit =
        l->add_option("--limit", *limit, "Entries per page (1..1000, default 100)");
    CLI::Option* o_page = l->add_option("--page-token", *page, "Continue where a page ended");
    l->add_flag("--all", *all, "Every matching entry, page after page");
    l->callback([=, &s] {
      s.action = [=](AdminContext& c) {
        std::string q;
        auto add = [&q](const char* key, CLI::Option* o, const std::string& v) {
          if (o->count() == 0) return;
          q += (q.empty() ? "?" : "&") + std::string(key) + "=" + Encode(v);
        };
        add("actor", o_actor, *actor);
        add("actorKind", o_kind, *kind);
        add("action", o_action, *action);
        add("object", o_object, *object);
        add("outcome", o_outcome, *outcome);
        add("from", o_from, *from);
        add("to", o_to, *to);
        add("maxResults", o_limit, std::to_string(*limit));
        const Output out{Output::kList,
                         {"time", "actorKind", "actor", "action", "object", "outcome", "numFiles",
                          "remoteAddress", "detail"}};
        if (!*all) {
          std::string target = "/audit" + q;
          if (o_page->count() > 0)
            target += (q.empty() ? "?" : "&") + ("pageToken=" + Encode(*page));
          return c.Show(c.Call("GET", target), out);
        }
        json::array items;
        std::optional<std::string> next;
        if (o_page->count() > 0) next = *page;
        for (;;) {
          std::string target = "/audit" + q;
          if (next) target += (q.empty() ? "?" : "&") + ("pageToken=" + Encode(*next));
          auto r = c.Call("GET", target);
          if (!r.ok()) return c.Fail(r.status());
          if (r->status >= 300) return c.FailAnswer(*r);
          boost::system::error_code ec;
          json::value v = json::parse(r->body, ec);
          const json::value* page =
              !ec && v.is_object() ? v.as_object().if_contains("items") : nullptr;
          if (page == nullptr || !page->is_array()) {
            return c.Fail(Status::Internal("unexpected audit page from the server"));
          }
          for (const auto& e : page->as_array()) items.push_back(e);
          const json::value* n = v.as_object().if_contains("nextPageToken");
          if (!n || !n->is_string()) break;
          next = std::string(n->as_string());
        }
        json::object whole;
        whole["items"] = std::move(items);
        AdminApiResponse combined{200, json::serialize(whole)};
        return c.Show(combined, out);
      };
    });
  }
}

AdminCommand::~AdminCommand() = default;

bool AdminCommand::selected() const { return state_->admin->parsed(); }

int AdminCommand::Run() {
  State& s = *state_;
  if (!s.action) return kAdminUsage;
  if (s.url.empty() && s.config.empty()) {
    if (const char* env = std::getenv("LAKESHARE_ADMIN_URL")) s.url = env;
  }
  if (s.user.empty()) {
    if (const char* env = std::getenv("LAKESHARE_ADMIN_USER")) s.user = env;
  }
  AdminContext fail_ctx(nullptr, s.json);
  if (s.url.empty() == s.config.empty()) {
    fail_ctx.Fail(Status::InvalidArgument(
        "say where to work: --url (a running server) or --config (its database directly)"));
    return kAdminUsage;
  }

  if (!s.config.empty()) {
    if (s.is_login || s.is_logout) {
      fail_ctx.Fail(Status::InvalidArgument("login and logout need --url"));
      return kAdminUsage;
    }
    auto config = LoadServerConfig(s.config);
    if (!config.ok()) return fail_ctx.Fail(config.status());
    if (!config->catalog_url) {
      return fail_ctx.Fail(Status::InvalidArgument(
          "the config has no catalogUrl: shares and recipients live in its YAML file"));
    }
    auto database = OpenCatalogDatabase(*config->catalog_url);
    if (!database.ok()) return fail_ctx.Fail(database.status());
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
    auto service =
        std::make_shared<AdminService>(std::make_shared<CatalogAdmin>(*database), options);
    // The audit log names the local operator.
    std::string login = std::to_string(::getuid());
    if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr) {
      login = pw->pw_name;
    }
    std::string actor = "local:" + login;
    LocalAdminApi api(service, actor);
    AdminContext ctx(&api, s.json);
    return s.action(ctx);
  }

  HttpAdminApiOptions options;
  options.base_url = s.url;
  if (!s.ca_file.empty()) options.ca_file = s.ca_file;
  auto api = HttpAdminApi::Create(options);
  if (!api.ok()) {
    fail_ctx.Fail(api.status());
    return kAdminUsage;
  }
  AdminContext ctx(api->get(), s.json);
  const char* token = std::getenv("LAKESHARE_ADMIN_TOKEN");
  bool own_session = false;
  if (token && *token && !s.is_login) {
    (*api)->UseSession(token);
  } else {
    if (s.user.empty()) {
      fail_ctx.Fail(
          Status::InvalidArgument("who is logging in? give --user (or $LAKESHARE_ADMIN_USER), or "
                                  "set $LAKESHARE_ADMIN_TOKEN"));
      return kAdminUsage;
    }
    auto password = Secret(ctx.in(), "LAKESHARE_ADMIN_PASSWORD", "Password: ");
    if (!password.ok()) return ctx.Fail(password.status());
    Status st = (*api)->Login(s.user, *password);
    if (!st.ok()) return ctx.Fail(st);
    own_session = !s.is_login;
  }
  if (s.is_login) {
    if (s.json) {
      json::object o;
      o["token"] = (*api)->session();
      std::cout << json::serialize(o) << "\n";
    } else {
      std::cout << (*api)->session() << "\n";
    }
    return kAdminOk;
  }
  int code = s.action(ctx);
  if (own_session) (void)(*api)->Call("POST", "/logout", "");  // best effort
  return code;
}

}  // namespace lakeshare
