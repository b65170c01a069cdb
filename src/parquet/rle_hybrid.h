// The RLE / bit-packing hybrid encoding of parquet definition and repetition
// levels (and dictionary indices): a sequence of runs, each either a repeated
// value (`varint(count << 1)` then the value in ceil(bit_width / 8) bytes) or
// groups of 8 bit-packed values (`varint(groups << 1 | 1)` then the bits,
// least significant first). No length prefix is written or expected here; v1
// data pages put a 4-byte one in front (see parquet_writer.cc).
//
// The decoder reads untrusted bytes: every problem is kCorruption. Neither is
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakeshare::parquet {

// Appends the encoding of `values` (each below 2^bit_width, bit_width 0..32).
// Runs of 8 or more equal values become RLE runs; the rest is bit-packed, the
// last group padded with zeros.
void AppendRleHybrid(const uint32_t* values, size_t count, int bit_width, std::string* out);

// The number of bits needed for values up to `max_value` (0 for 0).
int BitWidthFor(uint32_t max_value);

class RleHybridDecoder {
 public:
  // `data` must outlive the decoder.
  RleHybridDecoder(std::string_view data, int bit_width) : data_(data), bit_width_(bit_width) {}

  // Decodes exactly `count` values into `out`; kCorruption when the input
  // ends early or is malformed (a bit-packed run may be cut short at the end
  // of the input as long as the values asked for are there).
  Status Decode(uint32_t* out, size_t count);
  Status Decode(std::vector<uint32_t>* out, size_t count) {
    out->resize(count);
    return Decode(out->data(), count);
  }

 private:
  Status NextRun();

  std::string_view data_;
  size_t pos_ = 0;
  int bit_width_;
  // The current run.
  bool rle_ = false;
  uint64_t run_left_ = 0;    // values left in the run
  uint32_t rle_value_ = 0;   // for an RLE run
  uint64_t bit_offset_ = 0;  // for a bit-packed run: next bit, from the run's first byte
  size_t packed_start_ = 0;
};

}  // namespace lakeshare::parquet
