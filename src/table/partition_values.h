// PartitionValues: a data file's partition values (column name -> value,
// nullopt for a null value), with the map operations callers need.
//
// Why not std::map: a snapshot holds one per file, by the million, and most
// files share their values with many others (every file of a day has
// date=that day). Entries live in a sorted vector behind a shared pointer;
// copies share it and mutation copies first (copy on write), and
// PartitionValueInterner makes equal sets share one vector. Size: 16 bytes
// plus, when not shared, the entries.
//
// EscapeHivePartitionValue gives a value's form in Hive-style partition
// folder names, as writers lay data files out.
//
// Thread-safety: like a value. Concurrent reads of shared entries are safe;
// mutate only an object no other thread reads.
#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace lakeshare {

class PartitionValues {
 public:
  using value_type = std::pair<std::string, std::optional<std::string>>;
  using Entries = std::vector<value_type>;
  using const_iterator = Entries::const_iterator;
  using iterator = const_iterator;  // entries are changed through operator[] only

  PartitionValues() = default;
  PartitionValues(std::initializer_list<value_type> entries);
  PartitionValues(const std::map<std::string, std::optional<std::string>>& m);  // NOLINT

  const_iterator begin() const { return entries().begin(); }
  const_iterator end() const { return entries().end(); }
  size_t size() const { return entries_ ? entries_->size() : 0; }
  bool empty() const { return size() == 0; }

  const_iterator find(std::string_view key) const;
  size_t count(std::string_view key) const { return find(key) != end() ? 1 : 0; }
  // The value of `key`; throws std::out_of_range when absent (like std::map).
  const std::optional<std::string>& at(std::string_view key) const;

  // Inserts (key, nullopt) when absent; returns the value to assign.
  std::optional<std::string>& operator[](std::string_view key);
  // Inserts when absent; returns the entry and whether it was inserted.
  std::pair<const_iterator, bool> emplace(std::string key, std::optional<std::string> value);
  void clear() { entries_.reset(); }

  friend bool operator==(const PartitionValues& a, const PartitionValues& b) {
    return a.entries_ == b.entries_ || a.entries() == b.entries();
  }

  // Whether `other` holds the very same entries (after interning).
  bool SharesEntriesWith(const PartitionValues& other) const { return entries_ == other.entries_; }
  // Heap bytes this object owns alone (0 when its entries are shared).
  size_t OwnedHeapBytes() const;

 private:
  friend class PartitionValueInterner;
  static const Entries& EmptyEntries();
  const Entries& entries() const { return entries_ ? *entries_ : EmptyEntries(); }
  Entries& MutableEntries();  // unshares first

  std::shared_ptr<Entries> entries_;  // null: no entries
};

// Makes equal PartitionValues share one entry vector. Not thread-safe; use
// one interner while building one snapshot.
class PartitionValueInterner {
 public:
  void Intern(PartitionValues* values);

 private:
  struct Hash {
    size_t operator()(const std::shared_ptr<PartitionValues::Entries>& e) const;
  };
  struct Equal {
    bool operator()(const std::shared_ptr<PartitionValues::Entries>& a,
                    const std::shared_ptr<PartitionValues::Entries>& b) const {
      return *a == *b;
    }
  };
  std::unordered_set<std::shared_ptr<PartitionValues::Entries>, Hash, Equal> seen_;
};

// Hive's escaping of a partition value in a folder name ("a/b" -> "a%2Fb"):
// control characters and "#%'*/:=?\{[]^ and DEL as %XX.
std::string EscapeHivePartitionValue(std::string_view value);

}  // namespace lakeshare
