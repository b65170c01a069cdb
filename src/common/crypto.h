// Small wrappers over OpenSSL: hashes, HMAC, constant-time comparison, CSPRNG.
// All functions are thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

struct evp_cipher_ctx_st;  // OpenSSL's EVP_CIPHER_CTX

namespace lakeshare {

std::string Sha256(std::string_view data);  // 32 raw bytes
std::string Md5(std::string_view data);     // 16 raw bytes
void Sha256(std::string_view data, unsigned char out[32]);
void Md5(std::string_view data, unsigned char out[16]);
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
// Compares in time independent of where the inputs differ (length may leak).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// AES-256 in CTR mode (encryption and decryption are the same operation).
// `key` must be 32 bytes and `iv` 16 bytes; otherwise the result is empty.
std::string Aes256Ctr(std::string_view key, std::string_view iv, std::string_view data);
// HMAC-SHA256 under one fixed key, keyed once: per message it costs a few
// SHA-256 blocks instead of OpenSSL's per-call setup (for the millions of
// URLs a large query signs). Each thread also keeps the state after the
// first 64 bytes of its last message, so messages that begin with the same
// block as the one before (the signed URLs of one table: same expiry, same
// folder) skip hashing it. Thread-safe (immutable after construction).
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  // The MAC of the concatenation of `parts`: 32 raw bytes.
  std::string Mac(std::initializer_list<std::string_view> parts) const;
  void Mac(std::initializer_list<std::string_view> parts, unsigned char out[32]) const;

 private:
  alignas(8) unsigned char inner_[128];  // SHA-256 state after the key pads
  alignas(8) unsigned char outer_[128];
  uint64_t id_;  // names these states in the threads' caches (never reused)
};

// AES-256-CTR under one fixed key (the counter: the whole 16-byte block,
// big-endian, as OpenSSL's CTR mode), through keyed OpenSSL ECB contexts
// kept per thread (a few keys each), so a short message costs no key
// schedule and no lock. Thread-safe.
class Aes256CtrKey {
 public:
  // `key` must be 32 bytes (otherwise Apply returns false).
  explicit Aes256CtrKey(std::string_view key);
  ~Aes256CtrKey();
  Aes256CtrKey(const Aes256CtrKey&) = delete;
  Aes256CtrKey& operator=(const Aes256CtrKey&) = delete;

  // Writes data.size() bytes of data XOR keystream(iv) to `out` (which may
  // be data). `iv` must be 16 bytes. False if OpenSSL fails.
  bool Apply(std::string_view iv, std::string_view data, char* out) const;

 private:
  // This thread's context keyed with key_ (made on first use); null if
  // OpenSSL fails.
  evp_cipher_ctx_st* ThreadContext() const;
  std::string key_;
  uint64_t id_;  // names this key in the threads' caches (never reused)
};

// `n` bytes from OpenSSL's CSPRNG; aborts if the generator fails (never returns weak bytes).
std::string RandomBytes(size_t n);

}  // namespace lakeshare
