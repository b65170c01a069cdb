// libFuzzer target: arbitrary bytes through every front end of the predicate
// module. The input is split at the first newline: the part before is read as
// a jsonPredicateHints tree (and as a SQL hint), the part after as file stats.
// Any crash, sanitizer report or leak is a bug; errors are expected.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "predicate/evaluate.h"
#include "predicate/file_stats.h"
#include "predicate/json_predicate.h"
#include "predicate/sql_predicate.h"

namespace {

using lakeshare::FileStats;
using lakeshare::FileView;
using lakeshare::Predicate;

std::optional<std::string> FuzzSchema(std::string_view column) {
  if (column.empty()) return std::nullopt;
  static const char* kTypes[] = {"string",  "long", "integer",   "double",      "float",
                                 "boolean", "date", "timestamp", "decimal(3,1)"};
  return kTypes[static_cast<unsigned char>(column[0]) % 9];
}

void EvaluateEverywhere(const Predicate& p, const FileStats& stats) {
  static const std::map<std::string, std::optional<std::string>> kParts = {
      {"a", "1"}, {"B", "2021-01-01"}, {"c", std::nullopt},
      {"d", ""},  {"e", "x"},          {"t", "2021-01-01 00:00:00.123456"}};
  (void)lakeshare::Evaluate(p, FileView{&kParts, &stats});
  (void)lakeshare::Evaluate(p, FileView{nullptr, &stats});
  (void)lakeshare::Evaluate(p, FileView{});
  (void)p.ToString();
  std::vector<std::string> columns = p.ColumnNames();
  lakeshare::StatsParseOptions options;
  options.columns = &columns;
  options.string_prefix_length = 3;
  FileStats filtered = FileStats::Parse("{\"minValues\":{\"a\":1}}", options);
  (void)lakeshare::Evaluate(p, FileView{&kParts, &filtered});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view predicate_text = input.substr(0, newline);
  std::string_view stats_text =
      newline == std::string_view::npos ? input : input.substr(newline + 1);

  FileStats stats = FileStats::Parse(stats_text);
  if (stats.valid()) (void)stats.Find("a");

  lakeshare::Result<Predicate> p = lakeshare::ParseJsonPredicate(predicate_text);
  if (p.ok()) EvaluateEverywhere(*p, stats);

  lakeshare::Result<Predicate> sql = lakeshare::ParseSqlPredicate(predicate_text, FuzzSchema);
  if (sql.ok()) EvaluateEverywhere(*sql, stats);
  return 0;
}
