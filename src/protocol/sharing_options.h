// The settings of the sharing service (sharing_service.h), shared with its
// endpoints. Plain data.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "metrics/metrics_registry.h"
#include "protocol/rate_limiter.h"
#include "protocol/sharing_audit.h"
#include "table/table_format_registry.h"

namespace lakeshare {

class OAuthTokenEndpoint;
class Federation;

// Where 429 refusals are counted (/metrics); null members count nothing.
struct RateLimitedCounters {
  Counter* recipient = nullptr;       // over the recipient's request rate
  Counter* concurrency = nullptr;     // over the recipient's concurrent /query and /changes
  Counter* token_endpoint = nullptr;  // over an address's rate at {endpoint}/oauth/token
};

struct SharingServiceOptions {
  std::string endpoint = "/delta-sharing";  // no trailing '/'; "" for the root
  std::optional<std::string> public_url;    // base of signed URLs; default: from Host
  std::string default_host;                 // used when a request has no Host header
  int64_t presigned_url_timeout_seconds = 3600;
  std::string page_token_key;  // secret for page, refresh and list tokens
  // Receives every routed request once answered (sharing_audit.h); none: no audit.
  std::shared_ptr<SharingAuditSink> audit;
  // The table formats served; none: BuiltinTableFormats() (delta, iceberg).
  std::shared_ptr<const TableFormatRegistry> table_formats;
  // /query and /changes answers one recipient may have in progress at once
  // (recipient_slots.h); 0: no bound.
  int max_concurrent_answers_per_recipient = 0;
  // Per-recipient request rates (rate_limiter.h), shared by the services a
  // SIGHUP replaces so that buckets survive; none: no rate limits.
  std::shared_ptr<RateLimiter> rate_limiter;
  // Serves {endpoint}/oauth/token (oauth_token_endpoint.h); none: 404 there.
  std::shared_ptr<const OAuthTokenEndpoint> oauth;
  // Requests to {endpoint}/oauth/token per client address (each costs a
  // database read and a signature check), shared across reloads; none: no
  // limit.
  std::shared_ptr<RateLimiter> token_rate_limiter;
  // JWT access tokens of external identity providers (auth/federation.h);
  // none: bearer tokens are the catalog's only.
  std::shared_ptr<const Federation> federation;
  RateLimitedCounters rate_limited;
};

}  // namespace lakeshare
