// TlsContextStore: the server's OpenSSL context (TLS 1.2 and 1.3 only, forward
// secret AEAD ciphers only, no renegotiation, no compression), built from
// TlsOptions: a PEM certificate chain and key (optionally encrypted), or a
// self-signed certificate made in memory at start.
//
// Reload() builds a new context from the same files and swaps it in:
// connections already open keep the context they started with (they hold a
// shared_ptr), new ones get the new one. A failed reload keeps the old
// context and returns the error. Thread-safe. Internal to server/.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "server/server_options.h"

namespace lakeshare {

class TlsContextStore {
 public:
  // kInvalidArgument for unusable settings (no certificate, a key that does
  // not match, a wrong password), naming the file but never the password.
  static Result<std::unique_ptr<TlsContextStore>> Create(TlsOptions options);

  std::shared_ptr<boost::asio::ssl::context> Current() const;
  // Re-reads the certificate and key files (a self-signed one is kept).
  Status Reload();
  // SHA-256 fingerprint of the current leaf certificate, "AB:CD:...".
  std::string Fingerprint() const;

 private:
  explicit TlsContextStore(TlsOptions options) : options_(std::move(options)) {}

  const TlsOptions options_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;
  std::string fingerprint_;
};

}  // namespace lakeshare
