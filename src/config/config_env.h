// Settings from the environment. Every key of the YAML configuration can
// also be given as an environment variable, and the variable wins over the
// file. The one rule: `LAKESHARE_` + the key in UPPER_SNAKE_CASE (a capital
// letter starts a new word: preSignedUrlTimeoutSeconds →
// PRE_SIGNED_URL_TIMEOUT_SECONDS), and a key inside a mapping joins its
// parent's name with a double underscore (ssl.certificateFile →
// LAKESHARE_SSL__CERTIFICATE_FILE). A value is taken literally (a string,
// number or true/false, as the key wants), except for the list-valued keys
// (trustedProxies, shares, recipients, storage, federation), whose value is YAML
// (`[10.0.0.0/8, 192.168.0.0/16]`). A LAKESHARE_ variable that is nearly a
// setting's name (a typo) is a warning; other LAKESHARE_ variables (the
// admin CLI's, the tests') are not settings and are left alone. Pure
// functions but ProcessConfigEnvironment().
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare {

// Variable name → value.
using ConfigEnvironment = std::map<std::string, std::string>;

// The LAKESHARE_* variables of this process.
ConfigEnvironment ProcessConfigEnvironment();

// "ssl.certificateFile" → "LAKESHARE_SSL__CERTIFICATE_FILE".
std::string ConfigEnvName(std::string_view key_path);

// Every setting's key path ("port", "ssl.certificateFile", …), in the order
// of the known-key lists (yaml_keys.h).
std::vector<std::string> ConfigEnvKeyPaths();

// Sets the keys named by `env` in *root (a mapping, or null for an empty
// file), over what the file says. Appends the names of the variables used to
// *applied and typo warnings to *warnings. Errors: a list-valued variable
// that is not a YAML list, or a nested key whose parent in the file is not a
// mapping.
Status ApplyConfigEnvironment(const ConfigEnvironment& env, YAML::Node* root,
                              std::vector<std::string>* applied,
                              std::vector<std::string>* warnings);

}  // namespace lakeshare
