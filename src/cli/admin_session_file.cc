#include "cli/admin_session_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "common/crypto.h"
#include "common/encoding.h"

namespace lakeshare {

namespace {

constexpr size_t kMaxTokenBytes = 1024;

std::optional<std::filesystem::path> SessionDir() {
  if (const char* dir = std::getenv("LAKESHARE_ADMIN_SESSION_DIR")) {
    if (*dir == '\0') return std::nullopt;
    return std::filesystem::path(dir);
  }
  if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache != nullptr && *cache == '/') {
    return std::filesystem::path(cache) / "lakeshare";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    return std::filesystem::path(home) / ".cache" / "lakeshare";
  }
  return std::nullopt;
}

}  // namespace

std::optional<AdminSessionFile> AdminSessionFile::For(const std::string& url,
                                                      const std::string& user) {
  std::optional<std::filesystem::path> dir = SessionDir();
  if (!dir) return std::nullopt;
  // Named by a hash: neither the URL nor the user name needs escaping.
  std::string key = HexEncode(Sha256(url + "\n" + user)).substr(0, 32);
  return AdminSessionFile(*dir / ("admin-session-" + key));
}

std::optional<std::string> AdminSessionFile::Read() const {
  int fd = ::open(path_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::string token;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::getuid() &&
      (st.st_mode & 077) == 0 && st.st_size > 0 &&
      static_cast<size_t>(st.st_size) <= kMaxTokenBytes) {
    token.resize(static_cast<size_t>(st.st_size));
    ssize_t n = ::read(fd, token.data(), token.size());
    if (n != static_cast<ssize_t>(token.size())) token.clear();
  }
  ::close(fd);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) return std::nullopt;
  return token;
}

Status AdminSessionFile::Save(const std::string& token) const {
  std::error_code ec;
  std::filesystem::path dir = path_.parent_path();
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot make " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);  // best effort: the file itself is 0600 anyway
  std::filesystem::path tmp = path_;
  tmp += ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot write " + tmp.string());
  std::string text = token + "\n";
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path_.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + path_.string());
  }
  return Status::OK();
}

void AdminSessionFile::Forget() const { ::unlink(path_.c_str()); }

}  // namespace lakeshare
