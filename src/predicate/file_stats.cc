#include "predicate/file_stats.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <exception>
#include <limits>
#include <numeric>

namespace lakeshare {

// A SAX handler for Boost.JSON's basic_parser: it sees every token once and
// keeps only what evaluation needs, without building a DOM.
class StatsBuilder {
 public:
  using error_code = boost::system::error_code;
  using string_view = boost::json::string_view;
  // Names required by boost::json::basic_parser.
  static constexpr size_t max_object_size = std::numeric_limits<size_t>::max();  // NOLINT
  static constexpr size_t max_array_size = std::numeric_limits<size_t>::max();   // NOLINT
  static constexpr size_t max_key_size = std::numeric_limits<size_t>::max();     // NOLINT
  static constexpr size_t max_string_size = std::numeric_limits<size_t>::max();  // NOLINT

  explicit StatsBuilder(const StatsParseOptions& options) : options_(options) {}

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_object_begin(error_code&) {
    if (skip_ || depth_ == 1) {
      if (!skip_ && IsColumnSection()) {
        depth_ = 2;
        path_.clear();
        return true;
      }
      return EnterSkipped();
    }
    if (depth_ >= 2) {  // a struct column: its name becomes a path segment
      segment_starts_.push_back(path_.size());
      if (!path_.empty()) path_.push_back('.');
      path_.append(key_);
    }
    ++depth_;
    return true;
  }
  bool on_object_end(size_t, error_code&) {
    if (skip_) return LeaveSkipped();
    if (depth_ > 2) {
      path_.resize(segment_starts_.back());
      segment_starts_.pop_back();
    }
    --depth_;
    return true;
  }
  bool on_array_begin(error_code& ec) {
    if (depth_ == 0) return Fail(ec);
    return EnterSkipped();  // Delta keeps no usable stats in arrays
  }
  bool on_array_end(size_t, error_code&) { return LeaveSkipped(); }

  bool on_key_part(string_view s, size_t, error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, size_t, error_code&) {
    part_.append(s.data(), s.size());
    if (!skip_) {
      if (depth_ == 1) {
        section_ = part_ == "numRecords"  ? Section::kNumRecords
                   : part_ == "minValues" ? Section::kMin
                   : part_ == "maxValues" ? Section::kMax
                   : part_ == "nullCount" ? Section::kNullCount
                                          : Section::kOther;
      } else {
        key_.assign(part_);
        for (char& c : key_) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      }
    }
    part_.clear();
    return true;
  }

  bool on_string_part(string_view s, size_t, error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_string(string_view s, size_t, error_code& ec) {
    part_.append(s.data(), s.size());
    bool ok = Scalar(FileStats::Kind::kString, part_, std::nullopt, ec);
    part_.clear();
    return ok;
  }
  bool on_number_part(string_view s, error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t i, string_view s, error_code& ec) { return Number(i, s, ec); }
  bool on_uint64(uint64_t u, string_view s, error_code& ec) {
    return Number(std::nullopt, s, ec);  // beyond int64: no count, but a fine min/max
  }
  bool on_double(double, string_view s, error_code& ec) { return Number(std::nullopt, s, ec); }
  bool on_bool(bool b, error_code& ec) {
    return Scalar(FileStats::Kind::kBool, b ? "true" : "false", std::nullopt, ec);
  }
  bool on_null(error_code& ec) { return Scalar(FileStats::Kind::kAbsent, {}, std::nullopt, ec); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

  FileStats Finish() &&;

 private:
  enum class Section : uint8_t { kOther, kNumRecords, kMin, kMax, kNullCount };
  struct Record {
    FileStats::Slot path, value;
    Section section;
    int64_t count;
  };

  bool IsColumnSection() const {
    return section_ == Section::kMin || section_ == Section::kMax ||
           section_ == Section::kNullCount;
  }
  bool Fail(error_code& ec) {
    ec = boost::json::make_error_code(boost::json::error::syntax);
    return false;
  }
  bool EnterSkipped() {
    ++depth_;
    if (!skip_) {
      skip_ = true;
      skip_depth_ = depth_;
    }
    return true;
  }
  bool LeaveSkipped() {
    if (skip_ && depth_ == skip_depth_) skip_ = false;
    --depth_;
    return true;
  }
  bool Number(std::optional<int64_t> i, string_view s, error_code& ec) {
    part_.append(s.data(), s.size());
    bool ok = Scalar(FileStats::Kind::kNumber, part_, i, ec);
    part_.clear();
    return ok;
  }
  FileStats::Slot Store(std::string_view s) {
    FileStats::Slot slot{static_cast<uint32_t>(scratch_.size()), static_cast<uint32_t>(s.size()),
                         FileStats::Kind::kAbsent};
    scratch_.append(s);
    return slot;
  }

  bool Scalar(FileStats::Kind kind, std::string_view text, std::optional<int64_t> integer,
              error_code& ec) {
    if (depth_ == 0) return Fail(ec);  // stats must be an object
    if (skip_) return true;
    if (depth_ == 1) {
      if (section_ == Section::kNumRecords && integer && *integer >= 0) num_records_ = *integer;
      return true;
    }
    if (kind == FileStats::Kind::kAbsent) return true;
    if (section_ == Section::kNullCount && !(integer && *integer >= 0)) return true;
    // The leaf's path is path_ + "." + key_; only built when needed.
    size_t base = path_.size();
    if (!path_.empty()) path_.push_back('.');
    path_.append(key_);
    bool wanted = options_.columns == nullptr ||
                  std::find(options_.columns->begin(), options_.columns->end(), path_) !=
                      options_.columns->end();
    if (wanted) {
      Record r{Store(path_), Store(text), section_, integer.value_or(-1)};
      r.value.kind = kind;
      records_.push_back(r);
    }
    path_.resize(base);
    return true;
  }

  const StatsParseOptions& options_;
  int depth_ = 0;  // open objects and arrays
  bool skip_ = false;
  int skip_depth_ = 0;
  Section section_ = Section::kOther;
  std::string part_;  // the key, string or number being read
  std::string key_;   // the last key inside a column section, lowercased
  std::string path_;  // the struct path of the current object, lowercased
  std::vector<size_t> segment_starts_;
  std::optional<int64_t> num_records_;
  std::string scratch_;
  std::vector<Record> records_;
};

FileStats StatsBuilder::Finish() && {
  auto view = [&](const FileStats::Slot& s) {
    return std::string_view(scratch_.data() + s.offset, s.length);
  };
  std::vector<uint32_t> order(records_.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    int c = view(records_[a].path).compare(view(records_[b].path));
    return c != 0 ? c < 0 : records_[a].section < records_[b].section;
  });

  FileStats out;
  out.valid_ = true;
  out.string_prefix_length_ = options_.string_prefix_length;
  out.num_records_ = num_records_;
  out.text_.reserve(scratch_.size());
  auto keep = [&](std::string_view s, FileStats::Kind kind) {
    FileStats::Slot slot{static_cast<uint32_t>(out.text_.size()), static_cast<uint32_t>(s.size()),
                         kind};
    out.text_.append(s);
    return slot;
  };
  for (size_t i = 0; i < order.size();) {
    std::string_view path = view(records_[order[i]].path);
    FileStats::Entry e;
    e.path = keep(path, FileStats::Kind::kString);
    bool seen[5] = {};
    bool duplicate[5] = {};
    for (; i < order.size() && view(records_[order[i]].path) == path; ++i) {
      const Record& r = records_[order[i]];
      auto s = static_cast<size_t>(r.section);
      duplicate[s] = seen[s];
      seen[s] = true;
      if (duplicate[s]) continue;
      if (r.section == Section::kMin) e.min = keep(view(r.value), r.value.kind);
      if (r.section == Section::kMax) e.max = keep(view(r.value), r.value.kind);
      if (r.section == Section::kNullCount) e.null_count = r.count;
    }
    // Two values for one column (duplicate keys, or names differing only in
    // case): neither can be trusted.
    if (duplicate[static_cast<size_t>(Section::kMin)]) e.min = {};
    if (duplicate[static_cast<size_t>(Section::kMax)]) e.max = {};
    if (duplicate[static_cast<size_t>(Section::kNullCount)]) e.null_count = -1;
    out.entries_.push_back(e);
  }
  return out;
}

FileStats FileStats::Parse(std::string_view json, const StatsParseOptions& options) {
  // Offsets are 32-bit; real stats are a few kilobytes.
  if (json.size() >= std::numeric_limits<uint32_t>::max() / 4) return FileStats();
  try {
    boost::json::parse_options parse_options;
    parse_options.max_depth = 64;
    boost::json::basic_parser<StatsBuilder> parser(parse_options, options);
    boost::system::error_code ec;
    size_t n = parser.write_some(false, json.data(), json.size(), ec);
    if (ec || n != json.size() || !parser.done()) return FileStats();
    return std::move(parser.handler()).Finish();
  } catch (const std::exception&) {  // allocation failure: no stats, keep the file
    return FileStats();
  }
}

std::optional<FileStats::Column> FileStats::Find(std::string_view lowercase_path) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), lowercase_path,
                             [&](const Entry& e, std::string_view p) { return View(e.path) < p; });
  if (it == entries_.end() || View(it->path) != lowercase_path) return std::nullopt;
  Column c;
  c.path = View(it->path);
  c.min = {it->min.kind, View(it->min)};
  c.max = {it->max.kind, View(it->max)};
  if (it->null_count >= 0) c.null_count = it->null_count;
  return c;
}

size_t FileStats::MemoryUsage() const {
  return text_.capacity() + entries_.capacity() * sizeof(Entry);
}

}  // namespace lakeshare
