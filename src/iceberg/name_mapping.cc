#include "iceberg/name_mapping.h"

#include <boost/json.hpp>
#include <memory>
#include <set>

#include "common/strings.h"
#include "iceberg/shared_schema.h"

namespace lakeshare::iceberg {
namespace json = boost::json;
namespace {

constexpr int kMaxMappingDepth = 64;
constexpr size_t kMaxMappingEntries = 100'000;

Status ParseFields(const json::value& v, int depth, size_t* count, std::vector<MappedField>* out) {
  const json::array* a = v.if_array();
  if (a == nullptr) return Status::Corruption("name mapping: fields must be an array");
  if (depth > kMaxMappingDepth) return Status::Corruption("name mapping: nested too deeply");
  for (const json::value& e : *a) {
    if (++*count > kMaxMappingEntries) return Status::Corruption("name mapping: too many entries");
    const json::object* o = e.if_object();
    if (o == nullptr) return Status::Corruption("name mapping: an entry is not an object");
    MappedField f;
    if (const json::value* id = o->if_contains("field-id"); id != nullptr && !id->is_null()) {
      const int64_t* i = id->if_int64();
      if (i == nullptr || *i < INT32_MIN || *i > INT32_MAX) {
        return Status::Corruption("name mapping: field-id is not an int");
      }
      f.field_id = static_cast<int32_t>(*i);
    }
    if (const json::value* names = o->if_contains("names"); names != nullptr) {
      const json::array* na = names->if_array();
      if (na == nullptr) return Status::Corruption("name mapping: names must be an array");
      for (const json::value& n : *na) {
        if (!n.is_string()) return Status::Corruption("name mapping: a name is not a string");
        f.names.emplace_back(n.get_string());
      }
    }
    if (const json::value* fields = o->if_contains("fields");
        fields != nullptr && !fields->is_null()) {
      LS_RETURN_IF_ERROR(ParseFields(*fields, depth + 1, count, &f.fields));
    }
    out->push_back(std::move(f));
  }
  return Status::OK();
}

// The element of a LIST group (parquet's backward-compatibility rules).
const parquet::SchemaNode* ListElement(const parquet::Schema& s, const parquet::SchemaNode& list) {
  if (list.children.size() != 1) return nullptr;
  const parquet::SchemaNode& rep = s.node(list.children[0]);
  if (rep.is_leaf || rep.children.size() != 1 || rep.name == "array" ||
      rep.name == list.name + "_tuple") {
    return &rep;  // 2-level: the repeated field is the element
  }
  return &s.node(rep.children[0]);
}

FileColumn ColumnOf(const parquet::Schema& s, const std::vector<parquet::SchemaElement>& elements,
                    const parquet::SchemaNode& n, bool* has_ids) {
  FileColumn c;
  c.name = n.name;
  const auto index = static_cast<size_t>(n.index);
  if (index < elements.size() && elements[index].field_id) {
    c.field_id = elements[index].field_id;
    *has_ids = true;
  }
  if (n.is_leaf) return c;
  auto add = [&](const parquet::SchemaNode* child, const char* name) {
    if (child == nullptr) return;
    c.children.push_back(ColumnOf(s, elements, *child, has_ids));
    c.children.back().name = name;
  };
  if (n.logical.kind == parquet::LogicalInfo::Kind::kList) {
    add(ListElement(s, n), "element");
  } else if (n.logical.kind == parquet::LogicalInfo::Kind::kMap && n.children.size() == 1 &&
             s.node(n.children[0]).children.size() == 2) {
    const parquet::SchemaNode& kv = s.node(n.children[0]);
    add(&s.node(kv.children[0]), "key");
    add(&s.node(kv.children[1]), "value");
  } else {
    for (int child : n.children)
      c.children.push_back(ColumnOf(s, elements, s.node(child), has_ids));
  }
  return c;
}

// The mapping entry of field `id` among `fields` (by id, else by `name`).
const MappedField* Sub(const std::vector<MappedField>* fields, int32_t id, const char* name) {
  if (fields == nullptr) return nullptr;
  for (const MappedField& f : *fields) {
    if (f.field_id && *f.field_id == id) return &f;
  }
  for (const MappedField& f : *fields) {
    for (const std::string& n : f.names) {
      if (n == name) return &f;
    }
  }
  return nullptr;
}

// Walks one file's columns along the schema. Pass 1 records the names each
// field has; pass 2 (names chosen) counts the columns of each level that a
// reader by name would take for a field.
struct Walker {
  const std::map<int32_t, std::string>* chosen = nullptr;  // pass 2
  // Pass 1: field id -> (name -> the first file with it).
  std::map<int32_t, std::map<std::string, size_t>> seen;
  // Pass 2: the first field whose name some file has for another column.
  std::optional<int32_t> clash;
  std::optional<size_t> clash_file;
  std::string clash_name;
  bool by_id = false;
  size_t file = 0;

  void Fields(const std::vector<NestedField>& fields, const std::vector<FileColumn>& cols,
              const std::vector<MappedField>* mapping) {
    for (const NestedField& f : fields) {
      const FileColumn* c = nullptr;
      const MappedField* m = by_id ? nullptr : Sub(mapping, f.id, "");
      for (const FileColumn& col : cols) {
        if (c != nullptr) break;
        if (by_id) {
          if (col.field_id && *col.field_id == f.id) c = &col;
        } else if (m != nullptr) {
          for (const std::string& n : m->names) {
            if (n == col.name) c = &col;
          }
        }
      }
      if (chosen == nullptr) {
        if (c != nullptr) seen[f.id].emplace(c->name, file);
      } else if (!clash) {
        const std::string& p = chosen->at(f.id);
        size_t same = 0;
        for (const FileColumn& col : cols) same += EqualsIgnoreCase(col.name, p) ? 1 : 0;
        if (same != (c != nullptr ? 1u : 0u)) {
          clash = f.id;
          clash_file = file;
          clash_name = p;
        }
      }
      if (c != nullptr) Descend(*f.type, *c, m);
    }
  }

  void Descend(const Type& t, const FileColumn& c, const MappedField* m) {
    const std::vector<MappedField>* sub = m != nullptr ? &m->fields : nullptr;
    if (t.id == TypeId::kStruct) {
      Fields(t.fields, c.children, sub);
    } else if (t.id == TypeId::kList && c.children.size() == 1) {
      Descend(*t.fields[0].type, c.children[0], Sub(sub, t.fields[0].id, "element"));
    } else if (t.id == TypeId::kMap && c.children.size() == 2) {
      Descend(*t.fields[0].type, c.children[0], Sub(sub, t.fields[0].id, "key"));
      Descend(*t.fields[1].type, c.children[1], Sub(sub, t.fields[1].id, "value"));
    }
  }
};

// Every struct field of `fields` (at any depth, through lists and maps).
void StructFields(const std::vector<NestedField>& fields,
                  std::vector<std::pair<int32_t, const NestedField*>>* out) {
  for (const NestedField& f : fields) {
    out->emplace_back(f.id, &f);
    const Type& t = *f.type;
    if (t.id == TypeId::kStruct) StructFields(t.fields, out);
    std::vector<const Type*> inner;
    for (const Type* x = &t; x->id == TypeId::kList || x->id == TypeId::kMap;) {
      const Type* next = x->fields.back().type.get();
      if (x->id == TypeId::kMap) inner.push_back(x->fields[0].type.get());
      inner.push_back(next);
      x = next;
    }
    for (const Type* x : inner) {
      if (x->id == TypeId::kStruct) StructFields(x->fields, out);
    }
  }
}

std::shared_ptr<const Type> RenamedType(const std::shared_ptr<const Type>& t,
                                        const std::map<int32_t, std::string>& names) {
  if (!t->is_nested()) return t;
  auto copy = std::make_shared<Type>(*t);
  for (NestedField& f : copy->fields) {
    if (t->id == TypeId::kStruct) {
      if (auto it = names.find(f.id); it != names.end()) f.name = it->second;
    }
    f.type = RenamedType(f.type, names);
  }
  return copy;
}

}  // namespace

Result<NameMapping> ParseNameMapping(std::string_view text) {
  json::parse_options opts;
  opts.max_depth = 2 * kMaxMappingDepth + 8;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec)
    return Status::Corruption("name mapping (" + std::string(kNameMappingProperty) +
                              ") is not JSON: " + ec.message());
  NameMapping out;
  size_t count = 0;
  LS_RETURN_IF_ERROR(ParseFields(v, 0, &count, &out));
  return out;
}

FileColumns ColumnsOfParquet(const parquet::ParquetReader& reader) {
  FileColumns out;
  const parquet::Schema& s = reader.schema();
  for (int child : s.root().children) {
    out.columns.push_back(ColumnOf(s, reader.metadata().schema, s.node(child), &out.has_ids));
  }
  return out;
}

Result<PhysicalNaming> ResolvePhysicalNames(
    const Schema& schema, const NameMapping& mapping,
    const std::vector<std::pair<std::string, FileColumns>>& files) {
  PhysicalNaming out;
  out.all_files_have_ids = true;
  for (const auto& [name, cols] : files) out.all_files_have_ids &= cols.has_ids;
  if (out.all_files_have_ids) return out;
  auto walk = [&](Walker* w) {
    for (size_t i = 0; i < files.size(); ++i) {
      w->by_id = files[i].second.has_ids;
      w->file = i;
      w->Fields(schema.fields, files[i].second.columns, &mapping);
    }
  };
  Walker first;
  walk(&first);
  std::vector<std::pair<int32_t, const NestedField*>> fields;
  StructFields(schema.fields, &fields);
  for (const auto& [id, f] : fields) {
    auto it = first.seen.find(id);
    if (it == first.seen.end()) {
      out.names[id] = f->name;
      continue;
    }
    if (it->second.size() > 1) {
      auto a = it->second.begin(), b = std::next(a);
      return Status::Unsupported(
          "column '" + FieldPathOf(schema, id) + "' is '" + a->first + "' in data file '" +
          files[a->second].first + "' and '" + b->first + "' in data file '" +
          files[b->second].first + "' (files without field ids are read through " +
          kNameMappingProperty + "), so no one physical name reads every file");
    }
    out.names[id] = it->second.begin()->first;
  }
  // A field no file holds may take a name no file uses; any other clash
  // has no exact answer.
  for (int attempt = 0;; ++attempt) {
    Walker second;
    second.chosen = &out.names;
    walk(&second);
    if (!second.clash) break;
    const int32_t id = *second.clash;
    if (attempt < 64 && first.seen.count(id) == 0) {
      out.names[id] = "_iceberg_field_" + std::to_string(id);
      continue;
    }
    return Status::Unsupported(
        "column '" + FieldPathOf(schema, id) + "' would be read by its name '" + second.clash_name +
        "', but data file '" + files[*second.clash_file].first +
        "' has another column of that name (files without field ids are read through " +
        kNameMappingProperty + ")");
  }
  return out;
}

Schema RenamedSchema(const Schema& schema, const std::map<int32_t, std::string>& names) {
  Schema out = schema;
  for (NestedField& f : out.fields) {
    if (auto it = names.find(f.id); it != names.end()) f.name = it->second;
    f.type = RenamedType(f.type, names);
  }
  return out;
}

}  // namespace lakeshare::iceberg
