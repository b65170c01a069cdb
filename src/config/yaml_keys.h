// The keys each mapping of the YAML configuration may have, and errors that
// name a key and its line. A key outside its mapping's list is an error
// naming the nearest known key (edit distance, or an abbreviation such as
// "certFile"), except the reference server's keys that lakeshare does not
// use (README, "Configuration"): those are warnings. Pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare {

extern const std::vector<std::string_view> kRootKeys;
extern const std::vector<std::string_view> kReferenceOnlyRootKeys;
extern const std::vector<std::string_view> kShareKeys;
extern const std::vector<std::string_view> kSchemaKeys;
extern const std::vector<std::string_view> kTableKeys;
extern const std::vector<std::string_view> kRecipientKeys;
extern const std::vector<std::string_view> kAuthorizationKeys;
extern const std::vector<std::string_view> kSslKeys;
extern const std::vector<std::string_view> kMetricsKeys;
extern const std::vector<std::string_view> kHudiKeys;
extern const std::vector<std::string_view> kRateLimitKeys;  // root and recipients
extern const std::vector<std::string_view> kOAuthKeys;
extern const std::vector<std::string_view> kFederationKeys;  // each `federation:` entry

// InvalidArgument "config: 'key' (line N) why".
Status ConfigError(const YAML::Node& node, const std::string& key, const std::string& why);

// Checks the keys of `node` (a mapping; anything else passes) against
// `known`; `where` names the mapping in errors ("" for the top level).
// Reference-only keys append a warning to *warnings.
Status CheckConfigKeys(const YAML::Node& node, const std::string& where,
                       const std::vector<std::string_view>& known,
                       const std::vector<std::string_view>& reference_only,
                       std::vector<std::string>* warnings);

}  // namespace lakeshare
