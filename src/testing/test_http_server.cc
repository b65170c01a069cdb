#include "testing/test_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "common/encoding.h"
#include "common/strings.h"

namespace lakeshare::testing {
namespace {

bool SendAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Parses the request line and headers of `head` (without the blank line).
void ParseHead(const std::string& head, TestHttpServer::Request* req) {
  size_t line_end = head.find("\r\n");
  std::string first = head.substr(0, line_end);
  size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
  req->method = first.substr(0, sp1);
  req->target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    std::string line = head.substr(pos, e - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      size_t v = line.find_first_not_of(' ', colon + 1);
      req->headers[AsciiLower(line.substr(0, colon))] =
          v == std::string::npos ? "" : line.substr(v);
    }
    pos = e + 2;
  }
}

std::string SerializeResponse(const TestHttpServer::Response& resp, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\n";
  bool has_length = false;
  for (const auto& [k, v] : resp.headers) {
    out += k + ": " + v + "\r\n";
    has_length = has_length || AsciiLower(k) == "content-length";
  }
  if (!has_length) out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
  out += "\r\n";
  if (!head_only) {
    out +=
        resp.truncate_at == std::string::npos ? resp.body : resp.body.substr(0, resp.truncate_at);
  }
  return out;
}

}  // namespace

TestHttpServer::TestHttpServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("TestHttpServer: cannot listen on 127.0.0.1");
    std::abort();
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestHttpServer::~TestHttpServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  // The acceptor is gone, so workers_ no longer grows.
  for (auto& t : workers_) t.join();
}

std::vector<TestHttpServer::Request> TestHttpServer::received() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

void TestHttpServer::AcceptLoop() {
  while (!stopping_) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_) return;
      continue;
    }
    ++connections_;
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void TestHttpServer::Serve(int fd) {
  std::string buf;
  char chunk[8192];
  while (!stopping_) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return Close(fd);
      buf.append(chunk, static_cast<size_t>(n));
    }
    Request req;
    ParseHead(buf.substr(0, end), &req);
    buf.erase(0, end + 4);
    size_t content_length = 0;
    if (auto it = req.headers.find("content-length"); it != req.headers.end()) {
      content_length = std::stoul(it->second);
    }
    while (buf.size() < content_length) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return Close(fd);
      buf.append(chunk, static_cast<size_t>(n));
    }
    req.body = buf.substr(0, content_length);
    buf.erase(0, content_length);
    ++requests_;
    {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(req);
    }
    Response resp = handler_(req);
    for (int waited = 0; waited < resp.delay_ms && !stopping_; waited += 10) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (resp.drop) return Close(fd);
    const bool head_only = req.method == "HEAD";
    std::string out = SerializeResponse(resp, head_only);
    if (!SendAll(fd, out.data(), out.size())) return Close(fd);
    if (!head_only && resp.truncate_at != std::string::npos) return Close(fd);
  }
  Close(fd);
}

void TestHttpServer::Close(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = open_fds_.begin(); it != open_fds_.end(); ++it) {
    if (*it == fd) {
      open_fds_.erase(it);
      break;
    }
  }
  ::close(fd);
}

std::map<std::string, std::string> QueryOf(const std::string& target) {
  std::map<std::string, std::string> q;
  size_t qm = target.find('?');
  if (qm == std::string::npos) return q;
  std::string s = target.substr(qm + 1);
  size_t start = 0;
  while (start < s.size()) {
    size_t amp = s.find('&', start);
    if (amp == std::string::npos) amp = s.size();
    std::string kv = s.substr(start, amp - start);
    size_t eq = kv.find('=');
    std::string key = kv.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
    q[PercentDecode(key).value_or(key)] = PercentDecode(value).value_or(value);
    start = amp + 1;
  }
  return q;
}

TestHttpServer::Response ObjectResponse(const TestHttpServer::Request& r,
                                        const std::string& range_header, const std::string& body,
                                        TestHttpServer::Response resp) {
  resp.headers.emplace_back("Last-Modified", "Wed, 12 Oct 2009 17:50:00 GMT");
  auto range = r.headers.find(range_header);
  if (range == r.headers.end()) {
    resp.body = body;
    return resp;
  }
  size_t dash = range->second.find('-');
  size_t from = std::stoul(range->second.substr(6, dash - 6));
  size_t to = std::stoul(range->second.substr(dash + 1));
  if (from >= body.size()) {
    resp.status = 416;
    return resp;
  }
  resp.status = 206;
  resp.body = body.substr(from, to - from + 1);
  return resp;
}

}  // namespace lakeshare::testing
