#include "predicate/evaluate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "predicate/json_predicate.h"

namespace lakeshare {

void PrintTo(const Truth& t, std::ostream* os) {
  *os << "{may_be_true=" << t.may_be_true << ", may_be_false=" << t.may_be_false << "}";
}

namespace {

using Partitions = PartitionValues;

constexpr Truth kTrue{true, false};    // every row satisfies it
constexpr Truth kFalse{false, true};   // no row does: skip the file
constexpr Truth kUnknown{true, true};  // some might

std::string Col(const std::string& name, const std::string& type) {
  return R"({"op":"column","name":")" + name + R"(","valueType":")" + type + R"("})";
}
std::string Lit(const std::string& value, const std::string& type) {
  return R"({"op":"literal","value":")" + value + R"(","valueType":")" + type + R"("})";
}
std::string Node(const std::string& op, const std::vector<std::string>& children) {
  std::string s = R"({"op":")" + op + R"(","children":[)";
  for (size_t i = 0; i < children.size(); ++i) s += (i ? "," : "") + children[i];
  return s + "]}";
}
std::string Cmp(const std::string& op, const std::string& col, const std::string& value,
                const std::string& type) {
  return Node(op, {Col(col, type), Lit(value, type)});
}
std::string Not(const std::string& child) { return Node("not", {child}); }
std::string IsNull(const std::string& col) { return Node("isNull", {Col(col, "int")}); }

Predicate MustParse(const std::string& json) {
  Result<Predicate> p = ParseJsonPredicate(json);
  if (!p.ok()) {
    ADD_FAILURE() << json << ": " << p.status();
    return *ParseJsonPredicate(IsNull("never"));
  }
  return std::move(p).value();
}

Truth EvalJson(const std::string& json, const Partitions& parts, const std::string& stats = "") {
  FileStats parsed = stats.empty() ? FileStats() : FileStats::Parse(stats);
  return Evaluate(MustParse(json), FileView{&parts, &parsed});
}
Truth OnStats(const std::string& json, const std::string& stats) {
  return EvalJson(json, {}, stats);
}
Truth OnPartition(const std::string& json, const std::string& col,
                  std::optional<std::string> value) {
  return EvalJson(json, {{col, std::move(value)}});
}

// ---------------------------------------------------------------------------
// Partition columns: exact values.

struct TypeCase {
  const char* type;
  const char* below;
  const char* value;
  const char* above;
};

const TypeCase kTypeCases[] = {
    {"int", "4", "5", "6"},
    {"long", "4999999999", "5000000000", "5000000001"},
    {"string", "apple", "m", "zebra"},
    {"date", "2021-06-14", "2021-06-15", "2021-06-16"},
    {"float", "1.25", "1.5", "1.75"},
    {"double", "-2.5000001", "-2.5", "-2.4999999"},
    {"timestamp", "2021-01-01T00:00:00.000001Z", "2021-01-01T00:00:00.000002Z",
     "2021-01-01T00:00:00.000003Z"},
};

Truth Exact(bool b) { return b ? kTrue : kFalse; }

TEST(EvaluateTest, EveryOpAndTypeOnPartitionValues) {
  for (const TypeCase& c : kTypeCases) {
    // sign: how the partition value compares with the literal.
    for (auto [lit, sign] : {std::pair{c.below, 1}, {c.value, 0}, {c.above, -1}}) {
      auto on = [&c, literal = lit](const char* op) {
        return OnPartition(Cmp(op, "p", literal, c.type), "p", c.value);
      };
      SCOPED_TRACE(std::string(c.type) + " value " + c.value + " vs literal " + lit);
      EXPECT_EQ(on("equal"), Exact(sign == 0));
      EXPECT_EQ(on("lessThan"), Exact(sign < 0));
      EXPECT_EQ(on("lessThanOrEqual"), Exact(sign <= 0));
      EXPECT_EQ(on("greaterThan"), Exact(sign > 0));
      EXPECT_EQ(on("greaterThanOrEqual"), Exact(sign >= 0));
      EXPECT_EQ(OnPartition(Not(Cmp("equal", "p", lit, c.type)), "p", c.value), Exact(sign != 0));
    }
  }
}

TEST(EvaluateTest, BoolPartitions) {
  EXPECT_EQ(OnPartition(Cmp("equal", "b", "true", "bool"), "b", "true"), kTrue);
  EXPECT_EQ(OnPartition(Cmp("equal", "b", "true", "bool"), "b", "false"), kFalse);
  EXPECT_EQ(OnPartition(Cmp("lessThan", "b", "true", "bool"), "b", "false"), kTrue);
  EXPECT_EQ(OnPartition(Cmp("greaterThan", "b", "false", "bool"), "b", "TRUE"), kTrue);
}

TEST(EvaluateTest, PartitionValuesInTheirWrittenForms) {
  // delta-rs writes float partitions of integral values as "2021.0".
  EXPECT_EQ(OnPartition(Cmp("equal", "year", "2021", "double"), "year", "2021.0"), kTrue);
  EXPECT_EQ(OnPartition(Cmp("equal", "year", "2021", "int"), "year", "2021.0"), kUnknown);
  // Microseconds in the legacy form; an ISO value with a zone is exact.
  EXPECT_EQ(OnPartition(Cmp("equal", "t", "2021-01-01T00:00:00.123456Z", "timestamp"), "t",
                        "2021-01-01T00:00:00.123456Z"),
            kTrue);
  EXPECT_EQ(OnPartition(Cmp("greaterThan", "t", "2021-01-01T00:00:00.123456Z", "timestamp"), "t",
                        "2021-01-01T00:00:00.123457Z"),
            kTrue);
}

TEST(EvaluateTest, ZonelessPartitionTimestampsAreComparedWithEveryZone) {
  const std::string t = "2021-01-01 12:00:00";
  auto on = [&](const char* op, const char* lit) {
    return OnPartition(Cmp(op, "t", lit, "timestamp"), "t", t);
  };
  // 12:00 in some zone is between 22:00 the day before and midnight after, in UTC.
  EXPECT_EQ(on("equal", "2021-01-01T12:00:00Z"), kUnknown);
  EXPECT_EQ(on("lessThan", "2021-01-01T12:00:00Z"), kUnknown);
  EXPECT_EQ(on("equal", "2021-01-02T03:00:00Z"), kFalse);
  EXPECT_EQ(on("lessThan", "2021-01-02T03:00:00Z"), kTrue);
  EXPECT_EQ(on("greaterThan", "2020-12-31T21:00:00Z"), kTrue);
  EXPECT_EQ(on("greaterThan", "2021-01-02T03:00:00Z"), kFalse);
}

TEST(EvaluateTest, NullPartitions) {
  for (std::optional<std::string> null_value :
       {std::optional<std::string>(), std::optional<std::string>("")}) {
    EXPECT_EQ(OnPartition(IsNull("p"), "p", null_value), kTrue);
    EXPECT_EQ(OnPartition(Not(IsNull("p")), "p", null_value), kFalse);
    // NULL = 5 is never true; NOT keeps the file (conservatively: see evaluate.h).
    EXPECT_EQ(OnPartition(Cmp("equal", "p", "5", "int"), "p", null_value), kFalse);
    EXPECT_EQ(OnPartition(Not(Cmp("equal", "p", "5", "int")), "p", null_value), kTrue);
    EXPECT_EQ(OnPartition(Cmp("lessThan", "p", "5", "int"), "p", null_value), kFalse);
  }
  EXPECT_EQ(OnPartition(IsNull("p"), "p", "5"), kFalse);
  EXPECT_EQ(OnPartition(Not(IsNull("p")), "p", "5"), kTrue);
}

TEST(EvaluateTest, UnparseablePartitionValueIsUnknown) {
  EXPECT_EQ(OnPartition(Cmp("equal", "p", "5", "int"), "p", "five"), kUnknown);
  EXPECT_EQ(OnPartition(Not(Cmp("equal", "p", "5", "int")), "p", "five"), kUnknown);
  EXPECT_EQ(OnPartition(Cmp("equal", "p", "2021-01-01", "date"), "p", "2021-02-30"), kUnknown);
  // It is still not NULL.
  EXPECT_EQ(OnPartition(IsNull("p"), "p", "five"), kFalse);
}

TEST(EvaluateTest, ColumnNamesMatchCaseInsensitively) {
  EXPECT_EQ(OnPartition(Cmp("equal", "HireDate", "2021-04-29", "date"), "hiredate", "2021-04-29"),
            kTrue);
  EXPECT_EQ(OnPartition(Cmp("equal", "hiredate", "2021-04-29", "date"), "HIREDATE", "2021-04-28"),
            kFalse);
  EXPECT_EQ(OnStats(Cmp("equal", "Id", "50", "int"),
                    R"({"numRecords":2,"minValues":{"ID":1},"maxValues":{"ID":9}})"),
            kFalse);
}

TEST(EvaluateTest, LiteralOnEitherSide) {
  const std::string stats = R"({"numRecords":5,"minValues":{"x":1},"maxValues":{"x":10},
                               "nullCount":{"x":0}})";
  const std::pair<const char*, const char*> mirror[] = {{"equal", "equal"},
                                                        {"lessThan", "greaterThan"},
                                                        {"lessThanOrEqual", "greaterThanOrEqual"},
                                                        {"greaterThan", "lessThan"},
                                                        {"greaterThanOrEqual", "lessThanOrEqual"}};
  for (auto [op, mirrored] : mirror) {
    for (const char* lit : {"0", "1", "5", "10", "11"}) {
      Truth col_first = OnStats(Node(mirrored, {Col("x", "int"), Lit(lit, "int")}), stats);
      Truth lit_first = OnStats(Node(op, {Lit(lit, "int"), Col("x", "int")}), stats);
      EXPECT_EQ(lit_first, col_first) << op << " " << lit;
      EXPECT_EQ(OnPartition(Node(op, {Lit(lit, "int"), Col("p", "int")}), "p", "5"),
                OnPartition(Node(mirrored, {Col("p", "int"), Lit(lit, "int")}), "p", "5"))
          << op << " " << lit;
    }
  }
}

TEST(EvaluateTest, ColumnsAndLiteralsOnBothSides) {
  Partitions parts = {{"a", "3"}, {"b", "3"}, {"c", "4"}};
  auto eval = [&](const std::string& json) {
    FileStats none;
    return Evaluate(MustParse(json), FileView{&parts, &none});
  };
  EXPECT_EQ(eval(Node("equal", {Col("a", "int"), Col("b", "int")})), kTrue);
  EXPECT_EQ(eval(Node("lessThan", {Col("a", "int"), Col("c", "int")})), kTrue);
  EXPECT_EQ(eval(Node("greaterThan", {Col("a", "int"), Col("c", "int")})), kFalse);
  EXPECT_EQ(eval(Node("equal", {Lit("1", "int"), Lit("1", "int")})), kTrue);
  EXPECT_EQ(eval(Node("lessThan", {Lit("2", "int"), Lit("1", "int")})), kFalse);
  // Two stats ranges: overlapping ranges may compare either way.
  EXPECT_EQ(OnStats(Node("lessThan", {Col("x", "int"), Col("y", "int")}),
                    R"({"numRecords":2,"minValues":{"x":1,"y":5},"maxValues":{"x":6,"y":9},
                        "nullCount":{"x":0,"y":0}})"),
            kUnknown);
  EXPECT_EQ(OnStats(Node("lessThan", {Col("x", "int"), Col("y", "int")}),
                    R"({"numRecords":2,"minValues":{"x":1,"y":5},"maxValues":{"x":4,"y":9},
                        "nullCount":{"x":0,"y":0}})"),
            kTrue);
}

// ---------------------------------------------------------------------------
// Other columns: [min, max] ranges from stats.

const char kRange[] =
    R"({"numRecords":10,"minValues":{"x":1},"maxValues":{"x":10},"nullCount":{"x":0}})";

TEST(EvaluateTest, ComparisonsOnARange) {
  struct Case {
    const char* op;
    const char* lit;
    Truth want;
  } cases[] = {
      {"equal", "0", kFalse},
      {"equal", "1", kUnknown},
      {"equal", "5", kUnknown},
      {"equal", "10", kUnknown},
      {"equal", "11", kFalse},
      {"lessThan", "1", kFalse},
      {"lessThan", "2", kUnknown},
      {"lessThan", "11", kTrue},
      {"lessThanOrEqual", "0", kFalse},
      {"lessThanOrEqual", "1", kUnknown},
      {"lessThanOrEqual", "10", kTrue},
      {"greaterThan", "10", kFalse},
      {"greaterThan", "9", kUnknown},
      {"greaterThan", "0", kTrue},
      {"greaterThanOrEqual", "11", kFalse},
      {"greaterThanOrEqual", "10", kUnknown},
      {"greaterThanOrEqual", "1", kTrue},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(OnStats(Cmp(c.op, "x", c.lit, "int"), kRange), c.want) << c.op << " " << c.lit;
    EXPECT_EQ(OnStats(Cmp(c.op, "x", c.lit, "long"), kRange), c.want) << c.op << " " << c.lit;
  }
}

TEST(EvaluateTest, NotOverARangeIsSafe) {
  // The reference server's pitfall: NOT(x = 5) on [1, 10] must keep the file.
  FileStats range = FileStats::Parse(kRange);
  EXPECT_TRUE(MayMatch(MustParse(Not(Cmp("equal", "x", "5", "int"))), FileView{nullptr, &range}));
  EXPECT_EQ(OnStats(Not(Cmp("equal", "x", "5", "int")), kRange), kUnknown);
  // Every row is 5 and none is NULL: skip.
  const char point[] =
      R"({"numRecords":3,"minValues":{"x":5},"maxValues":{"x":5},"nullCount":{"x":0}})";
  EXPECT_EQ(OnStats(Cmp("equal", "x", "5", "int"), point), kTrue);
  EXPECT_EQ(OnStats(Not(Cmp("equal", "x", "5", "int")), point), kFalse);
  EXPECT_EQ(OnStats(Not(Cmp("equal", "x", "6", "int")), point), kTrue);
  // NULLs, or unknown NULLs: keep.
  EXPECT_EQ(
      OnStats(Not(Cmp("equal", "x", "5", "int")),
              R"({"numRecords":3,"minValues":{"x":5},"maxValues":{"x":5},"nullCount":{"x":1}})"),
      kUnknown);
  EXPECT_EQ(OnStats(Not(Cmp("equal", "x", "5", "int")),
                    R"({"numRecords":3,"minValues":{"x":5},"maxValues":{"x":5}})"),
            kUnknown);
  // The other comparisons too.
  EXPECT_EQ(OnStats(Not(Cmp("lessThan", "x", "5", "int")), kRange), kUnknown);
  EXPECT_EQ(OnStats(Not(Cmp("lessThan", "x", "11", "int")), kRange), kFalse);
  EXPECT_EQ(OnStats(Not(Cmp("greaterThanOrEqual", "x", "1", "int")), kRange), kFalse);
  EXPECT_EQ(OnStats(Not(Not(Cmp("equal", "x", "5", "int"))), kRange), kUnknown);
}

TEST(EvaluateTest, RangesOfEveryType) {
  auto stats = [](const std::string& min, const std::string& max) {
    return R"({"numRecords":4,"minValues":{"c":)" + min + R"(},"maxValues":{"c":)" + max +
           R"(},"nullCount":{"c":0}})";
  };
  struct Case {
    const char* type;
    std::string min, max;  // JSON
    const char *inside, *below, *above;
  } cases[] = {
      {"int", "-5", "5", "0", "-6", "6"},
      {"long", "-5000000000", "5000000000", "0", "-5000000001", "5000000001"},
      {"string", R"("b")", R"("d")", "c", "a", "e"},
      {"string", R"("b")", R"("d")", "bzz", "az", "d0"},
      {"date", R"("2021-01-10")", R"("2021-01-20")", "2021-01-15", "2021-01-09", "2021-01-21"},
      {"float", "1.5", "2.5", "2", "1.25", "2.75"},
      {"double", "-1e10", "1e10", "0", "-1.0000001e10", "1.0000001e10"},
      {"timestamp", R"("2021-01-01T00:00:00.000Z")", R"("2021-01-02T00:00:00.000Z")",
       "2021-01-01T12:00:00Z", "2020-12-31T23:59:59.999999Z", "2021-01-02T00:00:00.001Z"},
      {"bool", "false", "false", "false", "false", "true"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.type) + " [" + c.min + ", " + c.max + "]");
    std::string s = stats(c.min, c.max);
    if (std::string(c.type) != "bool") {
      EXPECT_EQ(OnStats(Cmp("equal", "c", c.inside, c.type), s), kUnknown);
      EXPECT_EQ(OnStats(Cmp("equal", "c", c.below, c.type), s), kFalse);
      EXPECT_EQ(OnStats(Cmp("lessThan", "c", c.below, c.type), s), kFalse);
      EXPECT_EQ(OnStats(Cmp("greaterThan", "c", c.below, c.type), s), kTrue);
      EXPECT_EQ(OnStats(Cmp("lessThan", "c", c.inside, c.type), s), kUnknown);
    }
    EXPECT_EQ(OnStats(Cmp("equal", "c", c.above, c.type), s), kFalse);
    EXPECT_EQ(OnStats(Cmp("greaterThanOrEqual", "c", c.above, c.type), s), kFalse);
    EXPECT_EQ(OnStats(Cmp("lessThan", "c", c.above, c.type), s), kTrue);
  }
}

TEST(EvaluateTest, StatsTimestampsAreMillisecondTruncated) {
  const char s[] =
      R"({"numRecords":1,"minValues":{"t":"2021-01-01T00:00:00.000Z"},
          "maxValues":{"t":"2021-01-01T00:00:00.000Z"},"nullCount":{"t":0}})";
  // The row may hold 00:00:00.000500.
  EXPECT_EQ(OnStats(Cmp("equal", "t", "2021-01-01T00:00:00.000500Z", "timestamp"), s), kUnknown);
  EXPECT_EQ(OnStats(Cmp("greaterThan", "t", "2021-01-01T00:00:00.000500Z", "timestamp"), s),
            kUnknown);
  EXPECT_EQ(OnStats(Cmp("greaterThan", "t", "2021-01-01T00:00:00.001Z", "timestamp"), s), kFalse);
  EXPECT_EQ(OnStats(Cmp("lessThan", "t", "2021-01-01T00:00:00Z", "timestamp"), s), kFalse);
  // Offsets in stats are honoured.
  EXPECT_EQ(OnStats(Cmp("equal", "t", "2020-12-31T16:00:00Z", "timestamp"),
                    R"({"minValues":{"t":"2021-01-01T00:00:00.000+08:00"},
                        "maxValues":{"t":"2021-01-01T00:00:00.000+08:00"}})"),
            kUnknown);
}

TEST(EvaluateTest, FloatStatsKeepBothReadings) {
  // A float column holding 1.1f reports "1.1"; 1.1 as a double is smaller than 1.1f.
  const char s[] =
      R"({"numRecords":1,"minValues":{"f":1.1},"maxValues":{"f":1.1},"nullCount":{"f":0}})";
  EXPECT_EQ(OnStats(Cmp("equal", "f", "1.1", "float"), s), kUnknown);
  EXPECT_EQ(OnStats(Cmp("greaterThan", "f", "1.1", "float"), s), kUnknown);
  EXPECT_EQ(OnStats(Cmp("greaterThan", "f", "1.2", "float"), s), kFalse);
  EXPECT_EQ(OnStats(Cmp("equal", "f", "1.1", "double"), s), kTrue);
}

TEST(EvaluateTest, TruncatedStringStatsMayHideLongerValues) {
  std::string prefix(32, 'k');
  std::string s = R"({"numRecords":2,"minValues":{"s":"a"},"maxValues":{"s":")" + prefix +
                  R"("},"nullCount":{"s":0}})";
  EXPECT_EQ(OnStats(Cmp("equal", "s", prefix + "zzz", "string"), s), kUnknown);
  EXPECT_EQ(OnStats(Cmp("greaterThan", "s", prefix, "string"), s), kUnknown);
  EXPECT_EQ(OnStats(Cmp("greaterThanOrEqual", "s", prefix + "\xf4\x8f\xbf\xbf", "string"), s),
            kUnknown);
  EXPECT_EQ(OnStats(Cmp("equal", "s", "l", "string"), s), kFalse);
  EXPECT_EQ(OnStats(Cmp("greaterThan", "s", "kl", "string"), s), kFalse);
  // A short max is exact.
  EXPECT_EQ(OnStats(Cmp("greaterThan", "s", "kk", "string"),
                    R"({"minValues":{"s":"a"},"maxValues":{"s":"kk"}})"),
            kFalse);
}

TEST(EvaluateTest, StringsCompareBytewise) {
  // "é" (0xC3 0xA9) sorts after every ASCII letter, as in Spark.
  const char s[] = R"({"minValues":{"s":"a"},"maxValues":{"s":"z"},"nullCount":{"s":0}})";
  EXPECT_EQ(OnStats(Cmp("equal", "s", "\xc3\xa9", "string"), s), kFalse);
  EXPECT_EQ(OnStats(Cmp("lessThan", "s", "\xc3\xa9", "string"), s), kTrue);
}

TEST(EvaluateTest, UnusableStatsAreUnknown) {
  for (const char* stats : {
           R"({"numRecords":3})",                                              // no min/max
           R"({"numRecords":3,"minValues":{"x":1}})",                          // no max
           R"({"numRecords":3,"minValues":{"x":"1"},"maxValues":{"x":"9"}})",  // strings for an int
           R"({"numRecords":3,"minValues":{"x":1.5},"maxValues":{"x":9}})",  // a double for an int
           R"({"numRecords":3,"minValues":{"x":9},"maxValues":{"x":1}})",    // min > max
           R"({"numRecords":3,"minValues":{"y":1},"maxValues":{"y":1}})",    // another column
           R"({"numRecords":3,"minValues":{"x":{"y":1}},"maxValues":{"x":{"y":1}}})",  // a struct
           "not json at all",
           "{\"minValues\":{\"x\":1},\"maxValues\":{\"x\":",
           "",
       }) {
    SCOPED_TRACE(stats);
    EXPECT_EQ(OnStats(Cmp("equal", "x", "50", "int"), stats), kUnknown);
    EXPECT_EQ(OnStats(Not(Cmp("equal", "x", "50", "int")), stats), kUnknown);
  }
  // A date column with an unreadable value.
  EXPECT_EQ(OnStats(Cmp("equal", "d", "2021-01-01", "date"),
                    R"({"minValues":{"d":"someday"},"maxValues":{"d":"2020-01-01"}})"),
            kUnknown);
}

TEST(EvaluateTest, AllNullColumns) {
  // Delta writes no min/max when every value is NULL; nullCount == numRecords says so.
  const char s[] = R"({"numRecords":4,"minValues":{},"maxValues":{},"nullCount":{"x":4}})";
  EXPECT_EQ(OnStats(Cmp("equal", "x", "5", "int"), s), kFalse);
  EXPECT_EQ(OnStats(Not(Cmp("equal", "x", "5", "int")), s), kTrue);  // conservative
  EXPECT_EQ(OnStats(IsNull("x"), s), kTrue);
  EXPECT_EQ(OnStats(Not(IsNull("x")), s), kFalse);
}

TEST(EvaluateTest, IsNullOnStats) {
  EXPECT_EQ(OnStats(IsNull("x"), R"({"numRecords":4,"nullCount":{"x":0}})"), kFalse);
  EXPECT_EQ(OnStats(IsNull("x"), R"({"numRecords":4,"nullCount":{"x":2}})"), kUnknown);
  EXPECT_EQ(OnStats(IsNull("x"), R"({"numRecords":4,"nullCount":{"x":4}})"), kTrue);
  EXPECT_EQ(OnStats(IsNull("x"), R"({"nullCount":{"x":4}})"), kUnknown);  // no numRecords
  EXPECT_EQ(OnStats(IsNull("x"), R"({"nullCount":{"x":0}})"), kFalse);
  EXPECT_EQ(OnStats(IsNull("x"), R"({"numRecords":4,"minValues":{"x":1}})"), kUnknown);
  EXPECT_EQ(OnStats(IsNull("x"), R"({"numRecords":4})"), kUnknown);
  EXPECT_EQ(OnStats(IsNull("x"), "garbage"), kUnknown);
  EXPECT_EQ(OnStats(Not(IsNull("x")), R"({"numRecords":4,"nullCount":{"x":0}})"), kTrue);
  // A comparison on a column with some NULLs may be false even when the range says true.
  EXPECT_EQ(
      OnStats(Cmp("lessThan", "x", "100", "int"),
              R"({"numRecords":4,"minValues":{"x":1},"maxValues":{"x":2},"nullCount":{"x":1}})"),
      kUnknown);
}

TEST(EvaluateTest, NestedStatsColumns) {
  const char s[] = R"({"numRecords":2,"minValues":{"a":{"b":10}},"maxValues":{"a":{"b":20}},
                       "nullCount":{"a":{"b":0}}})";
  EXPECT_EQ(OnStats(Cmp("equal", "a.b", "5", "int"), s), kFalse);
  EXPECT_EQ(OnStats(Cmp("equal", "A.B", "15", "int"), s), kUnknown);
  EXPECT_EQ(OnStats(IsNull("a.b"), s), kFalse);
}

TEST(EvaluateTest, UnknownColumnsAndMissingStats) {
  EXPECT_EQ(EvalJson(Cmp("equal", "nowhere", "1", "int"), {{"p", "1"}}, kRange), kUnknown);
  EXPECT_EQ(EvalJson(IsNull("nowhere"), {{"p", "1"}}, kRange), kUnknown);
  FileView empty;  // neither partition values nor stats
  EXPECT_EQ(Evaluate(MustParse(Cmp("equal", "x", "1", "int")), empty), kUnknown);
  EXPECT_EQ(Evaluate(MustParse(Not(IsNull("x"))), empty), kUnknown);
}

TEST(EvaluateTest, PartitionValuesWinOverStats) {
  EXPECT_EQ(EvalJson(Cmp("equal", "x", "1", "int"), {{"x", "1"}}, kRange), kTrue);
}

TEST(EvaluateTest, MixedTrees) {
  Partitions parts = {{"date", "2021-04-29"}, {"country", "US"}};
  std::string stats =
      R"({"numRecords":10,"minValues":{"id":100},"maxValues":{"id":200},"nullCount":{"id":0}})";
  auto eval = [&](const std::string& json) { return EvalJson(json, parts, stats); };
  std::string date_ok = Cmp("equal", "date", "2021-04-29", "date");
  std::string date_no = Cmp("equal", "date", "2021-04-30", "date");
  std::string id_maybe = Cmp("lessThan", "id", "150", "long");
  std::string id_no = Cmp("greaterThan", "id", "300", "long");
  std::string us = Cmp("equal", "country", "US", "string");
  EXPECT_EQ(eval(Node("and", {date_ok, id_maybe})), kUnknown);
  EXPECT_EQ(eval(Node("and", {date_ok, us})), kTrue);
  EXPECT_EQ(eval(Node("and", {date_ok, id_no})), kFalse);
  EXPECT_EQ(eval(Node("and", {date_no, id_maybe, us})), kFalse);
  EXPECT_EQ(eval(Node("or", {date_no, id_no})), kFalse);
  EXPECT_EQ(eval(Node("or", {date_no, id_maybe})), kUnknown);
  EXPECT_EQ(eval(Node("or", {date_no, id_maybe, us})), kTrue);
  EXPECT_EQ(eval(Not(Node("or", {date_no, id_no}))), kTrue);
  EXPECT_EQ(eval(Not(Node("and", {date_ok, Not(id_no)}))), kFalse);
  EXPECT_EQ(eval(Node("or", {Node("and", {date_ok, Not(us)}), Not(id_maybe)})), kUnknown);
  EXPECT_EQ(eval(Node("and", {Node("or", {date_no, Not(us)}), id_maybe})), kFalse);
}

TEST(EvaluateTest, MayMatchParsesADataFile) {
  DataFile file;
  file.partition_values = {{"p", "a"}};
  file.stats = R"({"numRecords":2,"minValues":{"x":1},"maxValues":{"x":3},"nullCount":{"x":0}})";
  EXPECT_TRUE(MayMatch(MustParse(Cmp("equal", "x", "2", "int")), file));
  EXPECT_FALSE(MayMatch(MustParse(Cmp("equal", "x", "4", "int")), file));
  EXPECT_FALSE(MayMatch(MustParse(Cmp("equal", "p", "b", "string")), file));
  file.stats = "{broken";
  EXPECT_TRUE(MayMatch(MustParse(Cmp("equal", "x", "4", "int")), file));
  file.stats.reset();
  EXPECT_TRUE(MayMatch(MustParse(Cmp("equal", "x", "4", "int")), file));
}

// ---------------------------------------------------------------------------
// Soundness against brute force: random files and predicates; whenever some
// row satisfies the predicate (SQL three-valued logic), the file is kept, and
// the flags cover what the rows do.

enum class V3 { kT, kF, kN };

struct Row {
  std::optional<int> x, y;  // stats columns
};

struct RandomFile {
  std::optional<int> p;  // partition value
  std::vector<Row> rows;
};

struct Expr {
  std::string json;
  std::function<V3(const RandomFile&, const Row&)> eval;
};

V3 Cmp3(const char* op, std::optional<int> a, std::optional<int> b) {
  if (!a || !b) return V3::kN;
  std::string o = op;
  bool r = o == "equal"             ? *a == *b
           : o == "lessThan"        ? *a < *b
           : o == "lessThanOrEqual" ? *a <= *b
           : o == "greaterThan"     ? *a > *b
                                    : *a >= *b;
  return r ? V3::kT : V3::kF;
}

Expr RandomExpr(std::mt19937& rng, int depth) {
  static constexpr const char* kOps[] = {"equal", "lessThan", "lessThanOrEqual", "greaterThan",
                                         "greaterThanOrEqual"};
  static constexpr const char* kCols[] = {"x", "y", "p"};
  auto column = [](const std::string& c) {
    return [c](const RandomFile& f, const Row& r) -> std::optional<int> {
      return c == "x" ? r.x : c == "y" ? r.y : f.p;
    };
  };
  int pick = depth >= 3 ? static_cast<int>(rng() % 3) : static_cast<int>(rng() % 7);
  if (pick <= 1) {  // comparison
    const char* op = kOps[rng() % 5];
    std::string c = kCols[rng() % 3];
    auto get = column(c);
    if (rng() % 5 == 0) {  // column against column
      std::string c2 = kCols[rng() % 3];
      auto get2 = column(c2);
      return {Node(op, {Col(c, "int"), Col(c2, "int")}),
              [=](const RandomFile& f, const Row& r) { return Cmp3(op, get(f, r), get2(f, r)); }};
    }
    int lit = static_cast<int>(rng() % 8) - 1;
    if (rng() % 2) {
      return {Node(op, {Col(c, "int"), Lit(std::to_string(lit), "int")}),
              [=](const RandomFile& f, const Row& r) { return Cmp3(op, get(f, r), lit); }};
    }
    return {Node(op, {Lit(std::to_string(lit), "int"), Col(c, "int")}),
            [=](const RandomFile& f, const Row& r) { return Cmp3(op, lit, get(f, r)); }};
  }
  if (pick == 2) {
    std::string c = kCols[rng() % 3];
    auto get = column(c);
    return {IsNull(c),
            [=](const RandomFile& f, const Row& r) { return get(f, r) ? V3::kF : V3::kT; }};
  }
  if (pick == 3) {
    Expr e = RandomExpr(rng, depth + 1);
    return {Not(e.json), [=](const RandomFile& f, const Row& r) {
              V3 v = e.eval(f, r);
              return v == V3::kT ? V3::kF : v == V3::kF ? V3::kT : V3::kN;
            }};
  }
  bool is_and = pick <= 5;
  std::vector<Expr> kids;
  int n = 2 + static_cast<int>(rng() % 2);
  for (int i = 0; i < n; ++i) kids.push_back(RandomExpr(rng, depth + 1));
  std::vector<std::string> jsons;
  for (const Expr& k : kids) jsons.push_back(k.json);
  return {Node(is_and ? "and" : "or", jsons), [=](const RandomFile& f, const Row& r) {
            bool any_n = false;
            for (const Expr& k : kids) {
              V3 v = k.eval(f, r);
              if (v == (is_and ? V3::kF : V3::kT)) return v;
              any_n = any_n || v == V3::kN;
            }
            return any_n ? V3::kN : (is_and ? V3::kT : V3::kF);
          }};
}

std::string StatsFor(const RandomFile& f, std::mt19937& rng) {
  std::string mins, maxs, nulls;
  for (const char* c : {"x", "y"}) {
    std::optional<int> lo, hi;
    int null_count = 0;
    for (const Row& r : f.rows) {
      std::optional<int> v = std::string(c) == "x" ? r.x : r.y;
      if (!v) {
        ++null_count;
        continue;
      }
      lo = lo ? std::min(*lo, *v) : *v;
      hi = hi ? std::max(*hi, *v) : *v;
    }
    auto add = [](std::string* out, const std::string& kv) {
      *out += (out->empty() ? "" : ",") + kv;
    };
    // Sometimes stats are missing, or only wider than the data (still valid bounds).
    if (lo && rng() % 6 != 0) {
      add(&mins, "\"" + std::string(c) + "\":" + std::to_string(*lo - (rng() % 4 == 0)));
      add(&maxs, "\"" + std::string(c) + "\":" + std::to_string(*hi + (rng() % 4 == 0)));
    }
    if (rng() % 6 != 0) add(&nulls, "\"" + std::string(c) + "\":" + std::to_string(null_count));
  }
  std::string s = "{";
  if (rng() % 8 != 0) s += "\"numRecords\":" + std::to_string(f.rows.size()) + ",";
  return s + "\"minValues\":{" + mins + "},\"maxValues\":{" + maxs + "},\"nullCount\":{" + nulls +
         "}}";
}

TEST(EvaluateTest, SoundAgainstBruteForce) {
  std::mt19937 rng(2024);
  int skipped = 0;
  for (int iter = 0; iter < 30000; ++iter) {
    RandomFile f;
    auto value = [&]() -> std::optional<int> {
      if (rng() % 4 == 0) return std::nullopt;
      return static_cast<int>(rng() % 6);
    };
    f.p = value();
    int n = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) f.rows.push_back({value(), value()});
    Expr e = RandomExpr(rng, 0);
    Partitions parts = {{"p", f.p ? std::optional<std::string>(std::to_string(*f.p))
                                  : std::optional<std::string>()}};
    std::string stats_json = StatsFor(f, rng);
    FileStats stats = FileStats::Parse(stats_json);
    Predicate pred = MustParse(e.json);
    Truth t = Evaluate(pred, FileView{&parts, &stats});
    bool any_true = false, any_false = false;
    for (const Row& r : f.rows) {
      V3 v = e.eval(f, r);
      any_true = any_true || v == V3::kT;
      any_false = any_false || v == V3::kF;
    }
    if (any_true && !t.may_be_true) {
      ADD_FAILURE() << "dropped a matching file: " << pred.ToString()
                    << " on p=" << (f.p ? std::to_string(*f.p) : "null") << " stats " << stats_json;
      break;
    }
    if (any_false && !t.may_be_false) {
      ADD_FAILURE() << "missed a false row: " << pred.ToString() << " on stats " << stats_json;
      break;
    }
    skipped += !t.may_be_true;
  }
  // Not vacuous: a good share of files gets skipped.
  EXPECT_GT(skipped, 3000);
}

// The same for strings whose stats were truncated to a 2-character prefix
// the way older Delta writers did it (min and max both cut short).
TEST(EvaluateTest, TruncatedStringStatsSoundAgainstBruteForce) {
  std::mt19937 rng(99);
  static constexpr const char* kOps[] = {"equal", "lessThan", "lessThanOrEqual", "greaterThan",
                                         "greaterThanOrEqual"};
  auto word = [&] {
    std::string w;
    int n = static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) w.push_back("abc"[rng() % 3]);
    return w;
  };
  StatsParseOptions options;
  options.string_prefix_length = 2;
  int skipped = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<std::string> rows(1 + rng() % 3);
    for (std::string& r : rows) r = word();
    std::string lo = *std::min_element(rows.begin(), rows.end());
    std::string hi = *std::max_element(rows.begin(), rows.end());
    std::string stats = R"({"numRecords":)" + std::to_string(rows.size()) +
                        R"(,"minValues":{"s":")" + lo.substr(0, 2) + R"("},"maxValues":{"s":")" +
                        hi.substr(0, 2) + R"("},"nullCount":{"s":0}})";
    const char* op = kOps[rng() % 5];
    std::string lit = word();
    bool negate = rng() % 2;
    std::string json = Cmp(op, "s", lit, "string");
    if (negate) json = Not(json);
    FileStats parsed = FileStats::Parse(stats, options);
    Truth t = Evaluate(MustParse(json), FileView{nullptr, &parsed});
    bool any_true = false;
    for (const std::string& r : rows) {
      std::string o = op;
      bool v = o == "equal"             ? r == lit
               : o == "lessThan"        ? r < lit
               : o == "lessThanOrEqual" ? r <= lit
               : o == "greaterThan"     ? r > lit
                                        : r >= lit;
      any_true = any_true || (v != negate);
    }
    if (any_true && !t.may_be_true) {
      ADD_FAILURE() << "dropped a matching file: " << json << " on " << stats;
      break;
    }
    skipped += !t.may_be_true;
  }
  EXPECT_GT(skipped, 2000);
}

TEST(EvaluateTest, OneColumnUnderTwoTypesIsResolvedForEach) {
  // Columns are resolved once per file and type: id's stats are numbers, so
  // as a string it is unknown while as a long it is [10, 20].
  FileStats stats = FileStats::Parse(
      R"({"numRecords":5,"minValues":{"id":10},"maxValues":{"id":20},"nullCount":{"id":0}})");
  FileView file{nullptr, &stats};
  auto eq = [](const char* type, const char* value) {
    return *Predicate::Compare(PredicateOp::kEqual,
                               *Predicate::Column("id", ValueTypeFromName(type)),
                               *Predicate::Literal(value, *ValueTypeFromName(type)));
  };
  EXPECT_FALSE(MayMatch(eq("long", "5"), file));
  EXPECT_TRUE(MayMatch(*Predicate::Or({eq("long", "5"), eq("string", "x")}), file));
  EXPECT_FALSE(MayMatch(*Predicate::And({eq("string", "x"), eq("long", "5")}), file));
}

TEST(EvaluateTest, ManyColumnsBeyondTheMemo) {
  std::string min = "{", max = "{", nulls = "{";
  std::vector<Predicate> in_range, one_out;
  for (int c = 0; c < 9; ++c) {
    std::string name = "c" + std::to_string(c);
    min += (c ? "," : "") + ("\"" + name + "\":" + std::to_string(c * 10));
    max += (c ? "," : "") + ("\"" + name + "\":" + std::to_string(c * 10 + 5));
    nulls += (c ? "," : "") + ("\"" + name + "\":0");
    auto eq = [&](int v) {
      return *Predicate::Compare(PredicateOp::kEqual, *Predicate::Column(name, ValueType::kLong),
                                 *Predicate::Literal(std::to_string(v), ValueType::kLong));
    };
    in_range.push_back(eq(c * 10 + 1));
    one_out.push_back(c == 8 ? eq(c * 10 + 6) : eq(c * 10 + 2));
  }
  FileStats stats = FileStats::Parse(R"({"numRecords":5,"minValues":)" + min + R"(},"maxValues":)" +
                                     max + R"(},"nullCount":)" + nulls + "}}");
  FileView file{nullptr, &stats};
  EXPECT_TRUE(MayMatch(*Predicate::And(in_range), file));
  EXPECT_FALSE(MayMatch(*Predicate::And(one_out), file));
}

TEST(EvaluateTest, FilterBudget) {
  auto wide_or = [](int comparisons) {
    auto eq = *Predicate::Compare(PredicateOp::kEqual, *Predicate::Column("a", ValueType::kLong),
                                  *Predicate::Literal("1", ValueType::kLong));
    return *Predicate::Or(std::vector<Predicate>(comparisons, eq));
  };
  Predicate small = wide_or(21);  // 64 nodes: affordable on any table
  EXPECT_EQ(small.node_count(), kAffordableNodesPerFile);
  EXPECT_TRUE(AffordableFilter(small, int64_t{1} << 40));
  Predicate big = wide_or(3333);  // 10 000 nodes
  EXPECT_TRUE(AffordableFilter(big, kMaxFilterSteps / 10000));
  EXPECT_FALSE(AffordableFilter(big, kMaxFilterSteps / 10000 + 1));
}

}  // namespace
}  // namespace lakeshare
