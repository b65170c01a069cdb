// IPv4/IPv6 addresses and CIDR ranges ("10.0.0.0/8", "2001:db8::/32"), as
// used by IP allow-lists and trusted proxies. An IPv4-mapped IPv6 address
// ("::ffff:10.1.2.3") is the same address as its IPv4 form. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lakeshare {

// True if `text` is an IPv4 or IPv6 address (no brackets, no port).
bool IsIpAddress(std::string_view text);

// True if `text` is an address or an address with a "/prefix" that fits it.
bool IsIpRange(std::string_view text);

// True if `address` falls in any of `ranges` (entries that are not ranges
// match nothing); false for an empty list or an address that is not one.
bool AddressInRanges(const std::vector<std::string>& ranges, std::string_view address);

}  // namespace lakeshare
