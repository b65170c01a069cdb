#include "iceberg/equality_deletes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <variant>

#include "common/crypto.h"
#include "common/encoding.h"
#include "iceberg/avro_writer.h"
#include "iceberg/iceberg_table.h"
#include "parquet/parquet_reader.h"
#include "parquet/record_view.h"
#include "storage/local_storage.h"
#include "table/deletion_vector_bytes.h"
#include "testing/counting_storage.h"
#include "testing/status_matchers.h"

namespace lakeshare {
namespace {

namespace fs = std::filesystem;
namespace ek = iceberg::equality_key;
using testing::StatusIs;

// ---------------------------------------------------------------- keys

// A key value as the spec compares them, for the fuzz: std::monostate is
// NULL; doubles compare by bits except that every NaN is equal.
using Value = std::variant<std::monostate, int64_t, double, std::string, bool>;

bool SpecEqual(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<double>(&a)) {
    const double y = std::get<double>(b);
    if (std::isnan(*x) || std::isnan(y)) return std::isnan(*x) && std::isnan(y);
    return std::memcmp(x, &y, sizeof y) == 0;
  }
  return a == b;
}

void Append(const Value& v, std::string* key) {
  if (std::holds_alternative<std::monostate>(v)) ek::AppendNull(key);
  if (const auto* i = std::get_if<int64_t>(&v)) ek::AppendInt(key, *i);
  if (const auto* d = std::get_if<double>(&v)) ek::AppendDouble(key, *d);
  if (const auto* s = std::get_if<std::string>(&v)) ek::AppendBytes(key, *s);
  if (const auto* b = std::get_if<bool>(&v)) ek::AppendBool(key, *b);
}

TEST(EqualityKey, FloatSemanticsAndNulls) {
  auto key = [](const Value& v) {
    std::string k;
    Append(v, &k);
    return k;
  };
  const double nan1 = std::numeric_limits<double>::quiet_NaN();
  double nan2 = 0;
  const uint64_t other_nan = 0x7ff0000000000001ULL;  // a signalling NaN payload
  std::memcpy(&nan2, &other_nan, sizeof nan2);
  EXPECT_EQ(key(nan1), key(nan2));
  EXPECT_EQ(key(-nan1), key(nan1));
  EXPECT_NE(key(0.0), key(-0.0));
  EXPECT_NE(key(Value{}), key(int64_t{0}));
  EXPECT_NE(key(Value{}), key(std::string()));
  EXPECT_EQ(key(Value{}), key(Value{}));
  // A float column's value widened to double equals the double.
  EXPECT_EQ(key(static_cast<double>(1.5F)), key(1.5));
  // Concatenated columns cannot be confused: ("a", "bc") vs ("ab", "c").
  std::string ab, a_b;
  Append(std::string("a"), &ab);
  Append(std::string("bc"), &ab);
  Append(std::string("ab"), &a_b);
  Append(std::string("c"), &a_b);
  EXPECT_NE(ab, a_b);
  std::string d1, d2;
  ek::AppendDecimal(&d1, -1);
  ek::AppendDecimal(&d2, (static_cast<__int128>(1) << 64) - 1);
  EXPECT_NE(d1, d2);
}

TEST(EqualityKey, FuzzedTuplesAreEqualExactlyWhenTheSpecSaysSo) {
  std::mt19937_64 rng(20261206);
  const std::vector<double> doubles = {0.0,
                                       -0.0,
                                       1.0,
                                       -1.0,
                                       std::numeric_limits<double>::quiet_NaN(),
                                       -std::numeric_limits<double>::quiet_NaN(),
                                       std::numeric_limits<double>::infinity(),
                                       std::numeric_limits<double>::denorm_min()};
  auto random_value = [&](int kind) -> Value {
    switch (kind) {
      case 0:
        return Value{};
      case 1:
        return static_cast<int64_t>(rng() % 5) - 2;
      case 2:
        return doubles[rng() % doubles.size()];
      case 3:
        return std::string(rng() % 3, static_cast<char>('a' + rng() % 2));
      default:
        return rng() % 2 == 0;
    }
  };
  int equal = 0;
  for (int round = 0; round < 20000; ++round) {
    const size_t columns = 1 + rng() % 3;
    std::vector<int> kinds;
    for (size_t c = 0; c < columns; ++c) kinds.push_back(static_cast<int>(rng() % 5));
    std::vector<Value> a, b;
    std::string ka, kb;
    bool same = true;
    for (size_t c = 0; c < columns; ++c) {
      // Nulls in either column at random, as in real key columns.
      a.push_back(rng() % 4 == 0 ? Value{} : random_value(kinds[c]));
      b.push_back(rng() % 4 == 0 ? Value{} : random_value(kinds[c]));
      Append(a.back(), &ka);
      Append(b.back(), &kb);
      same = same && SpecEqual(a.back(), b.back());
    }
    ASSERT_EQ(ka == kb, same) << "round " << round;
    equal += same ? 1 : 0;
  }
  EXPECT_GT(equal, 1000);  // the fuzz exercises both outcomes
}

// ---------------------------------------------------------------- tables

std::string TestData(const std::string& relative) {
  return (fs::path(LAKESHARE_TESTDATA_DIR) / "iceberg" / relative).string();
}

std::shared_ptr<IcebergTable> Open(const std::string& location, IcebergTableOptions options = {},
                                   std::shared_ptr<Storage> storage = nullptr) {
  if (!storage) storage = std::make_shared<testing::CountingStorage>();
  return std::make_shared<IcebergTable>(location, storage, std::move(options));
}

std::string Basename(const std::string& p) { return p.substr(p.find_last_of('/') + 1); }

std::vector<uint64_t> Positions(const DeletionVector& dv) {
  if (dv.storage_type == "i") {
    auto bytes = Z85Decode(dv.path_or_inline_dv);
    if (!bytes) return {};
    return ParseRoaringBitmapArray(bytes->substr(0, dv.size_in_bytes))
        .value_or(std::vector<uint64_t>{});
  }
  std::ifstream in(dv.path_or_inline_dv, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto bitmap = ReadDeletionVectorFile(bytes.str(), dv.offset.value_or(1));
  if (!bitmap) return {};
  return ParseRoaringBitmapArray(*bitmap).value_or(std::vector<uint64_t>{});
}

// {data file name: deleted positions} of a snapshot.
std::map<std::string, std::vector<uint64_t>> Deleted(const TableSnapshot& s) {
  std::map<std::string, std::vector<uint64_t>> out;
  for (const DataFile& f : s.files) {
    if (f.deletion_vector) out[Basename(f.path.str())] = Positions(*f.deletion_vector);
  }
  return out;
}

const std::vector<std::string>& EqualityTables() {
  static const std::vector<std::string> kTables = {
      "impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality",
      "impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality_multi_eq_ids",
      "impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality_nulls",
      "impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality_partitioned",
      "impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality_partition_evolution",
      "impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_both_eq_and_pos",
      "impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_pos_and_multi_eq_ids",
      "duckdb-iceberg/equality_deletes/warehouse/mydb/mytable",
      "duckdb-iceberg/equality_deletes/warehouse/mydb/mytable_partitioned",
      "duckdb-iceberg/equality_delete_cross_partition/warehouse/ns/t/metadata/"
      "vfinal.metadata.json",
      "duckdb-iceberg/equality_delete_extra_column/warehouse/ns/t/metadata/"
      "vfinal.metadata.json",
  };
  return kTables;
}

TEST(IcebergEqualityDeletes, EveryVersionOfEveryTableIsServed) {
  for (const std::string& rel : EqualityTables()) {
    auto t = Open(TestData(rel));
    ASSERT_OK_AND_ASSIGN(auto latest, t->Snapshot(std::nullopt));
    EXPECT_FALSE(latest->unreadable_reason) << rel << ": " << *latest->unreadable_reason;
    EXPECT_FALSE(Deleted(*latest).empty()) << rel;
    // Every version down to the earliest kept (below it: a 400).
    for (int64_t v = latest->version; v >= 0; --v) {
      auto snapshot = t->Snapshot(v);
      if (!snapshot.ok() && v < latest->version) {
        // Below the earliest version, or an expired snapshot whose
        // manifest list the table no longer holds.
        EXPECT_TRUE(snapshot.status().code() == StatusCode::kInvalidArgument ||
                    snapshot.status().code() == StatusCode::kNotFound)
            << rel << "@" << v << ": " << snapshot.status().ToString();
        break;
      }
      ASSERT_OK_AND_ASSIGN(auto s, std::move(snapshot));
      EXPECT_FALSE(s->unreadable_reason) << rel << "@" << v;
      for (const DataFile& f : s->files) {
        if (!f.deletion_vector) continue;
        const auto positions = Positions(*f.deletion_vector);
        EXPECT_EQ(static_cast<int64_t>(positions.size()), f.deletion_vector->cardinality);
        EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end()));
      }
    }
  }
}

TEST(IcebergEqualityDeletes, BoundsAreClearErrors) {
  const std::string rel = "impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality_nulls";
  IcebergTableOptions keys;
  keys.max_equality_key_bytes = 16;
  EXPECT_THAT(Open(TestData(rel), keys)->Snapshot(std::nullopt).status(),
              StatusIs(StatusCode::kTooLarge));
  IcebergTableOptions scan;
  scan.max_equality_scan_bytes = 1;
  auto scanned = Open(TestData(rel), scan)->Snapshot(std::nullopt);
  EXPECT_THAT(scanned.status(), StatusIs(StatusCode::kTooLarge));
  EXPECT_NE(scanned.status().message().find("equality deletes"), std::string::npos)
      << scanned.status().ToString();
}

TEST(IcebergEqualityDeletes, ScanTimeIsBounded) {
  // A slow store: every ranged read takes 60 ms. Resolving may take 30 ms:
  // the first parquet footer read already exceeds it, a clear kTooLarge.
  const fs::path dir = fs::temp_directory_path() / ("iceeq-time-" + HexEncode(RandomBytes(6)));
  ASSERT_OK_AND_ASSIGN(auto cache, ContentCache::Open({dir.string()}));
  const std::string location =
      TestData("impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality_multi_eq_ids");
  auto slow = std::make_shared<testing::CountingStorage>();
  slow->read_delay = std::chrono::milliseconds(60);
  IcebergTableOptions bounded;
  bounded.dv_cache = cache;
  bounded.max_equality_scan_ms = 30;
  auto refused = Open(location, bounded, slow)->Snapshot(std::nullopt);
  EXPECT_THAT(refused.status(), StatusIs(StatusCode::kTooLarge));
  EXPECT_NE(refused.status().message().find("takes longer than 30 ms"), std::string::npos)
      << refused.status().ToString();
  // Resolved once without the bound, the positions come from the cache: no
  // scan, so even a zero time bound is met.
  IcebergTableOptions unbounded;
  unbounded.dv_cache = cache;
  ASSERT_OK_AND_ASSIGN(auto resolved, Open(location, unbounded)->Snapshot(std::nullopt));
  bounded.max_equality_scan_ms = 0;
  ASSERT_OK_AND_ASSIGN(auto cached, Open(location, bounded, slow)->Snapshot(std::nullopt));
  EXPECT_EQ(Deleted(*cached), Deleted(*resolved));
  EXPECT_FALSE(Deleted(*cached).empty());
  fs::remove_all(dir);
}

TEST(IcebergEqualityDeletes, CorruptDeleteFilesAreCorruption) {
  // A copy of the table whose equality delete files hold garbage.
  const fs::path source =
      TestData("impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality_nulls");
  const fs::path copy = fs::temp_directory_path() / ("iceeq-" + HexEncode(RandomBytes(6)));
  fs::copy(source, copy, fs::copy_options::recursive);
  int damaged = 0;
  for (const auto& e : fs::recursive_directory_iterator(copy)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.rfind("delete-", 0) == 0) {  // Impala's delete files
      std::ofstream(e.path(), std::ios::binary | std::ios::trunc) << "not a parquet file";
      ++damaged;
    }
  }
  ASSERT_GT(damaged, 0);
  auto s = Open(copy.string())->Snapshot(std::nullopt);
  EXPECT_THAT(s.status(), StatusIs(StatusCode::kCorruption));
  fs::remove_all(copy);
}

TEST(IcebergEqualityDeletes, ResolvedPositionsAreCachedByContent) {
  const fs::path dir = fs::temp_directory_path() / ("iceeq-cache-" + HexEncode(RandomBytes(6)));
  ASSERT_OK_AND_ASSIGN(auto cache, ContentCache::Open({dir.string()}));
  IcebergTableOptions options;
  options.dv_cache = cache;
  const std::string location =
      TestData("impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality_multi_eq_ids");
  ASSERT_OK_AND_ASSIGN(auto first, Open(location, options)->Snapshot(std::nullopt));
  // Another table object (a restart, a replica) finds the positions in the
  // cache: it reads no parquet file (data or delete) at all.
  auto storage = std::make_shared<testing::CountingStorage>();
  ASSERT_OK_AND_ASSIGN(auto second, Open(location, options, storage)->Snapshot(std::nullopt));
  EXPECT_EQ(Deleted(*second), Deleted(*first));
  EXPECT_FALSE(Deleted(*first).empty());
  for (const std::string& read : storage->counts().read) {
    EXPECT_EQ(read.find(".parquet"), std::string::npos) << read;
  }
  // Without the cache the same build reads them (the check above counts).
  auto uncached = std::make_shared<testing::CountingStorage>();
  ASSERT_OK(Open(location, {}, uncached)->Snapshot(std::nullopt));
  const auto& reads = uncached->counts().read;
  EXPECT_TRUE(std::any_of(reads.begin(), reads.end(), [](const std::string& r) {
    return r.find(".parquet") != std::string::npos;
  }));
  fs::remove_all(dir);
}

TEST(IcebergEqualityDeletes, RenamedKeyColumnsResolveAndAreServedByFieldId) {
  // The deletes resolve (key columns by field id), and the renamed column
  // makes the snapshot column-mapped (clients read the files by field id).
  auto t = Open(TestData(
      "impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_equality_delete_schema_evolution"));
  ASSERT_OK_AND_ASSIGN(auto latest, t->Snapshot(std::nullopt));
  EXPECT_FALSE(latest->unreadable_reason) << *latest->unreadable_reason;
  EXPECT_EQ(latest->metadata.configuration.at("delta.columnMapping.mode"), "id");
  ASSERT_TRUE(latest->protocol.reader_features);
  const auto& features = *latest->protocol.reader_features;
  EXPECT_NE(std::find(features.begin(), features.end(), "columnMapping"), features.end());
  EXPECT_NE(std::find(features.begin(), features.end(), "deletionVectors"), features.end());
  EXPECT_TRUE(std::any_of(latest->files.begin(), latest->files.end(),
                          [](const DataFile& f) { return f.deletion_vector.has_value(); }));
}

// ---------------------------------------------------------------- Avro

// The int column `name` of a parquet file, row by row (nullopt: null).
std::vector<std::optional<int64_t>> IntColumn(Storage& storage, const std::string& path,
                                              const std::string& name) {
  std::vector<std::optional<int64_t>> out;
  auto file = storage.OpenRandomAccess(path, std::nullopt);
  EXPECT_TRUE(file.ok()) << path;
  if (!file.ok()) return out;
  auto reader =
      parquet::ParquetReader::Open(std::shared_ptr<const RandomAccessFile>(std::move(*file)));
  EXPECT_TRUE(reader.ok()) << path;
  if (!reader.ok()) return out;
  auto leaves = reader->schema().Resolve({name});
  EXPECT_TRUE(leaves.ok()) << path;
  if (!leaves.ok()) return out;
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    auto batch = reader->ReadRowGroup(rg, *leaves);
    EXPECT_TRUE(batch.ok());
    if (!batch.ok()) return out;
    auto tree = parquet::RecordTree::Make(std::move(*batch));
    EXPECT_TRUE(tree.ok());
    if (!tree.ok()) return out;
    const parquet::RecordNode* column = tree->root().Child(name);
    for (int64_t r = 0; r < tree->num_rows(); ++r) {
      out.push_back(column->IsValid(r) ? std::optional<int64_t>(column->Int64(r)) : std::nullopt);
    }
  }
  return out;
}

// An Avro equality delete file of one optional int column (as Iceberg's
// writers lay it out: the key columns, with their field ids).
std::string AvroIntDeletes(const std::string& field_json,
                           const std::vector<std::optional<int64_t>>& values) {
  auto w = iceberg::AvroFileWriter::Create(
      R"({"type":"record","name":"delete","fields":[)" + field_json + "]}", {});
  EXPECT_TRUE(w.ok());
  if (!w.ok()) return "";
  for (const std::optional<int64_t>& v : values) {
    avro_value_t* rec = (*w)->NewRecord();
    auto f = iceberg::AvroField(rec, "key");
    EXPECT_TRUE(f.ok());
    if (!f.ok()) return "";
    EXPECT_TRUE((v ? iceberg::AvroSetLong(&*f, *v) : iceberg::AvroSetNull(&*f)).ok());
    EXPECT_TRUE((*w)->Append().ok());
  }
  auto bytes = (*w)->Finish();
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? *bytes : "";
}

TEST(IcebergEqualityDeletes, AvroDeleteFilesResolveLikeParquet) {
  // Impala's equality delete table with nulls: key column i (field id 1),
  // one parquet delete file. Its rows, written again as Avro by our writer,
  // delete exactly what the parquet file deletes.
  const std::string table =
      TestData("impala/iceberg_test/hadoop_catalog/ice/iceberg_v2_delete_equality_nulls");
  LocalStorage storage;
  ASSERT_OK_AND_ASSIGN(std::string meta_bytes, storage.Read(table + "/metadata/v4.metadata.json"));
  ASSERT_OK_AND_ASSIGN(iceberg::IcebergMetadata meta, iceberg::ParseMetadata(meta_bytes));
  iceberg::FileContext ctx;
  ctx.meta = &meta;
  ctx.schema = meta.CurrentSchema();
  ASSERT_NE(ctx.schema, nullptr);

  // Both data files, older than the delete file (sequence 1 < 2).
  auto data = std::make_shared<iceberg::ConvertedManifest>();
  FileList::Chunk chunk;
  for (const char* name : {"a94b351bfa56dbd8-ddb31c6400000000_1397530881_data.0.parq",
                           "e6484a6fb0a2b4e6-d242a84000000000_1980761347_data.0.parq"}) {
    DataFile f;
    f.path = table + "/data/" + name;
    f.size = static_cast<int64_t>(fs::file_size(f.path.str()));
    chunk.push_back(f);
    data->data_sequence.push_back(1);
    data->partition_of.push_back(0);
  }
  data->files = chunk.size();
  data->chunks.push_back(std::move(chunk));
  data->partitions.push_back("0:");
  const std::vector<std::shared_ptr<const iceberg::ConvertedManifest>> manifests = {data};

  const std::string parquet_delete =
      table + "/data/delete-494fbbd4b792bdd2-aabb8e2000000000_1239775374_data.0.parq";
  auto resolve = [&](const std::string& path, const std::string& format) {
    iceberg::DeleteFileRef d;
    d.content = iceberg::FileContent::kEqualityDeletes;
    d.path = path;
    d.file_format = format;
    d.data_sequence = 2;
    d.unpartitioned = true;
    d.file_size = static_cast<int64_t>(fs::file_size(path));
    d.equality_ids = {1};
    return iceberg::ResolveEqualityDeletes(storage, ctx, manifests, {&d}, {});
  };
  ASSERT_OK_AND_ASSIGN(auto from_parquet, resolve(parquet_delete, "PARQUET"));
  ASSERT_FALSE(from_parquet.empty());

  const std::vector<std::optional<int64_t>> keys = IntColumn(storage, parquet_delete, "i");
  ASSERT_FALSE(keys.empty());
  const fs::path dir = fs::temp_directory_path() / ("iceeq-avro-" + HexEncode(RandomBytes(6)));
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& bytes) {
    const std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  };
  // Field id 1 under another name (a renamed column: matched by id).
  const std::string by_id = write(
      "by-id.avro",
      AvroIntDeletes(R"({"name":"key","type":["null","int"],"default":null,"field-id":1})", keys));
  ASSERT_OK_AND_ASSIGN(auto from_avro, resolve(by_id, "AVRO"));
  EXPECT_EQ(from_avro, from_parquet);

  // Independently: every row of the data files whose i is in a chosen key
  // set (a null, a value present and one absent) is deleted, the others not.
  const std::vector<std::optional<int64_t>> chosen = {std::nullopt, 2, 1000};
  iceberg::PositionsByFile expected;
  for (const DataFile& f : data->chunks[0]) {
    const auto column = IntColumn(storage, f.path.str(), "i");
    for (size_t r = 0; r < column.size(); ++r) {
      if (std::find(chosen.begin(), chosen.end(), column[r]) != chosen.end()) {
        expected[f.path.str()].push_back(r);
      }
    }
  }
  ASSERT_FALSE(expected.empty());
  const std::string several =
      write("several.avro",
            AvroIntDeletes(R"({"name":"key","type":["null","int"],"default":null,"field-id":1})",
                           chosen));
  ASSERT_OK_AND_ASSIGN(auto from_several, resolve(several, "avro"));
  EXPECT_EQ(from_several, expected);

  // A writer that recorded no field ids: the key column by the field's
  // name ("key" is not "i": missing), here as a long column.
  const std::string unnamed =
      write("unnamed.avro",
            AvroIntDeletes(R"({"name":"key","type":["null","long"],"default":null})", chosen));
  EXPECT_THAT(resolve(unnamed, "AVRO").status(), StatusIs(StatusCode::kCorruption));
  {
    auto w = iceberg::AvroFileWriter::Create(
        R"({"type":"record","name":"d","fields":[{"name":"i","type":["null","long"]}]})", {});
    ASSERT_OK(w.status());
    for (const auto& v : chosen) {
      avro_value_t* rec = (*w)->NewRecord();
      ASSERT_OK_AND_ASSIGN(auto f, iceberg::AvroField(rec, "i"));
      ASSERT_OK(v ? iceberg::AvroSetLong(&f, *v) : iceberg::AvroSetNull(&f));
      ASSERT_OK((*w)->Append());
    }
    ASSERT_OK_AND_ASSIGN(std::string bytes, (*w)->Finish());
    ASSERT_OK_AND_ASSIGN(auto named, resolve(write("named.avro", bytes), "AVRO"));
    EXPECT_EQ(named, expected);
  }
  // A key column of another field id: the file lacks the key.
  const std::string other_id = write(
      "other-id.avro",
      AvroIntDeletes(R"({"name":"key","type":["null","int"],"default":null,"field-id":7})", keys));
  auto missing = resolve(other_id, "AVRO");
  EXPECT_THAT(missing.status(), StatusIs(StatusCode::kCorruption));
  EXPECT_NE(missing.status().message().find("field id 1"), std::string::npos)
      << missing.status().ToString();
  // Garbage declared as Avro; ORC stays refused naming the format.
  EXPECT_THAT(resolve(write("garbage.avro", "Obj\x01garbage"), "AVRO").status(),
              StatusIs(StatusCode::kCorruption));
  auto orc = resolve(by_id, "ORC");
  EXPECT_THAT(orc.status(), StatusIs(StatusCode::kUnsupported));
  EXPECT_NE(orc.status().message().find("in ORC format"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lakeshare
