// ChunkedList<T>: the storage of a snapshot's active files (table_format.h
// names ChunkedList<DataFile> FileList): a read-only sequence with the
// vector-like access callers need (size, operator[], iteration), stored as
// shared immutable chunks. A snapshot derived from another one (a few
// commits later) shares every chunk no commit touched, so bringing a
// million-file snapshot forward copies a few chunks, not a million files.
//
// operator[] is O(1) while the chunks have equal sizes and O(log chunks)
// otherwise; iteration is O(1) per step. A ChunkedList is a value: copying it
// copies chunk pointers only. Chunks are never modified once shared, so
// concurrent readers need no locking; a ChunkedList being modified (push_back)
// must not be read at the same time.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace lakeshare {

template <typename T>
class ChunkedList {
 public:
  // A chunk: its items, and what their texts may lie in: arenas
  // (CompactText::InArena), freed with them, and `pages` (CompactText::
  // Borrow: decoded checkpoint pages, which the chunks of one load share). A
  // copy copies the items (whose copies own their texts), not those.
  struct Chunk : std::vector<T> {
    using std::vector<T>::vector;
    Chunk() = default;
    explicit Chunk(std::vector<T> items) : std::vector<T>(std::move(items)) {}
    Chunk(const Chunk& o) : std::vector<T>(o) {}
    Chunk(Chunk&&) noexcept = default;
    Chunk& operator=(const Chunk& o) {
      if (this != &o) {
        std::vector<T>::operator=(o);
        arenas.clear();
        pages.reset();
      }
      return *this;
    }
    Chunk& operator=(Chunk&&) noexcept = default;
    std::vector<std::unique_ptr<char[]>> arenas;
    std::shared_ptr<const void> pages;
  };
  using ChunkPtr = std::shared_ptr<const Chunk>;
  // Files per chunk when a ChunkedList is made from one vector.
  static constexpr size_t kChunkSize = 512;

  ChunkedList() = default;
  // Takes the files (in their order) and splits them into chunks.
  ChunkedList(std::vector<T> files) {
    Assign(std::move(files));
  }  // NOLINT(google-explicit-constructor)
  ChunkedList& operator=(std::vector<T> files) {
    Assign(std::move(files));
    return *this;
  }
  // The concatenation of `chunks` (empty or null chunks are dropped).
  static ChunkedList FromChunks(std::vector<ChunkPtr> chunks) {
    ChunkedList list;
    for (ChunkPtr& c : chunks) {
      if (c && !c->empty()) list.AppendChunk(std::move(c));
    }
    return list;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const {
    size_t c = ChunkOf(i);
    return (*chunks_[c])[i - starts_[c]];
  }
  const T& front() const { return chunks_.front()->front(); }
  const T& back() const { return chunks_.back()->back(); }

  const std::vector<ChunkPtr>& chunks() const { return chunks_; }
  // The index of the first file of chunk `c`.
  size_t chunk_start(size_t c) const { return starts_[c]; }

  // Appends one file (for builders and tests); copies the last chunk first
  // when another ChunkedList shares it.
  void push_back(T file) {
    if (chunks_.empty() || chunks_.back()->size() >= kChunkSize || chunks_.back().use_count() > 1) {
      auto chunk = std::make_shared<Chunk>();
      chunk->reserve(kChunkSize);
      chunk->push_back(std::move(file));
      AppendChunk(std::move(chunk));
      return;
    }
    // Sole owner: the chunk may be extended in place.
    const_cast<Chunk&>(*chunks_.back()).push_back(std::move(file));
    ++size_;
    if (chunks_.size() > 1 && chunks_.back()->size() > chunks_.front()->size()) uniform_ = false;
  }

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    const_iterator() = default;
    reference operator*() const { return (*(*chunks_)[chunk_])[offset_]; }
    pointer operator->() const { return &**this; }
    const_iterator& operator++() {
      if (++offset_ == (*chunks_)[chunk_]->size()) {
        ++chunk_;
        offset_ = 0;
      }
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const const_iterator& o) const {
      return chunk_ == o.chunk_ && offset_ == o.offset_;
    }
    bool operator!=(const const_iterator& o) const { return !(*this == o); }

   private:
    friend class ChunkedList;
    const_iterator(const std::vector<ChunkPtr>* chunks, size_t chunk, size_t offset)
        : chunks_(chunks), chunk_(chunk), offset_(offset) {}
    const std::vector<ChunkPtr>* chunks_ = nullptr;
    size_t chunk_ = 0;
    size_t offset_ = 0;
  };
  using iterator = const_iterator;

  const_iterator begin() const { return const_iterator(&chunks_, 0, 0); }
  const_iterator end() const { return const_iterator(&chunks_, chunks_.size(), 0); }

 private:
  void Assign(std::vector<T> files) {
    chunks_.clear();
    starts_.clear();
    size_ = 0;
    uniform_ = true;
    if (files.size() <= kChunkSize) {
      if (!files.empty()) AppendChunk(std::make_shared<Chunk>(std::move(files)));
      return;
    }
    for (size_t i = 0; i < files.size(); i += kChunkSize) {
      size_t end = std::min(files.size(), i + kChunkSize);
      auto chunk = std::make_shared<Chunk>(std::make_move_iterator(files.begin() + i),
                                           std::make_move_iterator(files.begin() + end));
      AppendChunk(std::move(chunk));
    }
  }
  void AppendChunk(ChunkPtr chunk) {
    // Equal sizes (the last chunk may be shorter) allow O(1) indexing.
    if (!chunks_.empty()) {
      const size_t first = chunks_.front()->size();
      if (chunks_.back()->size() != first || chunk->size() > first) uniform_ = false;
    }
    starts_.push_back(size_);
    size_ += chunk->size();
    chunks_.push_back(std::move(chunk));
  }
  size_t ChunkOf(size_t i) const {
    if (uniform_) return i / chunks_.front()->size();
    return static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), i) -
                               starts_.begin()) -
           1;
  }

  std::vector<ChunkPtr> chunks_;
  std::vector<size_t> starts_;
  size_t size_ = 0;
  bool uniform_ = true;
};

}  // namespace lakeshare
