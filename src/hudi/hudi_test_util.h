// Shared helpers of the Hudi unit tests: the hudi-rs sample tables of
// tests/data/hudi unzipped into a temporary folder, and tables opened on them.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "hudi/hudi_table.h"
#include "storage/local_storage.h"

namespace lakeshare::testing {

// A temporary folder removed when the object goes away.
class HudiTempDir {
 public:
  HudiTempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hudi-test-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    path_ = made != nullptr ? made : "";
  }
  ~HudiTempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  HudiTempDir(const HudiTempDir&) = delete;
  HudiTempDir& operator=(const HudiTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::filesystem::path HudiTestData() {
  return std::filesystem::path(LAKESHARE_TESTDATA_DIR) / "hudi";
}

// Unzips tests/data/hudi/<archive> (e.g. "hudi-rs/cow/v6_nonpartitioned.zip")
// under `dir` and returns the table folder (the archive's top folder without
// __MACOSX), or "" on failure.
inline std::string UnzipHudiTable(const std::string& archive, const std::string& dir) {
  std::string zip = (HudiTestData() / archive).string();
  std::string cmd = "/usr/bin/python3 -m zipfile -e '" + zip + "' '" + dir + "' >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return "";
  std::string stem = std::filesystem::path(archive).stem().string();
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (e.is_directory() && name != "__MACOSX") {
      if (name == stem || std::filesystem::exists(e.path() / ".hoodie")) return e.path().string();
    }
  }
  return "";
}

// The bytes of a file ("" when it cannot be read).
inline std::string ReadFileBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::shared_ptr<HudiTable> OpenHudiTable(const std::string& dir,
                                                HudiTableOptions options = {}) {
  return std::make_shared<HudiTable>(dir, std::make_shared<LocalStorage>(), std::move(options));
}

}  // namespace lakeshare::testing
