// ReexecWithHugePageMalloc: the server's process runs with glibc's malloc
// asking the kernel for transparent huge pages (madvise(MADV_HUGEPAGE) on
// the memory it maps: the GLIBC_TUNABLES tunable glibc.malloc.hugetlb=1).
//
// Why: a snapshot of a million files is hundreds of MB that a cold load
// writes for the first time, and on a virtual machine each 4 KiB page
// touched first costs microseconds; in 2 MiB pages a cold load of the
// DuckDB-written benchmark table takes about half the time (bench/README.md).
// A tunable is read only when the process starts, hence the re-execution.
//
// Re-executes the running binary (same process id, arguments, descriptors)
// with the tunable added, unless GLIBC_TUNABLES already names it (set
// glibc.malloc.hugetlb=0 there to opt out). Returns, having changed
// nothing, when it cannot. Call first thing in main, before any thread.
#pragma once

#include <string>

namespace lakeshare {

void ReexecWithHugePageMalloc(char** argv);

// For the startup log: whether this process's malloc asks for huge pages,
// and the kernel's mode (which decides whether it gets them).
std::string HugePageMallocState();

}  // namespace lakeshare
