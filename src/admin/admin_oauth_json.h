// The admin API's answers about OAuth clients (admin_routes_oauth.cc): their
// shapes and writers, as admin_json.h does for the other objects, and the
// profile files (format version 2) a recipient's client reads: one for
// oauth_client_credentials, one for oauth_jwt_bearer_private_key_jwt. The
// token endpoint is <endpoint>/oauth/token; in the private-key profile it is
// also the "issuer" the Delta Sharing clients put in the assertion's "aud".
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "admin/api_schema.h"
#include "catalog/oauth_client_store.h"

namespace lakeshare {

const Shape& OAuthClientShape();
const Shape& OAuthClientListShape();
const Shape& OAuthKeyShape();
const Shape& OAuthSecretProfileShape();  // oauth_client_credentials (holds the secret)
const Shape& OAuthKeyProfileShape();     // oauth_jwt_bearer_private_key_jwt

boost::json::object OAuthClientJson(const OAuthClientRecord& c, int64_t now_ms);
boost::json::object OAuthSecretProfileJson(const IssuedOAuthClient& c, const std::string& endpoint);
// `private_key_file`: where the recipient keeps its private key (a hint).
boost::json::object OAuthKeyProfileJson(const OAuthClientRecord& c, const OAuthClientKeyRecord& k,
                                        const std::string& endpoint);

}  // namespace lakeshare
