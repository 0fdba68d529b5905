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
  run(conn: DuckDBConnection): Promise<Row[]>;
}

export function panelQueries(id: PanelId, params: Record<string, unknown> = {}): PanelQuery[] {
  const file = `panels/${id}.sql`;
  return namedStatements(file, sqlText(file)).map((st) => ({
    panel: id,
    name: st.name,
    async run(conn: DuckDBConnection): Promise<Row[]> {
      try {
        const p = paramsFor(st.sql, params);
        const reader = p ? await conn.runAndReadAll(st.sql, p as never) : await conn.runAndReadAll(st.sql);
        return reader.getRowObjectsJson() as Row[];
      } catch (e) {
        throw new SqlError(`src/${file} (query "${st.name}")`, e);
      }
    },
  }));
}

export async function runPanel(conn: DuckDBConnection, id: PanelId, params: Record<string, unknown> = {}): Promise<PanelResult> {
  const out: PanelResult = {};
  for (const q of panelQueries(id, params)) out[q.name] = await q.run(conn);
  return out;
}

/**
 * Run jobs on several connections at once (DuckDB runs each connection's query on its own thread),
 * each job on the next free connection; results in job order. After a failure no job starts, and
 * the first error is thrown once the running ones have finished (so the connections can close).
 */
export async function runConcurrently<T>(conns: DuckDBConnection[], jobs: ((conn: DuckDBConnection) => Promise<T>)[]): Promise<T[]> {
  const out = new Array<T>(jobs.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  await Promise.all(
    conns.map(async (conn) => {
      while (!failure && next < jobs.length) {
        const i = next++;
        try {
          out[i] = await jobs[i](conn);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw failure.error;
  return out;
}
