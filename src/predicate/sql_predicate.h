// The legacy `predicateHints` of a /query request: SQL boolean expressions
// (AND-ed together), converted into the Predicate tree of predicate.h.
//
// Supported: `col <op> literal` and `literal <op> col` with = == <> != < <=
// > >=, `col IS [NOT] NULL`, AND / OR / NOT and parentheses. Columns are bare
// (a, a.b) or backquoted (`my col`, `` for a backquote); literals are numbers
// (-1.5e3), strings ('it''s', "x"), TRUE/FALSE, DATE '...'/TIMESTAMP '...'.
// A literal takes the type of the column it is compared with, and must read
// as that type: a hint whose meaning might differ from Spark's (e.g. a number
// compared with a string column, which Spark compares after a cast) is
// rejected rather than guessed. Anything else is InvalidArgument, and the
// caller just ignores that hint (the hints are best effort).
//
// The reference server applies these only to partition columns, and only
// when enabled: see Predicate::ReferencesOnly.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "predicate/predicate.h"

namespace lakeshare {

// The Spark type name of a column in the table schema ("string", "long",
// "integer", "date", ...), or nullopt when the table has no such column.
// Expected to match names case-insensitively, as Spark does.
using ColumnTypeLookup = std::function<std::optional<std::string>(std::string_view column)>;

// string, long, integer, short, byte, float, double, boolean, date,
// timestamp (and the SQL aliases bigint, int, smallint, tinyint, real);
// nullopt for types filtering does not support (decimal, binary, nested...).
std::optional<ValueType> ValueTypeFromSparkType(std::string_view spark_type);

// One hint.
Result<Predicate> ParseSqlPredicate(std::string_view hint, const ColumnTypeLookup& column_type);

// All hints, AND-ed. A hint that does not convert, or (when `only_columns`
// is given, e.g. the partition columns) uses another column, is left out and
// the reason appended to *errors (when given); nullopt when no hint is left.
std::optional<Predicate> ParseSqlPredicateHints(
    const std::vector<std::string>& hints, const ColumnTypeLookup& column_type,
    std::vector<Status>* errors = nullptr, const std::vector<std::string>* only_columns = nullptr);

}  // namespace lakeshare
