// The address a request comes from, for recipients' IP allow-lists and the
// audit log. Normally the TCP peer; behind a reverse proxy the peer is the
// proxy, so the client's address is taken from X-Forwarded-For — but only
// when the peer is one of the explicitly configured trusted proxies
// (config `trustedProxies`), since anyone else could write the header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare {

// kInvalidArgument unless every entry is an IPv4/IPv6 address or CIDR range.
Status ValidateAddressRanges(const std::vector<std::string>& entries, std::string_view what);

// `peer` unless it falls in `trusted_proxies` and `forwarded_for` (the
// X-Forwarded-For value, or null) is present. Then: the rightmost address
// of the header that is not itself a trusted proxy (each proxy appends the
// address it saw, so entries left of that one are client-supplied and
// worthless); the leftmost one if all are trusted. A malformed entry there
// ends the walk: its right neighbour (or the peer) is the answer. Entries
// may carry a port ("1.2.3.4:5", "[::1]:5").
std::string ClientAddress(std::string_view peer, const std::string* forwarded_for,
                          const std::vector<std::string>& trusted_proxies);

}  // namespace lakeshare
