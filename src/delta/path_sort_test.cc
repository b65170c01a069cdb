#include "delta/path_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "delta/delta_log_replay.h"
#include "delta/delta_paths.h"

namespace lakeshare {
namespace {

// A file as the sort sees it: its recorded path and its deletion vector id.
struct File {
  std::string path;
  std::string dv;
};

struct Input {
  std::vector<File> files;
  std::vector<std::string> canonical_storage;
  std::vector<std::string_view> canonical;
  size_t lcp = 0;
  PathSortTies ties;

  explicit Input(std::vector<File> f) : files(std::move(f)) {
    canonical_storage.reserve(files.size());
    for (const File& file : files) canonical_storage.push_back(CanonicalDeltaPath(file.path));
    for (const std::string& c : canonical_storage) canonical.push_back(c);
    if (!canonical.empty()) {
      lcp = canonical[0].size();
      for (std::string_view c : canonical) {
        size_t j = 0;
        while (j < std::min(lcp, c.size()) && c[j] == canonical[0][j]) ++j;
        lcp = j;
      }
    }
    // As SortFiles breaks ties: DV id, then the recorded path.
    ties.compare = [this](uint32_t a, uint32_t b) {
      int c = files[a].dv.compare(files[b].dv);
      if (c != 0) return c;
      return files[a].path.compare(files[b].path);
    };
    ties.same_identity = [this](uint32_t a, uint32_t b) { return files[a].dv == files[b].dv; };
  }

  // The order spelled out plainly: a comparison sort on whole strings.
  std::vector<uint32_t> Reference() const {
    std::vector<uint32_t> order(files.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) {
      int c = canonical[a].compare(canonical[b]);
      if (c != 0) return c < 0;
      c = ties.compare(a, b);
      if (c != 0) return c < 0;
      return a < b;
    });
    std::vector<uint32_t> kept;
    for (size_t k = 0; k < order.size(); ++k) {
      if (k + 1 < order.size() && canonical[order[k]] == canonical[order[k + 1]] &&
          files[order[k]].dv == files[order[k + 1]].dv) {
        continue;
      }
      kept.push_back(order[k]);
    }
    return kept;
  }
};

void ExpectSameAsReference(std::vector<File> files) {
  Input in(std::move(files));
  const std::vector<uint32_t> got = SortPathsKeepLast(in.canonical, in.lcp, in.ties);
  const std::vector<uint32_t> want = in.Reference();
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < got.size(); ++k) {
    ASSERT_EQ(got[k], want[k]) << "at " << k << ": " << in.files[got[k]].path << " vs "
                               << in.files[want[k]].path;
  }
}

std::string Hex(std::mt19937_64& rng, int digits) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < digits; ++i) s += hex[rng() % 16];
  return s;
}

// Sizes on both sides of the two-thread threshold (65536).
const size_t kSizes[] = {0, 1, 2, 7, 1000, 70000, 200000};

TEST(PathSortTest, RandomSparkLikePaths) {
  for (size_t n : kSizes) {
    std::mt19937_64 rng(n);
    std::vector<File> files;
    for (size_t i = 0; i < n; ++i) {
      files.push_back({"date=2024-01-" + std::to_string(10 + rng() % 20) + "/part-" +
                           std::to_string(10000 + rng() % 1000) + "-" + Hex(rng, 32) +
                           ".c000.snappy.parquet",
                       ""});
    }
    ExpectSameAsReference(std::move(files));
  }
}

TEST(PathSortTest, DuplicateHeavy) {
  // Few distinct paths, each many times: the dedupe keeps the last of each.
  for (size_t n : kSizes) {
    std::mt19937_64 rng(n + 1);
    std::vector<File> files;
    for (size_t i = 0; i < n; ++i) files.push_back({"f" + std::to_string(rng() % 50), ""});
    ExpectSameAsReference(std::move(files));
  }
  // All files the same path.
  ExpectSameAsReference(std::vector<File>(100000, File{"same/path.parquet", ""}));
}

TEST(PathSortTest, LongCommonPrefixAndMiddle) {
  // Every path shares a long prefix and then 40 more bytes in groups, so
  // that many comparisons get past the 24 bytes held in the keys.
  std::mt19937_64 rng(7);
  std::vector<File> files;
  const std::string prefix(100, 'p');
  const std::string middle(40, 'm');
  for (size_t i = 0; i < 150000; ++i) {
    std::string p = prefix + std::to_string(rng() % 3) + middle + Hex(rng, 2);
    if (rng() % 10 == 0) p.resize(prefix.size() + rng() % 30);  // shorter: a prefix of others
    files.push_back({p, ""});
  }
  files.push_back({prefix, ""});
  files.push_back({prefix, ""});
  ExpectSameAsReference(std::move(files));
}

TEST(PathSortTest, PercentEscapesAndHighBytes) {
  // Spellings of one file with and without escapes are one canonical path;
  // bytes >= 0x80 sort after ASCII (unsigned).
  std::mt19937_64 rng(11);
  std::vector<File> files;
  for (size_t i = 0; i < 120000; ++i) {
    const std::string name = "x=" + std::to_string(rng() % 500);
    switch (rng() % 4) {
      case 0:
        files.push_back({"k=a%20b/" + name, ""});
        break;
      case 1:
        files.push_back({"k=a b/" + name, ""});
        break;
      case 2:
        files.push_back({"k=\xc3\xa9/" + name, ""});
        break;
      default:
        files.push_back({"k=%C3%A9/" + name, ""});
        break;
    }
  }
  ExpectSameAsReference(std::move(files));
}

TEST(PathSortTest, DeletionVectorDuplicates) {
  // One path with several DVs: each (path, DV) is its own identity; runs of
  // the same pair keep the last.
  std::mt19937_64 rng(13);
  std::vector<File> files;
  for (size_t i = 0; i < 100000; ++i) {
    const std::string dv =
        rng() % 3 == 0 ? std::string() : "u" + Hex(rng, 1) + "@" + std::to_string(rng() % 3);
    files.push_back({"part-" + std::to_string(rng() % 2000) + ".parquet", dv});
  }
  ExpectSameAsReference(std::move(files));
}

// Through SortFiles: the snapshot's order is FileOrder, one file per identity
// (the last in input order), at a size sorted on two threads.
TEST(PathSortTest, SortFilesMatchesFileOrder) {
  std::mt19937_64 rng(17);
  std::vector<DataFile> files;
  for (size_t i = 0; i < 100000; ++i) {
    DataFile f;
    f.path = "d=" + std::to_string(rng() % 30) + (rng() % 5 == 0 ? "%3A" : ":") + "/p-" +
             std::to_string(rng() % 30000);
    f.size = static_cast<int64_t>(i);
    files.push_back(std::move(f));
  }
  std::vector<DataFile> expected = files;
  std::vector<size_t> order(expected.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (FileOrder(expected[a], expected[b])) return true;
    if (FileOrder(expected[b], expected[a])) return false;
    return a < b;
  });
  std::vector<int64_t> want;
  for (size_t k = 0; k < order.size(); ++k) {
    if (k + 1 < order.size() && CanonicalDeltaPath(expected[order[k]].path) ==
                                    CanonicalDeltaPath(expected[order[k + 1]].path)) {
      continue;
    }
    want.push_back(expected[order[k]].size);
  }
  const FileList sorted = SortFiles(std::move(files));
  ASSERT_EQ(sorted.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) ASSERT_EQ(sorted[k].size, want[k]) << k;
}

}  // namespace
}  // namespace lakeshare
