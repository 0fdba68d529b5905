/**
 * Panels: one `<id>.sql` each (plus `<id>.vl.json` chart specs for the charted ones). A panel file
 * holds one or more named queries (`-- name: series`); running a panel returns rows per name.
 * Values come back JSON-safe: BIGINT/DECIMAL as strings, converted by the summary with checks.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { SqlError } from '../errors.js';
import { sqlText } from '../model/db.js';

import type { PanelId } from './ids.js';

export { CHART_PANELS, TABLE_PANELS, type PanelId } from './ids.js';

export type Row = Record<string, unknown>;
export type PanelResult = Record<string, Row[]>;

const NAME_RE = /^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$/gm;

/** Split a panel file into its named statements. */
export function namedStatements(file: string, text: string): { name: string; sql: string }[] {
  const marks = [...text.matchAll(NAME_RE)];
  if (marks.length === 0) throw new Error(`${file}: no "-- name: …" query in the file`);
  return marks.map((m, i) => ({
    name: m[1],
    sql: text.slice(m.index! + m[0].length, i + 1 < marks.length ? marks[i + 1].index : text.length),
  }));
}

/** Parameters a statement uses ($name), so each gets only its own. */
function paramsFor(sql: string, all: Record<string, unknown>): Record<string, unknown> | undefined {
  const used = new Set([...sql.matchAll(/\$([a-z_][a-z0-9_]*)/g)].map((m) => m[1]));
  if (used.size === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of used) {
    if (!(k in all)) throw new Error(`parameter $${k} is not provided`);
    out[k] = all[k];
  }
  return out;
}

/** One named statement of a panel, ready to run on any connection of the report. */
export interface PanelQuery {
  panel: PanelId;
  name: string;
  sql: string;
  /**
   * Runs the statement; resolves to what turns its result into rows, JavaScript work that the
   * caller can do while the connection runs its next statement.
   */
  start(conn: DuckDBConnection): Promise<() => Row[]>;
  run(conn: DuckDBConnection): Promise<Row[]>;
}

export function panelQueries(id: PanelId, params: Record<string, unknown> = {}): PanelQuery[] {
  const file = `panels/${id}.sql`;
  return namedStatements(file, sqlText(file)).map((st) => {
    const fail = (e: unknown) => new SqlError(`src/${file} (query "${st.name}")`, e);
    const start = async (conn: DuckDBConnection) => {
      try {
        const p = paramsFor(st.sql, params);
        const reader = p ? await conn.runAndReadAll(st.sql, p as never) : await conn.runAndReadAll(st.sql);
        return () => {
          try {
            return reader.getRowObjectsJson() as Row[];
          } catch (e) {
            throw fail(e);
          }
        };
      } catch (e) {
        throw fail(e);
      }
    };
    return { panel: id, name: st.name, sql: st.sql, start, run: async (conn: DuckDBConnection) => (await start(conn))() };
  });
}

export async function runPanel(conn: DuckDBConnection, id: PanelId, params: Record<string, unknown> = {}): Promise<PanelResult> {
  const out: PanelResult = {};
  for (const q of panelQueries(id, params)) out[q.name] = await q.run(conn);
  return out;
}

/**
 * A unit of work for one connection: resolves once the database part is done, to what is left to
 * do in JavaScript (or nothing).
 */
export type Job = (conn: DuckDBConnection) => Promise<(() => void) | void>;

/**
 * Run jobs on several connections at once (DuckDB runs each connection's statement on its own
 * thread), each job on the next free connection. What a job leaves to do in JavaScript is done
 * once its connection has started the next job, so the two overlap. After a failure no job
 * starts, and the first error is thrown once the running ones have finished (so the connections
 * can close).
 */
export async function runConcurrently(conns: DuckDBConnection[], jobs: Job[]): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const attempt = (f: () => void) => {
    try {
      f();
    } catch (error) {
      failure ??= { error };
    }
  };
  await Promise.all(
    conns.map(async (conn) => {
      let left: (() => void) | void = undefined;
      while (!failure && next < jobs.length) {
        const started = jobs[next++](conn);
        if (left) attempt(left);
        try {
          left = await started;
        } catch (error) {
          failure ??= { error };
          left = undefined;
        }
      }
      if (left && !failure) attempt(left);
    }),
  );
  if (failure) throw failure.error;
}
