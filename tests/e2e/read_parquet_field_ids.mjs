// Prints the top-level columns of parquet files with their field ids as JSON
// lines: {"_file": path, "name": column, "field_id": id or null}. Used by
// iceberg_deletes.py (equality deletes name their key columns by field id).
//
//   node read_parquet_field_ids.mjs '{"files": ["a.parquet"]}'
import { DuckDBInstance } from '@duckdb/node-api';

const request = JSON.parse(process.argv[2]);
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
for (const file of request.files) {
  const reader = await con.runAndReadAll(
    `SELECT name, field_id FROM parquet_schema(${quote(file)})`);
  for (const row of reader.getRowObjectsJson()) {
    process.stdout.write(JSON.stringify({ _file: file, name: row.name, field_id: row.field_id }) + '\n');
  }
}
