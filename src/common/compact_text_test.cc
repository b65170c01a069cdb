#include "common/compact_text.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace lakeshare {
namespace {

TEST(CompactTextTest, AbsentEmptyAndPresentAreDistinct) {
  CompactText absent;
  CompactText empty{std::string_view()};
  CompactText text{std::string_view("{\"numRecords\":3}")};
  EXPECT_FALSE(absent);
  EXPECT_TRUE(empty);
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(*text, "{\"numRecords\":3}");
  EXPECT_EQ(text->size(), 16u);
  EXPECT_FALSE(absent == empty);
  EXPECT_EQ(absent.ToOptional(), std::nullopt);
  EXPECT_EQ(empty.ToOptional(), std::optional<std::string>(""));
  EXPECT_EQ(sizeof(CompactText), sizeof(void*));
}

TEST(CompactTextTest, AssignsFromStringsAndOptionals) {
  CompactText t;
  t = std::string("abc");
  EXPECT_EQ(t, "abc");
  t = std::optional<std::string>();
  EXPECT_FALSE(t);
  t = std::optional<std::string>("x");
  EXPECT_EQ(t, "x");
  t = std::nullopt;
  EXPECT_FALSE(t);
  t.emplace("yz");
  EXPECT_EQ(t, "yz");
  t.reset();
  EXPECT_FALSE(t.has_value());
}

TEST(CompactTextTest, CopiesOwnAndMovesSteal) {
  CompactText a{std::string_view("path/to/file.parquet")};
  CompactText b = a;
  EXPECT_EQ(a, b);
  EXPECT_NE(a.view().data(), b.view().data());
  const char* bytes = b.view().data();
  CompactText c = std::move(b);
  EXPECT_EQ(c.view().data(), bytes);
  EXPECT_FALSE(b);  // NOLINT(bugprone-use-after-move): moved-from is absent
  EXPECT_EQ(c, "path/to/file.parquet");
}

TEST(CompactTextTest, ArenaTextsAreBorrowedAndCopiesOfThemOwned) {
  const std::vector<std::string> texts = {"", "a", "abcd", "abcde", std::string(300, 'x')};
  size_t bytes = 0;
  for (const auto& t : texts) bytes += CompactText::ArenaBytes(t.size());
  auto arena = std::make_unique<char[]>(bytes);
  std::vector<CompactText> placed;
  char* at = arena.get();
  for (const auto& t : texts) {
    placed.push_back(CompactText::InArena(at, t));
    at += CompactText::ArenaBytes(t.size());
  }
  EXPECT_EQ(at, arena.get() + bytes);
  std::vector<CompactText> copies = placed;
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_TRUE(placed[i].in_arena());
    EXPECT_EQ(placed[i].HeldBytes(), CompactText::ArenaBytes(texts[i].size()));
    EXPECT_EQ(placed[i], texts[i]);
    EXPECT_FALSE(copies[i].in_arena());
    EXPECT_GT(copies[i].HeldBytes(), texts[i].size() + 8);  // a block of its own
  }
  placed.clear();  // frees nothing of the arena's
  arena.reset();
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(copies[i], texts[i]);
}

// A PLAIN BYTE_ARRAY page is a run of [uint32 size][bytes] blocks at odd
// places: each one is a text as it lies, until a copy takes it away.
TEST(CompactTextTest, BorrowsBlocksAtAnyAddress) {
  std::string page;
  std::vector<size_t> starts;
  for (std::string_view t : {"a", "bc", "", "part=1/x.parquet"}) {
    starts.push_back(page.size());
    const auto n = static_cast<uint32_t>(t.size());
    page.append(reinterpret_cast<const char*>(&n), sizeof n).append(t);
  }
  std::vector<CompactText> texts;
  for (size_t at : starts) texts.push_back(CompactText::Borrow(page.data() + at));
  EXPECT_EQ(texts[0], "a");
  EXPECT_EQ(texts[1], "bc");  // at an odd address
  EXPECT_TRUE(texts[2].has_value());
  EXPECT_EQ(texts[2].size(), 0u);
  EXPECT_EQ(texts[3], "part=1/x.parquet");
  EXPECT_TRUE(texts[1].in_arena());
  EXPECT_EQ(texts[3].data(), page.data() + starts[3] + 4);
  CompactText moved = std::move(texts[3]);
  EXPECT_EQ(moved.data(), page.data() + starts[3] + 4);  // a move keeps it borrowed
  CompactText copy = moved;
  moved.reset();  // nothing of the page's is freed
  page.assign(page.size(), '\0');
  EXPECT_FALSE(copy.in_arena());
  EXPECT_EQ(copy, "part=1/x.parquet");
}

}  // namespace
}  // namespace lakeshare
