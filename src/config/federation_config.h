// The `federation:` list of the configuration: the external identity
// providers whose JWT access tokens are accepted as bearer tokens
// (auth/federation.h). Each entry:
//   - issuer: https://idp.example.com/         # required, the tokens' "iss"
//     jwksUrl: https://idp.example.com/jwks    # required; https unless loopback
//     audience: lakeshare                      # required, in the tokens' "aud"
//     recipientClaim: sub                      # default sub
//     recipients: {claim-value: recipient}     # optional; else the value is the name
//     allowedAlgorithms: [RS256, ES256]        # optional subset
//     clockSkewSeconds: 60                     # exp, nbf, iat leeway (0..600)
//     jwksRefetchSeconds: 30                   # unknown kid → refetch at most this often
//     jwksCacheSeconds: 300                    # without Cache-Control max-age
//     jwksMinCacheSeconds: 60                  # bounds of the cache time
//     jwksMaxCacheSeconds: 86400
//     allowInsecureHttp: false                 # http:// beyond loopback hosts
// Errors are kInvalidArgument naming the key and line. Pure function.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "auth/federation.h"
#include "common/status.h"

namespace lakeshare {

Status ParseFederation(const YAML::Node& root, std::vector<FederationIssuerConfig>* out,
                       std::vector<std::string>* warnings);

}  // namespace lakeshare
