#include "auth/password_hash.h"

#include <argon2.h>

#include <vector>

#include "common/crypto.h"

namespace lakeshare {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

}  // namespace

Status ValidatePassword(std::string_view password) {
  if (password.size() < 8) return Status::InvalidArgument("password must be at least 8 bytes");
  if (password.size() > 1024) return Status::InvalidArgument("password is longer than 1024 bytes");
  return Status::OK();
}

Result<std::string> HashPassword(std::string_view password, const PasswordHashParams& params) {
  LS_RETURN_IF_ERROR(ValidatePassword(password));
  std::string salt = RandomBytes(kSaltBytes);
  size_t len = argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                                 kSaltBytes, kHashBytes, Argon2_id);
  std::vector<char> encoded(len + 1, '\0');
  int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism,
                                 password.data(), password.size(), salt.data(), salt.size(),
                                 kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return Status::Internal(std::string("argon2id hashing failed: ") + argon2_error_message(rc));
  }
  return std::string(encoded.data());
}

Result<bool> VerifyPassword(std::string_view password, std::string_view encoded) {
  if (!encoded.starts_with("$argon2id$")) {
    return Status::Corruption("stored password hash is not an Argon2id hash");
  }
  if (password.size() > 1024) return false;
  std::string enc(encoded);  // NUL-terminated for the C API
  int rc = argon2id_verify(enc.c_str(), password.data(), password.size());
  if (rc == ARGON2_OK) return true;
  if (rc == ARGON2_VERIFY_MISMATCH) return false;
  if (rc == ARGON2_MEMORY_ALLOCATION_ERROR) {
    return Status::Unavailable("out of memory verifying a password");
  }
  return Status::Corruption(std::string("stored password hash is invalid: ") +
                            argon2_error_message(rc));
}

}  // namespace lakeshare
