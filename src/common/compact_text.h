// CompactText: an optional immutable text in one pointer, for fields held
// by the million (a data file's path and stats). Null when absent; else it points to
// a block [uint32 size][bytes] (size little-endian, at any address) that the
// text owns (on the heap) or that something else owns: an arena (InArena: a
// chunk of a snapshot places the texts of its files one after another in one
// allocation, without a malloc header and a std::string per text) or a
// decoded parquet page (Borrow: a PLAIN BYTE_ARRAY value is such a block).
//
// Value semantics like std::optional<std::string>: a copy is always an owned
// deep copy, so a copy outlives the arena of the text it was copied from. A
// move keeps an arena text borrowed: whoever moves one out of its arena's
// owner keeps that owner alive (ChunkedList's chunks are immutable once
// shared, so their files are only ever copied out). Not thread-safe for
// concurrent mutation, like any value.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace lakeshare {

class CompactText {
 public:
  CompactText() = default;
  CompactText(std::nullopt_t) {}  // NOLINT: implicit like std::optional
  explicit CompactText(std::string_view text) { Own(text); }
  CompactText(const CompactText& o) {
    if (o) Own(o.view());
  }
  CompactText(CompactText&& o) noexcept : bits_(std::exchange(o.bits_, 0)) {}
  CompactText& operator=(const CompactText& o) {
    if (this != &o) *this = o ? CompactText(o.view()) : CompactText();
    return *this;
  }
  CompactText& operator=(CompactText&& o) noexcept {
    if (this != &o) {
      Free();
      bits_ = std::exchange(o.bits_, 0);
    }
    return *this;
  }
  CompactText& operator=(std::string_view text) { return *this = CompactText(text); }
  CompactText& operator=(const std::string& text) { return *this = std::string_view(text); }
  CompactText& operator=(const char* text) { return *this = std::string_view(text); }
  CompactText& operator=(const std::optional<std::string>& text) {
    return *this = text ? CompactText(*text) : CompactText();
  }
  CompactText& operator=(std::nullopt_t) {
    reset();
    return *this;
  }
  ~CompactText() { Free(); }

  bool has_value() const { return bits_ != 0; }
  explicit operator bool() const { return bits_ != 0; }
  // The text; empty when absent.
  std::string_view view() const {
    if (bits_ == 0) return {};
    const char* b = block();
    uint32_t n;
    std::memcpy(&n, b, sizeof n);
    return {b + kHeader, n};
  }
  std::string_view operator*() const { return view(); }
  // As a string: the text, empty when absent (for fields always present,
  // such as a file's path).
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  std::string str() const { return std::string(view()); }
  bool empty() const { return view().empty(); }
  const char* data() const { return view().data(); }
  char operator[](size_t i) const { return view()[i]; }
  size_t find(std::string_view s, size_t pos = 0) const { return view().find(s, pos); }
  size_t find(char c, size_t pos = 0) const { return view().find(c, pos); }
  size_t rfind(std::string_view s, size_t pos = std::string_view::npos) const {
    return view().rfind(s, pos);
  }
  size_t rfind(char c, size_t pos = std::string_view::npos) const { return view().rfind(c, pos); }
  std::string_view substr(size_t pos, size_t n = std::string_view::npos) const {
    return view().substr(pos, n);
  }
  // For `text->size()` as with std::optional<std::string>.
  struct Arrow {
    std::string_view text;
    const std::string_view* operator->() const { return &text; }
  };
  Arrow operator->() const { return Arrow{view()}; }
  size_t size() const { return view().size(); }
  std::optional<std::string> ToOptional() const {
    return bits_ ? std::optional<std::string>(view()) : std::nullopt;
  }

  void emplace(std::string_view text) { *this = CompactText(text); }
  void reset() {
    Free();
    bits_ = 0;
  }
  // Where the block lies (null when absent), read without touching it: for
  // prefetching a text before its size is known.
  const char* block_address() const { return block(); }
  // Gives a borrowed text a block of its own (before what it borrows from
  // goes).
  void MakeOwned() {
    if (in_arena()) *this = CompactText(view());
  }
  // Whether the bytes lie in an arena or a page (InArena, Borrow) rather
  // than in a block of their own.
  bool in_arena() const { return (bits_ & kArenaBit) != 0; }

  // Bytes an arena gives a text of `size` bytes (header and alignment
  // included).
  static constexpr size_t ArenaBytes(size_t size) {
    return (kHeader + size + kAlign - 1) & ~(kAlign - 1);
  }
  // `text` written at `at` (kAlign-aligned, ArenaBytes(text.size()) bytes of
  // an arena that outlives the result).
  static CompactText InArena(char* at, std::string_view text) {
    const auto n = static_cast<uint32_t>(text.size());
    std::memcpy(at, &n, sizeof n);
    if (!text.empty()) std::memcpy(at + kHeader, text.data(), text.size());
    return Borrow(at);
  }
  // The text whose block starts at `block` ([uint32 size][bytes], any
  // alignment), owned by something that outlives the text.
  static CompactText Borrow(const char* block) {
    CompactText t;
    t.bits_ = reinterpret_cast<uintptr_t>(block) | kArenaBit;
    return t;
  }
  // Bytes the text holds beyond the pointer, for memory accounting: its
  // share of an arena, or its own block with malloc's header and rounding.
  size_t HeldBytes() const {
    if (bits_ == 0) return 0;
    return in_arena() ? ArenaBytes(size()) : (kHeader + size() + 8 + 15) & ~size_t{15};
  }

  friend bool operator==(const CompactText& a, const CompactText& b) {
    return a.has_value() == b.has_value() && a.view() == b.view();
  }
  friend bool operator==(const CompactText& a, std::string_view b) {
    return a.has_value() && a.view() == b;
  }
  friend bool operator<(const CompactText& a, const CompactText& b) { return a.view() < b.view(); }
  // The text (or "(absent)"), for test messages and logs.
  friend std::ostream& operator<<(std::ostream& os, const CompactText& t);

 private:
  static constexpr size_t kHeader = sizeof(uint32_t);
  static constexpr size_t kAlign = 4;
  // The top bit: no user-space address has it (x86-64 and AArch64 keep it
  // for the kernel), and blocks in pages lie at any byte.
  static constexpr uintptr_t kArenaBit = uintptr_t{1} << 63;
  static_assert(sizeof(uintptr_t) == 8, "CompactText tags 64-bit pointers");
  static_assert(std::endian::native == std::endian::little, "a block's size is little-endian");

  char* block() const { return reinterpret_cast<char*>(bits_ & ~kArenaBit); }
  void Own(std::string_view text);
  void Free() {
    if (bits_ != 0 && !in_arena()) ::operator delete(block());
  }

  uintptr_t bits_ = 0;
};

}  // namespace lakeshare
