// The sort at the heart of a snapshot: files ordered by canonical
// (percent-decoded) path, ties broken by the caller, one file kept per
// identity.
//
// SortPathsKeepLast returns the input indices of the files to keep, in order:
// by canonical path (bytes compared as unsigned), then by `ties.compare`,
// then by input index; of a run of adjacent files with equal canonical paths
// for which `ties.same_identity` holds, only the last is kept.
//
// `canonical` are views the caller keeps alive for the call; all share their
// first `common_prefix` bytes (not compared). Large inputs are sorted on two
// threads of ThreadPool::Shared(): a sample sort (splitters drawn from the
// keys, the keys distributed into buckets of a few thousand, each bucket
// sorted on its own), so the cost per file stays almost flat as the table
// grows and no pass is single-threaded. The result does not depend on the
// threads: the order is total (input index last).
//
// The callbacks are called only for files whose canonical paths are equal,
// possibly from two threads at once. Memory: about 70 bytes per file while it
// runs, and the returned 4 bytes per kept file. Throws std::bad_alloc when
// out of memory (callers treat it as the exception it is); n must fit in 32
// bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace lakeshare {

struct PathSortTies {
  // Three-way order of files a and b (input indices) whose canonical paths
  // are equal: < 0 when a goes first.
  std::function<int(uint32_t a, uint32_t b)> compare;
  // Whether files a and b, adjacent in the order with equal canonical paths,
  // are one identity (the earlier of them is dropped).
  std::function<bool(uint32_t a, uint32_t b)> same_identity;
};

std::vector<uint32_t> SortPathsKeepLast(const std::vector<std::string_view>& canonical,
                                        size_t common_prefix, const PathSortTies& ties);

}  // namespace lakeshare
