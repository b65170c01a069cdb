#include "common/crypto.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include "common/encoding.h"

namespace lakeshare {
namespace {

TEST(CryptoTest, DigestsMatchKnownValues) {
  EXPECT_EQ(HexEncode(Md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// RFC 4231 test cases 1, 2 and 6 (key longer than a block).
TEST(CryptoTest, HmacSha256MatchesRfc4231) {
  std::string key1(20, '\x0b');
  EXPECT_EQ(HexEncode(HmacSha256(key1, "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexEncode(HmacSha256Key(key1).Mac({"Hi ", "There"})),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexEncode(HmacSha256Key("Jefe").Mac({"what do ya want for nothing?"})),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  std::string key6(131, '\xaa');
  EXPECT_EQ(HexEncode(HmacSha256Key(key6).Mac(
                {"Test Using Larger Than Block-Size Key - Hash Key First"})),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(CryptoTest, KeyedHmacEqualsOneShotForAllLengths) {
  HmacSha256Key key("k3y");
  std::string msg;
  for (int n = 0; n < 300; ++n) {
    EXPECT_EQ(key.Mac({msg}), HmacSha256("k3y", msg)) << n;
    msg.push_back(static_cast<char>('a' + n % 26));
  }
}

TEST(CryptoTest, ReusedAesContextsEqualFreshOnes) {
  std::string key = Sha256("key");
  Aes256CtrKey aes(key);
  for (int n = 0; n < 200; n += 7) {
    std::string iv = Md5(std::to_string(n));
    std::string data(n, 'x');
    std::string out(n, '\0');
    ASSERT_TRUE(aes.Apply(iv, data, out.data()));
    EXPECT_EQ(out, Aes256Ctr(key, iv, data)) << n;
  }
  // In place (as the URL signer seals a path), across batches of key stream
  // (64 blocks) and lengths that are not multiples of the word or block.
  for (int n : {1, 8, 15, 16, 17, 1023, 1024, 1025, 2100}) {
    std::string iv = Md5("in place " + std::to_string(n));
    std::string data(static_cast<size_t>(n), '\0');
    for (int i = 0; i < n; ++i) data[static_cast<size_t>(i)] = static_cast<char>(i * 31 + 7);
    std::string buffer = data;
    ASSERT_TRUE(aes.Apply(iv, buffer, buffer.data()));
    EXPECT_EQ(buffer, Aes256Ctr(key, iv, data)) << n;
  }
  // Concurrent use.
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        std::string iv = Md5(std::to_string(t * 1000 + i));
        std::string data(17 + i % 50, static_cast<char>(i));
        std::string out(data.size(), '\0');
        if (!aes.Apply(iv, data, out.data()) || out != Aes256Ctr(key, iv, data)) ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  Aes256CtrKey short_key("short");
  char out[4];
  EXPECT_FALSE(short_key.Apply(std::string(16, 'i'), "abcd", out));
}

// Keys that alternate on one thread (more than its cached contexts), every
// length, in place, and counters that carry into higher bytes: all equal
// OpenSSL's own CTR mode.
TEST(CryptoTest, KeyedCtrEqualsOpenSslCtr) {
  std::vector<std::string> keys;
  std::vector<std::unique_ptr<Aes256CtrKey>> aes;
  for (int k = 0; k < 6; ++k) {
    keys.push_back(Sha256("key " + std::to_string(k)));
    aes.push_back(std::make_unique<Aes256CtrKey>(keys.back()));
  }
  for (const std::string& iv :
       {Md5("iv"), std::string(16, '\xff'), std::string(8, '\x01') + std::string(8, '\xff'),
        std::string(15, '\0') + "\xfd"}) {
    for (size_t n = 0; n < 300; n += 1 + n / 8) {
      for (size_t k = 0; k < keys.size(); ++k) {
        std::string data(n, '\0');
        for (size_t i = 0; i < n; ++i) data[i] = static_cast<char>(i * 13 + k);
        std::string a(n, '\0');
        ASSERT_TRUE(aes[k]->Apply(iv, data, a.data()));
        EXPECT_EQ(a, Aes256Ctr(keys[k], iv, data)) << k << " " << n;
        std::string in_place = data;
        ASSERT_TRUE(aes[k]->Apply(iv, in_place, in_place.data()));
        EXPECT_EQ(in_place, a) << k << " " << n;
      }
    }
  }
  // A key made after another was destroyed never takes its context.
  for (int i = 0; i < 6; ++i) {
    const std::string key = Sha256("short-lived " + std::to_string(i));
    std::string out(40, '\0');
    ASSERT_TRUE(Aes256CtrKey(key).Apply(Md5("iv"), std::string(40, 'x'), out.data()));
    EXPECT_EQ(out, Aes256Ctr(key, Md5("iv"), std::string(40, 'x'))) << i;
  }
  // FIPS-197 appendix C.3 (AES-256 of one block): with the example's
  // plaintext as the counter block, the key stream XOR zeros is its cipher.
  const std::string key =
      *HexDecode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const std::string iv = *HexDecode("00112233445566778899aabbccddeeff");
  std::string out(16, '\0');
  ASSERT_TRUE(Aes256CtrKey(key).Apply(iv, std::string(16, '\0'), out.data()));
  EXPECT_EQ(HexEncode(out), "8ea2b7ca516745bfeafc49904b496089");
}

// Messages that share their first block (cached per thread) or not, one key
// after another on the same thread, all equal to the one-shot HMAC.
TEST(CryptoTest, KeyedHmacWithSharedFirstBlocks) {
  HmacSha256Key a("key a"), b("key b");
  const std::string prefix(64, 'p');
  for (int i = 0; i < 50; ++i) {
    const std::string tail = std::to_string(i * 7919);
    const std::string other = prefix.substr(0, 63) + "q" + tail;
    EXPECT_EQ(a.Mac({prefix, tail}), HmacSha256("key a", prefix + tail)) << i;
    EXPECT_EQ(b.Mac({prefix.substr(0, 10), prefix.substr(10), tail}),
              HmacSha256("key b", prefix + tail))
        << i;
    EXPECT_EQ(a.Mac({other}), HmacSha256("key a", other)) << i;
    EXPECT_EQ(a.Mac({prefix}), HmacSha256("key a", prefix)) << i;
    EXPECT_EQ(a.Mac({"", prefix.substr(0, 63), "", "p", tail}), HmacSha256("key a", prefix + tail))
        << i;
    EXPECT_EQ(a.Mac({std::string_view(), prefix, std::string_view(), tail}),
              HmacSha256("key a", prefix + tail))
        << i;
  }
  // A key made after another was destroyed never takes its cached state.
  for (int i = 0; i < 4; ++i) {
    const std::string k = "short-lived " + std::to_string(i);
    EXPECT_EQ(HmacSha256Key(k).Mac({prefix, "x"}), HmacSha256(k, prefix + "x")) << i;
  }
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const std::string msg =
            (i % 3 == 0 ? prefix : std::string(64, 'a' + t)) + std::to_string(i);
        if (a.Mac({msg}) != HmacSha256("key a", msg)) ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace lakeshare
