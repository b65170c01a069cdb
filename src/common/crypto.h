// Small wrappers over OpenSSL: hashes, HMAC, constant-time comparison, CSPRNG.
// All functions are thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace lakeshare {

std::string Sha256(std::string_view data);                            // 32 raw bytes
std::string Md5(std::string_view data);                               // 16 raw bytes
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
// Compares in time independent of where the inputs differ (length may leak).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// AES-256 in CTR mode (encryption and decryption are the same operation).
// `key` must be 32 bytes and `iv` 16 bytes; otherwise the result is empty.
std::string Aes256Ctr(std::string_view key, std::string_view iv, std::string_view data);
// `n` bytes from OpenSSL's CSPRNG; aborts if the generator fails (never returns weak bytes).
std::string RandomBytes(size_t n);

}  // namespace lakeshare
