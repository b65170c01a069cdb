// The storage boundary: read table metadata from where a table lives, and
// hand out URLs that let a recipient download one data file.
//
// Paths are full locations as understood by the backend that produced them
// (a local absolute path for LocalStorage, "s3://bucket/key" for S3, ...).
// Implementations are thread-safe; errors are kNotFound for a missing object,
// kIOError for anything else the store reports.
//
// Reading part of an object: ReadRange for one range into a string, or
// OpenRandomAccess for a file read at many offsets (parquet footers and
// column chunks): the one random-access read of the project, so no reader
// needs to know which backend it reads from.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/random_access_file.h"

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
  // As ListDirectory, but only the objects whose name (the part after `dir`
  // and its '/') sorts after `start_after`, e.g. the Delta log from a
  // checkpoint onward. Object stores start listing there (S3 start-after);
  // the default filters a full listing. May return an empty list instead of
  // kNotFound for a missing folder.
  virtual Result<std::vector<FileInfo>> ListDirectoryAfter(const std::string& dir,
                                                           const std::string& start_after);
  // Opens the object at `path` for reads at any offset. `known_size` is its
  // size when a listing already said it (saves a request); nullopt asks the
  // store (Head). kNotFound when the object does not exist. The default
  // reads through ReadRange, one request per read (ReadsAreCheap() false),
  // and keeps the bytes of the first read that reaches the end of the
  // object (a parquet footer), so later reads inside them cost nothing;
  // LocalStorage reads with pread(2) straight into the caller's buffer.
  // The file refers to this storage and must not outlive it.
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(
      const std::string& path, std::optional<int64_t> known_size);
  // The folders directly inside `dir` (full locations, no trailing '/'),
  // sorted: on object stores the common prefixes of a delimited listing.
  // For readers that must discover a table's folders (Hudi's listing
  // fallback). The default is kUnsupported.
  virtual Result<std::vector<std::string>> ListSubfolders(const std::string& dir);
  // Writes, for the files lakeshare derives itself (the merge cache on an
  // object-store prefix, table/content_cache.h); tables are never written.
  // The defaults are kUnsupported.
  // Stores `bytes` as the whole object `path`, replacing it; readers see
  // the old object or the new one, never a part.
  virtual Status Write(const std::string& path, std::string_view bytes);
  // Deletes the object `path`; a missing object is no error.
  virtual Status Delete(const std::string& path);
  // Makes the modification time of the object `path` now, keeping its
  // bytes (the cache's "recently used"); kNotFound when it is missing.
  virtual Status Touch(const std::string& path);
  // Joins a folder location and a relative path (which may contain '/').
  std::string Join(const std::string& dir, const std::string& relative) const;
  // As Join, written into *out (replacing its contents, reusing its buffer).
  static void JoinInto(std::string_view dir, std::string_view relative, std::string* out);
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
  // The expiry a URL signed now can really have when `wanted_ms` is asked
  // for: stores cap lifetimes (S3 and GCS: 7 days) and count in whole
  // seconds. Presign with the returned value gives URLs expiring exactly then
  // (never later than `wanted_ms`). Callers announce this value to clients.
  virtual int64_t ClampExpiration(int64_t now_ms, int64_t wanted_ms) const { return wanted_ms; }
  // Returns a URL granting GET access to exactly the object `path` until
  // `expiration_ms`.
  virtual Result<PresignedUrl> Presign(const std::string& path, int64_t expiration_ms,
                                       const SignContext& context) = 0;
  // As Presign, into *out, reusing the buffer of out->url: the per-file call
  // of large answers, where an allocation per URL shows. The default calls
  // Presign.
  virtual Status PresignInto(const std::string& path, int64_t expiration_ms,
                             const SignContext& context, PresignedUrl* out);
  // As PresignInto, for a file to be read without leaving its table's
  // folder path[0, root_length): the local signer seals that boundary into
  // the URL (links out of it are refused at download); object stores have
  // no links (the default ignores it).
  virtual Status PresignBeneathInto(const std::string& path, size_t /*root_length*/,
                                    int64_t expiration_ms, const SignContext& context,
                                    PresignedUrl* out) {
    return PresignInto(path, expiration_ms, context, out);
  }
};

// A storage backend and the signer for URLs into it.
struct StorageBackend {
  std::shared_ptr<Storage> storage;
  std::shared_ptr<UrlSigner> signer;
};

}  // namespace lakeshare
