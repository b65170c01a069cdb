// How `lakeshare admin` talks to its user: answers as tables or key: value
// lines (epoch-millisecond fields as ISO-8601 times), or the API's JSON with
// --json; errors on stderr (and as JSON with --json); profile files written
// readable by their owner only; secrets read from the environment or stdin
// (without echo on a terminal); the exit codes of AdminExitCode.
//
// Not thread-safe (one command at a time); writes to std::cout / std::cerr.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_client.h"
#include "admin/api_schema.h"
#include "common/status.h"

namespace lakeshare {

int ExitCodeForHttp(int http_status);
int ExitCodeFor(const Status& status);

// "30d", "12h", "15m", "90s" → milliseconds.
Result<int64_t> ParseDuration(std::string_view text);

// A secret from the environment variable `env`, else the next line of stdin
// (prompting on a terminal, without echo).
Result<std::string> ReadSecret(std::string_view env, std::string_view prompt);

// A secret from the file `path` ("-": all of stdin), its one final line
// break dropped; with no path, from the environment variable `env` ("" when
// unset). At most 64 KiB; kInvalidArgument for an unreadable file.
Result<std::string> ReadSecretFile(std::string_view env, const std::string& path);

// Writes a profile file readable by its owner only (0600).
Status WriteProfile(const std::string& path, const std::string& body);

// The fields of `shape` (and of the objects it lists) that hold epoch
// milliseconds: shown as ISO-8601 times.
std::set<std::string> TimeFields(const Shape* shape);

class AdminOutput {
 public:
  explicit AdminOutput(bool json) : json_(json) {}

  bool json() const { return json_; }

  // A successful answer: its JSON with --json, else key: value lines.
  int Object(const AdminApiResponse& r, const std::set<std::string>& time_fields);
  // A list answer ({"items": [...]}) as a table of `columns` (all if empty).
  int List(const AdminApiResponse& r, const std::vector<std::string>& columns,
           const std::set<std::string>& time_fields);
  // A message for an answer without content (--json: the answer, if any).
  int Done(const AdminApiResponse& r, const std::string& message);
  // The answer's body as it is.
  int Raw(const AdminApiResponse& r);
  // A profile: printed, or written to `path` (if not empty).
  int Profile(const AdminApiResponse& r, const std::string& path);
  // An object with an optional "profile" field: the other fields as Object
  // does, then the profile as Profile does (written to `path` if not empty).
  int ObjectAndProfile(const AdminApiResponse& r, const std::set<std::string>& time_fields,
                       const std::string& path);
  // An error answer of the server.
  int FailAnswer(const AdminApiResponse& r);
  // No answer, or a mistake found before asking.
  int Fail(const Status& st);

 private:
  bool json_;
};

}  // namespace lakeshare
