#include "iceberg/entry_stats.h"

#include <charconv>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json_writer.h"

namespace lakeshare::iceberg {
namespace {

template <typename V>
const V* FindById(const std::vector<std::pair<int32_t, V>>& v, int32_t id) {
  for (const auto& [k, val] : v) {
    if (k == id) return &val;
  }
  return nullptr;
}

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

// Appends the members of `fields` that have a value ("name":value,...);
// struct fields recurse. `emit(field, out)` appends a value or returns false
// (appending nothing). Returns whether anything was written; nothing is
// left behind otherwise.
template <typename Emit>
bool EmitStatsStruct(std::string* out, const std::vector<NestedField>& fields, const Emit& emit) {
  bool any = false;
  for (const NestedField& f : fields) {
    const bool is_struct = f.type->id == TypeId::kStruct;
    if (f.type->is_nested() && !is_struct) continue;
    const size_t mark = out->size();
    if (any) out->push_back(',');
    AppendJsonString(out, f.name);
    out->push_back(':');
    bool wrote = false;
    if (is_struct) {
      out->push_back('{');
      wrote = EmitStatsStruct(out, f.type->fields, emit);
      if (wrote) out->push_back('}');
    } else {
      wrote = emit(f, out);
    }
    if (!wrote) {
      out->resize(mark);
      continue;
    }
    any = true;
  }
  return any;
}

}  // namespace

void AppendStatsJson(std::string* out, const ManifestEntry& e, const Schema& schema) {
  out->append("{\"numRecords\":");
  AppendInt(out, e.record_count);
  auto section = [&](std::string_view key, const auto& emit) {
    const size_t mark = out->size();
    out->append(",\"");
    out->append(key);
    out->append("\":{");
    if (EmitStatsStruct(out, schema.fields, emit)) {
      out->push_back('}');
    } else {
      out->resize(mark);
    }
  };
  auto has_nan = [&](const NestedField& f) {
    const int64_t* n = FindById(e.nan_counts, f.id);
    return n != nullptr && *n > 0;
  };
  if (!e.lower_bounds.empty()) {
    section("minValues", [&](const NestedField& f, std::string* o) {
      const std::string* b = FindById(e.lower_bounds, f.id);
      return b != nullptr && !has_nan(f) && AppendBoundStatsJson(o, *f.type, *b);
    });
  }
  if (!e.upper_bounds.empty()) {
    section("maxValues", [&](const NestedField& f, std::string* o) {
      const std::string* b = FindById(e.upper_bounds, f.id);
      return b != nullptr && !has_nan(f) && AppendBoundStatsJson(o, *f.type, *b);
    });
  }
  if (!e.null_counts.empty()) {
    section("nullCount", [&](const NestedField& f, std::string* o) {
      const int64_t* n = FindById(e.null_counts, f.id);
      if (n == nullptr) return false;
      AppendInt(o, *n);
      return true;
    });
  }
  out->push_back('}');
}

}  // namespace lakeshare::iceberg
