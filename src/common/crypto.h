// Small wrappers over OpenSSL: hashes, HMAC, constant-time comparison, CSPRNG.
// All functions are thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace lakeshare {

std::string Sha256(std::string_view data);  // 32 raw bytes
std::string Md5(std::string_view data);     // 16 raw bytes
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
// Compares in time independent of where the inputs differ (length may leak).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// `n` bytes from OpenSSL's CSPRNG; aborts if the generator fails (never returns weak bytes).
std::string RandomBytes(size_t n);

}  // namespace lakeshare
