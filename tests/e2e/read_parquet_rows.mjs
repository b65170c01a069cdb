// Prints the rows of parquet files as JSON lines, one object per row with
// the requested top-level columns rendered by DuckDB's to_json (absent
// columns are left out). Used by checkpoint_log.py as a reader of Delta
// checkpoints that shares no code with lakeshare.
//
//   node read_parquet_rows.mjs '{"files": ["a.parquet"], "columns": ["add", "metaData"]}'
import { DuckDBInstance } from '@duckdb/node-api';

const request = JSON.parse(process.argv[2]);
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
for (const file of request.files) {
  const described = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quote(file)})`);
  const present = new Set(described.getRowObjectsJson().map((r) => r.column_name));
  const cols = request.columns.filter((c) => present.has(c));
  if (cols.length === 0) continue;
  const select = cols.map((c) => `to_json("${c}") AS "${c}"`).join(', ');
  const reader = await con.runAndReadAll(`SELECT ${select} FROM read_parquet(${quote(file)})`);
  for (const row of reader.getRowObjectsJson()) {
    const out = { _file: file };
    for (const c of cols) out[c] = row[c] === null ? null : JSON.parse(row[c]);
    process.stdout.write(JSON.stringify(out) + '\n');
  }
}
