// `lakeshare admin ...`: the admin API's operations from the shell, against
// a running server (--url, a session from --user and a password read from
// stdin or $LAKESHARE_ADMIN_PASSWORD, or $LAKESHARE_ADMIN_TOKEN), or
// directly on the catalog database of a config file (--config) when the
// server is down. Scriptable: --json prints the API's JSON, and the exit
// code tells what happened (see AdminExitCode).
//
// The commands are built from the admin API's route table
// (admin/admin_route.h): each names its route, its arguments fill the
// route's path parameters, body and query fields, typed by those fields.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace lakeshare {

class AdminApi;

// Exit codes of `lakeshare admin`.
enum AdminExitCode {
  kAdminOk = 0,
  kAdminFailed = 1,       // anything not listed below
  kAdminUsage = 2,        // bad command line
  kAdminDenied = 3,       // not authenticated, or not allowed (401, 403)
  kAdminNotFound = 4,     // no such object (404)
  kAdminRejected = 5,     // invalid input or conflicting state (400, 405, 409, 412, 413)
  kAdminUnavailable = 6,  // server or database unreachable, or a server error (5xx)
};

class AdminCommand {
 public:
  // Adds the `admin` subcommand and its tree to `app`.
  explicit AdminCommand(CLI::App* app);
  ~AdminCommand();

  // True when the command line chose `admin`.
  bool selected() const;
  // Runs the chosen operation; returns the exit code.
  int Run();
  // Runs the chosen operation on `api`, which is already connected (and
  // logged in, unless the route is public): Run() without its set-up.
  int RunWith(AdminApi& api);

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace lakeshare
