/**
 * The DuckDB database: open it, create the raw schema, run named SQL files.
 * Every SQL statement lives in a .sql file registered in `registry.ts`; errors name that file.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from './duckdb.js';
import { SqlError } from '../errors.js';
import { fromRoot } from '../paths.js';
import { SCHEMA_FILES } from './registry.js';

export interface Db {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  path: string;
  close(): void;
}

export async function openDb(path?: string): Promise<Db> {
  const p = path ?? ':memory:';
  const instance = await DuckDBInstance.create(p);
  const conn = await instance.connect();
  // Timestamps are UTC everywhere; casts to TIMESTAMPTZ must not depend on the user's machine.
  await conn.run("SET TimeZone = 'UTC'");
  // Bounded memory whatever the input size: DuckDB spills to disk past the limit (an in-memory
  // database needs a temp directory for that). Row order is never relied on (queries ORDER BY).
  await conn.run('SET memory_limit = $limit', { limit: memoryLimit() });
  await conn.run('SET preserve_insertion_order = false');
  // Give freed memory back to the system whenever DuckDB frees more than 16 MB at once (a hash
  // table, a TEMP table of the facts build), not only past 512 MB: what glibc kept of it was most of
  // the resident memory beyond DuckDB's limit. Facts build alone on the 5 GB bench: peak RSS
  // 0.84–1.0 GB → 0.69–0.74 GB; whole 5 GB ingest 0.98–1.03 GB → 0.80 GB, about 5 % slower.
  // A tuning knob (DuckDB ≥ 1.2): a DuckDB without it only uses more memory.
  await conn.run("SET allocator_bulk_deallocation_flush_threshold = '16MB'").catch(() => {});
  if (p === ':memory:') await conn.run('SET temp_directory = $dir', { dir: join(tmpdir(), `otel-agent-report-spill-${process.pid}`) });
  const db: Db = {
    instance,
    conn,
    path: p,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
  for (const f of SCHEMA_FILES) await runSqlFile(db.conn, f);
  return db;
}

/** DuckDB's memory limit: OTEL_AGENT_REPORT_MEMORY_LIMIT (a DuckDB size such as '2GB'), else 512 MB. */
function memoryLimit(): string {
  return process.env.OTEL_AGENT_REPORT_MEMORY_LIMIT ?? '512MB';
}

// DuckDB's units (K, M, G, T are powers of 1000, as KB…TB are).
const UNITS: Record<string, number> = { b: 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/**
 * Run `f` with DuckDB's memory limit at `share` of the configured one, then restore it.
 * DuckDB keeps blocks it could evict (table data just written, say) resident up to its limit, and
 * the resident memory outside its accounting grows with them: loading the CSV of the 1 GB bench
 * archive at 512 MB peaked at 1.0–1.06 GB resident, at 256 MB at 0.56 GB, in the same time (5 GB
 * archive: 0.59 GB). The facts build runs at 3/4 (buildModel says why). A limit this cannot read
 * ('none', say) is left as it is.
 */
export async function withMemoryShare<T>(conn: DuckDBConnection, share: number, f: () => Promise<T>): Promise<T> {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(memoryLimit());
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) return f();
  await conn.run('SET memory_limit = $limit', { limit: `${Math.max(1, Math.floor((Number(m[1]) * unit * share) / 1e6))}MB` });
  try {
    return await f();
  } finally {
    await conn.run('SET memory_limit = $limit', { limit: memoryLimit() });
  }
}

const cache = new Map<string, string>();

/** The text of a registered SQL file (path relative to src/). */
export function sqlText(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(fromRoot('src', file), 'utf8');
    cache.set(file, text);
  }
  return text;
}

export async function runSqlFile(conn: DuckDBConnection, file: string, params?: Record<string, unknown>): Promise<void> {
  try {
    if (!params) {
      await conn.run(sqlText(file));
      return;
    }
    // Bind per statement: each statement of a multi-statement file gets the parameters it uses.
    const statements = await conn.extractStatements(sqlText(file));
    for (let i = 0; i < statements.count; i++) {
      const prepared = await statements.prepare(i);
      const names = Array.from({ length: prepared.parameterCount }, (_, k) => prepared.parameterName(k + 1));
      if (names.length) prepared.bind(Object.fromEntries(names.map((n) => [n, params[n] ?? null])) as never);
      await prepared.run();
    }
  } catch (e) {
    throw new SqlError(`src/${file}`, e);
  }
}

/** Run a registered SQL file and return its rows as JSON-safe objects (BIGINT/DECIMAL as strings). */
export async function querySqlFile(conn: DuckDBConnection, file: string, params?: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  try {
    const reader = params ? await conn.runAndReadAll(sqlText(file), params as never) : await conn.runAndReadAll(sqlText(file));
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } catch (e) {
    throw new SqlError(`src/${file}`, e);
  }
}
