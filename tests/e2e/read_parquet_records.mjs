// Prints every row of parquet files as JSON lines: {"_file": path, "row": {...}}
// with the row rendered by DuckDB's to_json (all columns, nested types as
// JSON). Used by hudi_reader.py, an independent reader of Hudi tables that
// shares no code with lakeshare.
//
//   node read_parquet_records.mjs '{"files": ["a.parquet", "b.parquet"]}'
import { DuckDBInstance } from '@duckdb/node-api';

const request = JSON.parse(process.argv[2]);
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
for (const file of request.files) {
  const reader = await con.runAndReadAll(
    `SELECT to_json(t) AS j FROM read_parquet(${quote(file)}, hive_partitioning=false) t`);
  for (const row of reader.getRowObjectsJson()) {
    process.stdout.write(JSON.stringify({ _file: file, row: JSON.parse(row.j) }) + '\n');
  }
}
