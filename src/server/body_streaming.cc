#include "server/body_streaming.h"

#include <exception>
#include <string_view>

namespace lakeshare {
namespace {
constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";
}  // namespace

Result<bool> ProducePiece(BodyStream* stream, std::string* piece, size_t size_hint,
                          const std::atomic<bool>& aborted) {
  try {
    while (true) {
      if (aborted.load(std::memory_order_relaxed)) return Status::Unavailable("connection closed");
      Result<bool> more = stream->Next(piece, size_hint);
      if (!more.ok() || !*more || !piece->empty()) return more;
    }
  } catch (const std::exception& e) {
    return Status::Internal(std::string("BodyStream::Next threw: ") + e.what());
  } catch (...) {
    return Status::Internal("BodyStream::Next threw");
  }
}

Result<StreamFramer::Buffers> StreamFramer::Frame(const std::string& piece, bool last) {
  namespace net = boost::asio;
  const size_t n = piece.size();
  Buffers buffers;
  if (framing_ == BodyFraming::kChunked) {
    if (n > 0) {
      chunk_prefix_.clear();
      AppendUnsigned(&chunk_prefix_, n, 16);
      chunk_prefix_ += kCrlf;
      buffers[0] = net::buffer(chunk_prefix_);
      buffers[1] = net::buffer(piece);
      buffers[2] = net::buffer(kCrlf.data(), kCrlf.size());
    }
    if (last) buffers[3] = net::buffer(kLastChunk.data(), kLastChunk.size());
  } else {
    if (framing_ == BodyFraming::kContentLength &&
        (body_bytes_ + n > content_length_ || (last && body_bytes_ + n != content_length_))) {
      return Status::Internal("the stream does not match its Length() " +
                              std::to_string(content_length_));
    }
    buffers[1] = net::buffer(piece);
  }
  body_bytes_ += n;
  return buffers;
}

}  // namespace lakeshare
