#include "delta/path_sort.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

#include "common/thread_pool.h"

namespace lakeshare {
namespace {

// From this many files on, the sort runs on two threads.
constexpr size_t kParallelFrom = size_t{1} << 16;
// Keys per bucket of the sample sort (32 bytes each: a bucket sorts within
// the core's cache), and sampled keys per bucket when choosing splitters.
constexpr size_t kBucketKeys = 8192;
constexpr size_t kOversample = 8;
constexpr size_t kMaxBuckets = size_t{1} << 15;  // bucket ids are 16-bit

// The first 24 bytes after the common prefix as three big-endian words: most
// comparisons end there, touching neither the strings nor the files.
struct Key {
  uint64_t w[3];
  uint32_t index;
};

// The work below cannot fail but by running out of memory (or by a tie
// callback throwing), which callers handle as the exception it is.
void ThrowIfFailed(const Status& st) {
  if (!st.ok()) throw std::bad_alloc();
}

class Sorter {
 public:
  Sorter(const std::vector<std::string_view>& canonical, size_t common_prefix,
         const PathSortTies& ties)
      : canonical_(canonical), lcp_(common_prefix), ties_(ties) {}

  void MakeKeys(Key* keys, size_t from, size_t to) const {
    for (size_t i = from; i < to; ++i) {
      const std::string_view c = canonical_[i];
      unsigned char bytes[24] = {};
      if (c.size() > lcp_)
        std::memcpy(bytes, c.data() + lcp_, std::min<size_t>(24, c.size() - lcp_));
      Key& key = keys[i];
      for (int w = 0; w < 3; ++w) {
        uint64_t v = 0;
        for (int b = 0; b < 8; ++b) v = (v << 8) | bytes[w * 8 + b];
        key.w[w] = v;
      }
      key.index = static_cast<uint32_t>(i);
    }
  }

  // Inlined where it ends: on the words, nearly always.
  bool Less(const Key& a, const Key& b) const {
    if (a.w[0] != b.w[0]) return a.w[0] < b.w[0];
    if (a.w[1] != b.w[1]) return a.w[1] < b.w[1];
    if (a.w[2] != b.w[2]) return a.w[2] < b.w[2];
    return LessAfterWords(a, b);
  }

  [[gnu::noinline]] bool LessAfterWords(const Key& a, const Key& b) const {
    const std::string_view ca = canonical_[a.index], cb = canonical_[b.index];
    const size_t skip = lcp_ + 24;
    int c = ca.substr(std::min(skip, ca.size())).compare(cb.substr(std::min(skip, cb.size())));
    if (c != 0) return c < 0;
    if (a.index == b.index) return false;
    c = ties_.compare(a.index, b.index);
    if (c != 0) return c < 0;
    return a.index < b.index;  // input order among duplicates
  }

  // Of a run of equal identities keep the last one.
  std::vector<uint32_t> KeepLast(const Key* sorted, size_t n) const {
    std::vector<uint32_t> kept;
    kept.reserve(n);
    for (size_t k = 0; k < n; ++k) {
      const uint32_t i = sorted[k].index;
      if (k + 1 < n && sorted[k].w[0] == sorted[k + 1].w[0] &&
          sorted[k].w[1] == sorted[k + 1].w[1] && sorted[k].w[2] == sorted[k + 1].w[2]) {
        const uint32_t j = sorted[k + 1].index;
        if (canonical_[i] == canonical_[j] && ties_.same_identity(i, j)) continue;
      }
      kept.push_back(i);
    }
    return kept;
  }

  std::vector<uint32_t> Sort() const {
    const size_t n = canonical_.size();
    auto less = [this](const Key& a, const Key& b) { return Less(a, b); };
    if (n < kParallelFrom) {
      std::unique_ptr<Key[]> keys(new Key[n]);  // each written once: not zero-filled
      MakeKeys(keys.get(), 0, n);
      std::sort(keys.get(), keys.get() + n, less);
      return KeepLast(keys.get(), n);
    }
    // A sample sort on two threads. Keys made in two halves; splitters from
    // an evenly spaced sample (deterministic); each key's bucket found by a
    // binary search over the splitters, counted per half, then scattered
    // into place; each bucket sorted alone. Buckets are consecutive ranges
    // of one total order, so their concatenation is the sorted whole.
    // Uninitialised (no zero-filled pass over n keys): each is written once.
    std::unique_ptr<Key[]> keys(new Key[n]);
    const size_t mid = n / 2;
    const size_t halves[3] = {0, mid, n};
    ThrowIfFailed(ParallelFor(2, 2, [&](size_t h) {
      MakeKeys(keys.get(), halves[h], halves[h + 1]);
      return Status::OK();
    }));
    const size_t buckets = std::clamp<size_t>(n / kBucketKeys, 2, kMaxBuckets);
    const size_t samples = buckets * kOversample;
    std::vector<Key> sample(samples);
    for (size_t s = 0; s < samples; ++s) sample[s] = keys[s * n / samples];
    std::sort(sample.begin(), sample.end(), less);
    std::vector<Key> splitters(buckets - 1);
    for (size_t b = 0; b + 1 < buckets; ++b) splitters[b] = sample[(b + 1) * kOversample];
    std::vector<Key>().swap(sample);

    // The splitters whose first two key bytes are t: [first[t], first[t + 1]).
    // A key's bucket is found among those alone (those before are smaller,
    // those after larger): nearly always one or two comparisons.
    std::vector<uint32_t> first((size_t{1} << 16) + 1);
    {
      size_t s = 0;
      for (size_t t = 0; t <= (size_t{1} << 16); ++t) {
        while (s < splitters.size() && (splitters[s].w[0] >> 48) < t) ++s;
        first[t] = static_cast<uint32_t>(s);
      }
    }
    std::unique_ptr<uint16_t[]> bucket_of(new uint16_t[n]);
    std::vector<size_t> counts[2] = {std::vector<size_t>(buckets, 0),
                                     std::vector<size_t>(buckets, 0)};
    ThrowIfFailed(ParallelFor(2, 2, [&](size_t h) {
      std::vector<size_t>& count = counts[h];
      for (size_t i = halves[h]; i < halves[h + 1]; ++i) {
        const size_t t = keys[i].w[0] >> 48;
        const Key* lo = splitters.data() + first[t];
        const Key* hi = splitters.data() + first[t + 1];
        const size_t b =
            static_cast<size_t>(std::upper_bound(lo, hi, keys[i], less) - splitters.data());
        bucket_of[i] = static_cast<uint16_t>(b);
        ++count[b];
      }
      return Status::OK();
    }));
    // Where each half's keys of each bucket go: bucket by bucket, the first
    // half's before the second's (any placement would do: buckets are sorted
    // whole).
    std::vector<size_t> starts(buckets + 1, 0);
    std::vector<size_t> next[2] = {std::vector<size_t>(buckets), std::vector<size_t>(buckets)};
    for (size_t b = 0; b < buckets; ++b) {
      next[0][b] = starts[b];
      next[1][b] = starts[b] + counts[0][b];
      starts[b + 1] = next[1][b] + counts[1][b];
    }
    std::unique_ptr<Key[]> out(new Key[n]);
    ThrowIfFailed(ParallelFor(2, 2, [&](size_t h) {
      std::vector<size_t>& pos = next[h];
      for (size_t i = halves[h]; i < halves[h + 1]; ++i) out[pos[bucket_of[i]]++] = keys[i];
      return Status::OK();
    }));
    keys.reset();
    bucket_of.reset();
    ThrowIfFailed(ParallelFor(buckets, 2, [&](size_t b) {
      std::sort(out.get() + starts[b], out.get() + starts[b + 1], less);
      return Status::OK();
    }));
    return KeepLast(out.get(), n);
  }

 private:
  const std::vector<std::string_view>& canonical_;
  const size_t lcp_;
  const PathSortTies& ties_;
};

}  // namespace

std::vector<uint32_t> SortPathsKeepLast(const std::vector<std::string_view>& canonical,
                                        size_t common_prefix, const PathSortTies& ties) {
  return Sorter(canonical, common_prefix, ties).Sort();
}

}  // namespace lakeshare
