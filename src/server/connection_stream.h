// ConnectionStream: the byte stream of one HTTP connection, either the plain
// TCP socket or a TLS stream over it, chosen at run time, so the connection's
// state machine (http_connection.h) and Beast's parser are written once.
// Models Asio's AsyncReadStream and AsyncWriteStream. Not thread-safe: used
// on the connection's strand only. Internal to server/.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <optional>
#include <utility>

namespace lakeshare {

class ConnectionStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;

  explicit ConnectionStream(boost::asio::ip::tcp::socket& socket) : socket_(socket) {}

  executor_type get_executor() { return socket_.get_executor(); }

  // Switches to TLS (before the handshake); `context` must outlive the stream.
  TlsStream& StartTls(boost::asio::ssl::context& context) {
    tls_.emplace(socket_, context);
    return *tls_;
  }
  TlsStream* tls() { return tls_ ? &*tls_ : nullptr; }

  template <typename Buffers, typename Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      socket_.async_read_some(buffers, std::forward<Handler>(handler));
    }
  }

  template <typename Buffers, typename Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    } else {
      socket_.async_write_some(buffers, std::forward<Handler>(handler));
    }
  }

 private:
  boost::asio::ip::tcp::socket& socket_;
  std::optional<TlsStream> tls_;
};

}  // namespace lakeshare
