// What the CPU offers beyond the x86-64 baseline, for the fast paths of JSON
// escaping, base64 and hex. Read once by a static initializer; code that runs
// before it (another static initializer) reads false and takes its portable
// path, which gives the same bytes. Always false off x86-64.
#pragma once

namespace lakeshare {

extern const bool kCpuHasSsse3;   // byte shuffles
extern const bool kCpuHasPopcnt;  // population count

}  // namespace lakeshare
