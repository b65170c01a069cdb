// Password hashing for admin users: Argon2id (libargon2) in the PHC string
// format "$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>", which carries its
// own parameters, so hashes made with older settings still verify.
// Thread-safe; each call costs `memory_kib` of memory and noticeable CPU time
// by design.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare {

struct PasswordHashParams {
  // OWASP's minimum recommendation for Argon2id (19 MiB, 2 passes).
  uint32_t memory_kib = 19 * 1024;
  uint32_t iterations = 2;
  uint32_t parallelism = 1;
};

// Passwords are 8..1024 bytes (kInvalidArgument otherwise): long enough to
// mean something, short enough that hashing cannot be abused.
Status ValidatePassword(std::string_view password);

// A new salted hash. kInvalidArgument for an invalid password.
Result<std::string> HashPassword(std::string_view password, const PasswordHashParams& params = {});

// True if `password` matches `encoded` (constant time in the hash
// comparison); false on mismatch. kCorruption if `encoded` is not an
// Argon2id hash.
Result<bool> VerifyPassword(std::string_view password, std::string_view encoded);

}  // namespace lakeshare
