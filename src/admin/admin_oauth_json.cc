#include "admin/admin_oauth_json.h"

#include <boost/json.hpp>

#include "common/time_util.h"

namespace lakeshare {
namespace {

namespace json = boost::json;
using T = FieldType;

constexpr const char* kPrivateKeyFileHint = "private-key.pem";

Field Object(std::string_view name, const Shape& shape, std::string_view description) {
  Field f{name, T::kObject, true, description};
  f.shape = &shape;
  return f;
}

const Shape& KeyConfigShape() {
  static const Shape kShape{
      "OAuthPrivateKeyConfig",
      "Where the client finds its private key, and which registered key it is",
      {{"privateKeyFile", T::kString, true,
        "The PEM file of the private key (the recipient's own; replace the placeholder)"},
       {"keyId", T::kString, true, "The key id the assertion names (\"kid\")"},
       {"algorithm", T::kString, true, "RS256 or ES256"}}};
  return kShape;
}

const Shape& AuthShape() {
  static const Shape kShape{
      "OAuthPrivateKeyAuth",
      "How a private-key client gets its access tokens",
      {{"tokenEndpoint", T::kString, true, "The token endpoint's URL"},
       {"clientId", T::kString, true, "The client id"},
       {"issuer", T::kString, true,
        "The assertion's audience: the token endpoint's URL (the clients' name for it)"},
       {"audience", T::kString, true, "The sharing server's URL"},
       Object("privateKey", KeyConfigShape(), "The private key")}};
  return kShape;
}

std::string TokenEndpoint(const std::string& endpoint) { return endpoint + "/oauth/token"; }

}  // namespace

const Shape& OAuthKeyShape() {
  static const Shape kShape{"OAuthClientKey",
                            "A public key that signs a client's assertions",
                            {{"keyId", T::kString, true, "Its id (the assertions' \"kid\")"},
                             {"algorithm", T::kString, true, "RS256 or ES256"},
                             {"createdAt", T::kEpochMillis, true, "When it was registered"}}};
  return kShape;
}

const Shape& OAuthClientShape() {
  static const Shape kShape = [] {
    Shape s{"OAuthClient",
            "An OAuth client of a recipient (never its secret)",
            {{"clientId", T::kString, true, "The client id"},
             {"recipient", T::kString, true, "Whose client it is"},
             {"createdAt", T::kEpochMillis, true, "When it was created"},
             {"expirationTime", T::kDateTime, false, "When it stops working"},
             {"revokedAt", T::kEpochMillis, false, "When it was revoked"},
             {"live", T::kBoolean, true, "Works now"}}};
    Field keys{"keys", T::kObjectList, true, "Its registered public keys"};
    keys.shape = &OAuthKeyShape();
    s.fields.push_back(keys);
    return s;
  }();
  return kShape;
}

const Shape& OAuthClientListShape() {
  static const Shape kShape = [] {
    Field items{"items", T::kObjectList, true, "The clients, oldest first"};
    items.shape = &OAuthClientShape();
    return Shape{"OAuthClientList", "A recipient's OAuth clients", {items}};
  }();
  return kShape;
}

const Shape& OAuthSecretProfileShape() {
  static const Shape kShape{
      "OAuthClientCredentialsProfile",
      "A profile file (format version 2, oauth_client_credentials) holding the client's secret, "
      "shown this once",
      {{"shareCredentialsVersion", T::kInteger, true, "Always 2"},
       {"type", T::kString, true, "oauth_client_credentials"},
       {"endpoint", T::kString, true, "The sharing server's URL"},
       {"tokenEndpoint", T::kString, true, "The token endpoint's URL"},
       {"clientId", T::kString, true, "The client id"},
       {"clientSecret", T::kString, true, "The client secret"},
       {"expirationTime", T::kDateTime, false, "When the client stops working"}}};
  return kShape;
}

const Shape& OAuthKeyProfileShape() {
  static const Shape kShape{"OAuthPrivateKeyProfile",
                            "A profile file (format version 2, oauth_jwt_bearer_private_key_jwt) "
                            "for a registered key; the private key stays with the recipient",
                            {{"shareCredentialsVersion", T::kInteger, true, "Always 2"},
                             {"type", T::kString, true, "oauth_jwt_bearer_private_key_jwt"},
                             {"endpoint", T::kString, true, "The sharing server's URL"},
                             Object("auth", AuthShape(), "How the client gets access tokens")}};
  return kShape;
}

json::object OAuthClientJson(const OAuthClientRecord& c, int64_t now_ms) {
  json::object o;
  o["clientId"] = c.client_id;
  o["recipient"] = c.recipient;
  o["createdAt"] = c.created_ms;
  if (c.expiration_ms) o["expirationTime"] = FormatIso8601Millis(*c.expiration_ms);
  if (c.revoked_ms) o["revokedAt"] = *c.revoked_ms;
  o["live"] = c.live(now_ms);
  json::array keys;
  for (const OAuthClientKeyRecord& k : c.keys) {
    keys.push_back(
        json::object{{"keyId", k.key_id}, {"algorithm", k.algorithm}, {"createdAt", k.created_ms}});
  }
  o["keys"] = std::move(keys);
  return o;
}

json::object OAuthSecretProfileJson(const IssuedOAuthClient& c, const std::string& endpoint) {
  json::object o;
  o["shareCredentialsVersion"] = 2;
  o["type"] = "oauth_client_credentials";
  o["endpoint"] = endpoint;
  o["tokenEndpoint"] = TokenEndpoint(endpoint);
  o["clientId"] = c.record.client_id;
  o["clientSecret"] = c.secret;
  if (c.record.expiration_ms) o["expirationTime"] = FormatIso8601Millis(*c.record.expiration_ms);
  return o;
}

json::object OAuthKeyProfileJson(const OAuthClientRecord& c, const OAuthClientKeyRecord& k,
                                 const std::string& endpoint) {
  json::object key{
      {"privateKeyFile", kPrivateKeyFileHint}, {"keyId", k.key_id}, {"algorithm", k.algorithm}};
  json::object auth{{"tokenEndpoint", TokenEndpoint(endpoint)},
                    {"clientId", c.client_id},
                    {"issuer", TokenEndpoint(endpoint)},
                    {"audience", endpoint},
                    {"privateKey", std::move(key)}};
  json::object o;
  o["shareCredentialsVersion"] = 2;
  o["type"] = "oauth_jwt_bearer_private_key_jwt";
  o["endpoint"] = endpoint;
  o["auth"] = std::move(auth);
  return o;
}

}  // namespace lakeshare
