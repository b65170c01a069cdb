#include "cli/admin_cli_request.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdlib>

#include "cli/admin_command_output.h"
#include "common/encoding.h"
#include "common/time_util.h"

namespace lakeshare {

namespace json = boost::json;

bool CommandSlot::Given() const {
  if (arg->kind == CliArg::Kind::kSecret) return true;
  if (arg->kind == CliArg::Kind::kSecretFile) {
    if (option != nullptr && option->count() > 0) return true;
    const char* v = std::getenv(std::string(arg->env).c_str());
    return v != nullptr && *v != '\0';
  }
  if (arg->kind == CliArg::Kind::kClear) return flag;
  return option != nullptr && option->count() > 0;
}

std::string CommandRequest::Target() const {
  std::string out = path;
  for (const auto& [name, value] : query) {
    out += (out.size() == path.size() ? "?" : "&") + name + "=" + PercentEncode(value);
  }
  return out;
}

CLI::App* AddCommand(CLI::App* parent, const AdminRoute& route, const CliCommand& command,
                     BuiltCommand& leaf) {
  CLI::App* app =
      parent->add_subcommand(std::string(command.path.back()), std::string(command.help));
  leaf.route = &route;
  leaf.command = &command;
  for (const CliArg& a : command.args) {
    CommandSlot& slot = leaf.slots.emplace_back();
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
      case CliArg::Kind::kSecretFile:
        o = app->add_option(flag, slot.text, help);
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

std::string FillText(std::string_view text, const BuiltCommand& leaf) {
  std::string out;
  while (!text.empty()) {
    size_t open = text.find('{');
    size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) break;
    out += text.substr(0, open);
    const CommandSlot* s = leaf.SlotFor(text.substr(open + 1, close - open - 1));
    if (s != nullptr) out += s->Integer() ? std::to_string(s->number) : s->text;
    text.remove_prefix(close + 1);
  }
  out += text;
  return out;
}

Result<std::string> FillPath(std::string_view pattern, const BuiltCommand& leaf) {
  std::string out;
  while (!pattern.empty()) {
    size_t open = pattern.find('{');
    size_t close = open == std::string_view::npos ? open : pattern.find('}', open);
    if (close == std::string_view::npos) break;
    out += pattern.substr(0, open);
    std::string_view name = pattern.substr(open + 1, close - open - 1);
    const CommandSlot* s = leaf.SlotFor(name);
    if (s == nullptr) return Status::InvalidArgument("give the " + std::string(name));
    out += PercentEncode(s->text);
    pattern.remove_prefix(close + 1);
  }
  out += pattern;
  return out;
}

Result<CommandRequest> BuildCommandRequest(const BuiltCommand& leaf) {
  const AdminRoute& route = *leaf.route;
  // Two arguments of one target are alternatives.
  for (size_t i = 0; i < leaf.slots.size(); ++i) {
    for (size_t j = i + 1; j < leaf.slots.size(); ++j) {
      const CommandSlot& a = leaf.slots[i];
      const CommandSlot& b = leaf.slots[j];
      if (a.arg->target == b.arg->target && a.Given() && b.Given()) {
        return Status::InvalidArgument("give either " + std::string(a.arg->flag) + " or " +
                                       std::string(b.arg->flag));
      }
    }
  }
  CommandRequest out;
  out.method = std::string(route.method);
  LS_ASSIGN_OR_RETURN(out.path, FillPath(route.path, leaf));

  json::object body;
  for (const CommandSlot& s : leaf.slots) {
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
        } else if (s.field->type == FieldType::kObject || s.field->type == FieldType::kStringMap) {
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
      case CliArg::Kind::kSecretFile: {
        LS_ASSIGN_OR_RETURN(
            std::string secret,
            ReadSecretFile(s.arg->env, s.option->count() > 0 ? s.text : std::string()));
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
        } else if (s.field->type == FieldType::kStringMap) {
          // Given as the JSON object the API takes; other text goes as it
          // is, for the server to refuse by name.
          boost::system::error_code ec;
          v = json::parse(s.text, ec);
          if (ec) v = s.text;
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

}  // namespace lakeshare
