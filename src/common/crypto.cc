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

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

#if defined(__x86_64__)
namespace {

// One step of the AES-256 key expansion (FIPS-197 5.2): `a` becomes the next
// even round key from the word `t` derived from the odd one.
__attribute__((target("aes"))) __m128i ExpandStep(__m128i a, __m128i t) {
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  return _mm_xor_si128(a, t);
}

template <int kRcon>
__attribute__((target("aes"))) void ExpandPair(__m128i* rk, int i) {
  // rk[i] from rk[i-2] and rk[i-1] (RotWord, SubWord, Rcon), then rk[i+1]
  // from rk[i-1] and rk[i] (SubWord only).
  rk[i] =
      ExpandStep(rk[i - 2], _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[i - 1], kRcon), 0xff));
  if (i + 1 < 15) {
    rk[i + 1] = ExpandStep(rk[i - 1], _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[i], 0), 0xaa));
  }
}

__attribute__((target("aes"))) void ExpandKey(const unsigned char key[32], unsigned char out[240]) {
  __m128i rk[15];
  rk[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
  rk[1] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key + 16));
  ExpandPair<0x01>(rk, 2);
  ExpandPair<0x02>(rk, 4);
  ExpandPair<0x04>(rk, 6);
  ExpandPair<0x08>(rk, 8);
  ExpandPair<0x10>(rk, 10);
  ExpandPair<0x20>(rk, 12);
  ExpandPair<0x40>(rk, 14);
  for (int i = 0; i < 15; ++i) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * i), rk[i]);
  OPENSSL_cleanse(rk, sizeof(rk));
}

// The counter block (big-endian 128-bit `hi:lo`) as AES-NI takes it.
inline __m128i CounterBlock(uint64_t hi, uint64_t lo) {
  return _mm_set_epi64x(static_cast<long long>(__builtin_bswap64(lo)),
                        static_cast<long long>(__builtin_bswap64(hi)));
}

// Eight blocks at a time, the last group too (a file path is 5-8 blocks):
// the rounds of independent blocks overlap in the pipeline, where one
// block's 14 rounds would wait on each other.
__attribute__((target("aes"))) void CtrXor(const unsigned char* round_keys, const unsigned char* iv,
                                           const char* in, size_t n, char* out) {
  const auto* rk = reinterpret_cast<const __m128i*>(round_keys);
  uint64_t hi, lo;
  std::memcpy(&hi, iv, 8);
  std::memcpy(&lo, iv + 8, 8);
  hi = __builtin_bswap64(hi);
  lo = __builtin_bswap64(lo);
  constexpr size_t kLanes = 8;
  alignas(16) unsigned char stream[kLanes * 16];
  bool partial = false;  // the stream buffer holds key stream to wipe
  for (size_t done = 0; done < n; done += kLanes * 16) {
    __m128i b[kLanes];
    const __m128i k0 = _mm_load_si128(rk);
#pragma GCC unroll 8
    for (size_t i = 0; i < kLanes; ++i) {
      b[i] = _mm_xor_si128(CounterBlock(hi, lo), k0);
      if (++lo == 0) ++hi;
    }
#pragma GCC unroll 13
    for (int r = 1; r < 14; ++r) {
      const __m128i k = _mm_load_si128(rk + r);
#pragma GCC unroll 8
      for (size_t i = 0; i < kLanes; ++i) b[i] = _mm_aesenc_si128(b[i], k);
    }
    const __m128i last = _mm_load_si128(rk + 14);
#pragma GCC unroll 8
    for (size_t i = 0; i < kLanes; ++i) b[i] = _mm_aesenclast_si128(b[i], last);
    if (n - done >= kLanes * 16) {
      // Each block is read before it is written: out may be in.
#pragma GCC unroll 8
      for (size_t i = 0; i < kLanes; ++i) {
        const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + done) + i);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + done) + i, _mm_xor_si128(d, b[i]));
      }
      continue;
    }
#pragma GCC unroll 8
    for (size_t i = 0; i < kLanes; ++i) {
      _mm_store_si128(reinterpret_cast<__m128i*>(stream) + i, b[i]);
    }
    partial = true;
    const size_t m = n - done;
    size_t i = 0;
    for (; i + 8 <= m; i += 8) {
      uint64_t d, k;
      std::memcpy(&d, in + done + i, 8);
      std::memcpy(&k, stream + i, 8);
      d ^= k;
      std::memcpy(out + done + i, &d, 8);
    }
    for (; i < m; ++i) {
      out[done + i] = static_cast<char>(static_cast<unsigned char>(in[done + i]) ^ stream[i]);
    }
  }
  if (partial) OPENSSL_cleanse(stream, sizeof(stream));
}

}  // namespace
#endif

Aes256CtrKey::Aes256CtrKey(std::string_view key, bool use_aesni) : key_(key) {
  std::memset(round_keys_, 0, sizeof(round_keys_));
#if defined(__x86_64__)
  __builtin_cpu_init();  // a key may be made before libgcc's own initializer ran
  if (use_aesni && key_.size() == 32 && __builtin_cpu_supports("aes")) {
    ExpandKey(reinterpret_cast<const unsigned char*>(key_.data()), round_keys_);
    aesni_ = true;
  }
#else
  (void)use_aesni;
#endif
}

Aes256CtrKey::~Aes256CtrKey() {
  for (void* ctx : free_) EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX*>(ctx));
  OPENSSL_cleanse(key_.data(), key_.size());
  OPENSSL_cleanse(round_keys_, sizeof(round_keys_));
}

bool Aes256CtrKey::Apply(std::string_view iv, std::string_view data, char* out) const {
  if (key_.size() != 32 || iv.size() != 16) return false;
#if defined(__x86_64__)
  if (aesni_) {
    CtrXor(round_keys_, reinterpret_cast<const unsigned char*>(iv.data()), data.data(), data.size(),
           out);
    return true;
  }
#endif
  return ApplyWithOpenSsl(iv, data, out);
}

bool Aes256CtrKey::ApplyWithOpenSsl(std::string_view iv, std::string_view data, char* out) const {
  // CTR done here over a keyed ECB context: re-initialising an EVP CTR
  // context for each short message (a file path) cost more than encrypting it.
  constexpr size_t kBatch = 64;  // blocks of keystream per EVP call
  unsigned char counter[16];
  std::memcpy(counter, iv.data(), 16);
  EVP_CIPHER_CTX* ctx = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      ctx = static_cast<EVP_CIPHER_CTX*>(free_.back());
      free_.pop_back();
    }
  }
  if (ctx == nullptr) {
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == nullptr ||
        EVP_EncryptInit_ex(ctx, EVP_aes_256_ecb(), nullptr,
                           reinterpret_cast<const unsigned char*>(key_.data()), nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
      EVP_CIPHER_CTX_free(ctx);
      return false;
    }
  }
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
  if (!ok) {
    EVP_CIPHER_CTX_free(ctx);
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(ctx);
  return true;
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
