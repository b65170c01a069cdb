#include "auth/password_hash.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

// Cheap parameters keep the suite fast; the defaults get one test of their own.
const PasswordHashParams kFast{1024, 1, 1};

TEST(PasswordHashTest, VerifiesTheRightPasswordOnly) {
  auto hash = HashPassword("correct horse battery", kFast);
  ASSERT_OK(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=1024,t=1,p=1$")) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(*VerifyPassword("correct horse battery", *hash));
  EXPECT_FALSE(*VerifyPassword("correct horse battery ", *hash));
  EXPECT_FALSE(*VerifyPassword("", *hash));
}

TEST(PasswordHashTest, SaltsEveryHash) {
  EXPECT_NE(*HashPassword("same password", kFast), *HashPassword("same password", kFast));
}

TEST(PasswordHashTest, DefaultParameters) {
  auto hash = HashPassword("default-params");
  ASSERT_OK(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  EXPECT_TRUE(*VerifyPassword("default-params", *hash));
}

TEST(PasswordHashTest, RejectsBadPasswordsAndBadHashes) {
  EXPECT_EQ(HashPassword("short", kFast).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HashPassword(std::string(1025, 'x'), kFast).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyPassword("whatever1", "plain-text").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(VerifyPassword("whatever1", "$argon2id$garbage").status().code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace lakeshare
