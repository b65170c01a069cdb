// The storage boundary: read table metadata from where a table lives, and
// hand out URLs that let a recipient download one data file.
//
// Paths are full locations as understood by the backend that produced them
// (a local absolute path for LocalStorage, "s3://bucket/key" for S3, ...).
// Implementations are thread-safe; errors are kNotFound for a missing object,
// kIOError for anything else the store reports.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace lakeshare {

struct FileInfo {
  std::string path;  // full location of the object
  int64_t size = 0;
  int64_t modification_time_ms = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Reads a whole object.
  virtual Result<std::string> Read(const std::string& path) = 0;
  // Reads `length` bytes from `offset` (fewer at the end of the object).
  virtual Result<std::string> ReadRange(const std::string& path, int64_t offset,
                                        int64_t length) = 0;
  virtual Result<FileInfo> Head(const std::string& path) = 0;
  // Lists the objects directly inside the folder `dir` (not recursive), sorted
  // by path. A missing folder is kNotFound.
  virtual Result<std::vector<FileInfo>> ListDirectory(const std::string& dir) = 0;
  // Joins a folder location and a relative path (which may contain '/').
  virtual std::string Join(const std::string& dir, const std::string& relative) const;
};

struct PresignedUrl {
  std::string url;
  int64_t expiration_ms = 0;  // absolute, milliseconds since the epoch
};

// Per-request facts a signer may need (the local signer builds URLs that point
// back at this server).
struct SignContext {
  std::string server_base_url;  // e.g. "http://host:port/delta-sharing" (no trailing '/')
};

class UrlSigner {
 public:
  virtual ~UrlSigner() = default;
  // Returns a URL granting GET access to exactly the object `path` until
  // `expiration_ms`.
  virtual Result<PresignedUrl> Presign(const std::string& path, int64_t expiration_ms,
                                       const SignContext& context) = 0;
};

// A storage backend and the signer for URLs into it.
struct StorageBackend {
  std::shared_ptr<Storage> storage;
  std::shared_ptr<UrlSigner> signer;
};

}  // namespace lakeshare
