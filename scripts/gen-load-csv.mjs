// Regenerates src/ingest/sql/load_csv.sql from the column lists in src/ingest/sink.ts (after npm run build).
// Run from the repository root: node scripts/gen-load-csv.mjs
import { COLUMNS, WITH_FILE_ID } from '../dist/src/ingest/sink.js';
import { writeFileSync } from 'node:fs';
const T = { str: 'VARCHAR', i64: 'BIGINT', u64: 'UBIGINT', i32: 'INTEGER', u32: 'UINTEGER', i8: 'TINYINT', f64: 'DOUBLE', bool: 'BOOLEAN' };
let out = `-- Load the CSV files the decode workers wrote (src/ingest/sink.ts CsvSink) into the stage tables.
-- One parameter per table: the list of its files. Strings are always quoted with RS (chr(30)),
-- which JSON text never holds raw, so an unquoted empty field is NULL and a quoted one is ''. Column lists mirror src/ingest/sink.ts COLUMNS (tested).
`;
for (const [table, cols] of Object.entries(COLUMNS)) {
  const all = [...cols.map(([c, k]) => [c, T[k]]), ...(WITH_FILE_ID.has(table) ? [['file_id', 'INTEGER']] : [])];
  out += `INSERT INTO stage_${table} SELECT * FROM read_csv($${table},\n  columns = {${all.map(([c, t]) => `'${c}': '${t}'`).join(', ')}},\n  header = false, auto_detect = false, delim = ',', quote = chr(30), escape = chr(30), nullstr = '', allow_quoted_nulls = false, new_line = '\\n');\n`;
}
writeFileSync('src/ingest/sql/load_csv.sql', out);
