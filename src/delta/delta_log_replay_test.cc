#include "delta/delta_log_replay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "delta/delta_test_util.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

using testing::AddJson;
using testing::DvJson;
using testing::MetadataJson;
using testing::ProtocolJson;
using testing::RemoveJson;

DeltaCommit Parse(const std::string& content) {
  auto commit = ParseDeltaCommit(content, "test");
  EXPECT_OK(commit);
  return commit.ok() ? std::move(*commit) : DeltaCommit{};
}

FileInfo File(int64_t version, int64_t mtime = 1000) {
  return FileInfo{"log/" + std::to_string(version) + ".json", 1, mtime + version};
}

// "path" or "path#dvid" for each active file, in snapshot order.
std::vector<std::string> Keys(const TableSnapshot& s) {
  std::vector<std::string> out;
  for (const DataFile& f : s.files) {
    out.push_back(f.deletion_vector ? f.path.str() + "#" + f.deletion_vector->path_or_inline_dv
                                    : f.path.str());
  }
  return out;
}

// Replays `commits` (versions 0..n-1) from scratch.
std::shared_ptr<const TableSnapshot> ReplayAll(const std::vector<std::string>& commits) {
  DeltaLogReplay replay;
  for (size_t v = 0; v < commits.size(); ++v) {
    Status s = replay.Apply(static_cast<int64_t>(v), Parse(commits[v]), File(v));
    EXPECT_OK(s);
  }
  auto snapshot = std::move(replay).Finish();
  EXPECT_OK(snapshot);
  return snapshot.ok() ? *snapshot : nullptr;
}

TEST(DeltaLogReplayTest, DeletionVectorUniqueId) {
  DeletionVector dv{"u", "ab^c", 7, 10, 2};
  EXPECT_EQ(DeletionVectorUniqueId(dv), "uab^c@7");
  dv.offset.reset();
  EXPECT_EQ(DeletionVectorUniqueId(dv), "uab^c");
  EXPECT_EQ(FileActionKey("a%20b.parquet", std::nullopt), "a b.parquet");
  EXPECT_EQ(FileActionKey("s3://b/a%20b.parquet", std::nullopt), "s3://b/a%20b.parquet");
  EXPECT_NE(FileActionKey("a", dv), FileActionKey("a", std::nullopt));
}

TEST(DeltaLogReplayTest, AddRemoveAndReAdd) {
  auto s = ReplayAll({
      ProtocolJson() + MetadataJson() + AddJson("c") + AddJson("a") + AddJson("b"),
      RemoveJson("a") + AddJson("d"),
      AddJson("a", 555),  // re-added after its removal
      RemoveJson("b") + RemoveJson("never-added"),
  });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version, 3);
  EXPECT_EQ(Keys(*s), (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(s->files[0].size, 555);
}

TEST(DeltaLogReplayTest, LaterAddOfTheSameFileReplacesTheEarlierOne) {
  auto s = ReplayAll({
      ProtocolJson() + MetadataJson() + AddJson("a", 1, R"(,"stats":"{\"v\":1}")"),
      AddJson("a", 2, R"(,"stats":"{\"v\":2}")"),
  });
  ASSERT_TRUE(s);
  ASSERT_EQ(s->files.size(), 1u);
  EXPECT_EQ(s->files[0].size, 2);
  EXPECT_EQ(s->files[0].stats, R"({"v":2})");
}

TEST(DeltaLogReplayTest, DeletionVectorsArePartOfTheFileIdentity) {
  auto s = ReplayAll({
      ProtocolJson(3, 7) + MetadataJson() + AddJson("f") + AddJson("g"),
      // A DELETE attaching a DV: remove the plain file, add it with DV1.
      RemoveJson("f") + AddJson("f", 100, DvJson("DV1")),
      // Removing with a different DV does not cancel (f, DV1).
      RemoveJson("f", DvJson("DV9")) + RemoveJson("f", DvJson("DV1", 2)),
  });
  ASSERT_TRUE(s);
  EXPECT_EQ(Keys(*s), (std::vector<std::string>{"f#DV1", "g"}));

  auto s2 = ReplayAll({
      ProtocolJson(3, 7) + MetadataJson() + AddJson("f", 100, DvJson("DV1")),
      RemoveJson("f", DvJson("DV1")) + AddJson("f", 100, DvJson("DV2")),
  });
  ASSERT_TRUE(s2);
  EXPECT_EQ(Keys(*s2), (std::vector<std::string>{"f#DV2"}));
  ASSERT_TRUE(s2->files[0].deletion_vector);
  EXPECT_EQ(s2->files[0].deletion_vector->cardinality, 3);

  // A removal without a DV does not touch the file that has one.
  auto s3 = ReplayAll({
      ProtocolJson(3, 7) + MetadataJson() + AddJson("f", 100, DvJson("DV1")),
      RemoveJson("f"),
  });
  ASSERT_TRUE(s3);
  EXPECT_EQ(Keys(*s3), (std::vector<std::string>{"f#DV1"}));
}

TEST(DeltaLogReplayTest, PathsAreComparedDecoded) {
  auto s = ReplayAll({
      ProtocolJson() + MetadataJson() + AddJson("x=a%20b/f.parquet") + AddJson("y.parquet"),
      RemoveJson("x=a b/f.parquet"),
  });
  ASSERT_TRUE(s);
  EXPECT_EQ(Keys(*s), (std::vector<std::string>{"y.parquet"}));
}

// Large inputs take the two-thread gather (and copy every file's texts):
// the same order, the same duplicates dropped, every chunk but the last full.
TEST(DeltaLogReplayTest, SortFilesOfManyFilesKeepsOrderAndLastDuplicate) {
  constexpr size_t kFiles = 70000;
  std::vector<std::vector<DataFile>> groups(3);
  for (size_t i = 0; i < kFiles; ++i) {
    DataFile f;
    // Scrambled so the input is far from sorted; some paths percent-encoded.
    size_t key = (i * 7919) % kFiles;
    f.path = "part=" + std::to_string(key % 10) + (key % 13 == 0 ? "/a%20" : "/a-") +
             std::to_string(key) + ".parquet";
    f.size = static_cast<int64_t>(i);
    if (i % 3 != 0) f.stats = "{\"numRecords\":" + std::to_string(key) + "}";
    groups[i % 2].push_back(std::move(f));
  }
  // Re-adds of 100 files, later than the first adds: these must be kept.
  for (size_t key = 0; key < 100; ++key) {
    DataFile f;
    f.path = "part=" + std::to_string(key % 10) + (key % 13 == 0 ? "/a%20" : "/a-") +
             std::to_string(key) + ".parquet";
    f.size = -1;
    groups[2].push_back(std::move(f));
  }
  FileList files = SortFiles(std::move(groups));
  ASSERT_EQ(files.size(), kFiles);
  for (size_t c = 0; c + 1 < files.chunks().size(); ++c) {
    EXPECT_EQ(files.chunks()[c]->size(), FileList::kChunkSize) << c;
  }
  size_t re_added = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (i > 0) {
      EXPECT_TRUE(FileOrder(files[i - 1], files[i])) << files[i].path;
    }
    const DataFile& f = files[i];
    if (f.size == -1) {
      ++re_added;
      EXPECT_FALSE(f.stats.has_value());
      continue;
    }
    // Texts survive the copy, and belong to their file.
    size_t input = static_cast<size_t>(f.size);
    size_t key = (input * 7919) % kFiles;
    EXPECT_NE(f.path.find(std::to_string(key) + ".parquet"), std::string::npos) << f.path;
    ASSERT_EQ(f.stats.has_value(), input % 3 != 0);
    if (f.stats) {
      EXPECT_EQ(*f.stats, "{\"numRecords\":" + std::to_string(key) + "}");
    }
  }
  EXPECT_EQ(re_added, 100u);
}

// The files of `owned` as a checkpoint row group loads them: their paths
// and stats borrowed from two page buffers of [uint32 size][bytes] blocks
// (as PLAIN BYTE_ARRAY pages hold them), which the group keeps.
LoadedFiles AsPages(const std::vector<DataFile>& owned) {
  auto paths = std::make_shared<std::string>();
  auto stats = std::make_shared<std::string>();
  std::vector<std::pair<size_t, size_t>> at;  // path, stats (npos: none)
  auto append = [](std::string* page, std::string_view text) {
    const size_t start = page->size();
    const auto n = static_cast<uint32_t>(text.size());
    page->append(reinterpret_cast<const char*>(&n), sizeof n).append(text);
    return start;
  };
  for (const DataFile& f : owned) {
    at.emplace_back(append(paths.get(), f.path),
                    f.stats ? append(stats.get(), *f.stats) : std::string::npos);
  }
  LoadedFiles loaded;
  for (size_t i = 0; i < owned.size(); ++i) {
    DataFile& copy = loaded.files.emplace_back(owned[i]);
    copy.path = CompactText::Borrow(paths->data() + at[i].first);
    copy.stats.reset();
    if (at[i].second != std::string::npos) {
      copy.stats = CompactText::Borrow(stats->data() + at[i].second);
    }
  }
  loaded.pages = {paths, stats};
  return loaded;
}

bool Within(const CompactText& t, const std::string& page) {
  return t.data() >= page.data() && t.data() + t.size() <= page.data() + page.size();
}

std::vector<DataFile> ScrambledFiles(size_t n) {
  std::vector<DataFile> files;
  for (size_t i = 0; i < n; ++i) {
    DataFile f;
    size_t key = (i * 7919) % n;
    f.path = "part=" + std::to_string(key % 10) + (key % 13 == 0 ? "/a%20" : "/a-") +
             std::to_string(key) + ".parquet";
    f.size = static_cast<int64_t>(i);
    if (i % 3 != 0) f.stats = "{\"numRecords\":" + std::to_string(key) + "}";
    if (i % 5 == 0) f.stats = "";  // present but empty: still present
    files.push_back(std::move(f));
  }
  return files;
}

// Texts left in the pages give the same snapshot as owned ones, at both
// sizes (one thread, and the two-thread sort and gather): borrowed texts stay
// in the pages, which every chunk keeps; owned ones are copied into an
// arena of their chunk; a file copied out of a chunk owns its texts.
TEST(DeltaLogReplayTest, SortFilesOfPagesEqualsSortFilesOfOwnedTexts) {
  for (size_t n : {size_t{1000}, size_t{70000}}) {
    SCOPED_TRACE(n);
    std::vector<DataFile> all = ScrambledFiles(n);
    std::vector<DataFile> first(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n / 2));
    std::vector<DataFile> second(all.begin() + static_cast<std::ptrdiff_t>(n / 2), all.end());
    std::vector<LoadedFiles> mixed;
    mixed.push_back(AsPages(first));
    const std::shared_ptr<const std::string> path_page = mixed[0].pages[0];
    const std::shared_ptr<const std::string> stats_page = mixed[0].pages[1];
    mixed.emplace_back(second);  // owned texts in the same sort
    FileList want = SortFiles(std::vector<DataFile>(all));
    FileList got = SortFiles(std::move(mixed));
    ASSERT_EQ(got.size(), want.size());
    size_t borrowed = 0;
    for (const FileList::ChunkPtr& chunk : got.chunks()) {
      ASSERT_NE(chunk->pages, nullptr);
      ASSERT_LE(chunk->arenas.size(), 1u);
      for (const DataFile& f : *chunk) {
        ASSERT_TRUE(f.path.in_arena()) << f.path;
        if (f.stats) {
          ASSERT_TRUE(f.stats.in_arena()) << f.path;
        }
        if (Within(f.path, *path_page)) {
          ++borrowed;
          if (f.stats) {
            ASSERT_TRUE(Within(f.stats, *stats_page)) << f.path;
          }
          continue;
        }
        // Owned at the load: now in the chunk's arena.
        ASSERT_EQ(chunk->arenas.size(), 1u);
        for (const CompactText* t : {&f.path, &f.stats}) {
          if (*t) {
            ASSERT_GE(t->data(), chunk->arenas[0].get()) << f.path;
          }
        }
      }
    }
    EXPECT_EQ(borrowed, first.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].path, want[i].path) << i;
      ASSERT_EQ(got[i].stats, want[i].stats) << got[i].path;
      ASSERT_EQ(got[i].size, want[i].size) << got[i].path;
    }
    DataFile copy = got[0];
    got = FileList();  // the chunks, their arenas and the pages go
    EXPECT_FALSE(copy.path.in_arena());
    EXPECT_EQ(copy.path, want[0].path);
    EXPECT_EQ(copy.stats, want[0].stats);
  }
}

// A checkpoint whose texts are in its pages: commits remove and replace some
// of its files (by their recorded path, percent-encoded or not), and Take()
// hands out files that own their texts.
TEST(DeltaLogReplayTest, CheckpointPagesReplayLikeOwnedFiles) {
  std::vector<DataFile> files = ScrambledFiles(200);
  auto replay = [&](std::vector<LoadedFiles> groups) {
    DeltaLogReplay r(0, 1000, TableProtocol{1, 2}, TableMetadata{}, std::move(groups), true);
    EXPECT_OK(r.Apply(1,
                      Parse(RemoveJson("part=3/a%2013.parquet") + RemoveJson("part=1/a-1.parquet") +
                            AddJson("part=2/a-2.parquet")),
                      File(1)));
    auto s = std::move(r).Finish();
    EXPECT_OK(s);
    return s.ok() ? Keys(**s) : std::vector<std::string>{};
  };
  std::vector<std::string> want = replay({LoadedFiles(files)});
  std::vector<std::string> got = replay({AsPages(files)});
  EXPECT_EQ(got, want);
  EXPECT_EQ(got.size(), 198u);  // two removed, one replaced
  EXPECT_EQ(std::count(got.begin(), got.end(), "part=3/a%2013.parquet"), 0);

  LoadedFiles pages = AsPages(files);
  EXPECT_EQ(pages.path(7), files[7].path);
  pages.KeepIf([](size_t i) { return i % 2 == 1; });
  ASSERT_EQ(pages.size(), 100u);
  EXPECT_EQ(pages.path(3), files[7].path);
  std::vector<DataFile> taken = std::move(pages).Take();
  ASSERT_EQ(taken.size(), 100u);
  EXPECT_EQ(taken[3].path, files[7].path);
  EXPECT_EQ(taken[3].stats, files[7].stats);
  EXPECT_FALSE(taken[3].path.in_arena());
  EXPECT_FALSE(taken[3].stats.in_arena());
}

// Borrowed texts through the two-thread sort: of files with one identity
// the last loaded wins, and the files a commit dropped (KeepIf) are skipped.
TEST(DeltaLogReplayTest, PagesOfSeveralGroupsSortLikeOwnedFiles) {
  for (size_t n : {size_t{300}, size_t{70000}}) {
    SCOPED_TRACE(n);
    std::vector<DataFile> all = ScrambledFiles(n);
    std::vector<DataFile> twice(all.begin(), all.begin() + 10);  // duplicates of 10 files
    for (DataFile& f : twice) f.stats = "{\"second\":true}";
    std::vector<LoadedFiles> groups;
    const auto half = static_cast<std::ptrdiff_t>(n / 2);
    groups.push_back(AsPages(std::vector<DataFile>(all.begin(), all.begin() + half)));
    groups.push_back(AsPages(std::vector<DataFile>(all.begin() + half, all.end())));
    groups.push_back(AsPages(twice));  // the last of an identity wins
    groups[1].KeepIf([](size_t i) { return i % 7 != 0; });
    std::vector<DataFile> want_files(all.begin(), all.begin() + half);
    for (size_t i = 0; i < n - n / 2; ++i) {
      if (i % 7 != 0) want_files.push_back(all[n / 2 + i]);
    }
    for (size_t i = 0; i < want_files.size(); ++i) {
      if (i < 10) want_files[i].stats = twice[i].stats;
    }
    FileList want = SortFiles(std::move(want_files));
    FileList got = SortFiles(std::move(groups));
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(got[i].path, want[i].path) << i;
      ASSERT_EQ(got[i].stats, want[i].stats) << want[i].path;
    }
  }
}

TEST(DeltaLogReplayTest, LatestProtocolAndMetadataWin) {
  auto s = ReplayAll({
      ProtocolJson(1, 2) + MetadataJson(R"({"a":"1"})"),
      ProtocolJson(3, 7),
      MetadataJson(R"({"a":"2"})", R"(["p"])"),
      AddJson("z"),
  });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->protocol.min_reader_version, 3);
  EXPECT_EQ(s->metadata.configuration.at("a"), "2");
  EXPECT_EQ(s->metadata.partition_columns, std::vector<std::string>{"p"});
  EXPECT_EQ(s->timestamp_ms, 1003);  // file time of version 3
}

TEST(DeltaLogReplayTest, MissingProtocolOrMetadataIsCorruption) {
  DeltaLogReplay replay;
  ASSERT_OK(replay.Apply(0, Parse(MetadataJson() + AddJson("a")), File(0)));
  auto s = std::move(replay).Finish();
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find("log/0.json"), std::string::npos);
  EXPECT_NE(s.status().message().find("protocol"), std::string::npos);

  DeltaLogReplay no_metadata;
  ASSERT_OK(no_metadata.Apply(0, Parse(ProtocolJson()), File(0)));
  ASSERT_OK(no_metadata.Apply(1, Parse(AddJson("a")), File(1)));
  auto s2 = std::move(no_metadata).Finish();
  EXPECT_EQ(s2.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s2.status().message().find("log/1.json"), std::string::npos);
  EXPECT_NE(s2.status().message().find("metaData"), std::string::npos);

  DeltaLogReplay nothing;
  EXPECT_EQ(std::move(nothing).Finish().status().code(), StatusCode::kInternal);
}

TEST(DeltaLogReplayTest, CommitsMustComeInOrder) {
  DeltaLogReplay replay;
  EXPECT_EQ(replay.Apply(1, Parse(ProtocolJson()), File(1)).code(), StatusCode::kInternal);
}

TEST(DeltaLogReplayTest, IncrementalReplayMatchesFullReplay) {
  std::vector<std::string> commits = {
      ProtocolJson() + MetadataJson() + AddJson("a") + AddJson("b") + AddJson("c") +
          AddJson("p%20q") + AddJson("r%20s"),
      RemoveJson("b") + AddJson("d", 100, DvJson("X")),
      AddJson("b", 7) + RemoveJson("a") + AddJson("0first"),
      RemoveJson("d", DvJson("X")) + AddJson("d") + RemoveJson("p q"),
      AddJson("e") + AddJson("zlast"),
  };
  auto full = ReplayAll(commits);
  ASSERT_TRUE(full);

  auto base = ReplayAll({commits[0], commits[1]});
  ASSERT_TRUE(base);
  DeltaLogReplay replay(base);
  EXPECT_EQ(replay.version(), 1);
  for (size_t v = 2; v < commits.size(); ++v) {
    ASSERT_OK(replay.Apply(static_cast<int64_t>(v), Parse(commits[v]), File(v)));
  }
  auto incremental = std::move(replay).Finish();
  ASSERT_OK(incremental);
  EXPECT_EQ(Keys(**incremental), Keys(*full));
  EXPECT_EQ(Keys(**incremental),
            (std::vector<std::string>{"0first", "b", "c", "d", "e", "r%20s", "zlast"}));
  EXPECT_EQ((*incremental)->timestamp_ms, full->timestamp_ms);
  EXPECT_EQ((*incremental)->files[1].size, 7);
  // The base is untouched.
  EXPECT_EQ(Keys(*base), (std::vector<std::string>{"a", "c", "d#X", "p%20q", "r%20s"}));
}

}  // namespace
}  // namespace lakeshare
