#include "protocol/oauth_token_endpoint.h"

#include <map>
#include <optional>

#include "auth/jwt.h"
#include "auth/jwt_key.h"
#include "auth/oauth_form.h"
#include "auth/token.h"
#include "common/crypto.h"
#include "common/json_writer.h"
#include "common/time_util.h"
#include "server/errors.h"

namespace lakeshare {
namespace {

constexpr std::string_view kClientCredentials = "client_credentials";
constexpr std::string_view kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr std::string_view kJwtClientAssertion =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

const std::string* Field(const std::map<std::string, std::string>& form, const char* name) {
  auto it = form.find(name);
  return it == form.end() ? nullptr : &it->second;
}

bool IsFormContentType(const std::string* value) {
  if (value == nullptr) return false;
  std::string_view v = *value;
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  if (v.size() != kForm.size()) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kForm[i]) return false;
  }
  return true;
}

// Any refusal of an assertion is invalid_grant, malformed or not (RFC 7521
// §4.1.1), except an oversize one.
Status AsGrantError(const Status& s) {
  if (s.ok() || s.code() == StatusCode::kPermissionDenied || s.code() == StatusCode::kTooLarge) {
    return s;
  }
  if (s.code() == StatusCode::kInvalidArgument) return Status::PermissionDenied(s.message());
  return s;
}

}  // namespace

Result<OAuthClientStore::Found> OAuthTokenEndpoint::VerifySecret(std::string_view client_id,
                                                                 std::string_view secret,
                                                                 int64_t now_ms) const {
  LS_ASSIGN_OR_RETURN(std::optional<OAuthClientStore::Found> found,
                      clients_->FindClient(client_id));
  // One message for every failure: nothing tells which part was wrong.
  const Status refused = Status::Unauthenticated("invalid client credentials");
  if (!found || !ConstantTimeEquals(HashToken(secret), found->secret_hash)) return refused;
  if (!found->record.live(now_ms)) return refused;
  return std::move(*found);
}

Result<OAuthClientStore::Found> OAuthTokenEndpoint::VerifyAssertion(std::string_view assertion,
                                                                    const std::string& token_url,
                                                                    int64_t now_ms) const {
  Result<Jwt> parsed = ParseJwt(assertion);
  if (!parsed.ok()) return AsGrantError(parsed.status());
  const Jwt& jwt = *parsed;
  std::optional<std::string> client_id = StringClaim(jwt, "iss");
  if (!client_id) return Status::PermissionDenied("the assertion has no issuer (the client id)");
  LS_ASSIGN_OR_RETURN(std::optional<OAuthClientStore::Found> found,
                      clients_->FindClient(*client_id));
  if (!found || !found->record.live(now_ms)) {
    return Status::PermissionDenied("the assertion's client is unknown, revoked or expired");
  }
  const OAuthClientKeyRecord* key_record = nullptr;
  for (const OAuthClientKeyRecord& k : found->record.keys) {
    if (jwt.key_id.empty() ? found->record.keys.size() == 1 : k.key_id == jwt.key_id) {
      key_record = &k;
    }
  }
  if (key_record == nullptr) {
    return Status::PermissionDenied(
        jwt.key_id.empty() ? "the assertion names no key (\"kid\") and the client has " +
                                 std::to_string(found->record.keys.size()) + " keys"
                           : "the client has no key with the assertion's \"kid\"");
  }
  LS_ASSIGN_OR_RETURN(JwtPublicKey key, JwtPublicKey::Parse(key_record->public_key));
  LS_RETURN_IF_ERROR(key.Verify(jwt));
  JwtClaimRules rules;
  rules.issuer = *client_id;
  rules.subject = *client_id;
  rules.audience = token_url;
  rules.now_s = now_ms / 1000;
  rules.leeway_s = options_.clock_skew_seconds;
  rules.max_lifetime_s = options_.max_assertion_lifetime_seconds;
  rules.require_jti = true;
  LS_RETURN_IF_ERROR(AsGrantError(CheckJwtClaims(jwt, rules)));
  // CheckJwtClaims has checked exp is a number within the bound.
  const boost::json::value& exp = jwt.claims.at("exp");
  int64_t exp_s = exp.is_int64() ? exp.as_int64() : static_cast<int64_t>(exp.to_number<double>());
  LS_ASSIGN_OR_RETURN(bool fresh, clients_->RememberAssertionId(
                                      *client_id, *StringClaim(jwt, "jti"),
                                      (exp_s + options_.clock_skew_seconds) * 1000, now_ms));
  if (!fresh) return Status::PermissionDenied("the assertion was used before (replayed \"jti\")");
  return std::move(*found);
}

Result<OAuthTokenEndpoint::Issued> OAuthTokenEndpoint::Grant(const HttpRequest& request,
                                                             const std::string& token_url) const {
  if (!IsFormContentType(request.Header("content-type"))) {
    return Status::InvalidArgument("the token request must be application/x-www-form-urlencoded");
  }
  LS_ASSIGN_OR_RETURN(auto form, ParseTokenRequestForm(request.body));
  const std::string* grant_type = Field(form, "grant_type");
  if (grant_type == nullptr) return Status::InvalidArgument("grant_type is missing");
  const int64_t now = NowMillis();
  std::optional<OAuthClientStore::Found> client;
  if (*grant_type == kClientCredentials) {
    const std::string* auth = request.Header("authorization");
    LS_ASSIGN_OR_RETURN(std::optional<ClientCredentials> basic,
                        auth ? ParseBasicCredentials(*auth)
                             : Result<std::optional<ClientCredentials>>(std::nullopt));
    const std::string* body_id = Field(form, "client_id");
    const std::string* body_secret = Field(form, "client_secret");
    const std::string* assertion_type = Field(form, "client_assertion_type");
    const int methods = (basic ? 1 : 0) + (body_secret ? 1 : 0) + (assertion_type ? 1 : 0);
    if (methods > 1) {
      return Status::InvalidArgument("the client authenticated in more than one way");
    }
    if (basic) {
      if (body_id != nullptr && *body_id != basic->id) {
        return Status::InvalidArgument("client_id differs from the Basic credentials' id");
      }
      LS_ASSIGN_OR_RETURN(client, VerifySecret(basic->id, basic->secret, now));
    } else if (body_secret != nullptr) {
      if (body_id == nullptr) return Status::InvalidArgument("client_id is missing");
      LS_ASSIGN_OR_RETURN(client, VerifySecret(*body_id, *body_secret, now));
    } else if (assertion_type != nullptr) {
      const std::string* assertion = Field(form, "client_assertion");
      if (*assertion_type != kJwtClientAssertion || assertion == nullptr) {
        return Status::InvalidArgument("client_assertion_type must be " +
                                       std::string(kJwtClientAssertion) +
                                       ", with a client_assertion");
      }
      Result<OAuthClientStore::Found> proved = VerifyAssertion(*assertion, token_url, now);
      // Here the assertion authenticates the client: failing is invalid_client.
      if (proved.status().code() == StatusCode::kPermissionDenied) {
        return Status::Unauthenticated(proved.status().message());
      }
      LS_ASSIGN_OR_RETURN(client, std::move(proved));
      if (body_id != nullptr && *body_id != client->record.client_id) {
        return Status::Unauthenticated("client_id differs from the assertion's issuer");
      }
    } else {
      return Status::Unauthenticated("no client authentication");
    }
  } else if (*grant_type == kJwtBearerGrant) {
    const std::string* assertion = Field(form, "assertion");
    if (assertion == nullptr) return Status::InvalidArgument("assertion is missing");
    LS_ASSIGN_OR_RETURN(client, VerifyAssertion(*assertion, token_url, now));
  } else {
    return Status::Unsupported("grant_type must be client_credentials or " +
                               std::string(kJwtBearerGrant));
  }
  const int64_t ttl_ms = options_.access_token_ttl_seconds * 1000;
  int64_t expiration = now + ttl_ms;
  if (client->record.expiration_ms)
    expiration = std::min(expiration, *client->record.expiration_ms);
  LS_ASSIGN_OR_RETURN(IssuedToken token,
                      clients_->IssueAccessToken(client->record.client_id, now, expiration));
  return Issued{std::move(token.token), std::max<int64_t>(1, (expiration - now) / 1000),
                client->record.recipient};
}

HttpResponse OAuthTokenEndpoint::Handle(const HttpRequest& request, const std::string& token_url,
                                        std::string* recipient) const {
  if (request.method != "POST") {
    HttpResponse r = OAuthErrorResponse(Status::InvalidArgument("the token endpoint takes POST"));
    r.status = 405;
    r.SetHeader("Allow", "POST");
    return r;
  }
  Result<Issued> issued = Grant(request, token_url);
  if (!issued.ok()) return OAuthErrorResponse(issued.status());
  if (recipient != nullptr) *recipient = issued->recipient;
  HttpResponse r;
  r.status = 200;
  r.SetHeader("Content-Type", "application/json");
  r.SetHeader("Cache-Control", "no-store");
  r.SetHeader("Pragma", "no-cache");
  JsonWriter w(&r.body);
  w.BeginObject()
      .Key("access_token")
      .String(issued->access_token)
      .Key("token_type")
      .String("Bearer")
      .Key("expires_in")
      .Int(issued->expires_in)
      .EndObject();
  return r;
}

}  // namespace lakeshare
