#include "cli/admin_command_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli/admin_command.h"
#include "common/time_util.h"

namespace lakeshare {

namespace json = boost::json;

namespace {

std::string Cell(std::string_view key, const json::value& v,
                 const std::set<std::string>& time_fields) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64() && time_fields.count(std::string(key)) > 0) {
    return FormatIso8601Millis(v.as_int64());
  }
  if (v.is_array()) {
    std::string out;
    for (const auto& e : v.as_array()) {
      if (!out.empty()) out += ",";
      out += Cell("", e, time_fields);
    }
    return out;
  }
  if (v.is_null()) return "";
  return json::serialize(v);
}

void PrintObject(const json::object& o, const std::set<std::string>& time_fields) {
  size_t width = 0;
  for (const auto& kv : o) width = std::max(width, kv.key().size());
  for (const auto& kv : o) {
    std::string k(kv.key());
    std::cout << k << ":" << std::string(width - k.size() + 1, ' ')
              << Cell(k, kv.value(), time_fields) << "\n";
  }
}

void PrintTable(const json::array& items, std::vector<std::string> columns,
                const std::set<std::string>& time_fields) {
  if (items.empty()) {
    std::cout << "(none)\n";
    return;
  }
  if (!items[0].is_object()) {  // a list of names
    for (const auto& e : items) std::cout << Cell("", e, time_fields) << "\n";
    return;
  }
  if (columns.empty()) {
    for (const auto& kv : items[0].as_object()) columns.emplace_back(kv.key());
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> width(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) width[c] = columns[c].size();
  for (const auto& item : items) {
    std::vector<std::string> row;
    const json::object* o = item.if_object();
    for (size_t c = 0; c < columns.size(); ++c) {
      const json::value* v = o ? o->if_contains(columns[c]) : nullptr;
      row.push_back(v ? Cell(columns[c], *v, time_fields) : "");
      width[c] = std::max(width[c], row.back().size());
    }
    rows.push_back(std::move(row));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      out += cells[c];
      if (c + 1 < cells.size()) out += std::string(width[c] - cells[c].size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::cout << out << "\n";
  };
  line(columns);
  for (const auto& r : rows) line(r);
}

std::string ErrorMessage(const AdminApiResponse& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  std::string msg;
  if (!ec && v.is_object()) {
    if (auto* m = v.as_object().if_contains("message"); m && m->is_string()) {
      msg = std::string(m->as_string());
    }
  }
  if (msg.empty()) msg = "the server answered HTTP " + std::to_string(r.status);
  return msg + " (HTTP " + std::to_string(r.status) + ")";
}

// Reads one line of stdin, without echo when it is a terminal.
Result<std::string> ReadLine(std::string_view prompt) {
  bool tty = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (tty) {
    std::cerr << prompt << std::flush;
    if (::tcgetattr(STDIN_FILENO, &saved) == 0) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!got) return Status::InvalidArgument("no input for: " + std::string(prompt));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

int ExitCodeForHttp(int http_status) {
  if (http_status < 300) return kAdminOk;
  if (http_status == 401 || http_status == 403) return kAdminDenied;
  if (http_status == 404) return kAdminNotFound;
  if (http_status >= 500) return kAdminUnavailable;
  if (http_status >= 400) return kAdminRejected;
  return kAdminFailed;
}

int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk:
      return kAdminOk;
    case StatusCode::kUnavailable:
    case StatusCode::kIOError:
      return kAdminUnavailable;
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return kAdminDenied;
    case StatusCode::kNotFound:
      return kAdminNotFound;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      return kAdminRejected;
    default:
      return kAdminFailed;
  }
}

Result<int64_t> ParseDuration(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  if (text.size() < 2) return Status::InvalidArgument("invalid duration " + quoted);
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1000;
      break;
    case 'm':
      unit = 60 * 1000;
      break;
    case 'h':
      unit = 3600 * 1000;
      break;
    case 'd':
      unit = 24 * 3600 * 1000;
      break;
    default:
      return Status::InvalidArgument("invalid duration " + quoted + " (use 90s, 15m, 12h, 30d)");
  }
  int64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])) || n > INT64_MAX / 100) {
      return Status::InvalidArgument("invalid duration " + quoted);
    }
    n = n * 10 + (text[i] - '0');
  }
  if (n <= 0 || n > INT64_MAX / unit) return Status::InvalidArgument("invalid duration " + quoted);
  return n * unit;
}

Result<std::string> ReadSecret(std::string_view env, std::string_view prompt) {
  if (const char* v = std::getenv(std::string(env).c_str()); v != nullptr && *v != '\0') {
    return std::string(v);
  }
  return ReadLine(prompt);
}

Result<std::string> ReadSecretFile(std::string_view env, const std::string& path) {
  constexpr size_t kMax = 64 * 1024;
  if (path.empty()) {
    const char* v = std::getenv(std::string(env).c_str());
    return std::string(v == nullptr ? "" : v);
  }
  std::string text;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return Status::InvalidArgument("cannot read the secret file '" + path + "'");
    in = &file;
  }
  char buf[4096];
  while (in->read(buf, sizeof buf) || in->gcount() > 0) {
    text.append(buf, static_cast<size_t>(in->gcount()));
    if (text.size() > kMax) {
      return Status::InvalidArgument("the secret file '" + path + "' is larger than 64 KiB");
    }
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

Status WriteProfile(const std::string& path, const std::string& body) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::IOError("cannot write the profile file '" + path + "'");
  ::fchmod(fd, 0600);
  std::string text = body + "\n";
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status::IOError("cannot write the profile file '" + path + "'");
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Status::IOError("cannot write the profile file '" + path + "'");
  return Status::OK();
}

std::set<std::string> TimeFields(const Shape* shape) {
  std::set<std::string> out;
  if (shape == nullptr) return out;
  for (const Field& f : shape->fields) {
    if (f.type == FieldType::kEpochMillis) out.emplace(f.name);
    if (f.type == FieldType::kObjectList || f.type == FieldType::kObject) {
      std::set<std::string> inner = TimeFields(f.shape);
      out.insert(inner.begin(), inner.end());
    }
  }
  return out;
}

// ------------------------------------------------------------ AdminOutput

int AdminOutput::Object(const AdminApiResponse& r, const std::set<std::string>& time_fields) {
  if (json_ || r.body.empty()) return Raw(r);
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return Raw(r);
  PrintObject(v.as_object(), time_fields);
  return kAdminOk;
}

int AdminOutput::List(const AdminApiResponse& r, const std::vector<std::string>& columns,
                      const std::set<std::string>& time_fields) {
  if (json_ || r.body.empty()) return Raw(r);
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return Raw(r);
  const json::object& o = v.as_object();
  const json::value* items = o.if_contains("items");
  PrintTable(items && items->is_array() ? items->as_array() : json::array(), columns, time_fields);
  if (auto* next = o.if_contains("nextPageToken"); next && next->is_string()) {
    std::cerr << "more entries: --page-token " << next->as_string().c_str() << "\n";
  }
  return kAdminOk;
}

int AdminOutput::Done(const AdminApiResponse& r, const std::string& message) {
  if (json_) return Raw(r);
  if (!message.empty()) std::cout << message << "\n";
  return kAdminOk;
}

int AdminOutput::Raw(const AdminApiResponse& r) {
  if (!r.body.empty()) std::cout << r.body << "\n";
  return kAdminOk;
}

int AdminOutput::Profile(const AdminApiResponse& r, const std::string& path) {
  if (path.empty()) return Raw(r);
  Status st = WriteProfile(path, r.body);
  if (!st.ok()) return Fail(st);
  if (json_) {
    json::object o;
    o["profileFile"] = path;
    std::cout << json::serialize(o) << "\n";
  } else {
    std::cout << "profile written to " << path << " (give it to the recipient)\n";
  }
  return kAdminOk;
}

int AdminOutput::ObjectAndProfile(const AdminApiResponse& r,
                                  const std::set<std::string>& time_fields,
                                  const std::string& path) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* profile = o == nullptr ? nullptr : o->if_contains("profile");
  if (profile == nullptr) return Object(r, time_fields);
  AdminApiResponse profile_answer = r;
  profile_answer.body = json::serialize(*profile);
  if (json_) {
    // The whole answer once; the profile file beside it when asked for.
    if (path.empty()) return Raw(r);
    Status st = WriteProfile(path, profile_answer.body);
    if (!st.ok()) return Fail(st);
    json::object whole = *o;
    whole.erase("profile");
    whole["profileFile"] = path;
    std::cout << json::serialize(whole) << "\n";
    return kAdminOk;
  }
  json::object rest = *o;
  rest.erase("profile");
  PrintObject(rest, time_fields);
  if (path.empty()) std::cout << "profile (shown once; give it to the recipient):\n";
  return Profile(profile_answer, path);
}

int AdminOutput::FailAnswer(const AdminApiResponse& r) {
  if (json_ && !r.body.empty()) std::cout << r.body << "\n";
  std::cerr << "lakeshare admin: " << ErrorMessage(r) << "\n";
  return ExitCodeForHttp(r.status);
}

int AdminOutput::Fail(const Status& st) {
  if (json_) {
    json::object o;
    o["errorCode"] = "CLIENT_ERROR";
    o["message"] = st.message();
    std::cout << json::serialize(o) << "\n";
  }
  std::cerr << "lakeshare admin: " << st.message() << "\n";
  return ExitCodeFor(st);
}

}  // namespace lakeshare
