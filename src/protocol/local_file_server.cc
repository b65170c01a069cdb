#include "protocol/local_file_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "common/encoding.h"
#include "common/strings.h"
#include "common/time_util.h"
#include "server/errors.h"
#include "storage/local_storage.h"

namespace lakeshare {
namespace {

// Streams a byte range of a file opened through LocalStorage (its one
// random-access read).
class FileRangeStream : public BodyStream {
 public:
  FileRangeStream(std::unique_ptr<RandomAccessFile> file, int64_t offset, int64_t length)
      : file_(std::move(file)), offset_(offset), remaining_(length), length_(length) {}

  Result<bool> Next(std::string* out, size_t size_hint) override {
    size_t want =
        static_cast<size_t>(std::min<int64_t>(remaining_, std::max<size_t>(size_hint, 4096)));
    size_t old = out->size();
    out->resize(old + want);
    if (!file_->ReadAt(static_cast<uint64_t>(offset_), want, out->data() + old).ok()) {
      return Status::IOError("file shrank or could not be read while sending it");
    }
    offset_ += static_cast<int64_t>(want);
    remaining_ -= static_cast<int64_t>(want);
    return remaining_ > 0;
  }
  std::optional<uint64_t> Length() const override { return static_cast<uint64_t>(length_); }

 private:
  std::unique_ptr<RandomAccessFile> file_;
  int64_t offset_;
  int64_t remaining_;
  int64_t length_;
};

bool ParseNonNegative(std::string_view s, int64_t* v) {
  std::optional<int64_t> n = ParseNumber<int64_t>(s);
  if (!n || *n < 0) return false;
  *v = *n;
  return true;
}

}  // namespace

ByteRange ParseByteRange(std::string_view header, int64_t size) {
  constexpr std::string_view kPrefix = "bytes=";
  ByteRange whole;
  ByteRange unsatisfiable{ByteRange::Kind::kUnsatisfiable};
  if (header.substr(0, kPrefix.size()) != kPrefix) return whole;
  std::string_view spec = header.substr(kPrefix.size());
  if (spec.find(',') != std::string_view::npos) return whole;  // multiple ranges: whole file
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  int64_t first = 0, last = 0;
  if (a.empty()) {  // the last n bytes
    if (!ParseNonNegative(b, &last)) return whole;
    if (last == 0 || size == 0) return unsatisfiable;
    int64_t start = std::max<int64_t>(0, size - last);
    return {ByteRange::Kind::kRange, start, size - start};
  }
  if (!ParseNonNegative(a, &first)) return whole;
  if (b.empty()) {
    last = size - 1;
  } else if (!ParseNonNegative(b, &last) || last < first) {
    return whole;
  }
  if (first >= size) return unsatisfiable;
  last = std::min(last, size - 1);
  return {ByteRange::Kind::kRange, first, last - first + 1};
}

HttpResponse LocalFileServer::Serve(const HttpRequest& r, std::string_view sealed_path) const {
  if (r.method != "GET" && r.method != "HEAD") {
    HttpResponse resp = ErrorResponse(405, kMethodNotAllowed, "files can only be read");
    resp.SetHeader("Allow", "GET, HEAD");
    return resp;
  }
  const std::string* expires = r.Query("expires");
  const std::string* signature = r.Query("signature");
  if (sealed_path.empty() || expires == nullptr || signature == nullptr) {
    return ErrorResponse(Status::PermissionDenied("invalid or expired file URL"));
  }
  Result<LocalUrlSigner::VerifiedFile> granted =
      signer_->VerifyFile(sealed_path, *expires, *signature, NowMillis());
  if (!granted.ok()) return ErrorResponse(granted.status());
  const std::string* path = &granted->path;

  // Never through a link out of the table (say, to the signing key).
  Result<std::unique_ptr<RandomAccessFile>> file = OpenLocalFileBeneath(granted->root, *path);
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kPermissionDenied) {
      spdlog::warn("refused a file URL: {}", file.status().message());
      return ErrorResponse(Status::PermissionDenied("the file cannot be served"));
    }
    return ErrorResponse(Status::NotFound("the file no longer exists"));
  }
  int64_t size = static_cast<int64_t>((*file)->Size()), start = 0, length = size;
  HttpResponse resp;
  resp.SetHeader("Content-Type", "application/octet-stream");
  resp.SetHeader("Accept-Ranges", "bytes");
  resp.SetHeader("Cache-Control", "private, max-age=0");
  // RFC 6266/8187: the name, percent-encoded, for clients that save the file.
  resp.SetHeader("Content-Disposition", "attachment; filename*=UTF-8''" +
                                            PercentEncode(path->substr(path->rfind('/') + 1)));
  if (const std::string* header = r.Header("range")) {
    ByteRange range = ParseByteRange(*header, size);
    if (range.kind == ByteRange::Kind::kUnsatisfiable) {
      HttpResponse e = ErrorResponse(416, "RANGE_NOT_SATISFIABLE", "range outside the file");
      e.SetHeader("Content-Range", "bytes */" + std::to_string(size));
      return e;
    }
    if (range.kind == ByteRange::Kind::kRange) {
      start = range.start;
      length = range.length;
      resp.status = 206;
      resp.SetHeader("Content-Range", "bytes " + std::to_string(start) + "-" +
                                          std::to_string(start + length - 1) + "/" +
                                          std::to_string(size));
    }
  }
  resp.stream = std::make_unique<FileRangeStream>(std::move(*file), start, length);
  return resp;
}

}  // namespace lakeshare
