// Streaming a BodyStream to a client, the parts that do not touch the
// socket: producing the next piece on a worker thread (ProducePiece), and
// framing each piece for the wire (StreamFramer: chunked encoding, or a
// check that a Content-Length body is exactly as long as announced).
// HttpConnection runs the two in a pipeline with backpressure. Internal to
// server/.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/status.h"
#include "server/http.h"
#include "server/response_head.h"

namespace lakeshare {

// Worker thread: appends the next non-empty piece of `stream` to *piece
// (an empty chunk would end a chunked body, so empty pieces are skipped).
// Returns whether more follow. Exceptions become kInternal; a set `aborted`
// (the connection closed) stops production with kUnavailable.
Result<bool> ProducePiece(BodyStream* stream, std::string* piece, size_t size_hint,
                          const std::atomic<bool>& aborted);

// Frames the pieces of one response body. Not thread-safe (the connection's
// strand uses it).
class StreamFramer {
 public:
  using Buffers = std::array<boost::asio::const_buffer, 4>;  // unused entries stay empty

  StreamFramer(BodyFraming framing, uint64_t content_length)
      : framing_(framing), content_length_(content_length) {}

  // The buffers that put `piece` (the last one when `last`) on the wire;
  // they refer to `piece` and to this framer until the next call.
  // kInternal when a Content-Length body would be longer or shorter than
  // announced (the connection must then be closed, never a wrong body sent).
  Result<Buffers> Frame(const std::string& piece, bool last);
  Result<Buffers> Frame(std::string&& piece, bool last) = delete;  // the buffers would dangle

  // Body bytes framed so far (without chunk framing).
  uint64_t body_bytes() const { return body_bytes_; }

 private:
  BodyFraming framing_;
  uint64_t content_length_;
  uint64_t body_bytes_ = 0;
  std::string chunk_prefix_;
};

}  // namespace lakeshare
