// LinesAhead: the file lines of a whole query answer (no limitHint, no
// maxFiles) produced on more than one core, in the answer's order.
//
// The snapshot's files from `begin` on are cut into consecutive ranges of
// about `target_bytes` of lines each (the size is learned from the ranges
// done so far; cuts never change the bytes, only where pieces end). The
// reader (QueryBodyStream::Next, on a server worker) takes the ranges in
// order; threads of ThreadPool::Shared() produce the next ones meanwhile,
// each with its own FileSigner (a signer's scratch is never shared).
//
// Bounded: at most kWindow ranges are claimed and not yet taken (memory
// ≈ kWindow × target_bytes per answer), and an answer gets pool helpers only
// while fewer answers than cores stream at once (cores − answers, at most
// kMaxHelpers): under concurrency every answer runs on its own worker as
// before, so one client cannot take the cores of the others. Only those
// answers (fewer than the cores) cut ranges of 1 MiB, whatever target_bytes. The reader
// never waits for a range nobody started: it produces it itself, and while
// a helper finishes the range it needs, it produces a later one.
//
// Threading: Take from one thread at a time. Destroying a LinesAhead
// cancels ranges not started; helpers still running finish theirs into
// state they share, then drop it. Errors: a range's Status is the first
// failing line's (the range's bytes end before that line), as a serial
// producer would stop; later ranges are then not produced.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/status.h"
#include "protocol/file_filter.h"
#include "protocol/query_stream.h"

namespace lakeshare {

class LinesAhead {
 public:
  static constexpr size_t kWindow = 4;
  static constexpr size_t kMaxHelpers = 2;

  // What every line of the answer is made of.
  struct Source {
    std::shared_ptr<const TableSnapshot> snapshot;
    std::shared_ptr<const FileFilter> filter;  // null: every file; Keep runs concurrently
    FileSigner signer;                         // copied for each producing thread
    ResponseFormat format = ResponseFormat::kParquet;
    FileIdHash id_hash = FileIdHash::kMd5;
    FileLineOptions line_options;
  };

  LinesAhead(Source source, size_t begin, size_t target_bytes);
  ~LinesAhead();
  LinesAhead(const LinesAhead&) = delete;
  LinesAhead& operator=(const LinesAhead&) = delete;

  struct Taken {
    Status status;      // not OK: *out got the range's lines before the failing file
    bool last = false;  // no range follows (also when there was none)
  };
  // Appends the next range's lines to *out (swapped in when *out is empty).
  Taken Take(std::string* out);

  // Answers producing with LinesAhead now, process-wide (for tests).
  static size_t ActiveAnswers();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace lakeshare
