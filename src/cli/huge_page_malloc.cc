#include "cli/huge_page_malloc.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

namespace lakeshare {

namespace {
constexpr std::string_view kTunable = "glibc.malloc.hugetlb";
}  // namespace

void ReexecWithHugePageMalloc(char** argv) {
  const char* before = std::getenv("GLIBC_TUNABLES");
  const std::string current = before != nullptr ? before : "";
  if (current.find(kTunable) != std::string::npos) return;  // chosen already (or re-executed)
  const std::string value = (current.empty() ? "" : current + ":") + std::string(kTunable) + "=1";
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Still here: run on as started.
  if (before != nullptr) {
    setenv("GLIBC_TUNABLES", current.c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
}

std::string HugePageMallocState() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const bool asks =
      tunables != nullptr &&
      std::string_view(tunables).find(std::string(kTunable) + "=1") != std::string_view::npos;
  // "always [madvise] never": the mode in brackets.
  std::string modes;
  std::getline(std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled"), modes);
  const size_t open = modes.find('['), close = modes.find(']');
  const std::string mode = open != std::string::npos && close > open
                               ? modes.substr(open + 1, close - open - 1)
                               : std::string("unknown");
  return std::string(asks ? "malloc asks for transparent huge pages"
                          : "malloc does not ask for huge pages") +
         " (GLIBC_TUNABLES " + (tunables != nullptr ? tunables : "unset") +
         "), kernel mode: " + mode;
}

}  // namespace lakeshare
