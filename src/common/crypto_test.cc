#include "common/crypto.h"

#include <gtest/gtest.h>

#include <thread>

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

}  // namespace
}  // namespace lakeshare
