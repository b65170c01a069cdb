#include "common/cpu_features.h"

namespace lakeshare {

#if defined(__x86_64__)
namespace {
// This may run before libgcc's own initializer of the CPU model.
bool CpuInit() {
  __builtin_cpu_init();
  return true;
}
}  // namespace

const bool kCpuHasSsse3 = CpuInit() && __builtin_cpu_supports("ssse3");
const bool kCpuHasPopcnt = CpuInit() && __builtin_cpu_supports("popcnt");
#else
const bool kCpuHasSsse3 = false;
const bool kCpuHasPopcnt = false;
#endif

}  // namespace lakeshare
