#include "table/partition_values.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <stdexcept>

namespace lakeshare {
namespace {

bool KeyLess(const PartitionValues::value_type& e, std::string_view key) { return e.first < key; }

}  // namespace

PartitionValues::PartitionValues(std::initializer_list<value_type> entries) {
  for (const auto& e : entries) (*this)[e.first] = e.second;
}

PartitionValues::PartitionValues(const std::map<std::string, std::optional<std::string>>& m) {
  if (m.empty()) return;
  entries_ = std::make_shared<Entries>(m.begin(), m.end());  // a map is already sorted
}

const PartitionValues::Entries& PartitionValues::EmptyEntries() {
  static const Entries kEmpty;
  return kEmpty;
}

PartitionValues::Entries& PartitionValues::MutableEntries() {
  if (!entries_) {
    entries_ = std::make_shared<Entries>();
  } else if (entries_.use_count() > 1) {
    entries_ = std::make_shared<Entries>(*entries_);
  }
  return *entries_;
}

PartitionValues::const_iterator PartitionValues::find(std::string_view key) const {
  const Entries& e = entries();
  auto it = std::lower_bound(e.begin(), e.end(), key, KeyLess);
  return it != e.end() && it->first == key ? it : e.end();
}

const std::optional<std::string>& PartitionValues::at(std::string_view key) const {
  auto it = find(key);
  if (it == end()) throw std::out_of_range("PartitionValues::at: no such column");
  return it->second;
}

std::optional<std::string>& PartitionValues::operator[](std::string_view key) {
  Entries& e = MutableEntries();
  auto it = std::lower_bound(e.begin(), e.end(), key, KeyLess);
  if (it == e.end() || it->first != key) it = e.emplace(it, std::string(key), std::nullopt);
  return it->second;
}

std::pair<PartitionValues::const_iterator, bool> PartitionValues::emplace(
    std::string key, std::optional<std::string> value) {
  auto found = find(key);
  if (found != end()) return {found, false};
  Entries& e = MutableEntries();
  auto it = std::lower_bound(e.begin(), e.end(), key, KeyLess);
  it = e.emplace(it, std::move(key), std::move(value));
  return {it, true};
}

size_t PartitionValues::OwnedHeapBytes() const {
  if (!entries_ || entries_.use_count() > 1) return 0;
  size_t bytes = 48 + entries_->capacity() * sizeof(value_type);  // control block + vector
  for (const auto& [k, v] : *entries_) {
    if (k.capacity() > 15) bytes += k.capacity() + 1;
    if (v && v->capacity() > 15) bytes += v->capacity() + 1;
  }
  return bytes;
}

size_t PartitionValueInterner::Hash::operator()(
    const std::shared_ptr<PartitionValues::Entries>& e) const {
  size_t h = e->size();
  std::hash<std::string_view> hs;
  for (const auto& [k, v] : *e) {
    h = h * 1000003u ^ hs(k);
    h = h * 1000003u ^ (v ? hs(*v) + 1 : 0);
  }
  return h;
}

void PartitionValueInterner::Intern(PartitionValues* values) {
  if (!values->entries_) return;
  if (values->entries_->empty()) {
    values->entries_.reset();
    return;
  }
  values->entries_->shrink_to_fit();
  auto [it, inserted] = seen_.insert(values->entries_);
  if (!inserted) values->entries_ = *it;
}

std::string EscapeHivePartitionValue(std::string_view value) {
  static constexpr std::string_view kSpecial = "\"#%'*/:=?\\\x7f{[]^";
  std::string out;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x1f || kSpecial.find(ch) != std::string_view::npos) {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace lakeshare
