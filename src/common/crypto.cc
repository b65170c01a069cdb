#include "common/crypto.h"

// The low-level SHA-256/MD5 interfaces are deprecated in OpenSSL 3 in favour
// of EVP, whose per-call algorithm lookup costs more than hashing a file path.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace lakeshare {

void Sha256(std::string_view data, unsigned char out[32]) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out, &ctx);
}

void Md5(std::string_view data, unsigned char out[16]) {
  MD5_CTX ctx;
  MD5_Init(&ctx);
  MD5_Update(&ctx, data.data(), data.size());
  MD5_Final(out, &ctx);
}

std::string Sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  Sha256(data, out);
  return std::string(reinterpret_cast<char*>(out), sizeof(out));
}

std::string Md5(std::string_view data) {
  unsigned char out[MD5_DIGEST_LENGTH];
  Md5(data, out);
  return std::string(reinterpret_cast<char*>(out), sizeof(out));
}

static_assert(sizeof(SHA256_CTX) <= 128, "HmacSha256Key state buffers too small");

namespace {

std::atomic<uint64_t> next_hmac_key_id{1};

// A thread's inner SHA-256 state after the key pad and one message block.
struct HmacFirstBlock {
  uint64_t key_id = 0;  // 0: empty
  unsigned char block[SHA256_CBLOCK];
  SHA256_CTX state;
};
thread_local HmacFirstBlock hmac_first_block;

}  // namespace

HmacSha256Key::HmacSha256Key(std::string_view key) : id_(next_hmac_key_id.fetch_add(1)) {
  unsigned char block[SHA256_CBLOCK] = {};
  if (key.size() > SHA256_CBLOCK) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block);
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[SHA256_CBLOCK];
  auto* inner = reinterpret_cast<SHA256_CTX*>(inner_);
  auto* outer = reinterpret_cast<SHA256_CTX*>(outer_);
  for (size_t i = 0; i < sizeof(pad); ++i) pad[i] = block[i] ^ 0x36;
  SHA256_Init(inner);
  SHA256_Update(inner, pad, sizeof(pad));
  for (size_t i = 0; i < sizeof(pad); ++i) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(outer);
  SHA256_Update(outer, pad, sizeof(pad));
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(pad, sizeof(pad));
}

void HmacSha256Key::Mac(std::initializer_list<std::string_view> parts,
                        unsigned char out[32]) const {
  SHA256_CTX ctx;
  // The first block of the message: when it is the one this thread hashed
  // last under this key, start from the state after it. Compared part by
  // part where it lies (a copy first would make the comparison's wide loads
  // wait on the copy's narrow stores).
  HmacFirstBlock& cached = hmac_first_block;
  bool same = cached.key_id == id_;
  size_t have = 0;
  for (std::string_view p : parts) {
    const size_t n = std::min(p.size(), sizeof(cached.block) - have);
    if (n == 0) continue;  // (an empty view's data may be null)
    same = same && std::memcmp(cached.block + have, p.data(), n) == 0;
    have += n;
    if (have == sizeof(cached.block)) break;
  }
  size_t skip = 0;  // message bytes already in ctx
  if (have == sizeof(cached.block)) {
    if (!same) {
      have = 0;
      for (std::string_view p : parts) {
        const size_t n = std::min(p.size(), sizeof(cached.block) - have);
        if (n == 0) continue;
        std::memcpy(cached.block + have, p.data(), n);
        have += n;
        if (have == sizeof(cached.block)) break;
      }
      std::memcpy(&cached.state, inner_, sizeof(cached.state));
      SHA256_Update(&cached.state, cached.block, sizeof(cached.block));
      cached.key_id = id_;
    }
    std::memcpy(&ctx, &cached.state, sizeof(ctx));
    skip = sizeof(cached.block);
  } else {
    std::memcpy(&ctx, inner_, sizeof(ctx));
  }
  for (std::string_view p : parts) {
    if (skip >= p.size()) {
      skip -= p.size();
      continue;
    }
    SHA256_Update(&ctx, p.data() + skip, p.size() - skip);
    skip = 0;
  }
  unsigned char inner_digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(inner_digest, &ctx);
  std::memcpy(&ctx, outer_, sizeof(ctx));
  SHA256_Update(&ctx, inner_digest, sizeof(inner_digest));
  SHA256_Final(out, &ctx);
}

std::string HmacSha256Key::Mac(std::initializer_list<std::string_view> parts) const {
  std::string out(32, '\0');
  Mac(parts, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

namespace {

std::atomic<uint64_t> next_aes_key_id{1};

// A thread's keyed ECB contexts for the last keys it used (a server has one
// or two keys; four slots keep alternation from re-keying). Each context is
// a key schedule: freed (and so wiped) when replaced or when the thread ends.
struct ThreadAesContexts {
  struct Slot {
    uint64_t key_id = 0;  // 0: empty
    EVP_CIPHER_CTX* ctx = nullptr;
  };
  Slot slots[4];
  unsigned next = 0;  // the slot to replace
  ~ThreadAesContexts() {
    for (Slot& s : slots) EVP_CIPHER_CTX_free(s.ctx);
  }
};
thread_local ThreadAesContexts aes_contexts;

}  // namespace

Aes256CtrKey::Aes256CtrKey(std::string_view key) : key_(key), id_(next_aes_key_id.fetch_add(1)) {}

Aes256CtrKey::~Aes256CtrKey() { OPENSSL_cleanse(key_.data(), key_.size()); }

EVP_CIPHER_CTX* Aes256CtrKey::ThreadContext() const {
  ThreadAesContexts& cache = aes_contexts;
  for (auto& slot : cache.slots) {
    if (slot.key_id == id_) return slot.ctx;
  }
  auto& slot = cache.slots[cache.next];
  cache.next = (cache.next + 1) % std::size(cache.slots);
  EVP_CIPHER_CTX_free(slot.ctx);
  slot = {};
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx, EVP_aes_256_ecb(), nullptr,
                         reinterpret_cast<const unsigned char*>(key_.data()), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return nullptr;
  }
  slot = {id_, ctx};
  return ctx;
}

bool Aes256CtrKey::Apply(std::string_view iv, std::string_view data, char* out) const {
  if (key_.size() != 32 || iv.size() != 16) return false;
  // CTR done here over a keyed ECB context: re-initialising an EVP CTR
  // context for each short message (a file path) cost more than encrypting
  // it, and one context per thread needs no lock (a shared pool's mutex was
  // contended when several threads sign one answer).
  EVP_CIPHER_CTX* ctx = ThreadContext();
  if (ctx == nullptr) return false;
  constexpr size_t kBatch = 64;  // blocks of keystream per EVP call
  unsigned char counter[16];
  std::memcpy(counter, iv.data(), 16);
  unsigned char blocks[kBatch * 16];
  unsigned char stream[kBatch * 16];
  size_t used = 0;  // of `stream`, to wipe: short messages touch little of it
  bool ok = true;
  for (size_t done = 0; done < data.size() && ok;) {
    size_t n = std::min(kBatch, (data.size() - done + 15) / 16);
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(blocks + 16 * i, counter, 16);
      for (int j = 15; j >= 0 && ++counter[j] == 0; --j) {
      }  // big-endian increment of the whole block, as OpenSSL's CTR mode does
    }
    int len = 0;
    used = std::max(used, 16 * n);
    ok = EVP_EncryptUpdate(ctx, stream, &len, blocks, static_cast<int>(16 * n)) == 1 &&
         len == static_cast<int>(16 * n);
    const size_t m = std::min(16 * n, data.size() - done);
    // Eight bytes at a time (a byte loop was most of this function's time);
    // each word is read before it is written, so out may be data.
    size_t i = 0;
    for (; i + 8 <= m; i += 8) {
      uint64_t d, k;
      std::memcpy(&d, data.data() + done + i, 8);
      std::memcpy(&k, stream + i, 8);
      d ^= k;
      std::memcpy(out + done + i, &d, 8);
    }
    for (; i < m; ++i) out[done + i] = static_cast<char>(data[done + i] ^ stream[i]);
    done += m;
  }
  OPENSSL_cleanse(stream, used);
  return ok;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Aes256Ctr(std::string_view key, std::string_view iv, std::string_view data) {
  if (key.size() != 32 || iv.size() != 16) return {};
  std::string out(data.size(), '\0');
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0, total = 0;
  bool ok = ctx != nullptr &&
            EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), nullptr,
                               reinterpret_cast<const unsigned char*>(key.data()),
                               reinterpret_cast<const unsigned char*>(iv.data())) == 1 &&
            EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                              reinterpret_cast<const unsigned char*>(data.data()),
                              static_cast<int>(data.size())) == 1;
  total = len;
  ok = ok &&
       EVP_EncryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + total, &len) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return {};
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::abort();  // never hand out predictable secrets
  }
  return out;
}

}  // namespace lakeshare
