#include "predicate/evaluate.h"

#include <array>

namespace lakeshare {
namespace {

using Domain = ValueRange::Domain;

// What the rows of a file may hold in one operand.
struct Operand {
  bool may_be_null = true;
  bool may_have_value = true;
  bool bounded = false;  // `range` holds every non-NULL value
  ValueRange range;
};

const Operand kUnknown{};

// Could the upper end of `a` be above (strict) or at least at the lower end of `b`?
bool HiReaches(const ValueRange& a, const ValueRange& b, bool strict) {
  switch (a.domain) {
    case Domain::kInt:
      return strict ? a.ihi > b.ilo : a.ihi >= b.ilo;
    case Domain::kDouble:
      return strict ? a.dhi > b.dlo : a.dhi >= b.dlo;
    case Domain::kString:
      // The true max is some string starting with shi: it can exceed any
      // string whose first |shi| bytes do not exceed shi.
      if (a.shi_is_prefix) return b.slo.substr(0, a.shi.size()) <= a.shi;
      return strict ? a.shi > b.slo : a.shi >= b.slo;
  }
  return true;
}

bool LowsEqual(const ValueRange& a, const ValueRange& b) {
  switch (a.domain) {
    case Domain::kInt:
      return a.ilo == b.ilo;
    case Domain::kDouble:
      return a.dlo == b.dlo;
    case Domain::kString:
      return a.slo == b.slo;
  }
  return false;
}

// The flags of `a < b` (or `a <= b`) over value ranges, ignoring NULLs.
Truth Less(const ValueRange& a, const ValueRange& b, bool or_equal) {
  return {HiReaches(b, a, /*strict=*/!or_equal), HiReaches(a, b, /*strict=*/or_equal)};
}

Truth Equal(const ValueRange& a, const ValueRange& b) {
  bool overlap = HiReaches(b, a, false) && HiReaches(a, b, false);
  bool always = a.IsPoint() && b.IsPoint() && LowsEqual(a, b);
  return {overlap, !always};
}

bool KindFits(ValueType type, FileStats::Kind kind) {
  switch (type) {
    case ValueType::kBool:
      return kind == FileStats::Kind::kBool;
    case ValueType::kInt:
    case ValueType::kLong:
    case ValueType::kFloat:
    case ValueType::kDouble:
      return kind == FileStats::Kind::kNumber;
    case ValueType::kString:
    case ValueType::kDate:
    case ValueType::kTimestamp:
      return kind == FileStats::Kind::kString;
  }
  return false;
}

std::optional<ValueRange> StatsValue(ValueType type, const FileStats::Value& v, int prefix_length) {
  if (!KindFits(type, v.kind)) return std::nullopt;
  return ParseValueRange(type, v.text, ValueSource::kStats, prefix_length);
}

// [lo.lo, hi.hi], or nullopt when the stats contradict themselves.
std::optional<ValueRange> Span(const ValueRange& lo, const ValueRange& hi) {
  ValueRange r = lo;
  r.ihi = hi.ihi;
  r.dhi = hi.dhi;
  r.shi = hi.shi;
  r.shi_is_prefix = hi.shi_is_prefix;
  if (!HiReaches(r, r, /*strict=*/false)) return std::nullopt;
  return r;
}

Operand ResolveColumn(const PredicateNode& n, const FileView& file) {
  if (file.partition_values != nullptr) {
    for (const auto& [name, value] : *file.partition_values) {
      if (!EqualsIgnoreCase(name, n.name)) continue;
      Operand o;
      if (!value || value->empty()) {  // Delta writes NULL as null or ""
        o.may_have_value = false;
        return o;
      }
      o.may_be_null = false;
      if (n.value_type) {
        std::optional<ValueRange> r =
            ParseValueRange(*n.value_type, *value, ValueSource::kPartition);
        if (r) {
          o.bounded = true;
          o.range = *r;
        }
      }
      return o;
    }
  }
  if (file.stats == nullptr || !file.stats->valid()) return kUnknown;
  std::optional<FileStats::Column> c = file.stats->Find(n.key);
  if (!c) return kUnknown;
  Operand o;
  std::optional<int64_t> records = file.stats->num_records();
  o.may_be_null = !(c->null_count && *c->null_count == 0);
  o.may_have_value = !(c->null_count && records && *c->null_count >= *records);
  if (n.value_type && o.may_have_value) {
    int prefix = file.stats->string_prefix_length();
    std::optional<ValueRange> lo = StatsValue(*n.value_type, c->min, prefix);
    std::optional<ValueRange> hi = StatsValue(*n.value_type, c->max, prefix);
    if (lo && hi) {
      if (std::optional<ValueRange> r = Span(*lo, *hi)) {
        o.bounded = true;
        o.range = *r;
      }
    }
  }
  return o;
}

// The columns of one file, each resolved once: a hint may name one column in
// thousands of leaves (an `or` of equalities), and resolving means finding
// and parsing its stats text. Holds a few columns; the rest are resolved
// each time (a lookup in a longer list would cost as much).
class ColumnMemo {
 public:
  explicit ColumnMemo(const FileView& file) : file_(file) {}

  Operand Get(const PredicateNode& n) {
    for (size_t i = 0; i < size_; ++i) {
      if (entries_[i].key == n.key && entries_[i].type == n.value_type) return entries_[i].operand;
    }
    Operand o = ResolveColumn(n, file_);
    if (size_ < entries_.size()) entries_[size_++] = Entry{n.key, n.value_type, o};
    return o;
  }

 private:
  struct Entry {
    std::string_view key;
    std::optional<ValueType> type;
    Operand operand;
  };
  const FileView& file_;
  std::array<Entry, 4> entries_;
  size_t size_ = 0;
};

Operand Resolve(const PredicateNode& n, ColumnMemo& columns) {
  if (n.op == PredicateOp::kColumn) return columns.Get(n);
  Operand o;  // a literal
  o.may_be_null = false;
  o.bounded = true;
  o.range = n.literal;
  o.range.slo = o.range.shi = n.value;
  return o;
}

Truth Compare(const PredicateNode& n, ColumnMemo& columns) {
  Operand a = Resolve(n.children[0].root(), columns);
  Operand b = Resolve(n.children[1].root(), columns);
  if (!a.may_have_value || !b.may_have_value) return {false, true};  // NULL on every row
  if (!a.bounded || !b.bounded) return {true, true};
  Truth t;
  switch (n.op) {
    case PredicateOp::kEqual:
      t = Equal(a.range, b.range);
      break;
    case PredicateOp::kLessThan:
      t = Less(a.range, b.range, false);
      break;
    case PredicateOp::kLessThanOrEqual:
      t = Less(a.range, b.range, true);
      break;
    case PredicateOp::kGreaterThan:
      t = Less(b.range, a.range, false);
      break;
    case PredicateOp::kGreaterThanOrEqual:
      t = Less(b.range, a.range, true);
      break;
    default:
      return {true, true};
  }
  if (a.may_be_null || b.may_be_null) t.may_be_false = true;
  return t;
}

Truth Eval(const PredicateNode& n, ColumnMemo& columns) {
  switch (n.op) {
    case PredicateOp::kAnd: {
      Truth t{true, false};
      for (const Predicate& c : n.children) {
        Truth ct = Eval(c.root(), columns);
        t.may_be_true = t.may_be_true && ct.may_be_true;
        t.may_be_false = t.may_be_false || ct.may_be_false;
        if (!t.may_be_true && t.may_be_false) break;  // cannot change any more
      }
      return t;
    }
    case PredicateOp::kOr: {
      Truth t{false, true};
      for (const Predicate& c : n.children) {
        Truth ct = Eval(c.root(), columns);
        t.may_be_true = t.may_be_true || ct.may_be_true;
        t.may_be_false = t.may_be_false && ct.may_be_false;
        if (t.may_be_true && !t.may_be_false) break;
      }
      return t;
    }
    case PredicateOp::kNot: {
      Truth t = Eval(n.children[0].root(), columns);
      return {t.may_be_false, t.may_be_true};
    }
    case PredicateOp::kIsNull: {
      Operand o = Resolve(n.children[0].root(), columns);
      return {o.may_be_null, o.may_have_value};
    }
    case PredicateOp::kColumn:
    case PredicateOp::kLiteral:
      return {true, true};  // not a boolean; builders never put one here
    default:
      return Compare(n, columns);
  }
}

}  // namespace

Truth Evaluate(const Predicate& predicate, const FileView& file) {
  ColumnMemo columns(file);
  return Eval(predicate.root(), columns);
}

bool AffordableFilter(const Predicate& predicate, int64_t files) {
  int64_t nodes = predicate.node_count();
  return nodes <= kAffordableNodesPerFile || nodes * files <= kMaxFilterSteps;
}

bool MayMatch(const Predicate& predicate, const DataFile& file, int string_prefix_length) {
  FileStats stats;
  if (file.stats) {
    std::vector<std::string> columns = predicate.ColumnNames();
    StatsParseOptions options;
    options.string_prefix_length = string_prefix_length;
    options.columns = &columns;
    stats = FileStats::Parse(*file.stats, options);
  }
  return MayMatch(predicate, FileView{&file.partition_values, &stats});
}

}  // namespace lakeshare
