// Serves the files of local tables at the URLs this server signed for them
// (storage/local_url_signer.h): GET/HEAD {prefix}/files/{sealed}?expires=…
// &signature=…, with single byte ranges (206/416) and a Content-Disposition
// naming the file. The URL is the only credential: no bearer token, no
// audit (the query that handed it out was audited). Thread-safe; the file is
// streamed from a worker thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/http.h"
#include "storage/local_url_signer.h"

namespace lakeshare {

class LocalFileServer {
 public:
  explicit LocalFileServer(std::shared_ptr<const LocalUrlSigner> signer)
      : signer_(std::move(signer)) {}

  // `sealed_path` is the path segment after files/ (empty when the request
  // had none or more than one); errors are protocol error responses.
  HttpResponse Serve(const HttpRequest& request, std::string_view sealed_path) const;

 private:
  std::shared_ptr<const LocalUrlSigner> signer_;
};

// A "Range: bytes=…" header against a file of `size` bytes: a single range
// (a-b, a-, -n). Ignored (whole file): malformed or multiple ranges.
struct ByteRange {
  enum class Kind { kWholeFile, kRange, kUnsatisfiable };
  Kind kind = Kind::kWholeFile;
  int64_t start = 0;
  int64_t length = 0;
};
ByteRange ParseByteRange(std::string_view header, int64_t size);

}  // namespace lakeshare
