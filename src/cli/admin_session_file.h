// Where `lakeshare admin -u USER --url URL` keeps its session between
// commands, so a script of ten commands logs in (Argon2, 100+ ms) once and
// leaves one login in the audit log instead of ten.
//
// One file per (URL, user): $LAKESHARE_ADMIN_SESSION_DIR, else
// $XDG_CACHE_HOME/lakeshare, else ~/.cache/lakeshare; the folder is made
// 0700 and the file 0600 (written to a temporary name, then renamed). A
// file that others may read, or that is not the user's, is never used. An
// empty $LAKESHARE_ADMIN_SESSION_DIR turns the reuse off. The file holds the
// session token only; the server decides whether it is still live.
// Not thread-safe across processes beyond rename's atomicity: two commands
// racing both log in and the last one's session is kept.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/status.h"

namespace lakeshare {

class AdminSessionFile {
 public:
  // nullopt when reuse is off (or there is no home folder to keep it in).
  static std::optional<AdminSessionFile> For(const std::string& url, const std::string& user);

  // The token kept, or nullopt (none, unreadable or not private).
  std::optional<std::string> Read() const;
  Status Save(const std::string& token) const;
  void Forget() const;  // best effort

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit AdminSessionFile(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace lakeshare
