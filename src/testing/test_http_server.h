// Test fake of a remote HTTP service (object stores, REST catalogs): a tiny
// HTTP/1.1 server on 127.0.0.1 with an OS-chosen port that answers every
// request with a handler's scripted response, with keep-alive, and can
// misbehave on purpose (close without answering, truncate a body, answer
// late).
//
// Threading: one thread accepts, one thread serves each connection; the
// handler runs on those threads, concurrently for concurrent connections, so
// it must be thread-safe. The accessors are safe from any thread. The
// destructor closes every connection and joins every thread.
// Errors: the process aborts if the server cannot listen (nothing to test).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace lakeshare::testing {

class TestHttpServer {
 public:
  struct Request {
    std::string method;
    std::string target;                          // path and query as sent
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
  };
  struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool drop = false;                       // close the connection without answering
    size_t truncate_at = std::string::npos;  // send only this much of the body, then close
    int delay_ms = 0;                        // wait before answering
  };
  using Handler = std::function<Response(const Request&)>;

  explicit TestHttpServer(Handler handler);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Requests answered (or dropped) and connections accepted so far.
  int requests() const { return requests_.load(); }
  int connections() const { return connections_.load(); }
  // Every request received so far, in arrival order.
  std::vector<Request> received() const;

 private:
  void AcceptLoop();
  void Serve(int fd);
  void Close(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<int> open_fds_;         // guarded by mu_
  std::vector<std::thread> workers_;  // guarded by mu_
  std::vector<Request> received_;     // guarded by mu_
};

// The query parameters of a request target, percent-decoded (a parameter
// that does not decode keeps its raw text).
std::map<std::string, std::string> QueryOf(const std::string& target);

// Answers a GET of an object whose bytes are `body` as stores do: the whole
// body, or with a "bytes=a-b" range header (`range_header`, lower-case) 206
// and that slice, or 416 past the end. `resp` carries the other fields.
TestHttpServer::Response ObjectResponse(const TestHttpServer::Request& r,
                                        const std::string& range_header, const std::string& body,
                                        TestHttpServer::Response resp);

}  // namespace lakeshare::testing
