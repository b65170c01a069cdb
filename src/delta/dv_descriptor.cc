#include "delta/dv_descriptor.h"

#include <cstdint>
#include <cstdio>

namespace lakeshare {
namespace {

std::string FormatUuid(std::string_view b) {
  char out[37];
  const auto* u = reinterpret_cast<const unsigned char*>(b.data());
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
                u[15]);
  return out;
}

}  // namespace

Result<std::string> DeletionVectorRelativePath(const DeletionVector& dv) {
  if (dv.storage_type == "p") {
    return Status::Unsupported("deletion vectors stored at absolute paths cannot be shared");
  }
  if (dv.storage_type != "u") {
    return Status::InvalidArgument("deletion vector of storage type '" + dv.storage_type +
                                   "' has no file");
  }
  const std::string& s = dv.path_or_inline_dv;
  if (s.size() < 20) return Status::Corruption("malformed deletion vector path '" + s + "'");
  auto uuid = Z85Decode(std::string_view(s).substr(s.size() - 20));
  if (!uuid) return Status::Corruption("malformed deletion vector id '" + s + "'");
  std::string prefix = s.substr(0, s.size() - 20);
  for (char c : prefix) {
    if (c == '/' || c == '.' || c == '\\') {
      // Not echoed: a prefix that climbs out of the table is a path we never reveal.
      return Status::Corruption(
          "malformed deletion vector prefix (it must be a plain folder name)");
    }
  }
  std::string name = "deletion_vector_" + FormatUuid(*uuid) + ".bin";
  return prefix.empty() ? name : prefix + "/" + name;
}

}  // namespace lakeshare
