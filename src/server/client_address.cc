#include "server/client_address.h"

#include "common/ip_range.h"
#include "common/strings.h"

namespace lakeshare {
namespace {

// The address of one X-Forwarded-For entry without brackets or port; empty
// if it is not an address.
std::string EntryAddress(std::string_view e) {
  e = TrimOws(e);
  if (!e.empty() && e.front() == '[') {
    size_t close = e.find(']');
    if (close == std::string_view::npos) return "";
    e = e.substr(1, close - 1);
  } else if (e.find(':') != std::string_view::npos && e.find(':') == e.rfind(':')) {
    e = e.substr(0, e.find(':'));  // IPv4 with a port
  }
  std::string out(e);
  return IsIpAddress(out) ? out : "";
}

}  // namespace

Status ValidateAddressRanges(const std::vector<std::string>& entries, std::string_view what) {
  for (const std::string& e : entries) {
    if (!IsIpRange(e)) {
      return Status::InvalidArgument(std::string(what) + ": '" + e.substr(0, 64) +
                                     "' is not an IP address or CIDR range");
    }
  }
  return Status::OK();
}

std::string ClientAddress(std::string_view peer, const std::string* forwarded_for,
                          const std::vector<std::string>& trusted_proxies) {
  std::string client(peer);
  if (forwarded_for == nullptr || trusted_proxies.empty() ||
      !AddressInRanges(trusted_proxies, peer)) {
    return client;
  }
  std::string_view rest = *forwarded_for;
  while (!rest.empty()) {
    size_t comma = rest.rfind(',');
    std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (TrimOws(entry).empty()) continue;
    std::string address = EntryAddress(entry);
    if (address.empty()) break;
    client = address;
    if (!AddressInRanges(trusted_proxies, address)) break;
  }
  return client;
}

}  // namespace lakeshare
