#include "server/client_address.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

const std::vector<std::string> kProxies = {"10.0.0.0/8", "::1"};

std::string Client(std::string_view peer, const char* xff,
                   const std::vector<std::string>& proxies = kProxies) {
  std::string header = xff ? xff : "";
  return ClientAddress(peer, xff ? &header : nullptr, proxies);
}

TEST(ClientAddressTest, UntrustedPeersAreTakenAsTheyAre) {
  EXPECT_EQ(Client("203.0.113.9", "198.51.100.1"), "203.0.113.9");
  EXPECT_EQ(Client("203.0.113.9", nullptr), "203.0.113.9");
  EXPECT_EQ(Client("10.1.1.1", "198.51.100.1", {}), "10.1.1.1");  // no proxies configured
}

TEST(ClientAddressTest, TrustedProxyForwards) {
  EXPECT_EQ(Client("10.1.1.1", nullptr), "10.1.1.1");
  EXPECT_EQ(Client("10.1.1.1", "198.51.100.1"), "198.51.100.1");
  EXPECT_EQ(Client("::1", " 198.51.100.1 "), "198.51.100.1");
  // Spoofed entries left of the address the proxy saw are ignored.
  EXPECT_EQ(Client("10.1.1.1", "1.2.3.4, 198.51.100.1"), "198.51.100.1");
  // A chain of trusted proxies is walked through.
  EXPECT_EQ(Client("10.1.1.1", "1.2.3.4, 198.51.100.1, 10.2.2.2, 10.3.3.3"), "198.51.100.1");
  EXPECT_EQ(Client("10.1.1.1", "10.9.9.9, 10.2.2.2"), "10.9.9.9");  // all trusted: the leftmost
}

TEST(ClientAddressTest, PortsBracketsAndGarbage) {
  EXPECT_EQ(Client("10.1.1.1", "198.51.100.1:4711"), "198.51.100.1");
  EXPECT_EQ(Client("10.1.1.1", "[2001:db8::1]:443"), "2001:db8::1");
  EXPECT_EQ(Client("10.1.1.1", "2001:db8::2"), "2001:db8::2");
  EXPECT_EQ(Client("10.1.1.1", "unknown"), "10.1.1.1");
  EXPECT_EQ(Client("10.1.1.1", "198.51.100.1, garbage"), "10.1.1.1");
  EXPECT_EQ(Client("10.1.1.1", "garbage, 198.51.100.1"), "198.51.100.1");
  EXPECT_EQ(Client("10.1.1.1", ",,"), "10.1.1.1");
  EXPECT_EQ(Client("10.1.1.1", "[::1"), "10.1.1.1");
}

TEST(ClientAddressTest, ValidateAddressRanges) {
  EXPECT_OK(ValidateAddressRanges({"10.0.0.0/8", "::1", "192.168.1.1"}, "trustedProxies"));
  Status st = ValidateAddressRanges({"10.0.0.0/33"}, "trustedProxies");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("trustedProxies"), std::string::npos);
}

}  // namespace
}  // namespace lakeshare
