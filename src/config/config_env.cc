#include "config/config_env.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "common/strings.h"
#include "config/yaml_keys.h"

extern char** environ;  // NOLINT(readability-identifier-naming): POSIX's name

namespace lakeshare {
namespace {

constexpr std::string_view kPrefix = "LAKESHARE_";

// Root keys whose value is a mapping: only their own keys are settings.
struct NestedKeys {
  std::string_view parent;
  const std::vector<std::string_view>* keys;
};

const std::vector<NestedKeys>& Nested() {
  static const std::vector<NestedKeys> kNested = {{"authorization", &kAuthorizationKeys},
                                                  {"ssl", &kSslKeys},
                                                  {"metrics", &kMetricsKeys},
                                                  {"rateLimit", &kRateLimitKeys},
                                                  {"tokenEndpointRateLimit", &kRateLimitKeys},
                                                  {"oauth", &kOAuthKeys},
                                                  {"hudi", &kHudiKeys}};
  return kNested;
}

bool IsListKey(std::string_view key) {
  return key == "trustedProxies" || key == "shares" || key == "recipients" || key == "storage" ||
         key == "federation" || key == "icebergCatalogs";
}

std::string UpperSnake(std::string_view key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool upper = c >= 'A' && c <= 'Z';
    if (upper && i > 0) out += '_';
    out += upper ? c : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

ConfigEnvironment ProcessConfigEnvironment() {
  ConfigEnvironment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.substr(0, kPrefix.size()) != kPrefix) continue;
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::string ConfigEnvName(std::string_view key_path) {
  std::string out(kPrefix);
  size_t dot = key_path.find('.');
  if (dot == std::string_view::npos) return out + UpperSnake(key_path);
  return out + UpperSnake(key_path.substr(0, dot)) + "__" + UpperSnake(key_path.substr(dot + 1));
}

std::vector<std::string> ConfigEnvKeyPaths() {
  std::vector<std::string> paths;
  for (std::string_view key : kRootKeys) {
    auto nested = std::find_if(Nested().begin(), Nested().end(),
                               [key](const NestedKeys& n) { return n.parent == key; });
    if (nested == Nested().end()) {
      paths.emplace_back(key);
      continue;
    }
    for (std::string_view child : *nested->keys) {
      paths.push_back(std::string(key) + "." + std::string(child));
    }
  }
  return paths;
}

Status ApplyConfigEnvironment(const ConfigEnvironment& env, YAML::Node* root,
                              std::vector<std::string>* applied,
                              std::vector<std::string>* warnings) {
  if (env.empty()) return Status::OK();
  if (!*root || root->IsNull()) *root = YAML::Node(YAML::NodeType::Map);
  if (!root->IsMap()) return Status::OK();  // ParseRoot reports it
  std::vector<std::string> names;
  for (const std::string& path : ConfigEnvKeyPaths()) {
    std::string name = ConfigEnvName(path);
    names.push_back(name);
    auto it = env.find(name);
    if (it == env.end()) continue;
    const std::string& value = it->second;
    size_t dot = path.find('.');
    std::string key = dot == std::string::npos ? path : path.substr(dot + 1);
    YAML::Node node;
    if (IsListKey(key)) {
      try {
        node = YAML::Load(value);
      } catch (const YAML::Exception& e) {
        return Status::InvalidArgument("config: " + name + " is not valid YAML: " + e.what());
      }
      if (!node.IsSequence()) {
        return Status::InvalidArgument("config: " + name +
                                       " must be a YAML list, e.g. [a, b]; an empty list is []");
      }
    } else {
      node = YAML::Node(value);  // literal: a password may hold any character
    }
    if (dot == std::string::npos) {
      (*root)[path] = node;
    } else {
      std::string parent = path.substr(0, dot);
      YAML::Node p = (*root)[parent];
      if (p && !p.IsNull() && !p.IsMap()) {
        return Status::InvalidArgument("config: " + name + " sets a key of '" + parent +
                                       "', which the file has as something else than a mapping");
      }
      if (!p || p.IsNull()) (*root)[parent] = YAML::Node(YAML::NodeType::Map);
      (*root)[parent][key] = node;
    }
    applied->push_back(name);
  }
  // A near miss is most likely a setting spelt wrong: say so.
  for (const auto& [name, value] : env) {
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    for (const std::string& known : names) {
      if (AsciiEditDistance(name, known) <= 2) {
        warnings->push_back("config: environment variable " + name +
                            " is not a setting (did you mean " + known + "?); ignored");
        break;
      }
    }
  }
  return Status::OK();
}

}  // namespace lakeshare
