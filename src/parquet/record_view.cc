#include "parquet/record_view.h"

#include <algorithm>

namespace lakeshare::parquet {
namespace {

Status Corrupt(const Schema& schema, const SchemaNode& n, const std::string& what) {
  return Status::Corruption("parquet column '" + schema.DottedPath(n) + "': " + what);
}

// The nearest REPEATED node among `n`'s ancestors (and `n` itself when
// include_self), or nullptr when there is none below the root.
const SchemaNode* NearestRepeated(const Schema& schema, const SchemaNode& n, bool include_self) {
  const SchemaNode* p = include_self ? &n : (n.parent >= 0 ? &schema.node(n.parent) : nullptr);
  for (; p != nullptr && p->parent >= 0; p = &schema.node(p->parent)) {
    if (p->repetition == Repetition::kRepeated) return p;
  }
  return nullptr;
}

}  // namespace

SlotRange RecordNode::Elements(int64_t parent_slot) const {
  if (offsets_.empty() || parent_slot < 0 ||
      static_cast<size_t>(parent_slot) + 1 >= offsets_.size()) {
    return {};
  }
  return {offsets_[static_cast<size_t>(parent_slot)],
          offsets_[static_cast<size_t>(parent_slot) + 1]};
}

const RecordNode* RecordNode::Child(std::string_view name) const {
  for (const RecordNode& c : children_) {
    if (c.name() == name) return &c;
  }
  return nullptr;
}

ListView RecordNode::AsList() const {
  if (is_repeated()) return {this, this};
  if (node_->children.size() != 1) return {};
  const SchemaNode& r = schema_->node(node_->children[0]);
  if (r.repetition != Repetition::kRepeated) return {};
  ListView v;
  v.elements = Child(r.name);
  if (v.elements == nullptr) return {};
  // parquet's LogicalTypes.md backward-compatibility rules.
  if (r.is_leaf || r.children.size() > 1 || r.name == "array" || r.name == name() + "_tuple") {
    v.element = v.elements;
  } else {
    v.element = v.elements->Child(schema_->node(r.children[0]).name);
  }
  return v;
}

MapView RecordNode::AsMap() const {
  MapView v;
  if (is_repeated()) {
    v.entries = this;
  } else {
    if (node_->children.size() != 1) return {};
    const SchemaNode& r = schema_->node(node_->children[0]);
    if (r.repetition != Repetition::kRepeated) return {};
    v.entries = Child(r.name);
  }
  if (v.entries == nullptr) return {};
  const SchemaNode& e = v.entries->schema_node();
  if (e.children.size() >= 1) v.key = v.entries->Child(schema_->node(e.children[0]).name);
  if (e.children.size() >= 2) v.value = v.entries->Child(schema_->node(e.children[1]).name);
  return v;
}

std::string_view RecordNode::String(int64_t slot) const {
  int64_t i = ValueIndex(slot);
  if (i < 0 || batch_ == nullptr || static_cast<size_t>(i) >= batch_->binaries.size()) return {};
  return batch_->binaries[static_cast<size_t>(i)];
}

bool RecordNode::Bool(int64_t slot) const {
  int64_t i = ValueIndex(slot);
  if (i < 0 || batch_ == nullptr || static_cast<size_t>(i) >= batch_->bools.size()) return false;
  return batch_->bools[static_cast<size_t>(i)] != 0;
}

int64_t RecordNode::Int64(int64_t slot) const {
  int64_t i = ValueIndex(slot);
  if (i < 0 || batch_ == nullptr) return 0;
  size_t k = static_cast<size_t>(i);
  switch (node_->physical_type) {
    case Type::kInt64:
      return k < batch_->int64s.size() ? batch_->int64s[k] : 0;
    case Type::kInt32:
      if (k >= batch_->int32s.size()) return 0;
      if (node_->logical.kind == LogicalInfo::Kind::kInteger && !node_->logical.is_signed) {
        return static_cast<int64_t>(static_cast<uint32_t>(batch_->int32s[k]));
      }
      return batch_->int32s[k];
    case Type::kBoolean:
      return k < batch_->bools.size() ? batch_->bools[k] : 0;
    default:
      return 0;
  }
}

double RecordNode::Double(int64_t slot) const {
  int64_t i = ValueIndex(slot);
  if (i < 0 || batch_ == nullptr) return 0;
  size_t k = static_cast<size_t>(i);
  switch (node_->physical_type) {
    case Type::kDouble:
      return k < batch_->doubles.size() ? batch_->doubles[k] : 0;
    case Type::kFloat:
      return k < batch_->floats.size() ? batch_->floats[k] : 0;
    default:
      return static_cast<double>(Int64(slot));
  }
}

Int96 RecordNode::Int96At(int64_t slot) const {
  int64_t i = ValueIndex(slot);
  if (i < 0 || batch_ == nullptr || static_cast<size_t>(i) >= batch_->int96s.size()) return {};
  return batch_->int96s[static_cast<size_t>(i)];
}

int64_t RecordNode::TimestampMicros(int64_t slot) const {
  auto floor_div = [](int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
  };
  if (node_->physical_type == Type::kInt96) {
    if (ValueIndex(slot) < 0) return 0;
    return floor_div(Int96ToNanos(Int96At(slot)), 1000);
  }
  int64_t v = Int64(slot);
  const LogicalInfo& l = node_->logical;
  if (l.kind != LogicalInfo::Kind::kTimestamp && l.kind != LogicalInfo::Kind::kTime) return v;
  switch (l.unit) {
    case TimeUnit::kMillis:
      // Wrapping multiply: hostile values must not overflow (UB).
      return static_cast<int64_t>(static_cast<uint64_t>(v) * 1000u);
    case TimeUnit::kNanos:
      return floor_div(v, 1000);
    default:
      return v;
  }
}

std::optional<__int128> RecordNode::DecimalUnscaled(int64_t slot) const {
  int64_t i = ValueIndex(slot);
  if (i < 0) return std::nullopt;
  if (node_->physical_type == Type::kInt32 || node_->physical_type == Type::kInt64) {
    return static_cast<__int128>(Int64(slot));
  }
  if (node_->physical_type != Type::kByteArray &&
      node_->physical_type != Type::kFixedLenByteArray) {
    return std::nullopt;
  }
  std::string_view b = String(slot);
  if (b.size() > 16) return std::nullopt;
  if (b.empty()) return __int128{0};
  // Big-endian two's complement: sign-extend from the first byte.
  unsigned __int128 v = static_cast<int8_t>(b[0]) < 0 ? ~static_cast<unsigned __int128>(0) : 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return static_cast<__int128>(v);
}

Result<RecordTree> RecordTree::Make(RowGroupBatch batch) {
  if (batch.schema == nullptr) return Status::InvalidArgument("RecordTree: batch without schema");
  RecordTree tree;
  tree.batch_ = std::make_unique<RowGroupBatch>(std::move(batch));
  const RowGroupBatch& rg = *tree.batch_;
  const Schema& schema = *rg.schema;
  for (size_t i = 1; i < rg.columns.size(); ++i) {
    if (rg.columns[i - 1].leaf_index >= rg.columns[i].leaf_index) {
      return Status::InvalidArgument("RecordTree: batch columns must be in ascending leaf order");
    }
  }
  // The first selected leaf under each schema node (its shape's witness).
  std::vector<const ColumnBatch*> witness(static_cast<size_t>(schema.num_nodes()), nullptr);
  for (const ColumnBatch& b : rg.columns) {
    if (b.leaf_index < 0 || b.leaf_index >= schema.num_leaves() || b.schema.get() != &schema) {
      return Status::InvalidArgument("RecordTree: batch of another schema");
    }
    for (const SchemaNode* n = &b.leaf(); n != nullptr;
         n = n->parent >= 0 ? &schema.node(n->parent) : nullptr) {
      if (witness[static_cast<size_t>(n->index)] == nullptr) {
        witness[static_cast<size_t>(n->index)] = &b;
      }
    }
  }

  // Builds node `n` below `parent` (already built), then its children.
  auto build = [&](auto&& self, const SchemaNode& n, const RecordNode& parent,
                   RecordNode* out) -> Status {
    const ColumnBatch& b = *witness[static_cast<size_t>(n.index)];
    out->node_ = &n;
    out->schema_ = &schema;
    const SchemaNode* a = NearestRepeated(schema, n, true);
    const int16_t def_a = a ? a->max_def : 0, rep_a = a ? a->max_rep : 0;
    const bool repeated = n.repetition == Repetition::kRepeated;
    const SchemaNode* pb = repeated ? NearestRepeated(schema, n, false) : nullptr;
    const int16_t def_b = pb ? pb->max_def : 0, rep_b = pb ? pb->max_rep : 0;
    const bool leaf = n.is_leaf;
    const int16_t leaf_max_def = b.leaf().max_def;
    const int64_t levels = b.num_levels;
    const bool has_def = !b.def_levels.empty(), has_rep = !b.rep_levels.empty();
    if ((has_def && b.def_levels.size() != static_cast<size_t>(levels)) ||
        (has_rep && b.rep_levels.size() != static_cast<size_t>(levels))) {
      return Corrupt(schema, n, "level counts disagree");
    }
    out->valid_.reserve(static_cast<size_t>(std::min<int64_t>(levels, parent.num_slots() + 1)));
    int64_t slots = 0, value = 0;
    for (int64_t i = 0; i < levels; ++i) {
      int16_t d = has_def ? b.def_levels[static_cast<size_t>(i)] : leaf_max_def;
      int16_t r = has_rep ? b.rep_levels[static_cast<size_t>(i)] : 0;
      if (repeated && d >= def_b && r <= rep_b) out->offsets_.push_back(slots);
      if (d >= def_a && r <= rep_a) {
        out->valid_.push_back(d >= n.max_def);
        if (leaf) out->value_index_.push_back(d == leaf_max_def ? value : -1);
        ++slots;
      }
      if (leaf && d == leaf_max_def) ++value;
    }
    out->num_slots_ = slots;
    if (repeated) {
      out->offsets_.push_back(slots);
      if (static_cast<int64_t>(out->offsets_.size()) - 1 != parent.num_slots()) {
        return Corrupt(schema, n, "list boundaries disagree with the parent's");
      }
    } else if (slots != parent.num_slots()) {
      return Corrupt(schema, n, "slot count disagrees with the parent's");
    }
    if (leaf) {
      out->batch_ = &b;
      return Status::OK();
    }
    size_t projected = 0;
    for (int c : n.children) projected += witness[static_cast<size_t>(c)] != nullptr;
    out->children_.reserve(projected);
    for (int c : n.children) {
      const SchemaNode& child = schema.node(c);
      if (witness[static_cast<size_t>(c)] == nullptr) continue;
      out->children_.emplace_back();
      LS_RETURN_IF_ERROR(self(self, child, *out, &out->children_.back()));
    }
    return Status::OK();
  };

  tree.root_ = std::make_unique<RecordNode>();
  RecordNode& root = *tree.root_;
  root.node_ = &schema.root();
  root.schema_ = &schema;
  root.num_slots_ = rg.num_rows;
  root.valid_.assign(static_cast<size_t>(std::max<int64_t>(rg.num_rows, 0)), 1);
  // Children are built into a vector sized up front so that the parent
  // references handed to `build` stay put.
  size_t projected = 0;
  for (int c : schema.root().children) projected += witness[static_cast<size_t>(c)] != nullptr;
  root.children_.reserve(projected);
  for (int c : schema.root().children) {
    if (witness[static_cast<size_t>(c)] == nullptr) continue;
    root.children_.emplace_back();
    LS_RETURN_IF_ERROR(build(build, schema.node(c), root, &root.children_.back()));
  }
  return tree;
}

const RecordNode* RecordTree::Find(std::string_view dotted) const {
  auto match = [&](auto&& self, const RecordNode& n, std::string_view rest) -> const RecordNode* {
    if (rest.empty()) return &n;
    for (const RecordNode& c : n.children()) {
      const std::string& name = c.name();
      if (rest.substr(0, name.size()) != name) continue;
      if (rest.size() == name.size()) return &c;
      if (rest[name.size()] != '.') continue;
      if (const RecordNode* m = self(self, c, rest.substr(name.size() + 1))) return m;
    }
    return nullptr;
  };
  if (dotted.empty()) return nullptr;
  return match(match, *root_, dotted);
}

std::string FormatDecimal(__int128 unscaled, int32_t scale) {
  bool negative = unscaled < 0;
  unsigned __int128 mag = negative ? -static_cast<unsigned __int128>(unscaled)
                                   : static_cast<unsigned __int128>(unscaled);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  std::reverse(digits.begin(), digits.end());
  if (scale < 0) {
    if (digits != "0") digits.append(static_cast<size_t>(std::min(-scale, 1000)), '0');
  } else if (scale > 0) {
    size_t s = static_cast<size_t>(std::min(scale, 1000));
    if (digits.size() <= s) digits.insert(0, s - digits.size() + 1, '0');
    digits.insert(digits.size() - s, ".");
  }
  return negative ? "-" + digits : digits;
}

}  // namespace lakeshare::parquet
