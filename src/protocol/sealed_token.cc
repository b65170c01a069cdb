#include "protocol/sealed_token.h"

#include "common/encoding.h"

namespace lakeshare {
namespace {

constexpr char kVersion = 0x01;
constexpr size_t kHeaderBytes = 1 + 8;  // version, expiration
constexpr size_t kMacBytes = 16;

void AppendInt64(std::string* out, int64_t value) {
  auto bits = static_cast<uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((bits >> shift) & 0xff));
  }
}

int64_t ReadInt64(std::string_view in) {
  uint64_t bits = 0;
  for (size_t i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<unsigned char>(in[i]);
  return static_cast<int64_t>(bits);
}

}  // namespace

std::string SealedTokenCodec::Mac(std::string_view purpose, std::string_view sealed_bytes) const {
  // The purpose is length-prefixed so that no purpose/payload split of the
  // same bytes can collide with another.
  std::string length = std::to_string(purpose.size()) + ":";
  return key_.Mac({length, purpose, sealed_bytes}).substr(0, kMacBytes);
}

std::string SealedTokenCodec::Seal(std::string_view purpose, std::string_view payload,
                                   int64_t expiration_ms) const {
  std::string raw;
  raw.reserve(kHeaderBytes + payload.size() + kMacBytes);
  raw.push_back(kVersion);
  AppendInt64(&raw, expiration_ms);
  raw.append(payload);
  raw += Mac(purpose, raw);
  return Base64UrlEncode(raw);
}

Result<std::string> SealedTokenCodec::Open(std::string_view token, std::string_view purpose,
                                           int64_t now_ms, std::string_view param) const {
  auto invalid = [&] { return Status::InvalidArgument("invalid '" + std::string(param) + "'"); };
  if (token.empty() || token.size() > kMaxTokenChars) return invalid();
  std::optional<std::string> raw = Base64UrlDecode(token);
  if (!raw || raw->size() < kHeaderBytes + kMacBytes || (*raw)[0] != kVersion) return invalid();
  std::string_view sealed(raw->data(), raw->size() - kMacBytes);
  if (!ConstantTimeEquals(std::string_view(*raw).substr(sealed.size()), Mac(purpose, sealed))) {
    return invalid();
  }
  if (ReadInt64(sealed.substr(1)) <= now_ms) {
    return Status::InvalidArgument("the '" + std::string(param) + "' has expired");
  }
  return std::string(sealed.substr(kHeaderBytes));
}

}  // namespace lakeshare
