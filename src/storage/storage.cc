#include "storage/storage.h"

namespace lakeshare {

std::string Storage::Join(const std::string& dir, const std::string& relative) const {
  if (dir.empty()) return relative;
  if (dir.back() == '/') return dir + relative;
  return dir + "/" + relative;
}

}  // namespace lakeshare
