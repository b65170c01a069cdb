#include "protocol/sharing_service.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <any>
#include <atomic>
#include <exception>
#include <optional>
#include <string_view>

#include "auth/federation.h"
#include "auth/token.h"
#include "common/encoding.h"
#include "common/time_util.h"
#include "protocol/builtin_table_formats.h"
#include "protocol/oauth_token_endpoint.h"
#include "protocol/sharing_audit.h"
#include "protocol/sharing_routes.h"
#include "server/errors.h"

namespace lakeshare {
namespace {

HttpResponse NoSuchEndpoint() {
  return ErrorResponse(404, kResourceDoesNotExist, "no such endpoint");
}

HttpResponse Answer(Result<HttpResponse> result) {
  if (!result.ok()) return ErrorResponse(result.status());
  return std::move(result).value();
}

// The decoded segments of a path below the prefix; nullopt for bad
// percent-encoding.
std::optional<std::vector<std::string>> PathSegments(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') ++start;
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::optional<std::string> decoded = PercentDecode(path.substr(start, end - start));
    if (!decoded) return std::nullopt;
    segments.push_back(std::move(*decoded));
    start = end;
  }
  if (!segments.empty() && segments.back().empty()) segments.pop_back();  // trailing '/'
  return segments;
}

// What CheckHead leaves in HttpRequest::head_context.
struct HeadPrincipal {
  uint64_t service = 0;  // SharingService::id_ of the service that checked
  Principal principal;
};

uint64_t NextServiceId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

// {prefix}/oauth/token: the OAuth token endpoint, which takes client
// credentials instead of a bearer token.
bool IsOAuthTokenPath(const std::vector<std::string>& segments) {
  return segments.size() == 2 && segments[0] == "oauth" && segments[1] == "token";
}

// Audit text from a token's claims: bounded, printable ASCII.
std::string AuditText(std::string_view text) {
  constexpr size_t kMax = 200;
  std::string out;
  for (char c : text.substr(0, kMax)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

// The token endpoint's rate key of a client address: the address, or for
// IPv6 its /64 (one host usually holds a whole /64, so single addresses
// would let it multiply its rate at will).
std::string AddressRateKey(const std::string& address) {
  in6_addr v6{};
  if (address.find(':') == std::string::npos || inet_pton(AF_INET6, address.c_str(), &v6) != 1 ||
      IN6_IS_ADDR_V4MAPPED(&v6)) {
    return address;
  }
  std::fill(v6.s6_addr + 8, v6.s6_addr + 16, 0);
  char text[INET6_ADDRSTRLEN] = {0};
  if (inet_ntop(AF_INET6, &v6, text, sizeof text) == nullptr) return address;
  return std::string(text) + "/64";
}

}  // namespace

SharingService::SharingService(SharingServiceOptions options, std::shared_ptr<Catalog> catalog,
                               std::shared_ptr<StorageRegistry> storage)
    : id_(NextServiceId()),
      options_(std::move(options)),
      catalog_(std::move(catalog)),
      resolver_(storage, options_.table_formats ? options_.table_formats : BuiltinTableFormats()),
      page_tokens_(options_.page_token_key),
      query_tokens_(options_.page_token_key),
      context_{options_, *catalog_, page_tokens_, query_tokens_},
      files_(storage->local_signer()),
      slots_(options_.max_concurrent_answers_per_recipient) {}

HttpResponse SharingService::Handle(HttpRequest& request) {
  try {
    std::string_view path = request.path;
    const std::string& prefix = options_.endpoint;
    if (path.substr(0, prefix.size()) != prefix ||
        (path.size() > prefix.size() && path[prefix.size()] != '/')) {
      return NoSuchEndpoint();
    }
    path.remove_prefix(prefix.size());
    std::optional<std::vector<std::string>> segments = PathSegments(path);
    if (!segments) {
      return ErrorResponse(400, kMalformedRequest, "invalid percent-encoding in path");
    }
    if (!segments->empty() && (*segments)[0] == "files") {
      return files_.Serve(request, segments->size() == 2 ? (*segments)[1] : std::string_view());
    }
    const bool oauth = IsOAuthTokenPath(*segments);
    if (!options_.audit) {
      return oauth ? ServeToken(request, nullptr) : Route(request, *segments, nullptr);
    }
    SharingAuditEvent event;
    event.time_ms = NowMillis();
    event.remote_address = request.remote_address;
    event.request_id = request.request_id;
    DescribeSharingRequest(*segments, &event);
    if (oauth) event.action = "oauthToken";
    HttpResponse response =
        oauth ? ServeToken(request, &event.recipient) : Route(request, *segments, &event);
    AuditResponse(&response, std::move(event), options_.audit);
    return response;
  } catch (const std::exception& e) {
    return ErrorResponse(Status::Internal(std::string("unhandled exception: ") + e.what()));
  }
}

Result<Principal> SharingService::Authenticate(const HttpRequest& r) {
  if (const auto* found = std::any_cast<HeadPrincipal>(&r.head_context)) {
    if (found->service == id_) return found->principal;
  }
  const std::string* auth = r.Header("authorization");
  std::optional<std::string_view> token = auth ? ParseBearerToken(*auth) : std::nullopt;
  if (token && options_.federation) {
    if (std::optional<Result<FederatedIdentity>> federated = options_.federation->Verify(*token)) {
      LS_ASSIGN_OR_RETURN(FederatedIdentity id, *std::move(federated));
      LS_ASSIGN_OR_RETURN(Principal who,
                          catalog_->RecipientPrincipal(id.recipient, r.remote_address));
      if (id.expires_ms > 0) who.token_expiration_ms = id.expires_ms;
      who.origin =
          "federation issuer=" + AuditText(id.issuer) + " subject=" + AuditText(id.subject);
      return who;
    }
  }
  return catalog_->AuthenticateFrom(token.value_or(std::string_view()), r.remote_address);
}

HttpResponse SharingService::ServeToken(const HttpRequest& request, std::string* recipient) {
  if (!options_.oauth) return NoSuchEndpoint();
  if (options_.token_rate_limiter) {
    int64_t wait =
        options_.token_rate_limiter->Admit(AddressRateKey(request.remote_address), std::nullopt);
    if (wait > 0) {
      if (Counter* c = options_.rate_limited.token_endpoint) c->Increment();
      return OAuthTooManyRequestsResponse(
          "too many token requests from this address; retry after " + std::to_string(wait) + " s",
          wait);
    }
  }
  return options_.oauth->Handle(request, BaseUrl(context_, request) + "/oauth/token", recipient);
}

std::optional<HttpResponse> SharingService::CheckHead(HttpRequest& head) {
  std::string_view path = head.path;
  const std::string& prefix = options_.endpoint;
  if (path.substr(0, prefix.size()) != prefix ||
      (path.size() > prefix.size() && path[prefix.size()] != '/')) {
    return std::nullopt;
  }
  path.remove_prefix(prefix.size());
  std::optional<std::vector<std::string>> segments = PathSegments(path);
  if (!segments || (!segments->empty() && (*segments)[0] == "files") ||
      IsOAuthTokenPath(*segments)) {
    return std::nullopt;
  }
  Result<Principal> who = Authenticate(head);
  if (who.ok()) {
    head.head_context = HeadPrincipal{id_, *std::move(who)};
    return std::nullopt;
  }
  HttpResponse refused = ErrorResponse(who.status());
  if (options_.audit) {
    SharingAuditEvent event;
    event.time_ms = NowMillis();
    event.remote_address = head.remote_address;
    DescribeSharingRequest(*segments, &event);
    AuditResponse(&refused, std::move(event), options_.audit);
  }
  return refused;
}

HttpResponse SharingService::Route(const HttpRequest& r, const std::vector<std::string>& segments,
                                   SharingAuditEvent* event) {
  Result<Principal> who = Authenticate(r);
  if (!who.ok()) return ErrorResponse(who.status());
  if (event != nullptr) {
    event->recipient = who->recipient;
    event->origin = who->origin;
  }
  std::string* reason = event != nullptr ? &event->reason : nullptr;
  // Every authenticated request counts against the recipient's rate.
  if (options_.rate_limiter) {
    int64_t wait = options_.rate_limiter->Admit(who->recipient, who->rate_limit);
    if (wait > 0) {
      if (Counter* c = options_.rate_limited.recipient) c->Increment();
      return TooManyRequestsResponse("this recipient is over its request rate limit; retry after " +
                                         std::to_string(wait) + " s",
                                     wait);
    }
  }

  std::optional<RouteMatch> match = MatchSharingRoute(segments);
  if (!match) return NoSuchEndpoint();
  auto method_not_allowed = [&] {
    HttpResponse resp =
        ErrorResponse(405, kMethodNotAllowed, "method " + r.method + " is not allowed here");
    resp.SetHeader("Allow", match->AllowedMethods());
    return resp;
  };
  const SharingRoute* route = match->ForMethod(r.method);
  if (!match->is_table_route()) {
    if (route == nullptr) return method_not_allowed();
    return Answer(route->share_endpoint(context_, ShareCall{r, *who, match->share, match->schema}));
  }

  TableRef t;
  Result<TableInfo> info = catalog_->GetTable(*who, match->share, match->schema, match->table);
  if (!info.ok()) {
    if (match->bare_not_found()) return HttpResponse{404, {}, "", nullptr};
    return ErrorResponse(info.status());
  }
  if (route == nullptr) return method_not_allowed();
  std::optional<RecipientSlots::Slot> slot;
  if (route->costly) {
    slot = slots_.TryAcquire(who->recipient);
    if (!slot) {
      if (Counter* c = options_.rate_limited.concurrency) c->Increment();
      return TooManyRequestsResponse(
          "this recipient already has " + std::to_string(slots_.per_recipient()) +
              " queries or change requests in progress; retry when one has finished",
          1);
    }
  }
  t.info = std::move(*info);
  t.who = *who;
  Result<ResolvedTable> resolved = resolver_.Resolve(t.info);
  if (!resolved.ok()) {
    HttpResponse refused = ErrorResponse(TableOpenStatus(t, resolved.status()));
    if (reason != nullptr) *reason = t.provider_fault;
    return refused;
  }
  t.resolved = std::move(*resolved);
  HttpResponse response = Answer(route->table_endpoint(context_, TableCall{r, t}));
  if (reason != nullptr) *reason = t.provider_fault;
  if (slot) HoldWhileStreaming(&response, std::move(*slot));
  return response;
}

}  // namespace lakeshare
