#include "parquet/parquet_schema.h"

#include <algorithm>
#include <functional>

namespace lakeshare::parquet {
namespace {

Status Corrupt(std::string what) { return Status::Corruption("parquet schema: " + what); }

// The largest FIXED_LEN_BYTE_ARRAY width accepted; real ones are at most a
// few dozen bytes (decimals, UUIDs).
constexpr int32_t kMaxTypeLength = 1 << 20;

LogicalInfo FromConverted(const SchemaElement& e) {
  LogicalInfo info;
  if (!e.converted_type) return info;
  using C = ConvertedType;
  using K = LogicalInfo::Kind;
  switch (*e.converted_type) {
    case C::kUtf8:
    case C::kEnum:
      info.kind = K::kString;
      break;
    case C::kJson:
      info.kind = K::kString;
      info.is_json = true;
      break;
    case C::kBson:
      info.kind = K::kBson;
      break;
    case C::kMap:
    case C::kMapKeyValue:
      info.kind = K::kMap;
      break;
    case C::kList:
      info.kind = K::kList;
      break;
    case C::kDecimal:
      info.kind = K::kDecimal;
      info.scale = e.scale.value_or(0);
      info.precision = e.precision.value_or(0);
      break;
    case C::kDate:
      info.kind = K::kDate;
      break;
    case C::kTimeMillis:
    case C::kTimeMicros:
      info.kind = K::kTime;
      info.unit = *e.converted_type == C::kTimeMillis ? TimeUnit::kMillis : TimeUnit::kMicros;
      info.is_adjusted_to_utc = true;
      break;
    case C::kTimestampMillis:
    case C::kTimestampMicros:
      info.kind = K::kTimestamp;
      info.unit = *e.converted_type == C::kTimestampMillis ? TimeUnit::kMillis : TimeUnit::kMicros;
      info.is_adjusted_to_utc = true;
      break;
    case C::kUint8:
    case C::kUint16:
    case C::kUint32:
    case C::kUint64:
    case C::kInt8:
    case C::kInt16:
    case C::kInt32:
    case C::kInt64: {
      static const int kWidths[] = {8, 16, 32, 64};
      int v = static_cast<int>(*e.converted_type);
      bool is_unsigned = v <= static_cast<int>(C::kUint64);
      info.kind = K::kInteger;
      info.is_signed = !is_unsigned;
      info.bit_width =
          kWidths[is_unsigned ? v - static_cast<int>(C::kUint8) : v - static_cast<int>(C::kInt8)];
      break;
    }
    case C::kInterval:
      info.kind = K::kOther;
      break;
  }
  return info;
}

LogicalInfo FromElement(const SchemaElement& e) {
  if (!e.logical_type || e.logical_type->kind == LogicalType::Kind::kUnrecognized) {
    LogicalInfo info = FromConverted(e);
    // INT96 is by convention an (unannotated) nanosecond timestamp.
    if (info.kind == LogicalInfo::Kind::kNone && e.type == Type::kInt96) {
      info.kind = LogicalInfo::Kind::kTimestamp;
      info.unit = TimeUnit::kNanos;
    }
    return info;
  }
  const LogicalType& t = *e.logical_type;
  using K = LogicalType::Kind;
  using I = LogicalInfo::Kind;
  LogicalInfo info;
  switch (t.kind) {
    case K::kString:
    case K::kEnum:
      info.kind = I::kString;
      break;
    case K::kJson:
      info.kind = I::kString;
      info.is_json = true;
      break;
    case K::kMap:
      info.kind = I::kMap;
      break;
    case K::kList:
      info.kind = I::kList;
      break;
    case K::kDecimal:
      info.kind = I::kDecimal;
      info.scale = t.decimal_scale;
      info.precision = t.decimal_precision;
      break;
    case K::kDate:
      info.kind = I::kDate;
      break;
    case K::kTime:
    case K::kTimestamp:
      info.kind = t.kind == K::kTime ? I::kTime : I::kTimestamp;
      info.unit = t.unit;
      info.is_adjusted_to_utc = t.is_adjusted_to_utc;
      break;
    case K::kInteger:
      info.kind = I::kInteger;
      info.bit_width = t.bit_width;
      info.is_signed = t.is_signed;
      break;
    case K::kUnknown:
      info.kind = I::kUnknown;
      break;
    case K::kBson:
      info.kind = I::kBson;
      break;
    case K::kUuid:
      info.kind = I::kUuid;
      break;
    case K::kFloat16:
      info.kind = I::kFloat16;
      break;
    case K::kVariant:
      info.kind = I::kVariant;
      break;
    default:
      info.kind = I::kOther;
      break;
  }
  return info;
}

}  // namespace

Result<Schema> Schema::Make(const std::vector<SchemaElement>& elements, int max_depth) {
  if (elements.empty()) return Corrupt("no root element");
  Schema s;
  s.nodes_.reserve(elements.size());
  // Iterative depth-first construction: `open` holds, for each group still
  // receiving children, its node index and the children it still expects.
  struct Open {
    int node;
    int64_t remaining;
  };
  std::vector<Open> open;
  for (size_t i = 0; i < elements.size(); ++i) {
    const SchemaElement& e = elements[i];
    while (!open.empty() && open.back().remaining == 0) open.pop_back();
    if (i > 0 && open.empty()) {
      return Corrupt("element " + std::to_string(i) + " lies outside the root's children");
    }
    SchemaNode n;
    n.name = e.name;
    n.index = static_cast<int>(i);
    if (i > 0) {
      const SchemaNode& parent = s.nodes_[static_cast<size_t>(open.back().node)];
      --open.back().remaining;
      n.parent = open.back().node;
      n.depth = parent.depth + 1;
      if (n.depth > max_depth) return Corrupt("nesting deeper than " + std::to_string(max_depth));
      if (!e.repetition_type) return Corrupt("'" + e.name + "' has no repetition type");
      n.repetition = *e.repetition_type;
      if (n.repetition != Repetition::kRequired && n.repetition != Repetition::kOptional &&
          n.repetition != Repetition::kRepeated) {
        return Corrupt("'" + e.name + "' has an invalid repetition type");
      }
      n.max_def = static_cast<int16_t>(parent.max_def + (n.repetition != Repetition::kRequired));
      n.max_rep = static_cast<int16_t>(parent.max_rep + (n.repetition == Repetition::kRepeated));
    }
    n.logical = FromElement(e);
    // A group has children (num_children, possibly 0); a leaf has a type.
    bool is_group = i == 0 || e.num_children.has_value();
    if (is_group) {
      int64_t children = e.num_children.value_or(0);
      if (children < 0 || static_cast<uint64_t>(children) > elements.size() - i - 1) {
        return Corrupt("'" + e.name + "' claims " + std::to_string(children) + " children");
      }
      if (i > 0 && children == 0 && e.type) {
        // parquet-cpp writes num_children = 0 on leaves: a typed element
        // without children is a leaf.
        is_group = false;
      } else {
        open.push_back({static_cast<int>(i), children});
      }
    }
    if (!is_group) {
      if (!e.type) return Corrupt("leaf '" + e.name + "' has no physical type");
      int t = static_cast<int>(*e.type);
      if (t < 0 || t > static_cast<int>(Type::kFixedLenByteArray)) {
        return Corrupt("leaf '" + e.name + "' has unknown physical type " + std::to_string(t));
      }
      n.is_leaf = true;
      n.physical_type = *e.type;
      if (n.physical_type == Type::kFixedLenByteArray) {
        if (!e.type_length || *e.type_length <= 0 || *e.type_length > kMaxTypeLength) {
          return Corrupt("FIXED_LEN_BYTE_ARRAY '" + e.name + "' has a bad length");
        }
        n.type_length = *e.type_length;
      }
      n.leaf_index = static_cast<int>(s.leaves_.size());
      s.leaves_.push_back(static_cast<int>(i));
    }
    if (n.parent >= 0) s.nodes_[static_cast<size_t>(n.parent)].children.push_back(n.index);
    s.nodes_.push_back(std::move(n));
  }
  for (const Open& o : open) {
    if (o.remaining != 0) return Corrupt("the element list ends inside a group");
  }
  s.nodes_[0].repetition = Repetition::kRequired;
  return s;
}

const SchemaNode* Schema::Child(const SchemaNode& parent, std::string_view name) const {
  for (int c : parent.children) {
    if (node(c).name == name) return &node(c);
  }
  return nullptr;
}

const SchemaNode* Schema::FindPath(const std::vector<std::string>& path) const {
  const SchemaNode* n = &root();
  for (const std::string& name : path) {
    n = Child(*n, name);
    if (n == nullptr) return nullptr;
  }
  return n;
}

std::vector<std::string> Schema::PathOf(const SchemaNode& n) const {
  std::vector<std::string> path;
  for (const SchemaNode* p = &n; p->parent >= 0; p = &node(p->parent)) path.push_back(p->name);
  std::reverse(path.begin(), path.end());
  return path;
}

std::string Schema::DottedPath(const SchemaNode& n) const {
  std::string out;
  for (const std::string& part : PathOf(n)) {
    if (!out.empty()) out += '.';
    out += part;
  }
  return out;
}

std::vector<int> Schema::LeavesUnder(const SchemaNode& n) const {
  // Leaves under a node are contiguous in leaf order: find the first and the
  // last by walking down the first and last children.
  const SchemaNode* first = &n;
  while (!first->is_leaf && !first->children.empty()) first = &node(first->children.front());
  const SchemaNode* last = &n;
  while (!last->is_leaf && !last->children.empty()) last = &node(last->children.back());
  std::vector<int> out;
  if (!first->is_leaf || !last->is_leaf) {
    // Empty groups at the edges: fall back to a full walk.
    std::function<void(const SchemaNode&)> walk = [&](const SchemaNode& m) {
      if (m.is_leaf) out.push_back(m.leaf_index);
      for (int c : m.children) walk(node(c));
    };
    walk(n);
    return out;
  }
  for (int l = first->leaf_index; l <= last->leaf_index; ++l) out.push_back(l);
  return out;
}

Result<std::vector<int>> Schema::Resolve(const std::vector<std::string>& dotted_paths) const {
  std::vector<int> out;
  for (const std::string& dotted : dotted_paths) {
    // Depth-first match of `rest` below `n`, trying every child name that is
    // a prefix of it ending at a dot or at the end.
    std::function<const SchemaNode*(const SchemaNode&, std::string_view)> match =
        [&](const SchemaNode& n, std::string_view rest) -> const SchemaNode* {
      if (rest.empty()) return &n;
      const SchemaNode* best = nullptr;
      size_t best_len = 0;
      for (int c : n.children) {
        const std::string& name = node(c).name;
        if (rest.size() < name.size() || rest.substr(0, name.size()) != name) continue;
        if (rest.size() > name.size() && rest[name.size()] != '.') continue;
        if (name.size() < best_len) continue;
        std::string_view tail =
            rest.size() == name.size() ? std::string_view() : rest.substr(name.size() + 1);
        if (rest.size() > name.size() && tail.empty()) continue;  // trailing dot
        if (const SchemaNode* m = match(node(c), tail)) {
          best = m;
          best_len = name.size();
        }
      }
      return best;
    };
    const SchemaNode* n = dotted.empty() ? nullptr : match(root(), dotted);
    if (n == nullptr) return Status::InvalidArgument("no parquet column '" + dotted + "'");
    std::vector<int> leaves = LeavesUnder(*n);
    out.insert(out.end(), leaves.begin(), leaves.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<int>> Schema::ResolvePaths(
    const std::vector<std::vector<std::string>>& paths) const {
  std::vector<int> out;
  for (const auto& path : paths) {
    const SchemaNode* n = FindPath(path);
    if (n == nullptr || path.empty()) {
      std::string dotted;
      for (const auto& p : path) dotted += (dotted.empty() ? "" : ".") + p;
      return Status::InvalidArgument("no parquet column '" + dotted + "'");
    }
    std::vector<int> leaves = LeavesUnder(*n);
    out.insert(out.end(), leaves.begin(), leaves.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace lakeshare::parquet
