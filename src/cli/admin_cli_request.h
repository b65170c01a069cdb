// One command of `lakeshare admin` as the admin route table describes it
// (a CliCommand of an AdminRoute): its CLI11 subcommand and options, the
// values given for them, and the HTTP request of the admin API they make.
//
// A BuiltCommand holds pointers into the route table (static) and is filled
// by CLI11 while the command line is parsed; it must stay where it is (the
// options point at its slots). Not thread-safe. Errors: kInvalidArgument
// naming the argument (a missing path parameter, two alternatives given, a
// bad duration); the secret's reader's errors.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/admin_route.h"
#include "common/status.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace lakeshare {

// One argument of a command: where its value is kept until the command runs.
struct CommandSlot {
  const CliArg* arg = nullptr;
  ArgTarget where = ArgTarget::kNone;
  const Field* field = nullptr;  // body and query targets
  CLI::Option* option = nullptr;
  std::string text;
  int64_t number = 0;
  std::vector<std::string> list;
  bool flag = false;

  // Whether the command line gave it (a secret is always read).
  bool Given() const;
  bool Integer() const { return field != nullptr && field->type == FieldType::kInteger; }
};

// A command as built: its route, its spec and the values given.
struct BuiltCommand {
  const AdminRoute* route = nullptr;
  const CliCommand* command = nullptr;
  std::deque<CommandSlot> slots;
  bool all = false;  // --all
  std::string profile_out;

  const CommandSlot* SlotFor(std::string_view target) const {
    for (const CommandSlot& s : slots) {
      if (s.arg->target == target && s.Given()) return &s;
    }
    return nullptr;
  }
};

// Adds `command` of `route` to `parent` as a subcommand whose options fill
// `leaf`.
CLI::App* AddCommand(CLI::App* parent, const AdminRoute& route, const CliCommand& command,
                     BuiltCommand& leaf);

// "{target}" in `text` replaced by the arguments' values.
std::string FillText(std::string_view text, const BuiltCommand& leaf);

// The request a command makes.
struct CommandRequest {
  std::string method;
  std::string path;                                        // below /api/v1, percent-encoded
  std::vector<std::pair<std::string, std::string>> query;  // names and values, not encoded
  std::string body;  // JSON text, or "" when the route reads no body

  // path?name=value&... with the query percent-encoded.
  std::string Target() const;
};

// `pattern` ("/shares/{share}") with the arguments' values, percent-encoded.
Result<std::string> FillPath(std::string_view pattern, const BuiltCommand& leaf);

// The request the given values make.
Result<CommandRequest> BuildCommandRequest(const BuiltCommand& leaf);

}  // namespace lakeshare
