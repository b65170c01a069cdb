// Runs DuckDB SQL statements in order (in memory), e.g. a COPY that writes a
// parquet file with or without field ids. Used by test_iceberg_evolution.py
// to make data files as other writers do (Hive: no field ids).
//
//   node run_duckdb_sql.mjs '{"statements": ["COPY (...) TO ... (FORMAT parquet)"]}'
import { DuckDBInstance } from '@duckdb/node-api';

const request = JSON.parse(process.argv[2]);
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
for (const sql of request.statements) {
  await con.run(sql);
}
