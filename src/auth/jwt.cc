#include "auth/jwt.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <exception>

#include "common/encoding.h"

namespace lakeshare {
namespace {

namespace json = boost::json;

constexpr size_t kMaxClaimText = 1024;

Result<json::object> DecodeJsonPart(std::string_view part, std::string_view what) {
  std::optional<std::string> text = Base64UrlDecode(part);
  if (!text) return Status::InvalidArgument("the JWT " + std::string(what) + " is not base64url");
  json::value v;
  try {
    json::parse_options options;
    options.max_depth = 8;
    boost::system::error_code ec;
    v = json::parse(*text, ec, {}, options);
    if (ec) return Status::InvalidArgument("the JWT " + std::string(what) + " is not JSON");
  } catch (const std::exception&) {
    return Status::InvalidArgument("the JWT " + std::string(what) + " is not JSON");
  }
  if (!v.is_object()) {
    return Status::InvalidArgument("the JWT " + std::string(what) + " is not a JSON object");
  }
  return std::move(v.as_object());
}

// A NumericDate claim (RFC 7519 §2): integer or number, seconds.
Result<std::optional<int64_t>> TimeClaim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::optional<int64_t>();
  constexpr double kMax = 1e12;  // far beyond any real date, and no overflow below
  double d = 0;
  if (v->is_int64()) {
    d = static_cast<double>(v->as_int64());
  } else if (v->is_uint64()) {
    d = static_cast<double>(v->as_uint64());
  } else if (v->is_double()) {
    d = v->as_double();
  } else {
    return Status::InvalidArgument("the JWT claim '" + std::string(name) + "' is not a number");
  }
  if (!(d > -kMax && d < kMax)) {
    return Status::InvalidArgument("the JWT claim '" + std::string(name) + "' is out of range");
  }
  return std::optional<int64_t>(static_cast<int64_t>(d));
}

bool AudienceContains(const json::value& aud, std::string_view want) {
  if (aud.is_string()) return aud.as_string() == want;
  if (!aud.is_array()) return false;
  for (const json::value& a : aud.as_array()) {
    if (a.is_string() && a.as_string() == want) return true;
  }
  return false;
}

}  // namespace

Result<Jwt> ParseJwt(std::string_view compact) {
  if (compact.size() > kMaxJwtBytes) {
    return Status::TooLarge("the JWT is larger than " + std::to_string(kMaxJwtBytes) + " bytes");
  }
  size_t dot1 = compact.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos) {
    return Status::InvalidArgument("a JWT has three '.'-separated parts");
  }
  Jwt jwt;
  LS_ASSIGN_OR_RETURN(json::object header, DecodeJsonPart(compact.substr(0, dot1), "header"));
  LS_ASSIGN_OR_RETURN(jwt.claims,
                      DecodeJsonPart(compact.substr(dot1 + 1, dot2 - dot1 - 1), "payload"));
  std::optional<std::string> signature = Base64UrlDecode(compact.substr(dot2 + 1));
  if (!signature) return Status::InvalidArgument("the JWT signature is not base64url");
  jwt.signature = std::move(*signature);
  jwt.signing_input = std::string(compact.substr(0, dot2));

  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string()) {
    return Status::InvalidArgument("the JWT header has no \"alg\"");
  }
  jwt.algorithm = std::string(alg->as_string());
  if (jwt.algorithm != "RS256" && jwt.algorithm != "ES256") {
    // "none", HS256 (a public key used as an HMAC secret) and the rest.
    return Status::InvalidArgument("JWT algorithm '" + jwt.algorithm.substr(0, 16) +
                                   "' is not accepted (RS256 or ES256)");
  }
  if (header.contains("crit")) {
    return Status::InvalidArgument("the JWT header names critical extensions (\"crit\")");
  }
  if (const json::value* kid = header.if_contains("kid")) {
    if (!kid->is_string() || kid->as_string().size() > kMaxClaimText) {
      return Status::InvalidArgument("the JWT header's \"kid\" is not a short string");
    }
    jwt.key_id = std::string(kid->as_string());
  }
  if (jwt.signature.empty()) return Status::InvalidArgument("the JWT is not signed");
  return jwt;
}

std::optional<std::string> StringClaim(const Jwt& jwt, std::string_view name) {
  const json::value* v = jwt.claims.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

Status CheckJwtClaims(const Jwt& jwt, const JwtClaimRules& rules) {
  std::optional<std::string> iss = StringClaim(jwt, "iss");
  if (!iss || *iss != rules.issuer) return Status::PermissionDenied("the JWT's issuer is wrong");
  std::optional<std::string> sub = StringClaim(jwt, "sub");
  if (jwt.claims.contains("sub") && !sub) {
    return Status::PermissionDenied("the JWT's subject is not a string");
  }
  if (rules.require_subject && !sub) return Status::PermissionDenied("the JWT has no subject");
  if (sub && rules.subject && *sub != *rules.subject) {
    return Status::PermissionDenied("the JWT's subject is wrong");
  }
  const json::value* aud = jwt.claims.if_contains("aud");
  if (aud == nullptr || !AudienceContains(*aud, rules.audience)) {
    return Status::PermissionDenied("the JWT's audience is wrong");
  }
  LS_ASSIGN_OR_RETURN(std::optional<int64_t> exp, TimeClaim(jwt.claims, "exp"));
  if (!exp) return Status::PermissionDenied("the JWT has no expiry (\"exp\")");
  if (*exp + rules.leeway_s <= rules.now_s) return Status::PermissionDenied("the JWT has expired");
  if (rules.max_lifetime_s > 0 && *exp - rules.now_s > rules.max_lifetime_s + rules.leeway_s) {
    return Status::PermissionDenied("the JWT lives too long (at most " +
                                    std::to_string(rules.max_lifetime_s) + " s)");
  }
  LS_ASSIGN_OR_RETURN(std::optional<int64_t> nbf, TimeClaim(jwt.claims, "nbf"));
  if (nbf && *nbf - rules.leeway_s > rules.now_s) {
    return Status::PermissionDenied("the JWT is not valid yet (\"nbf\")");
  }
  LS_ASSIGN_OR_RETURN(std::optional<int64_t> iat, TimeClaim(jwt.claims, "iat"));
  if (iat && *iat - rules.leeway_s > rules.now_s) {
    return Status::PermissionDenied("the JWT was issued in the future (\"iat\")");
  }
  if (rules.require_jti) {
    std::optional<std::string> jti = StringClaim(jwt, "jti");
    if (!jti || jti->empty() || jti->size() > kMaxClaimText) {
      return Status::PermissionDenied("the JWT has no usable \"jti\"");
    }
  }
  return Status::OK();
}

}  // namespace lakeshare
