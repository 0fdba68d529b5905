/**
 * DuckDB by hand: what a user would type to get the log records out of Collector JSON lines.
 * Each line is read as one JSON value (read_json, newline_delimited, records=false → column
 * `json`), and the log records of resourceLogs are unnested into a table, in one statement. Compression (.gz,
 * .zst) is detected by DuckDB from the file names.
 *
 *   node dist/bench/readjson.js --db FILE --list files.json
 *
 * Prints one JSON line: { logRecords, ms, duckdb }.
 */
import { readFileSync, rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const db = args[args.indexOf('--db') + 1];
  const list = JSON.parse(readFileSync(args[args.indexOf('--list') + 1], 'utf8')) as { path: string }[];
  rmSync(db, { force: true });
  rmSync(db + '.wal', { force: true });
  const files = '[' + list.map((f) => `'${f.path.replace(/'/g, "''")}'`).join(', ') + ']';
  const started = performance.now();
  const instance = await DuckDBInstance.create(db);
  const conn = await instance.connect();
  await conn.run(`
    CREATE TABLE log_records AS
      SELECT unnest(json_extract(json, '$.resourceLogs[*].scopeLogs[*].logRecords[*]')) AS record
      FROM read_json(${files}, format = 'newline_delimited', records = false, maximum_object_size = 1073741824)`);
  const r = await conn.runAndReadAll(`SELECT count(*) AS log_records, version() AS v FROM log_records`);
  const row = r.getRowObjectsJson()[0] as Record<string, string>;
  conn.closeSync();
  instance.closeSync();
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ logRecords: Number(row.log_records), ms, duckdb: row.v }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
